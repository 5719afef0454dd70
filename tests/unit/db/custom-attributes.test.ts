import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { CustomAttributeError, customAttributesStore } from '$lib/db/custom-attributes';
import type { RollcallDb } from '$lib/db/database';
import { importsStore } from '$lib/db/imports';
import { settingsStore } from '$lib/db/settings';
import { usersStore } from '$lib/db/users';
import { customKeys, defaultPolicy, type FieldPolicy } from '$lib/domain/policy';
import { userKeys, type User } from '$lib/domain/user';
import { freshDb, person, query } from './helpers';
import { check, everything, rejection, snapshot } from './import-helpers';

const BADGE = 'custom:Badge colour' as const;
const LOCKER = 'custom:Locker' as const;
const policy: FieldPolicy = { ...defaultPolicy, [BADGE]: 'optional', [LOCKER]: 'required' };

async function directory(db: RollcallDb = freshDb('custom')) {
	const users = usersStore(db);
	await settingsStore(db).write({ policy });
	const ann = await users.add(person({ firstName: 'Ann', email: 'ann@example.com', [BADGE]: 'Teal' }));
	const bob = await users.add(person({ firstName: 'Bob', email: 'bob@example.com', [LOCKER]: '12' }));
	return { db, users, store: customAttributesStore(db), settings: settingsStore(db), ann, bob };
}

describe('custom attributes in the database', () => {
	it('renames one in the policy, in place, and on every user with a value, still searchable', async () => {
		const { users, store, settings, ann, bob } = await directory();
		expect(await store.countValues(BADGE)).toBe(1);
		const renamed = await store.rename(BADGE, 'custom:Badge');
		expect(renamed.users).toBe(1);
		expect(customKeys((await settings.read()).policy)).toEqual(['custom:Badge', LOCKER]);
		expect((await settings.read()).policy['custom:Badge']).toBe('optional');
		const stored = (await users.get(ann.id))!;
		expect(stored['custom:Badge']).toBe('Teal');
		expect(stored).not.toHaveProperty(BADGE);
		expect(await users.get(bob.id)).toEqual(bob);
		expect(await users.listIds(query({ search: 'teal' }))).toEqual([ann.id]);
	});

	it('deletes one with its values and their search words, leaving the others', async () => {
		const { users, store, settings, ann, bob } = await directory();
		expect(await store.remove(BADGE)).toMatchObject({ users: 1 });
		expect(customKeys((await settings.read()).policy)).toEqual([LOCKER]);
		const stored = (await users.get(ann.id))!;
		expect(stored).not.toHaveProperty(BADGE);
		expect(stored.searchText).toEqual(userKeys(stored, 1).searchText);
		expect(await users.listIds(query({ search: 'teal' }))).toEqual([]);
		expect((await users.get(bob.id))![LOCKER]).toBe('12');
	});

	it('deletes the words of a deleted user too: undoing their deletion does not bring them back', async () => {
		const { users, store, ann } = await directory();
		const { batch } = await users.remove([ann.id]);
		await store.remove(BADGE);
		expect(await users.undoRemove(batch)).toBe(1);
		const stored = (await users.get(ann.id))!;
		expect(stored).not.toHaveProperty(BADGE);
		expect(stored.searchText).toEqual(userKeys(stored, 1).searchText);
		expect(await users.listIds(query({ search: 'teal' }))).toEqual([]);
		expect(await users.listIds(query({ search: 'ann' }))).toEqual([ann.id]);
	});

	it('refuses a rename onto another attribute, or of one gone meanwhile, changing nothing', async () => {
		const { db, store } = await directory();
		const before = await snapshot(db);
		expect(await rejection(store.rename(BADGE, LOCKER))).toBeInstanceOf(CustomAttributeError);
		expect(await rejection(store.rename('custom:Gone', 'custom:New'))).toBeInstanceOf(CustomAttributeError);
		expect(await snapshot(db)).toEqual(before);
	});

	it('adds one, optional, after the others, once', async () => {
		const { store, settings } = await directory();
		await store.add('custom:Shoe size');
		await store.add('custom:Shoe size');
		const stored = (await settings.read()).policy;
		expect(customKeys(stored)).toEqual([BADGE, LOCKER, 'custom:Shoe size']);
		expect(stored['custom:Shoe size']).toBe('optional');
	});

	it('lets an import write, update and undo custom values, also across a rename', async () => {
		const { db, users, store, ann } = await directory();
		const imports = importsStore(db);
		const headers = ['First name', 'Email', 'Badge colour'];
		const checked = await check(
			db,
			[headers, ['Ann', 'ann@example.com', 'Plum'], ['Cy', 'cy@example.com', 'Red']],
			{ updateExisting: true, policy: { ...everything, [BADGE]: 'optional' } }
		);
		expect(checked.rows.map((r) => r.status)).toEqual(['update', 'new']);
		const summary = await imports.commit(checked.rows, {
			fileName: 'badges.csv',
			mode: 'all-or-nothing',
			updateExisting: true
		});
		expect((await users.get(ann.id))![BADGE]).toBe('Plum');
		expect((await users.get(summary.createdIds[0]!))![BADGE]).toBe('Red');

		await store.rename(BADGE, 'custom:Badge');
		await imports.undo(summary.id);
		const restored = (await users.get(ann.id))!;
		expect(restored['custom:Badge']).toBe('Teal');
		expect(restored).not.toHaveProperty(BADGE);
		expect(await users.listIds(query({ search: 'plum' }))).toEqual([]);
	});

	// fake-indexeddb is slow: 6,000 users take seconds on a busy 2-core machine.
	it(
		'renames the values of thousands of users in one transaction, and only theirs',
		{ timeout: 120_000 },
		async () => {
			const db = freshDb('custom-scale');
			await settingsStore(db).write({ policy });
			const records = Array.from({ length: 6_000 }, (_, i): Omit<User, 'id'> => {
				const fields = person({ firstName: `P${i}`, email: `p${i}@example.com` });
				if (i % 3 === 0) fields[BADGE] = `Colour ${i}`;
				return {
					...fields,
					...userKeys(fields, 1),
					customerId: 1,
					status: 'Pending',
					hasPassword: false,
					createdAt: i,
					updatedAt: i,
					activatedAt: null,
					lastLoginAt: 0
				};
			});
			await db.users.bulkAdd(records);
			const store = customAttributesStore(db);
			expect(await store.countValues(BADGE)).toBe(2_000);
			expect((await store.rename(BADGE, 'custom:Colour')).users).toBe(2_000);
			const all = await db.users.toArray();
			expect(all.filter((u) => BADGE in u)).toEqual([]);
			expect(all.filter((u) => u['custom:Colour'] !== undefined).map((u) => u.firstName)).toEqual(
				records.filter((r) => r[BADGE] !== undefined).map((r) => r.firstName)
			);
			expect(all.find((u) => u.firstName === 'P1')!.updatedAt).toBe(1);
		}
	);
});
