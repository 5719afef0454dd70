import { customName, isCustomKey, listNames, type FieldKey } from '$lib/domain/fields';
import { visibleFields, type FieldPolicy } from '$lib/domain/policy';
import { foldText } from '$lib/domain/text';
import { nameOf, type User } from '$lib/domain/user';
import {
	SCIM_CORE,
	SCIM_CUSTOM,
	SCIM_ENTERPRISE,
	SCIM_GROUP,
	SCIM_LIST_RESPONSE,
	SCIM_ROLLCALL,
	SCIM_STATUS,
	extensionFields,
	scimAddress,
	scimAttributes,
	scimLists,
	scimPhones
} from './scim-schema';
import { isoTime, valueOf } from './values';

/** A JSON string literal (escapes as JSON.stringify does). */
const quote = (text: string) => JSON.stringify(text);

/** A part of a resource: `"name":value`, or undefined when the user has nothing for it. */
type Member = (user: User) => string | undefined;

/** An object member made of `members`, left out when none of them has anything. */
function objectMember(name: string, members: readonly Member[]): Member {
	const head = `${quote(name)}:{`;
	return (user) => {
		let body = '';
		for (const member of members) {
			const text = member(user);
			if (text !== undefined) body += body === '' ? text : `,${text}`;
		}
		return body === '' ? undefined : `${head}${body}}`;
	};
}

/** A member holding a string, left out when `value` gives none. */
function stringMember(name: string, value: (user: User) => string | undefined): Member {
	const head = `${quote(name)}:`;
	return (user) => {
		const text = value(user);
		return text === undefined ? undefined : head + quote(text);
	};
}

interface Tree {
	name: string;
	children: Tree[];
	value?: (user: User) => string | undefined;
}

/**
 * The members of the single-valued attributes, nested by their paths (scimAttributes), each object where
 * its first attribute puts it: the order JSON.stringify gives objects built attribute by attribute.
 */
function attributeMembers(
	leaves: readonly { path: readonly string[]; value: (user: User) => string | undefined }[]
): { name: string; member: Member }[] {
	const root: Tree = { name: '', children: [] };
	for (const { path, value } of leaves) {
		let node = root;
		for (const step of path.slice(0, -1)) {
			let child = node.children.find((c) => c.name === step && !c.value);
			if (!child) node.children.push((child = { name: step, children: [] }));
			node = child;
		}
		node.children.push({ name: path[path.length - 1]!, children: [], value });
	}
	const member = (node: Tree): Member =>
		node.value ? stringMember(node.name, node.value) : objectMember(node.name, node.children.map(member));
	return root.children.map((node) => ({ name: node.name, member: member(node) }));
}

/**
 * Writes users as SCIM 2.0 User resources (RFC 7643): core attributes, the enterprise extension, and
 * Rollcall's extension for the rest. Only the fields the policy shows; never a password. The JSON text
 * is built directly, one string per user (the plan of what to write is made once per export): building
 * an object per user and stringifying it took most of a SCIM export's time.
 */
