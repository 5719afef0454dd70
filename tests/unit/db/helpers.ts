import 'fake-indexeddb/auto';
import { afterEach, expect } from 'vitest';
import { createDb, type RollcallDb } from '$lib/db/database';
import { defaultQuery, type ListQuery } from '$lib/db/users';
import { searchText, userKeys, type User, type UserFields } from '$lib/domain/user';

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

/**
 * A user stored before v8 as that upgrade leaves them: in the default customer, with a license key and the
 * web-access switch's default; everything else as it was.
 */
export function upgradedToV8<T extends object>(user: T): T {
	return { webAccess: false, ...user, customerId: 1, licenseKey: anyLicenseKey };
}
