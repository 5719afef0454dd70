import { LIST_NAME_MAX, LIST_SEPARATOR, listNames } from './fields';
import { fail, ok, type Parsed } from './result';
import { cleanText, foldText, parseText } from './text';

/**
 * A group's name as the admin typed it: cleaned like any text, never empty, at most LIST_NAME_MAX
 * characters, and without ';', which separates a user's groups in the Groups field and in files.
 */
export function parseGroupName(raw: string): Parsed<string> {
	const value = cleanText(raw);
	if (value === '') return fail('Give the group a name.');
	if (value.includes(';')) {
		return fail('A group name cannot contain “;”: it separates a user’s groups in files and in the form.');
	}
	return parseText(value, 'The group name', LIST_NAME_MAX);
}

/** Two names are the same group when they fold to the same key (case and accents aside). */
export const groupKey = (name: string): string => foldText(name);

/** A list value of names, with `add` added unless it is already there (case and accents aside). */
export function withName(value: string | undefined, add: string): string {
	const names = listNames(value);
	if (names.some((name) => groupKey(name) === groupKey(add))) return names.join(LIST_SEPARATOR);
	return [...names, add].join(LIST_SEPARATOR);
}

/** A list value with the name of key `key` taken out, or replaced by `to`; undefined when none is left. */
export function withoutName(value: string | undefined, key: string, to?: string): string | undefined {
	const kept: string[] = [];
	for (const name of listNames(value)) {
		const next = groupKey(name) === key ? to : name;
		if (next !== undefined && !kept.some((k) => groupKey(k) === groupKey(next))) kept.push(next);
	}
	return kept.length ? kept.join(LIST_SEPARATOR) : undefined;
}

/**
 * A user's groups as typed (a form, a file's cell) matched to the customer's groups: each name spelled as
 * its group is, case and accents aside. `unknown` lists the names no group has, in the order given.
 */
export function matchGroups(
	value: string | undefined,
	known: readonly string[]
): { value: string | undefined; unknown: string[] } {
	const byKey = new Map(known.map((name) => [groupKey(name), name]));
	const names: string[] = [];
	const unknown: string[] = [];
	for (const name of listNames(value)) {
		const own = byKey.get(groupKey(name));
		if (own === undefined && !unknown.some((u) => groupKey(u) === groupKey(name))) unknown.push(name);
		const spelled = own ?? name;
		if (!names.some((n) => groupKey(n) === groupKey(spelled))) names.push(spelled);
	}
	return { value: names.length ? names.join(LIST_SEPARATOR) : undefined, unknown };
}

/** Names in a sentence: 'Sales', 'Sales and Support', 'Sales, Support and Finance'. */
function inWords(names: readonly string[]): string {
	return names.length < 2 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}

/** The form's check of a Groups value: every name one of the customer's groups. */
export function checkGroups(value: string | undefined, known: readonly string[]): Parsed<string | undefined> {
	const { value: matched, unknown } = matchGroups(value, known);
	if (unknown.length === 0) return ok(matched);
	const what =
		unknown.length === 1 ? `There is no group ${unknown[0]}` : `There are no groups ${inWords(unknown)}`;
	return fail(`${what} yet: create ${unknown.length === 1 ? 'it' : 'them'} on the Groups page first.`);
}

/** The preview's line for the groups an import creates, e.g. 'Creates 2 new groups: Sales, Support'. */
export function newGroupsNotice(names: readonly string[]): string | null {
	if (names.length === 0) return null;
	const count = names.length === 1 ? '1 new group' : `${names.length.toLocaleString('en')} new groups`;
	return `Creates ${count}: ${names.join(', ')}.`;
}

/** What an import's checked row needs to say here (a structural CheckedRow: the domain imports no pipeline). */
export interface GroupsOfRow {
	status: string;
	values: { groups?: string };
	changes?: readonly string[];
}

/** Whether a row writes its Groups: a new user's row, or an update that changes them. */
const writesGroups = (row: GroupsOfRow) =>
	row.status === 'new' || (row.status === 'update' && (row.changes?.includes('groups') ?? false));

/** Every group name the rows an import writes give, once each (case and accents aside), in file order. */
export function groupNamesOf(rows: Iterable<GroupsOfRow>): string[] {
	const names = new Map<string, string>();
	for (const row of rows) {
		if (!writesGroups(row)) continue;
		for (const name of listNames(row.values.groups))
			if (!names.has(groupKey(name))) names.set(groupKey(name), name);
	}
	return [...names.values()];
}

/** The names of groups an import would create: those its rows give that none of `known` is. */
export function missingGroups(rows: Iterable<GroupsOfRow>, known: readonly string[]): string[] {
	return missingGroupNames(groupNamesOf(rows), known);
}

/** Of the group names an import's rows give (groupNamesOf), those none of `known` is. */
export function missingGroupNames(names: readonly string[], known: readonly string[]): string[] {
	return matchGroups(names.join(LIST_SEPARATOR), known).unknown;
}
