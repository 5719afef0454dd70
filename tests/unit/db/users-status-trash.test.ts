import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DuplicateError } from '$lib/db/errors';
import { usersStore } from '$lib/db/users';
import { freshDb, person, query } from './helpers';

async function setup() {
	const db = freshDb('status');
	const users = usersStore(db);
	const pending = await users.add(
		person({ firstName: 'Pat', lastName: 'Pending', email: 'pat@example.com' }),
		{ now: 10 }
	);
	const active = await users.add(
		person({ firstName: 'Alex', lastName: 'Active', email: 'alex@example.com', username: 'alex' }),
		{ now: 20 }
	);
	// The person activated the account (as the relay's activation event would record it).
	await db.users.update(active.id, { status: 'Active', activatedAt: 25, lastLoginAt: 30 });
	return { db, users, pending, active: (await users.get(active.id))! };
}

describe('setSuspended', () => {
	it('suspends a Pending user and brings it back as Pending', async () => {
		const { users, pending } = await setup();
		expect(await users.setSuspended([pending.id], true, 100)).toBe(1);
		expect(await users.get(pending.id)).toEqual({ ...pending, status: 'Suspended', updatedAt: 100 });
		expect(await users.setSuspended([pending.id], false, 200)).toBe(1);
		expect(await users.get(pending.id)).toEqual({ ...pending, status: 'Pending', updatedAt: 200 });
	});

	it('brings back a user who had activated as Active, keeping activation and last login', async () => {
		const { users, active } = await setup();
		expect(await users.setSuspended([active.id], true, 100)).toBe(1);
		expect((await users.get(active.id))!.status).toBe('Suspended');
		expect(await users.setSuspended([active.id], false, 200)).toBe(1);
		expect(await users.get(active.id)).toEqual({ ...active, status: 'Active', updatedAt: 200 });
	});

	it('counts only the users it changed, skipping unknown ids', async () => {
		const { users, pending, active } = await setup();
		expect(await users.setSuspended([pending.id, active.id, 9_999], true, 100)).toBe(2);
		// Already suspended: nothing to do, and updatedAt stays.
		expect(await users.setSuspended([pending.id, active.id], true, 150)).toBe(0);
		expect((await users.get(pending.id))!.updatedAt).toBe(100);
		expect(await users.setSuspended([pending.id], false, 200)).toBe(1);
		// Reactivating users who are not suspended changes nothing (an Active user stays Active).
		expect(await users.setSuspended([pending.id, active.id], false, 300)).toBe(1);
		expect(await users.setSuspended([pending.id, active.id], false, 400)).toBe(0);
		expect((await users.get(active.id))!).toMatchObject({ status: 'Active', updatedAt: 300 });
		expect((await users.get(pending.id))!).toMatchObject({ status: 'Pending', updatedAt: 200 });
		expect(await users.setSuspended([], true)).toBe(0);
	});

	it('leaves a user who is not suspended alone, even one Active without an activation time', async () => {
		// An upgraded v1 user can be Active with no activatedAt: reactivating must not demote it to Pending.
		const { db, users, pending } = await setup();
		await db.users.update(pending.id, { status: 'Active', activatedAt: null });
		expect(await users.setSuspended([pending.id], false, 100)).toBe(0);
		expect(await users.get(pending.id)).toMatchObject({ status: 'Active', updatedAt: pending.updatedAt });
	});

	it('moves users between the status filters', async () => {
		const { users, pending, active } = await setup();
		await users.setSuspended([pending.id, active.id], true);
		expect(await users.listIds(query({ status: 'Suspended' }))).toEqual([active.id, pending.id]);
		expect(await users.listIds(query({ status: 'Active' }))).toEqual([]);
		await users.setSuspended([active.id], false);
		expect(await users.listIds(query({ status: 'Active' }))).toEqual([active.id]);
	});
});

