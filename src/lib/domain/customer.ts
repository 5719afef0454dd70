import { fields as registry } from './fields';
import { fail, ok, type Parsed } from './result';
import { cleanText, foldText, parseText } from './text';

/** The longest customer or site name kept: the registry's Site field takes as many. */
export const MAX_NAME_LENGTH = 128;

/** The site every customer starts with, and a user's site when none is given: the registry's default. */
export const DEFAULT_SITE = String(registry.find((def) => def.key === 'site')?.defaultValue ?? 'HQ');

/** Reads a customer's or a site's name: cleaned text, not empty, not too long. */
export function parseName(raw: string, label: string): Parsed<string> {
	const read = parseText(raw, label, MAX_NAME_LENGTH);
	if (!read.ok) return read;
	return read.value === '' ? fail(`${label} cannot be empty.`) : ok(read.value);
}

/** A customer's sites as stored: none kept yet means the one default site. */
export function sitesOf(stored: readonly string[] | undefined): string[] {
	return stored && stored.length > 0 ? [...stored] : [DEFAULT_SITE];
}

/** The site of `sites` that `name` means, case and accents aside (a file's 'hq' is the site HQ). */
export function findSite(sites: readonly string[], name: string): string | undefined {
	const key = foldText(name);
	return sites.find((site) => foldText(site) === key);
}

/**
 * The sites named in `values` (a file's Site column) that `sites` does not have, each once, as first
 * written. An empty value is the default site, never unknown.
 */
export function unknownSites(sites: readonly string[], values: Iterable<string | undefined>): string[] {
	const known = new Set(sites.map(foldText));
	const unknown = new Map<string, string>();
	for (const raw of values) {
		const name = cleanText(raw ?? '');
		const key = foldText(name);
		if (name === '' || known.has(key) || unknown.has(key)) continue;
		unknown.set(key, name);
	}
	return [...unknown.values()];
}

/** Names in a sentence: 'A', 'A and B', 'A, B and C'. */
function inWords(names: readonly string[]): string {
	return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The live check's words for a unique value another user has. With several customers it says in which
 * (the one the user is saved in: a value is unique within a customer only).
 */
export function takenText(label: string, owner: string, customer?: string): string {
	const where = customer ? ` in ${customer}` : '';
	return `This ${label.toLowerCase()} is already taken${where} by ${owner}.`;
}

/**
 * The live check's words for a value free in the customer. An email used in other customers is allowed
 * (each customer has its own users), but an admin of several customers wants to know: a shared address
 * may be a mistake of which customer they are working in.
 */
export function availableText(label: string, customer?: string, alsoIn: readonly string[] = []): string {
	const free = `${label} is available${customer ? ` in ${customer}` : ''}.`;
	return alsoIn.length === 0
		? free
		: `${free} Also used in ${inWords(alsoIn)} (not a problem: each customer has its own).`;
}
