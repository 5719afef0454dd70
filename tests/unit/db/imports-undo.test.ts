import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { RollcallDb } from '$lib/db/database';
import { DuplicateError } from '$lib/db/errors';
import { importErrorMessage, ImportRefusedError, importsStore } from '$lib/db/imports';
import { usersStore } from '$lib/db/users';
import { freshDb, person, withSearch } from './helpers';
import {
	check,
	diskFillsDuring,
	faultyDb,
	OUT_OF_SPACE,
	quotaError,
	rejection,
	snapshot
} from './import-helpers';

const HEADERS = ['First name', 'Last name', 'Email', 'Username', 'Job title', 'Company', 'Password'];

/** Ann and Bob in the directory; a file that adds Dee and Eve, updates both and repeats Cy. */
async function imported(db: RollcallDb = freshDb('undo')) {
	const users = usersStore(db);
	const imports = importsStore(db);
	await users.add(
		person({ firstName: 'Ann', lastName: 'Smith', email: 'ann@example.com', jobTitle: 'Nurse' }),
		{
			now: 100
		}
	);
	await users.add(
		person({
			firstName: 'Bob',
			lastName: 'Jones',
			email: 'bob@example.com',
			username: 'bob',
			company: 'Acme'
		}),
		{ now: 200 }
	);
	await users.add(person({ firstName: 'Cy', lastName: 'Young', email: 'cy@example.com' }), { now: 300 });
	const before = await db.users.toArray();
	const checked = await check(
		db,
		[
			HEADERS,
			['Dee', 'Dean', 'dee@example.com', 'dee', '', '', ''],
			['Ann', '', 'ann@example.com', '', 'Matron', 'St Mary', ''],
			['Eve', 'Evans', 'eve@example.com', '', 'Chef', '', ''],
			['', '', 'bob@example.com', 'bobby', '', '', 'a long passphrase'],
			['Cy', 'Young', 'cy@example.com', '', '', '', '']
		],
		{ updateExisting: true }
	);
	expect(checked.rows.map((r) => r.status)).toEqual(['new', 'update', 'new', 'update', 'unchanged']);
	const summary = await imports.commit(checked.rows, {
		fileName: 'people.xlsx',
		mode: 'all-or-nothing',
		updateExisting: true,
		now: 1_000
	});
	const [ann, bob, cy] = before;
	return { db, users, imports, before, summary, ann: ann!, bob: bob!, cy: cy! };
}

