import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { importErrorMessage, ImportRefusedError, importsStore, type ImportMode } from '$lib/db/imports';
import { usersStore } from '$lib/db/users';
import { DEFAULT_CUSTOMER_ID, userKeys, type User, type UserFields } from '$lib/domain/user';
import type { CheckedRow } from '$lib/import/rows';
import { freshDb, person, withSearch } from './helpers';
import { check, rejection, snapshot } from './import-helpers';

const AT = 1_800_000_000_000;

const HEADERS = [
	'First name',
	'Last name',
	'Email',
	'Username',
	'Job title',
	'Department',
	'Site',
	'Password'
];

/** A directory of three people, and a file that adds one, updates one, repeats one and has one wrong row. */
async function setup() {
	const db = freshDb('import');
	const users = usersStore(db);
	const ann = await users.add(
		person({
			firstName: 'Ann',
			lastName: 'Smith',
			email: 'ann@example.com',
			username: 'ann',
			jobTitle: 'Nurse',
			department: 'Ward 1',
			site: 'Leeds'
		}),
		{ now: 1_000 }
	);
	const bob = await users.add(person({ firstName: 'Bob', lastName: 'Jones', email: 'bob@example.com' }), {
		now: 1_000
	});
	const file = [
		HEADERS,
		['Dee', 'Dean', 'dee@example.com', 'dee', 'Chef', '', '', 'correct horse battery'],
		// Empty username, department and site: they must not erase Ann's.
		['Ann', 'Smith', 'ANN@example.com', '', 'Head nurse', '', '', ''],
		['Bob', 'Jones', 'bob@example.com', '', '', '', '', ''],
		['Eve', '', 'not-an-email', '', '', '', '', ''],
		['', '', '', '', '', '', '', '']
	];
	return { db, users, imports: importsStore(db), ann, bob, file };
}

const options = (mode: ImportMode, passwords?: ReadonlyMap<number, string>) => ({
	fileName: 'people.csv',
	mode,
	updateExisting: true,
	passwords,
	now: AT
});

