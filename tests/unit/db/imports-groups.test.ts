import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { groupsStore } from '$lib/db/groups';
import { importsStore } from '$lib/db/imports';
import { usersStore } from '$lib/db/users';
import { missingGroups } from '$lib/domain/groups';
import { memberKey, uniqueEntry } from '$lib/domain/user';
import { freshDb, person } from './helpers';
import { check, failAfterAddedUsers, faultyDb, rejection } from './import-helpers';

const options = { fileName: 'people.csv', mode: 'all-or-nothing', updateExisting: true } as const;
const FILE = [
	['First name', 'Email', 'Groups'],
	['Ann', 'ann@example.com', 'sales; Support'],
	['Cy', 'cy@example.com', 'SUPPORT;Field ops'],
	['Dee', 'dee@example.com', '']
];

async function directory(db = freshDb('import-groups')) {
	const groups = groupsStore(db);
	await groups.create('Sales', 1);
	await groups.create('Sales', 2);
	const users = usersStore(db);
	const ann = await users.add(person({ firstName: 'Ann', email: 'ann@example.com', groups: 'Sales' }));
	return { db, groups, users, ann, imports: importsStore(db) };
}

describe('an import’s Groups column', () => {
	it('creates the groups the customer lacks at commit, spells known ones as their group does, and updates members', async () => {
		const { db, groups, users, ann, imports } = await directory();
		const checked = await check(db, FILE, { updateExisting: true });
		// What the preview says: the groups the commit will create.
		expect(missingGroups(checked.rows, await groups.names(1))).toEqual(['Support', 'Field ops']);
		expect(await groups.names(1)).toEqual(['Sales']);
		const summary = await imports.commit(checked.rows, options);
		expect(summary.createdGroups).toEqual(['Support', 'Field ops']);
		expect(await groups.names(1)).toEqual(['Field ops', 'Sales', 'Support']);
		// The other customer's groups are its own.
		expect(await groups.names(2)).toEqual(['Sales']);
		expect((await users.get(ann.id))!.groups).toBe('Sales; Support');
		const cy = await db.users
			.where('uniqueKeys')
			.equals(uniqueEntry('email', 'cy@example.com', 1))
			.first();
		expect(cy!.groups).toBe('Support; Field ops');
		const support = await db.users.where('groupKeys').equals(memberKey(1, 'support')).count();
		expect(support).toBe(2);
		expect(await groups.list(1)).toEqual([
			expect.objectContaining({ name: 'Field ops', memberCount: 1 }),
			expect.objectContaining({ name: 'Sales', memberCount: 1 }),
			expect.objectContaining({ name: 'Support', memberCount: 2 })
		]);
	});

	it('creates no group when the import fails: all or nothing', async () => {
		const db = faultyDb(failAfterAddedUsers(1));
		const { groups, users, ann, imports } = await directory(db);
		const checked = await check(db, FILE, { updateExisting: true });
		await rejection(imports.commit(checked.rows, options));
		expect(await groups.names(1)).toEqual(['Sales']);
		expect(await users.get(ann.id)).toEqual(ann);
	});

	it('leaves the groups of rows it skips, and of existing users when not updating them', async () => {
		const { db, groups, imports } = await directory();
		const file = [...FILE, ['Eve', 'not an email', 'Skipped']];
		const checked = await check(db, file, { updateExisting: false });
		const rows = checked.rows.filter((row) => row.status !== 'update');
		await imports.commit(rows, { ...options, mode: 'valid-rows', updateExisting: false });
		// Ann's row (an update, left out) said 'Support' first: Cy's spelling is the one created.
		expect(await groups.names(1)).toEqual(['Field ops', 'Sales', 'SUPPORT']);
	});

	it('undoing the import deletes the groups it created that no one is in', async () => {
		const { db, groups, users, imports } = await directory();
		const summary = await imports.commit((await check(db, FILE, { updateExisting: true })).rows, options);
		const kept = (await groups.list(1)).find((group) => group.name === 'Field ops')!;
		const bob = await users.add(person({ firstName: 'Bob', email: 'bob@example.com' }));
		await groups.addMembers([bob.id], kept.id);
		await imports.undo(summary.id);
		expect(await groups.names(1)).toEqual(['Field ops', 'Sales']);
	});
});
