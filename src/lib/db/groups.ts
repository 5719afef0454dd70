import { Dexie } from 'dexie';
import { groupKey, parseGroupName, withName, withoutName } from '$lib/domain/groups';
import { listNames } from '$lib/domain/fields';
import { memberKey, memberKeys, type User } from '$lib/domain/user';
import type { GroupRow, RollcallDb } from './database';

/** Refused before anything was written: the name is not allowed or taken, or the group is gone. */
export class GroupError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'GroupError';
	}
}

/** A group with how many users it has, for the Groups page. */
export interface GroupSummary {
	id: number;
	name: string;
	memberCount: number;
}

/** A copy of a user's values that an undo may bring back (the trash, an import's change records). */
type UserLike = Partial<Pick<User, 'groups' | 'groupKeys' | 'customerId'>>;

/**
 * Groups module, per customer. A user's groups are names in their `groups` field, indexed per customer in
 * `groupKeys`; the groups table holds the names that exist. Renaming or deleting a group rewrites every
 * member in the same transaction, and the copies of users an undo may bring back (the trash, the import
 * history), so no user is left in a group that no longer exists.
 */
export function groupsStore(db: RollcallDb) {
	const rewriteTables = () => [db.groups, db.users, db.trash, db.importChanges];

	async function byName(customerId: number, name: string): Promise<GroupRow | undefined> {
		return db.groups
			.where('[customerId+nameKey]')
			.equals([customerId, groupKey(name)])
			.first();
	}

	/** The name, checked and free in the customer (`exceptId` may hold it: a rename of its case). */
	async function freeName(customerId: number, raw: string, exceptId?: number): Promise<string> {
		const parsed = parseGroupName(raw);
		if (!parsed.ok) throw new GroupError(parsed.message);
		const taken = await byName(customerId, parsed.value);
		if (taken && taken.id !== exceptId) throw new GroupError(`There is already a group ${taken.name}.`);
		return parsed.value;
	}

	async function existing(id: number): Promise<GroupRow> {
		const group = await db.groups.get(id);
		if (!group) throw new GroupError('This group no longer exists: it may have been deleted in another tab.');
		return group;
	}

	/** Sets a user's groups value, with the index keys it gives in their customer. */
	function setGroups(user: UserLike, value: string | undefined): void {
		if (value === undefined) delete user.groups;
		else user.groups = value;
		if (user.customerId !== undefined) user.groupKeys = memberKeys(user.customerId, value);
	}

	/**
	 * Rewrites the group `from` (a name key) as `to`, or takes it out (no `to`), for every member and every
	 * copy an undo may bring back. Returns how many users had it.
	 */
	async function rewrite(customerId: number, from: string, to: string | undefined, now: number) {
		const change = (user: UserLike): boolean => {
			if (user.customerId !== customerId) return false;
			if (!listNames(user.groups).some((name) => groupKey(name) === from)) return false;
			setGroups(user, withoutName(user.groups, from, to));
			return true;
		};
		const members = await db.users
			.where('groupKeys')
			.equals(`${customerId}:${from}`)
			.modify((user: User) => {
				change(user);
				user.updatedAt = now;
			});
		await db.trash.toCollection().modify((row) => change(row.user));
		// Returning false leaves a record that had no member unwritten.
		await db.importChanges.toCollection().modify((row) => {
			let had = false;
			for (const { before, wrote } of row.updated ?? []) {
				had = change(before) || had;
				if (wrote.groups !== undefined) {
					const copy: UserLike = { groups: wrote.groups, customerId };
					if (change(copy)) {
						wrote.groups = copy.groups ?? '';
						had = true;
					}
				}
			}
			return had;
		});
		return members;
	}

	/** Puts `groupId` into, or out of, the given users' groups; how many changed. */
	async function setMembership(ids: readonly number[], groupId: number, isMember: boolean, now: number) {
		return db.transaction('rw', db.groups, db.users, async () => {
			const group = await existing(groupId);
			const users = await db.users.bulkGet([...ids]);
			const changed: User[] = [];
			for (const user of users) {
				if (!user || user.customerId !== group.customerId) continue;
				const isIn = user.groupKeys.includes(memberKey(group.customerId, group.name));
				if (isIn === isMember) continue;
				const next: User = { ...user, updatedAt: now };
				setGroups(
					next,
					isMember ? withName(user.groups, group.name) : withoutName(user.groups, group.nameKey)
				);
				changed.push(next);
			}
			await db.users.bulkPut(changed);
			return changed.length;
		});
	}

	return {
		/** The customer's groups in alphabetical order, each with its member count (one index count each). */
		async list(customerId: number): Promise<GroupSummary[]> {
			return db.transaction('r', db.groups, db.users, async () => {
				const groups = await db.groups.where('customerId').equals(customerId).sortBy('nameKey');
				const counts = await Dexie.Promise.all(
					groups.map((group) => db.users.where('groupKeys').equals(memberKey(customerId, group.name)).count())
				);
				return groups.map((group, i) => ({ id: group.id, name: group.name, memberCount: counts[i]! }));
			});
		},

		/** The customer's group names, alphabetically: what the form and the pickers offer. */
		async names(customerId: number): Promise<string[]> {
			const groups = await db.groups.where('customerId').equals(customerId).sortBy('nameKey');
			return groups.map((group) => group.name);
		},

		/** How many users are in a group (0 for one deleted meanwhile). */
		async memberCount(id: number): Promise<number> {
			const group = await db.groups.get(id);
			if (!group) return 0;
			return db.users.where('groupKeys').equals(memberKey(group.customerId, group.name)).count();
		},

		/** Creates a group; refuses (GroupError) a name that is empty, too long, has ';' or is taken. */
		async create(raw: string, customerId: number, now = Date.now()): Promise<GroupRow> {
			return db.transaction('rw', db.groups, async () => {
				const name = await freeName(customerId, raw);
				const row = { customerId, name, nameKey: groupKey(name), createdAt: now };
				const id = await db.groups.add(row);
				return { ...row, id };
			});
		},

		/** Renames a group, rewriting every member's groups in the same transaction; how many members. */
		async rename(id: number, raw: string, now = Date.now()): Promise<number> {
			return db.transaction('rw', rewriteTables(), async () => {
				const group = await existing(id);
				const name = await freeName(group.customerId, raw, id);
				await db.groups.put({ ...group, name, nameKey: groupKey(name) });
				return rewrite(group.customerId, group.nameKey, name, now);
			});
		},

		/** Deletes a group; its members lose it in the same transaction. Returns how many they were. */
		async remove(id: number, now = Date.now()): Promise<number> {
			return db.transaction('rw', rewriteTables(), async () => {
				const group = await existing(id);
				await db.groups.delete(id);
				return rewrite(group.customerId, group.nameKey, undefined, now);
			});
		},

		/** Adds the users to a group (those already in it, or of another customer, are left); how many joined. */
		addMembers: (ids: readonly number[], groupId: number, now = Date.now()) =>
			setMembership(ids, groupId, true, now),

		/** Takes the users out of a group; how many left it. */
		removeMembers: (ids: readonly number[], groupId: number, now = Date.now()) =>
			setMembership(ids, groupId, false, now),

		/**
		 * Deletes those of the named groups no user is in (an import's undo: the groups it created). Inside
		 * the caller's transaction, which must include the groups and users tables.
		 */
		async removeEmpty(customerId: number, names: readonly string[]): Promise<void> {
			for (const name of names) {
				const group = await byName(customerId, name);
				if (!group) continue;
				const isEmpty = (await db.users.where('groupKeys').equals(memberKey(customerId, name)).count()) === 0;
				if (isEmpty) await db.groups.delete(group.id);
			}
		},

		/**
		 * The customer's groups by name key, creating those of `names` that do not exist yet. For an import's
		 * commit: called inside its transaction (which must include the groups table), so the groups are made
		 * with its users or not at all. Returns every group's own spelling by key, and the names created.
		 */
		async ensure(
			customerId: number,
			names: Iterable<string>,
			now: number
		): Promise<{ spelling: Map<string, string>; created: string[] }> {
			const stored = await db.groups.where('customerId').equals(customerId).toArray();
			const spelling = new Map(stored.map((group) => [group.nameKey, group.name]));
			const created: string[] = [];
			for (const raw of names) {
				const parsed = parseGroupName(raw);
				if (!parsed.ok) throw new GroupError(`${raw}: ${parsed.message}`);
				const key = groupKey(parsed.value);
				if (spelling.has(key)) continue;
				spelling.set(key, parsed.value);
				created.push(parsed.value);
			}
			await db.groups.bulkAdd(
				created.map((name) => ({ customerId, name, nameKey: groupKey(name), createdAt: now }) as GroupRow)
			);
			return { spelling, created };
		}
	};
}

export type GroupsStore = ReturnType<typeof groupsStore>;
