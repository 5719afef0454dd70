import { customKey, customName, field, LIST_SEPARATOR, type FieldKey } from '$lib/domain/fields';
import { fail, ok, type Parsed } from '$lib/domain/result';
import { EXPORT_ONLY_HEADERS } from '$lib/export/shapes';
import {
	SCIM_CORE,
	SCIM_CUSTOM,
	SCIM_GROUP,
	SCIM_LIST_RESPONSE,
	SCIM_ROLLCALL,
	SCIM_STATUS,
	extensionFields,
	scimAddress,
	scimLists,
	scimAttributes,
	scimPhones
} from '$lib/export/scim-schema';
import { TableBuilder, isReservedColumn, type TextTable } from './table-builder';

/**
 * Reads SCIM 2.0 users (RFC 7643) into the table the import maps: a ListResponse, an array of User
 * resources, or one User. Attribute names and extension URNs are matched case-insensitively, as the RFC
 * says. Each value becomes the text the registry parses, under the field's label, so the mapping is
 * the same as for a spreadsheet; custom attributes of Rollcall's extension come under their names.
 */

/** Deeper than any SCIM document (a User is 4 levels deep): refused before JSON.parse walks it. */
export const MAX_JSON_DEPTH = 32;

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Each object's keys by their lower case (the first of keys equal but for case), made once per object:
 * looking every attribute up among the keys again took a file of users with 100,000 keys each (20 of
 * them, 36 MB) 24 seconds.
 */
const keysByLowerCase = new WeakMap<JsonObject, Map<string, string>>();

/** An attribute of an object, its name compared case-insensitively. */
function get(node: unknown, name: string): unknown {
	if (!isObject(node)) return undefined;
	if (Object.hasOwn(node, name)) return node[name];
	let keys = keysByLowerCase.get(node);
	if (!keys) {
		keys = new Map();
		for (const key of Object.keys(node)) if (!keys.has(key.toLowerCase())) keys.set(key.toLowerCase(), key);
		keysByLowerCase.set(node, keys);
	}
	const found = keys.get(name.toLowerCase());
	return found === undefined ? undefined : node[found];
}

const getPath = (node: unknown, path: readonly string[]) => path.reduce(get, node);

/** A JSON value as a cell: text as it is, numbers as written, booleans as Yes or No, anything else empty. */
function cellOf(value: unknown): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'boolean') return value ? 'Yes' : 'No';
	return '';
}

/** How deep the text's arrays and objects nest, found without parsing (strings skipped). */
function nestingDepth(text: string): number {
	let depth = 0;
	let deepest = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 0x5c) i++;
			else if (c === 0x22) inString = false;
		} else if (c === 0x22) inString = true;
		else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
		else if (c === 0x7d || c === 0x5d) depth--;
		if (deepest > MAX_JSON_DEPTH) return deepest;
	}
	return deepest;
}

/** The entry of a multi-valued attribute to read: of the type asked for, then the primary one, then the first. */
function pick(list: unknown, type?: string): JsonObject | undefined {
	if (!Array.isArray(list)) return undefined;
	const items = list.filter(isObject);
	const ofType = (item: JsonObject) => type !== undefined && cellOf(get(item, 'type')).toLowerCase() === type;
	const isPrimary = (item: JsonObject) => get(item, 'primary') === true;
	return (
		items.find((i) => ofType(i) && isPrimary(i)) ?? items.find(ofType) ?? items.find(isPrimary) ?? items[0]
	);
}

/** A phone number without the tel: of an RFC 3966 URI (which the SCIM RFC recommends). */
const phoneOf = (value: string) => value.replace(/^tel:/iu, '');

const isListResponse = (node: unknown) => {
	const schemas = get(node, 'schemas');
	return (
		Array.isArray(schemas) &&
		schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SCIM_LIST_RESPONSE.toLowerCase())
	);
};

const isUser = (node: JsonObject) => {
	const schemas = get(node, 'schemas');
	if (Array.isArray(schemas))
		return schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SCIM_CORE.toLowerCase());
	return get(node, 'userName') !== undefined;
};

const hasSchema = (node: JsonObject, schema: string) => {
	const schemas = get(node, 'schemas');
	return (
		Array.isArray(schemas) &&
		schemas.some((s) => typeof s === 'string' && s.toLowerCase() === schema.toLowerCase())
	);
};

/**
 * The groups of the file's Group resources (RFC 7643 §4.2): each one's name by its id, and the names of
 * the groups each member (by the User's id) is in. A service that writes groups only as Group resources
 * (its Users without a `groups` attribute) still says who is in which.
 */
function readGroups(resources: readonly unknown[]) {
	const names = new Map<string, string>();
	const byMember = new Map<string, string[]>();
	for (const resource of resources) {
		if (!isObject(resource) || !hasSchema(resource, SCIM_GROUP)) continue;
		const name = cellOf(get(resource, 'displayName')).trim();
		if (name === '') continue;
		names.set(cellOf(get(resource, 'id')), name);
		const members = get(resource, 'members');
		if (!Array.isArray(members)) continue;
		for (const member of members) {
			const id = cellOf(get(member, 'value'));
			if (id !== '') byMember.set(id, [...(byMember.get(id) ?? []), name]);
		}
	}
	return { names, byMember };
}

