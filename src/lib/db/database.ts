import { Dexie, type EntityTable } from 'dexie';
import type { User } from '$lib/domain/user';
import { restoreUser } from './restore';

/** One settings entry: a key of Settings and its stored value, restored on read. */
export interface SettingRow {
	key: string;
	value: unknown;
}

/** A deleted user kept until the deletion can no longer be undone. */
export interface TrashRow {
	id?: number;
	/** All users removed by one delete action share a batch. */
	batch: string;
	deletedAt: number;
	user: User;
}

export type RollcallDb = Dexie & {
	users: EntityTable<User, 'id'>;
	settings: EntityTable<SettingRow, 'key'>;
	trash: EntityTable<TrashRow, 'id'>;
};

/**
 * The schema, version by version. A version with an upgrade is kept forever: a device may come back
 * after months with any older database, and it must open with every user intact.
 */
export function defineSchema(db: Dexie): void {
	// v1: users with their email, as first shipped.
	db.version(1).stores({ users: '++id, &emailKey, status' });
	// v2: keys for the list's sorts, filters and search, unique usernames and customer codes, settings,
	// and a trash so a deletion can be undone.
	db.version(2)
		.stores({
			users:
				'++id, &emailKey, &usernameKey, &customerCodeKey, nameKey, site, *searchWords, ' +
				'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
			settings: 'key',
			trash: '++id, batch, deletedAt'
		})
		.upgrade((tx) => {
			// v1 kept usernames and customer codes without a unique index, so two users may share one once
			// folded: the first keeps the unique key, the others keep their value (the clash shows on their next
			// edit) rather than the whole upgrade failing and the database never opening again.
			const taken = { usernameKey: new Set<string>(), customerCodeKey: new Set<string>() };
			return tx
				.table('users')
				.toCollection()
				.modify((stored: Record<string, unknown>, ref) => {
					const user = restoreUser(stored);
					for (const key of ['usernameKey', 'customerCodeKey'] as const) {
						const value = user[key];
						if (value === undefined) continue;
						if (taken[key].has(value)) delete user[key];
						else taken[key].add(value);
					}
					ref.value = user;
				});
		});
}

/** Opens (lazily) the Rollcall database of this origin; tests pass their own name. */
export function createDb(name = 'rollcall'): RollcallDb {
	// Strict durability: an admin's 'Add user' must be on disk when Rollcall says it is (PITFALLS.md).
	const db = new Dexie(name, { chromeTransactionDurability: 'strict' }) as RollcallDb;
	defineSchema(db);
	return db;
}
