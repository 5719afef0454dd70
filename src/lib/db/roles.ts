import { addName, grantedProfileIds, knownRoleNames, parseName, replaceName } from '$lib/domain/roles';
import { foldText } from '$lib/domain/text';
import { memberKey, memberKeys, type User } from '$lib/domain/user';
import type { ProfileRow, RoleRow, RollcallDb } from './database';

/** Refused before anything was written; the message says why in the admin's words. */
export class RoleError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RoleError';
	}
}

/**
 * The 'Roles' values an import's rows give (each distinct value once, with the first row giving it) in
 * the roles' own spelling, or why not: the first row naming a role the customer does not have (see
 * knownRoleNames for why that refuses the file rather than creating the role). Read inside the import's
 * transaction, so a role deleted meanwhile in another tab is seen. By value, not by row: a million rows
 * name a few values, and the commit spells each chunk's rows from this map as it writes them.
 */
export async function spellRoles(
	db: RollcallDb,
	customerId: number,
	values: ReadonlyMap<string, number>
): Promise<{ spelling: Map<string, string> } | { row: number; role: string }> {
	// Read even when no row names a role: a transaction with no request pending may commit at this await.
	const roles = await db.roles.where('customerId').equals(customerId).toArray();
	const names = new Map(roles.map((role) => [role.nameKey, role.name]));
	const spelling = new Map<string, string>();
	let unknown: { row: number; role: string } | undefined;
	for (const [value, row] of values) {
		const known = knownRoleNames(value, names);
		if (known.ok) spelling.set(value, known.value);
		// The admin is told of the first such row of the file.
		else if (!unknown || row < unknown.row) unknown = { row, role: known.message };
	}
	return unknown ?? { spelling };
}

const byName = (rows: RoleRow[]) => rows.sort((a, b) => a.nameKey.localeCompare(b.nameKey));

const gone = () => new RoleError('This role no longer exists: it was deleted in another tab.');

/** Gives a user (or a copy of one) a new 'Roles' value and the index keys that go with it. */
function setRoles(user: User, roles: string) {
	if (roles) user.roles = roles;
	else delete user.roles;
	user.roleKeys = memberKeys(user.customerId, user.roles);
}

/**
 * Roles module. A role is a row of its customer (granting profiles by id) and a name in the 'Roles' value
 * of each member, indexed by roleKeys; renaming or deleting a role rewrites both in one transaction, with
 * the copies of users an undo may bring back (the trash, the import history), so no user is ever left
 * holding a role that is not there. Members are rewritten by a Dexie modify over the roleKeys index.
 */
