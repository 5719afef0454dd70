import { customName, isCustomKey, type FieldKey, type FieldValue } from '$lib/domain/fields';
import { visibleFields, type FieldPolicy } from '$lib/domain/policy';
import type { User } from '$lib/domain/user';
import {
	SCIM_CORE,
	SCIM_CUSTOM,
	SCIM_ENTERPRISE,
	SCIM_LIST_RESPONSE,
	SCIM_ROLLCALL,
	SCIM_STATUS,
	extensionFields,
	scimAddress,
	scimAttributes,
	scimPhones
} from './scim-schema';
import { isoTime, valueOf } from './values';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Sets a value at a path, making the objects on the way. */
function setPath(target: JsonObject, path: readonly string[], value: Json): void {
	let node = target;
	for (const step of path.slice(0, -1)) {
		const next = node[step];
		if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next;
		else node = node[step] = {};
	}
	node[path[path.length - 1]!] = value;
}

/**
 * One user as a SCIM 2.0 User resource (RFC 7643): core attributes, the enterprise extension, and
 * Rollcall's extension for the rest. Only the fields the policy shows; never a password.
 */
export function scimUser(user: User, shown: ReadonlySet<FieldKey>): JsonObject {
	const get = (key: FieldKey): FieldValue | undefined => (shown.has(key) ? valueOf(user, key) : undefined);
	const text = (key: FieldKey) => {
		const value = get(key);
		return typeof value === 'string' && value !== '' ? value : undefined;
	};
	const resource: JsonObject = {
		schemas: [SCIM_CORE, SCIM_ENTERPRISE, SCIM_ROLLCALL],
		id: String(user.id),
		// Required by SCIM and unique at the receiving service: the email, the one value Rollcall keeps unique
		// across both (a username may be another user's email). The username travels in Rollcall's extension.
		userName: user.email
	};
	for (const { path, key } of scimAttributes) {
		const value = text(key);
		if (value !== undefined) setPath(resource, path, value);
	}
	const formatted = [text('firstName'), text('lastName')].filter(Boolean).join(' ');
	if (formatted) setPath(resource, ['name', 'formatted'], formatted);
	// SCIM's active is whether the account may sign in: a Pending user's account is not blocked.
	resource.active = user.status !== 'Suspended';
	resource.emails = [{ value: user.email, type: 'work', primary: true }];
	const phones = scimPhones.flatMap(({ type, key }) => {
		const value = text(key);
		return value === undefined ? [] : [{ value, type }];
	});
	if (phones.length > 0) resource.phoneNumbers = phones;
	const address: JsonObject = {};
	for (const { attribute, key } of scimAddress) {
		const value = text(key);
		if (value !== undefined) address[attribute] = value;
	}
	if (Object.keys(address).length > 0) resource.addresses = [{ type: 'work', ...address, primary: true }];
	// xsd:dateTime or nothing: a time Rollcall does not know (0) is left out, never written as ''.
	const meta: JsonObject = { resourceType: 'User' };
	if (user.createdAt) meta.created = isoTime(user.createdAt);
	if (user.updatedAt) meta.lastModified = isoTime(user.updatedAt);
	resource.meta = meta;
	resource[SCIM_ROLLCALL] = rollcallExtension(user, shown, get);
	// 'schemas' names the schemas of the attributes present (RFC 7643 §3): the enterprise one only with its object.
	if (!(SCIM_ENTERPRISE in resource)) resource.schemas = [SCIM_CORE, SCIM_ROLLCALL];
	return resource;
}

function rollcallExtension(
	user: User,
	shown: ReadonlySet<FieldKey>,
	get: (key: FieldKey) => FieldValue | undefined
): JsonObject {
	const extension: JsonObject = {};
	for (const def of extensionFields) {
		const value = get(def.key);
		if (value !== undefined && value !== '') extension[def.key] = value;
	}
	extension[SCIM_STATUS.status] = user.status;
	extension[SCIM_STATUS.activatedAt] = user.activatedAt ? isoTime(user.activatedAt) : null;
	extension[SCIM_STATUS.lastLoginAt] = user.lastLoginAt ? isoTime(user.lastLoginAt) : null;
	// fromEntries defines each name as the object's own, so an attribute named '__proto__' is kept too.
	const custom: JsonObject = Object.fromEntries(
		[...shown].filter(isCustomKey).flatMap((key) => {
			const value = get(key);
			return typeof value === 'string' && value !== '' ? [[customName(key), value]] : [];
		})
	);
	if (Object.keys(custom).length > 0) extension[SCIM_CUSTOM] = custom;
	return extension;
}

const encoder = new TextEncoder();

/**
 * A SCIM ListResponse (RFC 7644 §3.4.2) in pieces, one resource per line: begin opens it with the
 * total, write adds a page of resources, end closes it. Nothing of a page is kept once it is written.
 */
export function scimPieces(policy: FieldPolicy, total: number) {
	const shown = new Set(visibleFields(policy).map((def) => def.key));
	let isFirst = true;
	return {
		begin(): Uint8Array {
			isFirst = true;
			const head = { schemas: [SCIM_LIST_RESPONSE], totalResults: total, startIndex: 1, itemsPerPage: total };
			return encoder.encode(`${JSON.stringify(head).slice(0, -1)},"Resources":[`);
		},
		write(users: readonly User[]): Uint8Array {
			let text = '';
			for (const user of users) {
				text += `${isFirst ? '\n' : ',\n'}${JSON.stringify(scimUser(user, shown))}`;
				isFirst = false;
			}
			return encoder.encode(text);
		},
		end: () => encoder.encode('\n]}\n')
	};
}