type FileGroups = ReturnType<typeof readGroups>;

/** A User's groups: its `groups` attribute (each entry's display, else its Group's name), else its Groups' members. */
function groupsOf(user: JsonObject, groups: FileGroups): string {
	const listed = get(user, 'groups');
	const names = Array.isArray(listed)
		? listed.map(
				(entry) => cellOf(get(entry, 'display')) || groups.names.get(cellOf(get(entry, 'value'))) || ''
			)
		: (groups.byMember.get(cellOf(get(user, 'id'))) ?? []);
	return names.filter((name) => name !== '').join(LIST_SEPARATOR);
}

/** One User resource as cells by column (a field's label, a custom attribute's name, or a status column). */
function readUser(user: JsonObject, table: TableBuilder, groups: FileGroups): void {
	const cells = new Map<string, string>();
	const put = (key: FieldKey, value: string) => {
		if (value !== '') cells.set(field(key).label, value);
	};
	for (const { path, key } of scimAttributes) put(key, cellOf(getPath(user, path)));
	put('email', cellOf(get(pick(get(user, 'emails'), 'work'), 'value')));
	const phones = get(user, 'phoneNumbers');
	for (const { type, key } of scimPhones) {
		const phone = Array.isArray(phones)
			? phones.filter(isObject).find((item) => cellOf(get(item, 'type')).toLowerCase() === type)
			: undefined;
		put(key, phoneOf(cellOf(get(phone, 'value'))));
	}
	const address = pick(get(user, 'addresses'), 'work');
	for (const { attribute, key } of scimAddress) put(key, cellOf(get(address, attribute)));
	put('groups', groupsOf(user, groups));
	for (const { attribute, key } of scimLists) {
		const entries = get(user, attribute);
		const names = Array.isArray(entries)
			? entries.map((entry) =>
					cellOf(isObject(entry) ? (get(entry, 'value') ?? get(entry, 'display')) : entry)
				)
			: [];
		put(key, names.filter(Boolean).join(LIST_SEPARATOR));
	}
	const extension = get(user, SCIM_ROLLCALL);
	// Rollcall's own file says whether userName was the username or stood in for a missing one.
	put('username', cellOf(isObject(extension) ? get(extension, 'username') : get(user, 'userName')));
	for (const def of extensionFields)
		if (def.key !== 'username') put(def.key, cellOf(get(extension, def.key)));
	const custom = get(extension, SCIM_CUSTOM);
	if (isObject(custom)) {
		for (const [name, value] of Object.entries(custom)) {
			const text = cellOf(value);
			const column = customName(customKey(name));
			if (text !== '' && !isReservedColumn(column)) cells.set(column, text);
		}
	}
	const active = get(user, 'active');
	const status = cellOf(get(extension, SCIM_STATUS.status)) || (active === false ? 'Suspended' : '');
	if (status) cells.set(EXPORT_ONLY_HEADERS.status, status);
	const activated = cellOf(get(extension, SCIM_STATUS.activatedAt));
	if (activated) cells.set(EXPORT_ONLY_HEADERS.activatedAt, activated);
	const lastLogin = cellOf(get(extension, SCIM_STATUS.lastLoginAt));
	if (lastLogin) cells.set(EXPORT_ONLY_HEADERS.lastLoginAt, lastLogin);
	table.add(cells);
}

/** The users of a SCIM JSON file as a table of text, or why the file is not one. */
export function readScim(text: string, fileName: string): Parsed<TextTable> {
	const name = `“${fileName}”`;
	if (nestingDepth(text) > MAX_JSON_DEPTH) {
		return fail(
			`${name} nests objects more than ${MAX_JSON_DEPTH} levels deep, which no SCIM file does: it cannot be read.`
		);
	}
	let document: unknown;
	try {
		document = JSON.parse(text);
	} catch (error) {
		const why = error instanceof Error ? error.message : String(error);
		return fail(`${name} is not valid JSON (${why}). Export it again, or check that the download finished.`);
	}
	// A ListResponse with no results may leave Resources out (RFC 7644 §3.4.2): it lists no one.
	const listed = Array.isArray(document)
		? document
		: (get(document, 'Resources') ?? (isListResponse(document) ? [] : undefined));
	const resources = Array.isArray(listed)
		? listed
		: isObject(document) && isUser(document)
			? [document]
			: undefined;
	if (!resources) {
		return fail(
			`${name} is JSON but not SCIM users: Rollcall reads a SCIM ListResponse (with "Resources"), an array of SCIM Users, or one User.`
		);
	}
	const users = resources.filter((item): item is JsonObject => isObject(item) && isUser(item));
	if (users.length === 0) {
		return fail(
			`${name} has no SCIM User in it (a User has "userName" or the core User schema in "schemas").`
		);
	}
	const table = new TableBuilder();
	const groups = readGroups(resources);
	for (const user of users) readUser(user, table, groups);
	return ok(table.finish());
}