describe('commit', () => {
	it("in 'valid-rows' mode creates, updates, leaves the unchanged and skips the wrong rows", async () => {
		const { db, imports, ann, bob, file } = await setup();
		const checked = await check(db, file, { updateExisting: true });
		expect(checked.rows.map((r) => r.status)).toEqual(['new', 'update', 'unchanged', 'error', 'blank']);

		const summary = await imports.commit(
			checked.rows,
			options('valid-rows', new Map([[2, 'correct horse battery']]))
		);
		const counts = { created: 1, updated: 1, unchanged: 1, skipped: 2, errors: 1 };
		expect(summary).toMatchObject({
			fileName: 'people.csv',
			at: AT,
			mode: 'valid-rows',
			counts,
			status: 'done'
		});
		expect(summary.createdIds).toHaveLength(1);

		const dee = await db.users.get(summary.createdIds[0]!);
		const deeFields: UserFields = {
			firstName: 'Dee',
			lastName: 'Dean',
			email: 'dee@example.com',
			username: 'dee',
			jobTitle: 'Chef',
			userType: 'Standard',
			site: 'HQ',
			inGlobalAddressBook: false,
			webAccess: false
		};
		expect(dee).toEqual({
			...deeFields,
			// Her new license key is unique on the device: one of her unique entries.
			...userKeys({ ...deeFields, licenseKey: dee?.licenseKey }, 1),
			customerId: 1,
			licenseKey: dee?.licenseKey,
			usernameKey: 'dee',
			id: summary.createdIds[0],
			status: 'Pending',
			// The row's password is not kept, and no SMS carried it here: Dee has none.
			hasPassword: false,
			createdAt: AT,
			updatedAt: AT,
			activatedAt: null,
			lastLoginAt: 0
		});
		// Only the changed cell is written; the empty cells keep Ann's username, department and site.
		expect(await db.users.get(ann.id)).toEqual(withSearch({ ...ann, jobTitle: 'Head nurse', updatedAt: AT }));
		expect(await db.users.get(bob.id)).toEqual(bob);
		expect(await db.users.count()).toBe(3);
		expect(await imports.history()).toEqual([
			{
				id: summary.id,
				customerId: DEFAULT_CUSTOMER_ID,
				fileName: 'people.csv',
				at: AT,
				mode: 'valid-rows',
				updateExisting: true,
				counts,
				status: 'done'
			}
		]);
	});

	it('never stores a password, only that the row had one', async () => {
		const { db, imports, file } = await setup();
		const checked = await check(db, file, { updateExisting: true });
		await imports.commit(checked.rows, options('valid-rows', new Map([[2, 'correct horse battery']])));
		expect(JSON.stringify(await snapshot(db))).not.toContain('correct horse');
	});

	it("in 'all-or-nothing' mode refuses a file with one wrong row and writes nothing", async () => {
		const { db, imports, file } = await setup();
		const before = await snapshot(db);
		const checked = await check(db, file, { updateExisting: true });
		const error = await rejection(imports.commit(checked.rows, options('all-or-nothing')));
		expect(error).toBeInstanceOf(ImportRefusedError);
		expect(importErrorMessage(error)).toMatch(
			/^Nothing was imported: 1 row has errors, and 'All or nothing'/
		);
		expect(await snapshot(db)).toEqual(before);
		expect(await imports.history()).toEqual([]);
	});

	it("in 'all-or-nothing' mode imports a file without errors, blank rows passed over", async () => {
		const { db, imports, ann, file } = await setup();
		const checked = await check(db, [...file.slice(0, 4), file[5]!], { updateExisting: true });
		const summary = await imports.commit(checked.rows, options('all-or-nothing'));
		expect(summary.counts).toEqual({ created: 1, updated: 1, unchanged: 1, skipped: 1, errors: 0 });
		expect(summary.mode).toBe('all-or-nothing');
		expect((await db.users.get(ann.id))?.jobTitle).toBe('Head nurse');
		expect(await db.users.count()).toBe(3);
	});

	it('reports its progress as batches are written, ending at the total', async () => {
		const { db, imports } = await setup();
		const rows = Array.from({ length: 1_234 }, (_, i) => [
			`P${i}`,
			'',
			`p${i}@example.com`,
			'',
			'',
			'',
			'',
			''
		]);
		const checked = await check(
			db,
			[HEADERS, ['Ann', '', 'ann@example.com', '', 'Matron', '', '', ''], ...rows],
			{
				updateExisting: true
			}
		);
		const progress: [number, number][] = [];
		await imports.commit(checked.rows, {
			...options('valid-rows'),
			onProgress: (done, total) => progress.push([done, total])
		});
		expect(progress.length).toBeGreaterThan(2);
		expect(progress.every(([, total]) => total === 1_235)).toBe(true);
		expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
		expect(progress.at(-1)).toEqual([1_235, 1_235]);
	});

	it('lists the history newest first', async () => {
		const { db, imports } = await setup();
		const first = await imports.commit([], { ...options('valid-rows'), fileName: 'a.csv', now: 5 });
		const second = await imports.commit([], { ...options('valid-rows'), fileName: 'b.xlsx', now: 9 });
		const third = await imports.commit([], { ...options('valid-rows'), fileName: 'c.csv', now: 7 });
		expect((await imports.history()).map((entry) => entry.id)).toEqual([second.id, third.id, first.id]);
		expect(await imports.get(first.id)).toMatchObject({ fileName: 'a.csv', status: 'done' });
		expect(await db.users.count()).toBe(2);
	});
});