describe('undo', () => {
	it('removes the users the import created and restores the ones it updated, exactly', async () => {
		const { db, imports, before, summary, bob } = await imported();
		expect(summary.counts).toEqual({ created: 2, updated: 2, unchanged: 1, skipped: 0, errors: 0 });
		expect(await db.users.count()).toBe(5);
		expect(await db.users.get(bob.id)).toMatchObject({
			username: 'bobby',
			usernameKey: 'bobby',
			// The row's password went nowhere (no SMS for an update): Bob is not said to have one.
			hasPassword: false
		});

		expect(await imports.undo(summary.id, 2_000)).toEqual({
			removed: 2,
			restored: 2,
			keptEdits: 0,
			alreadyGone: 0
		});
		expect(await db.users.toArray()).toEqual(before);
		expect(await imports.history()).toEqual([
			{ ...summary, createdIds: undefined, status: 'undone', undoneAt: 2_000 }
		]);
		expect(await db.importChanges.count()).toBe(0);
	});

	it('refuses a second undo, and an import not in the history, changing nothing', async () => {
		const { db, imports, summary } = await imported();
		await imports.undo(summary.id);
		const after = await snapshot(db);
		const again = await rejection(imports.undo(summary.id));
		expect(again).toBeInstanceOf(ImportRefusedError);
		expect(importErrorMessage(again)).toBe('This import has already been undone.');
		expect(importErrorMessage(await rejection(imports.undo(9_999)))).toBe(
			'This import is not in the history any more.'
		);
		expect(await snapshot(db)).toEqual(after);
	});

	it('counts the users it created that changed since, which an undo removes too', async () => {
		const { db, users, imports, summary, ann } = await imported();
		const [dee, eve] = summary.createdIds;
		expect(await imports.changedSince(summary.id)).toBe(0);
		// Ann was updated, not created, by the import: her edit is not counted.
		await users.update(ann.id, { company: 'General' }, 1_500);
		await users.update(dee!, { firstName: 'Deirdre' }, 1_500);
		expect(await imports.changedSince(summary.id)).toBe(1);
		// A sign-in (from the relay's events) changes lastLoginAt only.
		await db.users.put({ ...(await db.users.get(eve!))!, lastLoginAt: 1_600 });
		expect(await imports.changedSince(summary.id)).toBe(2);
		await imports.undo(summary.id, 2_000);
		expect(await imports.changedSince(summary.id)).toBe(0);
	});

	it('keeps what was edited since the import, and leaves deleted users deleted', async () => {
		const { db, users, imports, summary, ann, bob } = await imported();
		const [dee, eve] = summary.createdIds;
		// After the import: Ann's company and department are edited, Dee renamed, Eve and Bob deleted.
		await users.update(ann.id, { company: 'General', department: 'Ward 3' }, 1_500);
		await users.update(dee!, { firstName: 'Deirdre' }, 1_500);
		await users.remove([eve!, bob.id]);

		expect(await imports.undo(summary.id, 2_000)).toEqual({
			removed: 1,
			restored: 1,
			keptEdits: 1,
			alreadyGone: 2
		});
		// The import's job title is undone; the later company edit (over the import's) and department stay.
		expect(await db.users.get(ann.id)).toEqual(
			withSearch({ ...ann, company: 'General', department: 'Ward 3', updatedAt: 2_000 })
		);
		// A user the import created goes, even if edited since: the admin is taking the import back.
		expect(await db.users.get(dee!)).toBeUndefined();
		expect(await db.users.get(bob.id)).toBeUndefined();
		expect(await db.users.count()).toBe(2);
	});

	it('undoes two imports of the same user in either order', async () => {
		const db = freshDb('undo-twice');
		const users = usersStore(db);
		const imports = importsStore(db);
		const ann = await users.add(person({ firstName: 'Ann', email: 'ann@example.com', jobTitle: 'Nurse' }), {
			now: 1
		});
		const importTitle = async (title: string, now: number) => {
			const checked = await check(
				db,
				[
					['Email', 'Job title'],
					['ann@example.com', title]
				],
				{ updateExisting: true }
			);
			return imports.commit(checked.rows, {
				fileName: `${title}.csv`,
				mode: 'valid-rows',
				updateExisting: true,
				now
			});
		};
		const first = await importTitle('Sister', 10);
		const second = await importTitle('Matron', 20);
		// Undoing the first while the second's value is there keeps the second's.
		await imports.undo(second.id, 30);
		expect((await db.users.get(ann.id))?.jobTitle).toBe('Sister');
		// Undone newest first, the user is back exactly as before either import.
		await imports.undo(first.id, 40);
		expect(await db.users.get(ann.id)).toEqual(ann);

		const third = await importTitle('Sister', 50);
		const fourth = await importTitle('Matron', 60);
		expect(await imports.undo(third.id, 70)).toMatchObject({ restored: 1, keptEdits: 1 });
		expect((await db.users.get(ann.id))?.jobTitle).toBe('Matron');
		await imports.undo(fourth.id, 80);
		expect((await db.users.get(ann.id))?.jobTitle).toBe('Sister');
		expect((await imports.history()).map((entry) => entry.status)).toEqual([
			'undone',
			'undone',
			'undone',
			'undone'
		]);
	});

	it('is refused, changing nothing, when a value to restore belongs to another user now', async () => {
		const { db, users, imports, summary } = await imported();
		const zed = await users.add(person({ firstName: 'Zed', email: 'zed@example.com', username: 'Bob' }));
		const before = await snapshot(db);
		const error = await rejection(imports.undo(summary.id));
		expect(error).toBeInstanceOf(DuplicateError);
		expect(importErrorMessage(error)).toBe(
			'This import cannot be undone: before it, bob@example.com had the username bob, which Zed has now. Change one of them, then undo again. Nothing was changed.'
		);
		expect(await snapshot(db)).toEqual(before);

		await users.update(zed.id, { username: 'zed' });
		expect(await imports.undo(summary.id)).toMatchObject({ removed: 2, restored: 2 });
	});

	it('on a full disk changes nothing and can be tried again', async () => {
		const disk = { isFull: false };
		const db = faultyDb((table, request) =>
			disk.isFull && table === 'users' && request.type === 'put' ? Promise.reject(quotaError()) : undefined
		);
		const { imports, summary, before } = await imported(db);
		const after = await snapshot(db);
		disk.isFull = true;
		expect(importErrorMessage(await rejection(imports.undo(summary.id)))).toBe(OUT_OF_SPACE);
		disk.isFull = false;
		expect(await snapshot(db)).toEqual(after);
		await imports.undo(summary.id);
		expect(await db.users.toArray()).toEqual(before);
	});

	it('on a full disk that aborts the transaction says so and changes nothing', async () => {
		const { disk, fault } = diskFillsDuring((table, request) => table === 'users' && request.type === 'put');
		const db = faultyDb(fault);
		const { imports, summary } = await imported(db);
		const after = await snapshot(db);
		disk.isArmed = true;
		expect(importErrorMessage(await rejection(imports.undo(summary.id)))).toBe(OUT_OF_SPACE);
		expect(await snapshot(db)).toEqual(after);
		expect(await imports.undo(summary.id)).toMatchObject({ removed: 2, restored: 2 });
	});

	it('removes exactly the ids recorded, when they do not run on', async () => {
		const db = freshDb('undo-ranges');
		const imports = importsStore(db);
		const checked = await check(db, [
			['Email'],
			...Array.from({ length: 6 }, (_, i) => [`p${i}@example.com`])
		]);
		const summary = await imports.commit(checked.rows, {
			fileName: 'p.csv',
			mode: 'valid-rows',
			updateExisting: false
		});
		const [a, b, c, d, e, f] = summary.createdIds as [number, number, number, number, number, number];
		expect([b, c, d, e, f]).toEqual([a + 1, a + 2, a + 3, a + 4, a + 5]);
		// As if the ids had come in three runs, with c and e not part of this import.
		const [changes] = await db.importChanges.toArray();
		await db.importChanges.put({ ...changes!, created: [a, b, d, d, f, f] });
		expect(await imports.undo(summary.id)).toMatchObject({ removed: 4, alreadyGone: 0 });
		expect(await db.users.toCollection().primaryKeys()).toEqual([c, e]);
	});
});

