import type { CustomFieldKey } from '$lib/domain/fields';
import {
	customKeys,
	renameCustom,
	restorePolicy,
	withoutCustom,
	type FieldPolicy,
	type Requirement
} from '$lib/domain/policy';
import { searchText, type User } from '$lib/domain/user';
import type { RollcallDb } from './database';

/** Refused before anything was written: the name is taken, or the attribute is gone (another tab). */
export class CustomAttributeError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CustomAttributeError';
	}
}

type Values = Record<string, unknown>;

/** Moves `from`'s value to `to` in a record (or drops it, with no `to`); whether there was one. */
function rekey(record: Values, from: CustomFieldKey, to: CustomFieldKey | undefined): boolean {
	if (!(from in record)) return false;
	if (to !== undefined) record[to] = record[from];
	delete record[from];
	return true;
}

/**
 * Custom attributes module. An attribute is an entry of the policy (the settings table) and a value under
 * its key on each user that has one; renaming or deleting it changes both in one transaction, together
 * with the copies of users that an undo may bring back (the import history, the trash), so nothing is
 * left under a name the policy no longer knows. Users are rewritten by a Dexie modify over the table,
 * a cursor in the one transaction: 100,000 users are never all in memory at once.
 */
export function customAttributesStore(db: RollcallDb) {
	async function readPolicy(): Promise<FieldPolicy> {
		return restorePolicy((await db.settings.get('policy'))?.value);
	}

	/**
	 * Applies a change to every customer's field policy (settings.ts policyKey): an attribute is a value on
	 * users of every customer, so each policy knows it. Returns the default customer's policy after it.
	 */
	async function changePolicies(change: (policy: FieldPolicy) => FieldPolicy): Promise<FieldPolicy> {
		const own = await db.settings.filter((row) => row.key.startsWith('policy:')).toArray();
		for (const row of own) await db.settings.put({ key: row.key, value: change(restorePolicy(row.value)) });
		const next = change(await readPolicy());
		await db.settings.put({ key: 'policy', value: next });
		return next;
	}

	/** Rewrites `from` as `to` (or removes it) everywhere a user's values are kept; how many users had one. */
	async function rewrite(from: CustomFieldKey, to: CustomFieldKey | undefined): Promise<number> {
		// A user's value moves or goes; gone, its words leave the search index with it, also in the copies an
		// undo brings back (a deleted user, a user as an import found them), or they would be found by it again.
		const move = (user: User) => {
			const had = rekey(user as unknown as Values, from, to);
			if (had && to === undefined) user.searchText = searchText(user);
			return had;
		};
		const changed = await db.users.filter((user) => from in user).modify((user: User) => void move(user));
		// Returning false leaves a record that had no value unwritten.
		await db.importChanges.toCollection().modify((row) => {
			let had = false;
			for (const { before, wrote } of row.updated ?? []) {
				had = move(before) || had;
				had = rekey(wrote, from, to) || had;
			}
			return had;
		});
		await db.trash.toCollection().modify((row) => move(row.user));
		return changed;
	}

	return {
		/** How many users have a value for the attribute: the delete confirmation says so. */
		countValues(key: CustomFieldKey): Promise<number> {
			return db.users.filter((user) => key in user).count();
		},

		/** Adds an attribute to the stored policy (the caller checked the name with customNameProblem). */
		async add(key: CustomFieldKey, requirement: Requirement = 'optional'): Promise<FieldPolicy> {
			return db.transaction('rw', db.settings, async () => {
				return changePolicies((policy) =>
					customKeys(policy).includes(key) ? policy : { ...policy, [key]: requirement }
				);
			});
		},

		/**
		 * Renames an attribute: its policy entry (same place, same requirement) and every value, all or
		 * nothing. Returns the new policy and how many users had a value.
		 */
		async rename(from: CustomFieldKey, to: CustomFieldKey): Promise<{ policy: FieldPolicy; users: number }> {
			return db.transaction('rw', [db.settings, db.users, db.importChanges, db.trash], async () => {
				const policy = await readPolicy();
				if (!customKeys(policy).includes(from)) {
					throw new CustomAttributeError('This attribute no longer exists: it was changed in another tab.');
				}
				if (from === to) return { policy, users: 0 };
				if (customKeys(policy).includes(to)) {
					throw new CustomAttributeError('Another attribute already has this name: choose another name.');
				}
				const next = await changePolicies((each) =>
					customKeys(each).includes(from) ? renameCustom(each, from, to) : each
				);
				return { policy: next, users: await rewrite(from, to) };
			});
		},

		/** Deletes an attribute and every user's value for it, all or nothing; how many users had one. */
		async remove(key: CustomFieldKey): Promise<{ policy: FieldPolicy; users: number }> {
			return db.transaction('rw', [db.settings, db.users, db.importChanges, db.trash], async () => {
				const next = await changePolicies((policy) => withoutCustom(policy, key));
				return { policy: next, users: await rewrite(key, undefined) };
			});
		}
	};
}

export type CustomAttributesStore = ReturnType<typeof customAttributesStore>;
