import 'fake-indexeddb/auto';
import { afterEach, expect } from 'vitest';
import { catalogOf, CENSUS_KEY, type Census, type CatalogRow } from '$lib/db/catalog';
import { createDb, type RollcallDb } from '$lib/db/database';
import { defaultQuery, type ListQuery } from '$lib/db/users';
import {
	DEFAULT_CUSTOMER_ID,
	INNER_START,
	licenseEntry,
	searchText,
	userKeys,
	WORD_START,
	type User,
	type UserFields,
	type UserKeys
} from '$lib/domain/user';

let counter = 0;
const opened: RollcallDb[] = [];

/** A unique database name, so every test starts from an empty database. */
export function freshName(label = 'test'): string {
	counter += 1;
	return `rollcall-${label}-${Date.now()}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A fresh, empty v2 database; closed after the test. */
export function freshDb(label?: string): RollcallDb {
	const db = createDb(freshName(label));
	opened.push(db);
	return db;
}

/** Registers a database opened some other way so it is closed after the test. */
export function track<T extends { close(): void }>(db: T): T {
	opened.push(db as unknown as RollcallDb);
	return db;
}

afterEach(() => {
	for (const db of opened.splice(0)) db.close();
});

/** Valid user fields, as validateUser would give them, with the given overrides. */
export function person(overrides: Partial<UserFields> & Pick<UserFields, 'email'>): UserFields {
	return { userType: 'Standard', site: 'HQ', inGlobalAddressBook: false, ...overrides };
}

/**
 * A stored user with the search text and unique entries its values give now (a change to a searched field
 * changes the one, to a unique field the other).
 */
export function withSearch(user: User): User {
	return { ...user, searchText: searchText(user), uniqueKeys: userKeys(user, user.customerId).uniqueKeys };
}

/** The list query with the given changes. */
export function query(changes: Partial<ListQuery> = {}): ListQuery {
	return { ...defaultQuery, ...changes };
}

/** Any license key in its grouped form (license-key.ts): a v8 upgrade gives every user a random one. */
export const anyLicenseKey = expect.stringMatching(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/u) as unknown as string;

/** Any license key's unique entry (licenseEntry): see allHoldOwnLicenseEntry for which. */
const anyLicenseEntry = expect.stringMatching(/^k:[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/u) as unknown as string;

/**
 * The keys a user was stored with before v9 (v2 to v8): userKeys' but for v9's search text and unique
 * entries, with search words instead (the words of the search text: v9's upgrade drops them anyway).
 */
export function keysBeforeV9(fields: UserFields, customerId = DEFAULT_CUSTOMER_ID): Record<string, unknown> {
	const keys: Partial<UserKeys> = userKeys(fields, customerId);
	delete keys.searchText;
	delete keys.uniqueKeys;
	const searchWords = searchText(fields)
		.split(new RegExp(`[${WORD_START}${INNER_START}]`, 'u'))
		.filter((word) => word !== '');
	return { ...keys, searchWords };
}

/**
 * A user stored before v8 (with keysBeforeV9) as the upgrades up to v9 leave them: in the default customer,
 * with a license key and the web-access switch's default, and v9's search text and unique entries (the
 * license key's last) instead of the search words; everything else as it was.
 */
export function upgradedToV9<T extends object>(user: T): T {
	const kept: Record<string, unknown> = { webAccess: false, ...user, customerId: DEFAULT_CUSTOMER_ID };
	delete kept.searchWords;
	delete kept.searchSuffixes;
	const fields = kept as unknown as UserFields;
	return {
		...kept,
		licenseKey: anyLicenseKey,
		searchText: searchText(fields),
		uniqueKeys: [
			...userKeys({ ...fields, licenseKey: undefined }, DEFAULT_CUSTOMER_ID).uniqueKeys,
			anyLicenseEntry
		]
	} as T;
}

/** Whether each user's unique entries hold their own license key (upgradedToV9 can only say they hold one). */
export function allHoldOwnLicenseEntry(users: readonly User[]): boolean {
	return users.every((user) => user.licenseKey && user.uniqueKeys.includes(licenseEntry(user.licenseKey)));
}

/**
 * A catalogue's rows (catalog.ts) as comparable: by chunk, the census with each chunk's counts but not its
 * stamp (a new one at every write).
 */
export function unstamped(rows: readonly CatalogRow[]): unknown[] {
	return [...rows]
		.sort((a, b) => a.chunk - b.chunk)
		.map((row) =>
			row.chunk === CENSUS_KEY
				? {
						chunk: CENSUS_KEY,
						counts: Object.fromEntries(
							Object.entries((row as Census).chunks).map(([chunk, { counts }]) => [chunk, counts])
						)
					}
				: row
		);
}

/**
 * The catalogue (every record and the census's counts, stamps aside) is what catalogOf makes of every stored
 * user, and the census counts each customer's users.
 */
export async function expectTrueCatalogue(db: RollcallDb, after: string): Promise<void> {
	const users = await db.users.toArray();
	const rows = await db.catalog.toArray();
	// A database no write has reached yet has no census: the catalogue worker reads that as an empty one.
	const stored = rows.some((row) => row.chunk === CENSUS_KEY) ? rows : [...rows, catalogOf([])[0]!];
	expect(unstamped(stored), `the catalogue after ${after}`).toEqual(unstamped(catalogOf(users)));
	const census = stored.find((row): row is Census => row.chunk === CENSUS_KEY)!;
	const counted: Record<number, number> = {};
	for (const { counts } of Object.values(census.chunks)) {
		for (const [customerId, count] of Object.entries(counts)) {
			counted[Number(customerId)] = (counted[Number(customerId)] ?? 0) + count;
		}
	}
	const truth: Record<number, number> = {};
	for (const user of users) truth[user.customerId] = (truth[user.customerId] ?? 0) + 1;
	expect(counted, `the census after ${after}`).toEqual(truth);
}