describe('undo at scale', { timeout: 180_000 }, () => {
	it('restores 2,500 updated users and removes 2,500 created ones exactly', async () => {
		const db = freshDb('undo-scale');
		const imports = importsStore(db);
		const seed = await check(db, [
			['First name', 'Email', 'Company'],
			...Array.from({ length: 2_500 }, (_, i) => [`Old${i}`, `u${i}@example.com`, `Co ${i % 7}`])
		]);
		await imports.commit(seed.rows, {
			fileName: 'seed.csv',
			mode: 'all-or-nothing',
			updateExisting: false,
			now: 1
		});
		const before = await db.users.toArray();
		const checked = await check(
			db,
			[
				['First name', 'Email', 'Job title'],
				...Array.from({ length: 5_000 }, (_, i) => [`New${i}`, `u${i}@example.com`, `Title ${i}`])
			],
			{ updateExisting: true }
		);
		const summary = await imports.commit(checked.rows, {
			fileName: 'big.csv',
			mode: 'all-or-nothing',
			updateExisting: true,
			now: 2
		});
		expect(summary.counts).toMatchObject({ created: 2_500, updated: 2_500 });
		expect((await db.users.get(before[1_234]!.id))?.firstName).toBe('New1234');
		// What undo needs is a handful of records (batches of updated users, one run of ids), not 5,000.
		expect(await db.importChanges.where('importId').equals(summary.id).count()).toBeLessThanOrEqual(10);
		expect(await imports.undo(summary.id)).toEqual({
			removed: 2_500,
			restored: 2_500,
			keptEdits: 0,
			alreadyGone: 0
		});
		expect(await db.users.toArray()).toEqual(before);
	});
});