export function scimUserWriter(
	shown: ReadonlySet<FieldKey>,
	groupOf: (name: string) => string = foldText
): (user: User) => string {
	const text = (key: FieldKey) =>
		shown.has(key)
			? (user: User) => {
					const value = valueOf(user, key);
					return typeof value === 'string' && value !== '' ? value : undefined;
				}
			: () => undefined;
	const [firstName, lastName] = [text('firstName'), text('lastName')];
	const attributes = attributeMembers([
		...scimAttributes.map(({ path, key }) => ({ path, value: text(key) })),
		{
			path: ['name', 'formatted'],
			value: (user: User) => [firstName(user), lastName(user)].filter(Boolean).join(' ') || undefined
		}
	]);
	const phones = scimPhones.map(({ type, key }) => ({ value: text(key), type: quote(type) }));
	const address = scimAddress.map(({ attribute, key }) => stringMember(attribute, text(key)));
	const lists = scimLists.map(({ attribute, key }): Member => {
		const [head, names] = [`${quote(attribute)}:[`, text(key)];
		return (user) => {
			const entries = listNames(names(user)).map((name) => `{"value":${quote(name)}}`);
			return entries.length === 0 ? undefined : `${head}${entries.join(',')}]`;
		};
	});
	const extension = extensionFields
		.filter((def) => shown.has(def.key))
		.map((def): Member => {
			const head = `${quote(def.key)}:`;
			return (user) => {
				const value = valueOf(user, def.key);
				if (value === undefined || value === '') return undefined;
				return head + (typeof value === 'string' ? quote(value) : String(value));
			};
		});
	const custom = objectMember(
		SCIM_CUSTOM,
		[...shown].filter(isCustomKey).map((key) => stringMember(customName(key), text(key)))
	);
	const time = (ms: number | null) => (ms ? quote(isoTime(ms)) : 'null');
	const isGroupsShown = shown.has('groups');
	const joined = (user: User, members: readonly Member[]) => {
		let body = '';
		for (const member of members) {
			const part = member(user);
			if (part !== undefined) body += `,${part}`;
		}
		return body;
	};
	// 'schemas' names the schemas of the attributes present (RFC 7643 §3): the enterprise one only with its object.
	const withEnterprise = `{"schemas":${JSON.stringify([SCIM_CORE, SCIM_ENTERPRISE, SCIM_ROLLCALL])},"id":`;
	const withoutEnterprise = `{"schemas":${JSON.stringify([SCIM_CORE, SCIM_ROLLCALL])},"id":`;
	const rollcall = `,${quote(SCIM_ROLLCALL)}:{`;
	const status = `${quote(SCIM_STATUS.status)}:`;
	const activatedAt = `,${quote(SCIM_STATUS.activatedAt)}:`;
	const lastLoginAt = `,${quote(SCIM_STATUS.lastLoginAt)}:`;
	return (user) => {
		let members = '';
		let hasEnterprise = false;
		for (const { name, member } of attributes) {
			const part = member(user);
			if (part === undefined) continue;
			members += `,${part}`;
			if (name === SCIM_ENTERPRISE) hasEnterprise = true;
		}
		// Required by SCIM and unique at the receiving service: the email, the one value Rollcall keeps unique
		// across both (a username may be another user's email). The username travels in Rollcall's extension.
		let json = `${hasEnterprise ? withEnterprise : withoutEnterprise}${quote(String(user.id))}`;
		json += `,"userName":${quote(user.email)}${members}`;
		// SCIM's active is whether the account may sign in: a Pending user's account is not blocked.
		json += `,"active":${user.status !== 'Suspended'}`;
		json += `,"emails":[{"value":${quote(user.email)},"type":"work","primary":true}]`;
		let numbers = '';
		for (const phone of phones) {
			const value = phone.value(user);
			if (value !== undefined)
				numbers += `${numbers === '' ? '' : ','}{"value":${quote(value)},"type":${phone.type}}`;
		}
		if (numbers !== '') json += `,"phoneNumbers":[${numbers}]`;
		const where = joined(user, address);
		if (where !== '') json += `,"addresses":[{"type":"work"${where},"primary":true}]`;
		const groups = isGroupsShown ? listNames(user.groups) : [];
		if (groups.length > 0) {
			const entries = groups.map((name) => `{"value":${quote(groupOf(name))},"display":${quote(name)}}`);
			json += `,"groups":[${entries.join(',')}]`;
		}
		json += joined(user, lists);
		// xsd:dateTime or nothing: a time Rollcall does not know (0) is left out, never written as ''.
		json += `,"meta":{"resourceType":"User"`;
		if (user.createdAt) json += `,"created":${quote(isoTime(user.createdAt))}`;
		if (user.updatedAt) json += `,"lastModified":${quote(isoTime(user.updatedAt))}`;
		json += '}';
		// Rollcall's extension: the fields, then what Rollcall itself sets (always there), then custom attributes.
		const fields = joined(user, extension);
		json += `${rollcall}${fields.slice(1)}${fields === '' ? '' : ','}${status}${quote(user.status)}`;
		json += `${activatedAt}${time(user.activatedAt)}${lastLoginAt}${time(user.lastLoginAt)}`;
		const customs = custom(user);
		return `${json}${customs === undefined ? '' : `,${customs}`}}}`;
	};
}

const encoder = new TextEncoder();

/** A Group resource (RFC 7643 §4.2) with its members, each `{"value":...}` text already. */
function scimGroup(id: number, name: string, members: readonly string[]): string {
	const head = { schemas: [SCIM_GROUP], id: String(id), displayName: name };
	return `${JSON.stringify(head).slice(0, -1)},"members":[${members.join(',')}],"meta":{"resourceType":"Group"}}`;
}

/**
 * A SCIM ListResponse (RFC 7644 §3.4.2) in pieces, one resource per line: begin opens it with the
 * total, write adds a page of resources, end closes it. Nothing of a page is kept once it is written
 * but, with `groups`, each user's membership (a short text per group they are in): the Group resources,
 * with their members, close the list.
 */
export function scimPieces(
	policy: FieldPolicy,
	total: number,
	groups: readonly { id: number; name: string }[] = []
) {
	const shown = new Set(visibleFields(policy).map((def) => def.key));
	// Groups are written only with the Groups field: a policy that hides it exports no membership.
	const written = shown.has('groups') ? groups : [];
	const byKey = new Map(written.map((group) => [foldText(group.name), group]));
	const members = new Map(written.map((group) => [group.id, [] as string[]]));
	const scimUser = scimUserWriter(shown, (name) => String(byKey.get(foldText(name))?.id ?? foldText(name)));
	const resources = total + written.length;
	let isFirst = true;
	const next = () => {
		const separator = isFirst ? '\n' : ',\n';
		isFirst = false;
		return separator;
	};
	return {
		begin(): Uint8Array {
			isFirst = true;
			for (const list of members.values()) list.length = 0;
			const head = {
				schemas: [SCIM_LIST_RESPONSE],
				totalResults: resources,
				startIndex: 1,
				itemsPerPage: resources
			};
			return encoder.encode(`${JSON.stringify(head).slice(0, -1)},"Resources":[`);
		},
		write(users: readonly User[]): Uint8Array {
			let text = '';
			for (const user of users) {
				text += `${next()}${scimUser(user)}`;
				if (members.size === 0) continue;
				for (const name of listNames(user.groups)) {
					const group = byKey.get(foldText(name));
					if (!group) continue;
					const member = { value: String(user.id), type: 'User', display: nameOf(user) };
					members.get(group.id)!.push(JSON.stringify(member));
				}
			}
			return encoder.encode(text);
		},
		end(): Uint8Array {
			let text = '';
			for (const group of written)
				text += `${next()}${scimGroup(group.id, group.name, members.get(group.id)!)}`;
			return encoder.encode(`${text}\n]}\n`);
		}
	};
}
