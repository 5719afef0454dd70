import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { RollcallDb } from '$lib/db/database';
import { GroupError, groupsStore } from '$lib/db/groups';
import { usersStore } from '$lib/db/users';
import { memberKey } from '$lib/domain/user';
import { freshDb, person, query } from './helpers';

async function directory(db: RollcallDb = freshDb('groups')) {
	const users = usersStore(db);
	const groups = groupsStore(db);
	const sales = await groups.create('Sales', 1);
	const support = await groups.create('Support', 1);
	const ann = await users.add(
		person({ firstName: 'Ann', email: 'ann@example.com', groups: 'Sales; Support' })
	);
	const bob = await users.add(person({ firstName: 'Bob', email: 'bob@example.com', groups: 'Sales' }));
	const cy = await users.add(person({ firstName: 'Cy', email: 'cy@example.com' }));
	return { db, users, groups, sales, support, ann, bob, cy };
}

const members = (db: RollcallDb, name: string, customerId = 1) =>
	db.users.where('groupKeys').equals(memberKey(customerId, name)).primaryKeys();

describe('groups in the database', () => {
	it('lists a customer’s groups alphabetically with their member counts', async () => {
		const { groups, db } = await directory();
		await groups.create('Admins', 2);
		expect(await groups.list(1)).toEqual([
			expect.objectContaining({ name: 'Sales', memberCount: 2 }),
			expect.objectContaining({ name: 'Support', memberCount: 1 })
		]);
		expect(await groups.names(2)).toEqual(['Admins']);
		expect(await members(db, 'sales')).toHaveLength(2);
	});

	it('keeps names unique per customer, case and accents aside, and says why a name is refused', async () => {
		const { groups } = await directory();
		await expect(groups.create('  SALES ', 1)).rejects.toThrow('There is already a group Sales.');
		await groups.create('Équipe', 1);
		await expect(groups.create('equipe', 1)).rejects.toThrow(GroupError);
		// Another customer may have its own Sales.
		expect((await groups.create('sales', 2)).name).toBe('sales');
		await expect(groups.create('   ', 1)).rejects.toThrow('Give the group a name.');
		await expect(groups.create('Sales; Support', 1)).rejects.toThrow('cannot contain “;”');
		await expect(groups.create('x'.repeat(65), 1)).rejects.toThrow('at most 64 characters');
	});

	it('renames a group and every member’s groups with it, in one go', async () => {
		const { groups, users, sales, ann, bob, cy, db } = await directory();
		expect(await groups.rename(sales.id, 'Field sales', 50)).toBe(2);
		expect((await users.get(ann.id))!.groups).toBe('Field sales; Support');
		expect((await users.get(bob.id))!.groups).toBe('Field sales');
		expect((await users.get(bob.id))!.updatedAt).toBe(50);
		expect(await users.get(cy.id)).toEqual(cy);
		expect(await members(db, 'Sales')).toEqual([]);
		expect(await members(db, 'field sales')).toEqual([ann.id, bob.id]);
		// Only its case: the same group, renamed.
		await groups.rename(sales.id, 'FIELD SALES');
		expect((await users.get(bob.id))!.groups).toBe('FIELD SALES');
		await expect(groups.rename(sales.id, 'support')).rejects.toThrow('There is already a group Support.');
	});

	it('rewrites nothing when a rename fails part way (a member cannot be written)', async () => {
		const { groups, users, sales, ann, bob, db } = await directory();
		let writes = 0;
		db.users.hook('updating', () => {
			if (++writes === 2) throw new Error('disk full');
		});
		await expect(groups.rename(sales.id, 'Field sales')).rejects.toThrow('disk full');
		expect((await db.groups.get(sales.id))!.name).toBe('Sales');
		expect(await users.get(ann.id)).toEqual(ann);
		expect(await users.get(bob.id)).toEqual(bob);
	});

	it('deletes a group: its members lose it in the same transaction, and a deleted user’s copy too', async () => {
		const { groups, users, sales, support, ann, bob, db } = await directory();
		const { batch } = await users.remove([bob.id]);
		expect(await groups.memberCount(sales.id)).toBe(1);
		expect(await groups.remove(sales.id)).toBe(1);
		expect((await users.get(ann.id))!.groups).toBe('Support');
		expect(await groups.list(1)).toEqual([{ id: support.id, name: 'Support', memberCount: 1 }]);
		await users.undoRemove(batch);
		const back = (await users.get(bob.id))!;
		expect(back.groups).toBeUndefined();
		expect(back.groupKeys).toEqual([]);
		expect(await members(db, 'Sales')).toEqual([]);
	});

	it('fails a delete whole: the group and its members stay as they were', async () => {
		const { groups, users, sales, ann, db } = await directory();
		db.users.hook('updating', () => {
			throw new Error('disk full');
		});
		await expect(groups.remove(sales.id)).rejects.toThrow('disk full');
		expect(await db.groups.get(sales.id)).toBeDefined();
		expect(await users.get(ann.id)).toEqual(ann);
	});

	it('adds and removes the selected users, leaving those already in or out, and filters the list by group', async () => {
		const { groups, users, support, ann, bob, cy } = await directory();
		expect(await groups.addMembers([ann.id, bob.id, cy.id], support.id, 7)).toBe(2);
		expect((await users.get(bob.id))!.groups).toBe('Sales; Support');
		expect((await users.get(cy.id))!.groups).toBe('Support');
		expect(await users.listIds(query({ group: memberKey(1, 'Support') }))).toEqual([ann.id, bob.id, cy.id]);
		expect(await groups.removeMembers([ann.id, cy.id], support.id)).toBe(2);
		expect((await users.get(cy.id))!.groups).toBeUndefined();
		expect((await users.get(ann.id))!.groups).toBe('Sales');
		expect(await users.listIds(query({ group: memberKey(1, 'Support') }))).toEqual([bob.id]);
		expect(await users.listIds(query({ group: memberKey(1, 'Sales'), search: 'ann' }))).toEqual([ann.id]);
	});

	it('refuses membership of a group deleted meanwhile', async () => {
		const { groups, sales, ann } = await directory();
		await groups.remove(sales.id);
		await expect(groups.addMembers([ann.id], sales.id)).rejects.toThrow('no longer exists');
	});
});