describe('remove and undoRemove', () => {
	it('removes users and puts them back with the same ids and fields', async () => {
		const { users, pending, active } = await setup();
		const other = await users.add(person({ firstName: 'Kim', email: 'kim@example.com' }));
		const { batch, count, names } = await users.remove([pending.id, active.id, 9_999], 500);
		expect(count).toBe(2);
		// For the notice, in the order asked: 'Deleted Pat Pending and Alex Active.'
		expect(names).toEqual(['Pat Pending', 'Alex Active']);
		expect(await users.get(pending.id)).toBeUndefined();
		expect(await users.get(active.id)).toBeUndefined();
		expect(await users.count()).toBe(1);
		expect(await users.listIds(query({ search: 'alex' }))).toEqual([]);
		expect(await users.whoHas('email', 'pat@example.com')).toBeUndefined();

		expect(await users.undoRemove(batch)).toBe(2);
		expect(await users.get(pending.id)).toEqual(pending);
		expect(await users.get(active.id)).toEqual(active);
		expect(await users.get(other.id)).toEqual(other);
		expect(await users.listIds(query())).toEqual([active.id, other.id, pending.id]);
		expect(await users.listIds(query({ search: 'alex' }))).toEqual([active.id]);
		// The batch is spent: undoing twice restores nothing more.
		expect(await users.undoRemove(batch)).toBe(0);
		expect(await users.count()).toBe(3);
	});

	it('names no more of a big deletion than a notice shows: the first three asked for', async () => {
		const { users } = await setup();
		const ids: number[] = [];
		for (const name of ['Eve', 'Dee', 'Cy', 'Bo', 'Ann']) {
			ids.push((await users.add(person({ firstName: name, email: `${name}@example.com` }))).id);
		}
		expect(await users.remove(ids, 500)).toMatchObject({ count: 5, names: ['Eve', 'Dee', 'Cy'] });
	});

	it('undoes one deletion without touching another', async () => {
		const { users, pending, active } = await setup();
		const first = await users.remove([pending.id], 500);
		const second = await users.remove([active.id], 600);
		expect(first.batch).not.toBe(second.batch);
		expect(await users.undoRemove(second.batch)).toBe(1);
		expect(await users.get(active.id)).toEqual(active);
		expect(await users.get(pending.id)).toBeUndefined();
		expect(await users.undoRemove(first.batch)).toBe(1);
		expect(await users.get(pending.id)).toEqual(pending);
	});

	it('refuses to undo, restoring nobody, when a new user took an email meanwhile', async () => {
		const { db, users, pending, active } = await setup();
		const { batch } = await users.remove([pending.id, active.id], 500);
		const newcomer = await users.add(
			person({ firstName: 'New', lastName: 'Comer', displayName: 'New Comer', email: 'ALEX@example.com' })
		);
		const error = await users.undoRemove(batch).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(DuplicateError);
		expect((error as DuplicateError).field).toBe('email');
		expect((error as Error).message).toBe(
			'The deletion cannot be undone: alex@example.com was deleted, and since then this email is already taken by New Comer.'
		);
		// All or nothing: Pat, who clashes with nobody, is not back either, and the deletion stays undoable.
		expect(await users.get(pending.id)).toBeUndefined();
		expect(await users.get(active.id)).toBeUndefined();
		expect(await users.count()).toBe(1);
		expect(await db.trash.where('batch').equals(batch).count()).toBe(2);

		await users.remove([newcomer.id]);
		expect(await users.undoRemove(batch)).toBe(2);
		expect(await users.get(active.id)).toEqual(active);
	});

	it('refuses to undo when a new user took a username meanwhile', async () => {
		const { users, active } = await setup();
		const { batch } = await users.remove([active.id]);
		await users.add(person({ email: 'someone@example.com', username: 'ALEX' }));
		const error = await users.undoRemove(batch).catch((e: unknown) => e);
		expect((error as DuplicateError).field).toBe('username');
		expect(await users.get(active.id)).toBeUndefined();
	});

	it('keeps removed users in the trash until purged, then the deletion cannot be undone', async () => {
		const { db, users, pending, active } = await setup();
		const old = await users.remove([pending.id], 1_000);
		const recent = await users.remove([active.id], 5_000);
		expect(await db.trash.count()).toBe(2);
		expect(await users.purgeTrash(1_000)).toBe(0);
		expect(await users.purgeTrash(4_999)).toBe(1);
		expect(await users.undoRemove(old.batch)).toBe(0);
		expect(await users.get(pending.id)).toBeUndefined();
		expect(await users.undoRemove(recent.batch)).toBe(1);
		expect(await users.get(active.id)).toEqual(active);
		expect(await db.trash.count()).toBe(0);
	});
});
