// The global address book (DESIGN.md workflow D): the people marked 'In global address book', as
// colleagues look them up. Which fields an entry shows comes from the registry (isContact) and the policy.
import type { FieldContext, FieldDef } from './fields';
import { visibleFields, type FieldPolicy } from './policy';
import { matchesSearch, nameOf, searchTerms, type User } from './user';

/** The fields an address book entry shows, in the registry's order: its contact fields the policy shows. */
export function addressBookFields(policy: FieldPolicy): FieldDef[] {
	return visibleFields(policy).filter((def) => def.isContact);
}

/** One line of an entry: a field's label and its value as the admin reads it. */
export interface EntryLine {
	label: string;
	value: string;
}

/** What an entry shows: the person's name, then each field with a value. */
export function entryOf(
	user: User,
	shown: readonly FieldDef[],
	context: FieldContext
): { name: string; lines: EntryLine[] } {
	const lines = shown.flatMap((def) => {
		const value = user[def.key as keyof User];
		if (typeof value !== 'string' || value === '') return [];
		return [{ label: def.label, value: def.format(value, context) }];
	});
	return { name: nameOf(user), lines };
}

/** The people a search finds, as the Users list's search finds them (names, email, searched fields). */
export function searchAddressBook(people: readonly User[], query: string): readonly User[] {
	const terms = searchTerms(query);
	return terms.length === 0 ? people : people.filter((user) => matchesSearch(user, terms));
}

/** The export's file name, dated in UTC as the Users export's are (a name does not depend on the zone). */
export const addressBookFileName = (now: number) =>
	`address-book-${new Date(now).toISOString().slice(0, 10)}.vcf`;