export function rolesStore(db: RollcallDb) {
	function cleanName(raw: string): string {
		const parsed = parseName(raw, 'role');
		if (!parsed.ok) throw new RoleError(parsed.message);
		return parsed.value;
	}

	async function checkFree(customerId: number, nameKey: string, exceptId?: number) {
		const other = await db.roles.where('[customerId+nameKey]').equals([customerId, nameKey]).first();
		if (other && other.id !== exceptId) {
			throw new RoleError(`There is already a role named “${other.name}”: choose another name.`);
		}
	}

	/** Spells the role `to` (or removes it) in every user of its customer holding it; how many did. */
	async function rewriteMembers(role: RoleRow, to: string | undefined): Promise<number> {
		const key = memberKey(role.customerId, role.name);
		const rewrite = (user: User) => setRoles(user, replaceName(user.roles, role.name, to));
		const holds = (user: User) => user.customerId === role.customerId && (user.roleKeys ?? []).includes(key);
		const changed = await db.users.where('roleKeys').equals(key).modify(rewrite);
		await db.trash.filter((row) => holds(row.user)).modify((row) => rewrite(row.user));
		// What an undone import puts back: the users as they were, and what it wrote over them.
		await db.importChanges.toCollection().modify((row) => {
			let had = false;
			for (const { before, wrote } of row.updated ?? []) {
				if (holds(before)) {
					rewrite(before);
					had = true;
				}
				if (typeof wrote.roles === 'string' && wrote.roles !== replaceName(wrote.roles, role.name, to)) {
					wrote.roles = replaceName(wrote.roles, role.name, to);
					had = true;
				}
			}
			return had;
		});
		return changed;
	}

	const memberTables = [db.roles, db.users, db.trash, db.importChanges];

	/** Writes the role granting `profileIds` (in a transaction over roles and profiles); refuses another customer's. */
	async function withProfiles(role: RoleRow, profileIds: readonly number[]): Promise<RoleRow> {
		const wanted = [...new Set(profileIds)];
		const found = await db.profiles.bulkGet(wanted);
		if (found.some((profile) => profile?.customerId !== role.customerId)) {
			throw new RoleError('A profile chosen no longer exists: it was deleted in another tab.');
		}
		const next = { ...role, profileIds: wanted };
		await db.roles.put(next);
		return next;
	}

	return {
		/** A customer's roles, by name. */
		list: (customerId: number): Promise<RoleRow[]> =>
			db.roles.where('customerId').equals(customerId).sortBy('nameKey'),

		get: (id: number) => db.roles.get(id),

		/** Every customer's roles, by name (a handful each: the form's choices for any customer). */
		all: (): Promise<RoleRow[]> => db.roles.orderBy('id').toArray().then(byName),

		/** How many users hold the role: its delete confirmation says so. */
		countMembers: (role: Pick<RoleRow, 'customerId' | 'name'>): Promise<number> =>
			db.users.where('roleKeys').equals(memberKey(role.customerId, role.name)).count(),

		/** Adds a role granting no profile yet; refuses a name the customer's roles already have. */
		async add(customerId: number, name: string, now = Date.now()): Promise<RoleRow> {
			const clean = cleanName(name);
			const row: Omit<RoleRow, 'id'> = {
				customerId,
				name: clean,
				nameKey: foldText(clean),
				profileIds: [],
				createdAt: now
			};
			return db.transaction('rw', db.roles, async () => {
				await checkFree(customerId, row.nameKey);
				return { ...row, id: await db.roles.add(row) };
			});
		},

		/** Renames a role and rewrites its members' 'Roles' values, all or nothing; how many members it has. */
		async rename(id: number, name: string): Promise<{ role: RoleRow; users: number }> {
			const clean = cleanName(name);
			return db.transaction('rw', memberTables, async () => {
				const current = await db.roles.get(id);
				if (!current) throw gone();
				const nameKey = foldText(clean);
				await checkFree(current.customerId, nameKey, id);
				const role = { ...current, name: clean, nameKey };
				await db.roles.put(role);
				return { role, users: await rewriteMembers(current, clean) };
			});
		},

		/** Deletes a role; every member loses it, all or nothing. How many users held it. */
		async remove(id: number): Promise<number> {
			return db.transaction('rw', memberTables, async () => {
				const current = await db.roles.get(id);
				if (!current) return 0;
				await db.roles.delete(id);
				return rewriteMembers(current, undefined);
			});
		},

		/** Sets the profiles a role grants; refuses a profile that is not the role's customer's. */
		async setProfiles(id: number, profileIds: readonly number[]): Promise<RoleRow> {
			return db.transaction('rw', db.roles, db.profiles, async () => {
				const current = await db.roles.get(id);
				if (!current) throw gone();
				return withProfiles(current, profileIds);
			});
		},

		/**
		 * Makes the role grant one profile, or stop granting it, as it stands when written: two quick changes
		 * of the page (each from the role as last shown) both count.
		 */
		async grant(id: number, profileId: number, isGranted: boolean): Promise<RoleRow> {
			return db.transaction('rw', db.roles, db.profiles, async () => {
				const current = await db.roles.get(id);
				if (!current) throw gone();
				const others = current.profileIds.filter((kept) => kept !== profileId);
				return withProfiles(current, isGranted ? [...others, profileId] : others);
			});
		},

		/**
		 * Gives the role to the users (give) or takes it from them, all or nothing. Users of another customer
		 * are left alone. How many users changed.
		 */
		async assign(roleId: number, userIds: readonly number[], give: boolean): Promise<number> {
			return db.transaction('rw', db.roles, db.users, async () => {
				const role = await db.roles.get(roleId);
				if (!role) throw gone();
				const key = memberKey(role.customerId, role.name);
				return db.users
					.where(':id')
					.anyOf(userIds)
					.filter((user) => user.customerId === role.customerId && user.roleKeys.includes(key) !== give)
					.modify((user: User) =>
						setRoles(
							user,
							give ? addName(user.roles, role.name) : replaceName(user.roles, role.name, undefined)
						)
					);
			});
		},

		/** The roles a user holds (by their index keys) and the profiles those grant, each once, by name. */
		async effectiveProfiles(user: User): Promise<{ roles: RoleRow[]; profiles: ProfileRow[] }> {
			return db.transaction('r', db.roles, db.profiles, async () => {
				const keys = new Set(user.roleKeys ?? []);
				const roles = (await db.roles.where('customerId').equals(user.customerId).sortBy('nameKey')).filter(
					(role) => keys.has(memberKey(role.customerId, role.name))
				);
				const found = await db.profiles.bulkGet(grantedProfileIds(roles));
				const profiles = found.filter((profile): profile is ProfileRow => profile !== undefined);
				return { roles, profiles: profiles.sort((a, b) => a.nameKey.localeCompare(b.nameKey)) };
			});
		}
	};
}

export type RolesStore = ReturnType<typeof rolesStore>;