describe('an update never erases', () => {
	const row = (
		changes: CheckedRow['changes'],
		values: CheckedRow['values'],
		existingId: number
	): CheckedRow => ({
		row: 2,
		status: 'update',
		values,
		hasPassword: false,
		existingId,
		changes,
		errors: []
	});

	it('a stored value with an empty or missing value, even if a checked row lists it as a change', async () => {
		const { imports, ann, db } = await setup();
		const rows = [
			row(
				['jobTitle', 'department', 'username', 'site', 'company'],
				{ email: 'ann@example.com', jobTitle: '', department: undefined, username: '', company: 'Acme' },
				ann.id
			)
		];
		const summary = await imports.commit(rows, options('all-or-nothing'));
		expect(summary.counts.updated).toBe(1);
		expect(await db.users.get(ann.id)).toEqual(withSearch({ ...ann, company: 'Acme', updatedAt: AT }));
	});

	it('the password either: it is never a stored field, even when listed', async () => {
		const { imports, ann, db } = await setup();
		const values = { email: 'ann@example.com', password: 'hunter2hunter2' } as Partial<UserFields>;
		const summary = await imports.commit([row(['password'], values, ann.id)], options('all-or-nothing'));
		expect(summary.counts).toMatchObject({ updated: 0, unchanged: 1 });
		expect(await db.users.get(ann.id)).toEqual(ann);
	});

	it("nor says an update row's password was given: no SMS carries it anywhere", async () => {
		const { imports, ann, db } = await setup();
		const update = {
			...row(['jobTitle'], { email: 'ann@example.com', jobTitle: 'Matron' }, ann.id),
			hasPassword: true
		};
		await imports.commit([update], options('all-or-nothing'));
		expect(await db.users.get(ann.id)).toEqual(
			withSearch({ ...ann, jobTitle: 'Matron', hasPassword: false, updatedAt: AT })
		);
	});
});

describe('a commit refuses rows that do not match its options', () => {
	it("an update when 'Update existing users' is off", async () => {
		const { db, imports, file } = await setup();
		const checked = await check(db, file.slice(0, 3), { updateExisting: true });
		const error = await rejection(
			imports.commit(checked.rows, { ...options('valid-rows'), updateExisting: false })
		);
		expect(error).toBeInstanceOf(ImportRefusedError);
		expect((error as Error).message).toMatch(
			/row 3 would update ANN@example.com, but 'Update existing users' is off/
		);
		expect(await db.users.count()).toBe(2);
	});

	it('two rows updating one user', async () => {
		const { imports, ann } = await setup();
		const update = (row: number): CheckedRow => ({
			row,
			status: 'update',
			values: { email: 'ann@example.com', company: `Acme ${row}` },
			hasPassword: false,
			existingId: ann.id,
			changes: ['company'],
			errors: []
		});
		const error = await rejection(imports.commit([update(2), update(5)], options('valid-rows')));
		expect((error as Error).message).toBe(
			'Nothing was imported: rows 2 and 5 both update ann@example.com. Keep one of them.'
		);
	});

	it('an update of a user deleted since the file was checked', async () => {
		const { db, users, imports, ann, file } = await setup();
		const checked = await check(db, file.slice(0, 3), { updateExisting: true });
		await users.remove([ann.id]);
		const before = await snapshot(db);
		const error = await rejection(imports.commit(checked.rows, options('valid-rows')));
		expect(importErrorMessage(error)).toBe(
			'Nothing was imported: row 3 updates ANN@example.com, who was deleted since the file was checked. Check the file again.'
		);
		expect(await snapshot(db)).toEqual(before);
	});

	it('an update of a user whose email was changed since', async () => {
		const { db, users, imports, ann, file } = await setup();
		const checked = await check(db, file.slice(0, 3), { updateExisting: true });
		await users.update(ann.id, { email: 'ann.smith@example.com' });
		const error = await rejection(imports.commit(checked.rows, options('valid-rows')));
		expect(importErrorMessage(error)).toMatch(
			/row 3 updates ANN@example.com, who was given another email since/
		);
		expect(((await db.users.get(ann.id)) as User).jobTitle).toBe('Nurse');
		expect(await db.users.count()).toBe(2);
	});
});
