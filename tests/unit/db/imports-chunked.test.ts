import 'fake-indexeddb/auto';
import type { DBCoreAddRequest, DBCoreMutateRequest, DBCoreMutateResponse, DBCoreTable } from 'dexie';
import { describe, expect, it, vi } from 'vitest';
import '../backup/node-self';
import { createBackupWorkerApi } from '$lib/backup/worker-api';
import { CATALOG_TABLE, CENSUS_KEY, type Census } from '$lib/db/catalog';
import type { ImportRow, RollcallDb } from '$lib/db/database';
import { DuplicateError, SeatsError } from '$lib/db/errors';
import { licensesStore } from '$lib/db/licenses';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { groupsStore } from '$lib/db/groups';
import { importErrorMessage, importsStore, type CommitOptions, type ImportLocks } from '$lib/db/imports';
import { customersStore } from '$lib/db/customers';
import { usersStore } from '$lib/db/users';
import type { CheckedRow, RowSource } from '$lib/import/rows';
import { userKeys, type User } from '$lib/domain/user';
import { freshDb, person } from './helpers';
import { check, diskFillsDuring, faultyDb, OUT_OF_SPACE, rejection } from './import-helpers';

const HEADERS = ['First name', 'Last name', 'Email', 'Job title', 'Groups'];
/** Rows per chunk here: 4 updates and 46 creates make 5 chunks, the first mixing updates and creates. */
const PER_CHUNK = 12;
const chunked = { chunkedAbove: 10, rowsPerChunk: PER_CHUNK } as const;
const AT = 1_800_000_000_000;

const base: CommitOptions = {
	fileName: 'people.csv',
	mode: 'all-or-nothing',
	updateExisting: true,
	now: AT,
	addSites: ['Leeds']
};

/** Six users (four of them updated by the file), and a file creating 46 more into a new group. */
async function seeded(db: RollcallDb): Promise<CheckedRow[]> {
	const users = usersStore(db);
	for (let i = 0; i < 6; i++) {
		await users.add(
			person({ firstName: `Old${i}`, lastName: 'Hand', email: `old${i}@example.com`, jobTitle: 'Clerk' }),
			{ now: 100 + i }
		);
	}
	const rows = [
		...Array.from({ length: 4 }, (_, i) => [`Old${i}`, 'Hand', `old${i}@example.com`, 'Manager', '']),
		...Array.from({ length: 46 }, (_, i) => [
			`New${i}`,
			`Person${i % 7}`,
			`new${i}@example.com`,
			'Chef',
			'Kitchen'
		])
	];
	const checked = await check(db, [HEADERS, ...rows], { updateExisting: true });
	expect(checked.counts).toMatchObject({ new: 46, update: 4 });
	return checked.rows;
}

/** A user without their random license key (given at the commit), to compare two databases' users. */
function keyless({ licenseKey: _key, ...user }: User) {
	return { ...user, uniqueKeys: user.uniqueKeys.filter((key) => !key.startsWith('k:')) };
}

/**
 * Every table but the Users list's kept orders (lists, remade on demand), the catalogue's stamps (new at
 * each write) replaced by a mark: what "exactly as before" compares.
 */
async function everything(db: RollcallDb) {
	const tables: Record<string, unknown[]> = {};
	for (const table of db.tables) {
		if (table.name === 'lists') continue;
		const rows: unknown[] = await table.toArray();
		tables[table.name] =
			table.name !== CATALOG_TABLE
				? rows
				: rows.map((row) => {
						const census = row as Census;
						if (census.chunk !== CENSUS_KEY) return row;
						const chunks = Object.entries(census.chunks).map(
							([chunk, { counts }]): [string, Record<number, number>] => [chunk, counts]
						);
						return { ...census, chunks: Object.fromEntries(chunks) };
					});
	}
	return tables;
}

/** Web Locks that grant every request (a lock no one else holds), counting those taken. */
function freeLocks() {
	const taken: string[] = [];
	const locks: ImportLocks = {
		request: (name: string, ...rest: unknown[]) => {
			taken.push(name);
			const callback = rest[rest.length - 1] as (lock: Lock | null) => unknown;
			return Promise.resolve(callback({ name, mode: 'exclusive' }));
		}
	};
	return { locks, taken };
}

describe('a chunked commit', { timeout: 60_000 }, () => {
	it('stores exactly what one transaction stores, in chunks, and its undo takes back the same', async () => {
		const [one, many] = [freshDb('one'), freshDb('chunks')];
		const [oneRows, manyRows] = [await seeded(one), await seeded(many)];
		const progress: [number, number][] = [];
		const { locks, taken } = freeLocks();
		const oneSummary = await importsStore(one, locks).commit(oneRows, base);
		expect(taken).toEqual([]);
		const summary = await importsStore(many, locks).commit(manyRows, {
			...base,
			...chunked,
			onProgress: (done, total) => progress.push([done, total])
		});
		expect(taken).toHaveLength(1);
		expect(summary).toEqual(oneSummary);
		expect(summary.counts).toMatchObject({ created: 46, updated: 4 });
		expect(summary.createdGroups).toEqual(['Kitchen']);
		// Each chunk its own transaction, with what undo needs for it: one record of ids per chunk.
		const parts = await many.importChanges.toArray();
		expect(parts.filter((part) => part.created)).toHaveLength(Math.ceil(50 / PER_CHUNK));
		const befores = (db: RollcallDb) =>
			db.importChanges
				.toArray()
				.then((all) => all.flatMap((part) => part.updated ?? []).map(({ before }) => keyless(before)));
		expect(await befores(many)).toEqual(await befores(one));
		expect((await many.users.toArray()).map(keyless)).toEqual((await one.users.toArray()).map(keyless));
		expect(await many.imports.toArray()).toEqual(await one.imports.toArray());
		expect(await customersStore(many).sites(1)).toEqual(['HQ', 'Leeds']);
		// The progress runs on across chunks to the end.
		expect(progress.at(-1)).toEqual([50, 50]);
		expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
		expect(progress.every(([, total]) => total === 50)).toBe(true);
		expect(progress.length).toBeGreaterThanOrEqual(Math.ceil(50 / PER_CHUNK));

		expect(await importsStore(many, locks).undo(summary.id, AT + 1)).toEqual(
			await importsStore(one, locks).undo(oneSummary.id, AT + 1)
		);
		expect((await many.users.toArray()).map(keyless)).toEqual((await one.users.toArray()).map(keyless));
		expect(await many.imports.toArray()).toEqual(await one.imports.toArray());
		expect(await many.importChanges.count()).toBe(0);
		expect(await groupsStore(many).names(1)).toEqual([]);
	});

	it('takes its rows from a source a chunk at a time, making each as that chunk is written', async () => {
		const [one, many] = [freshDb('array'), freshDb('source')];
		const [oneRows, manyRows] = [await seeded(one), await seeded(many)];
		const { locks } = freeLocks();
		let done = 0;
		/** For each row asked for, how many rows were written then. */
		const asked = new Map<number, number[]>();
		const source: RowSource = {
			length: manyRows.length,
			at: (i) => {
				asked.set(i, [...(asked.get(i) ?? []), done]);
				// A new object each time, as the worker's CheckedRows makes them.
				return structuredClone(manyRows[i]);
			}
		};
		const summary = await importsStore(many, locks).commit(source, {
			...base,
			...chunked,
			onProgress: (written) => (done = written)
		});
		const oneSummary = await importsStore(one, locks).commit(oneRows, { ...base, ...chunked });
		expect(summary).toEqual(oneSummary);
		expect((await many.users.toArray()).map(keyless)).toEqual((await one.users.toArray()).map(keyless));
		// Each row twice: once to plan (before any write), once to write it with its chunk, not before.
		expect([...asked.values()].every(([planned, written]) => planned === 0 && written !== undefined)).toBe(
			true
		);
		expect(asked.size).toBe(50);
		const writtenWhen = [...asked.values()].map(([, written]) => written!);
		const perChunk = Map.groupBy(writtenWhen, (written) => written);
		expect(
			[...perChunk].map(([written, rows]) => [written, rows.length]).sort((a, b) => a[0]! - b[0]!)
		).toEqual([
			[0, 12],
			[12, 12],
			[24, 12],
			[36, 12],
			[48, 2]
		]);
	});

	it('goes through one transaction up to the threshold', async () => {
		const db = freshDb('threshold');
		const rows = await seeded(db);
		const { locks, taken } = freeLocks();
		await importsStore(db, locks).commit(rows, { ...base, chunkedAbove: 50, rowsPerChunk: PER_CHUNK });
		expect(taken).toEqual([]);
		expect(await db.importChanges.filter((part) => part.created !== undefined).count()).toBe(1);
	});

	it('without Web Locks commits in one transaction (no tab could tell a running import from one left)', async () => {
		const db = freshDb('no-locks');
		const rows = await seeded(db);
		const summary = await importsStore(db, null).commit(rows, { ...base, ...chunked });
		expect(summary.counts.created).toBe(46);
		expect(await db.importChanges.filter((part) => part.created !== undefined).count()).toBe(1);
	});
});

/** Counts the users' add requests; the `nth` goes to `fault` instead, which may still write it. */
function onNthAdd(
	nth: number,
	fault: (request: DBCoreAddRequest, down: DBCoreTable) => Promise<DBCoreMutateResponse>
) {
	let adds = 0;
	return (table: string, request: DBCoreMutateRequest, down: DBCoreTable) => {
		if (table !== 'users' || request.type !== 'add' || ++adds !== nth) return undefined;
		return fault(request, down);
	};
}

describe('a chunked commit that fails part-way', { timeout: 60_000 }, () => {
	it('on an email taken in the third chunk leaves nothing of it, with the one-transaction message', async () => {
		// Seeding adds six users one by one; the file's creates then go in one add request per chunk.
		const SEED_ADDS = 6;
		const planted = { id: 0 };
		const db = faultyDb(
			onNthAdd(SEED_ADDS + 2, async (request, down) => {
				// Another tab's write between chunks two and three (here in chunk two's transaction, which
				// commits): a user with the email of chunk three's first row.
				const other = person({ firstName: 'Zed', lastName: 'Other', email: 'new20@example.com' });
				const stored: Omit<User, 'id'> = { ...(request.values[0] as User), ...other, ...userKeys(other, 1) };
				delete stored.licenseKey;
				const result = await down.mutate({ ...request, values: [stored], keys: undefined });
				planted.id = result.lastResult as number;
				return down.mutate(request);
			})
		);
		const rows = await seeded(db);
		const before = await everything(db);
		const { locks } = freeLocks();
		const error = await rejection(importsStore(db, locks).commit(rows, { ...base, ...chunked }));
		expect(error).toBeInstanceOf(DuplicateError);
		// The third chunk's first row (line 1 is the headers): 4 updates and 8 creates in chunk one, 12 in two.
		expect(importErrorMessage(error)).toBe(
			'Nothing was imported: the email new20@example.com in row 26 is now used by Zed Other, added or changed since the file was checked. Check the file again.'
		);
		// All of the import is gone; the other tab's user stays.
		expect(await db.users.get(planted.id)).toMatchObject({ email: 'new20@example.com' });
		await db.users.delete(planted.id);
		expect(await everything(db)).toEqual(before);
	});

	it('on a full disk in the third chunk leaves nothing of it', async () => {
		const { disk, fault } = diskFillsDuring(
			(() => {
				let adds = 0;
				return (table, request) => table === 'users' && request.type === 'add' && ++adds === 3;
			})()
		);
		const db = faultyDb(fault);
		const rows = await seeded(db);
		const before = await everything(db);
		disk.isArmed = true;
		const { locks } = freeLocks();
		const error = await rejection(importsStore(db, locks).commit(rows, { ...base, ...chunked }));
		expect(disk.isArmed).toBe(false);
		expect(importErrorMessage(error)).toBe(OUT_OF_SPACE);
		expect(await everything(db)).toEqual(before);
		// Nothing is left over to stop the same import going through now.
		expect((await importsStore(db, locks).commit(rows, { ...base, ...chunked })).counts.created).toBe(46);
	});
});

describe("a chunked commit's messages", { timeout: 60_000 }, () => {
	it('queues each chunk’s with its users, and a failure later drops them unsent with the rest', async () => {
		const { disk, fault } = diskFillsDuring(
			(() => {
				let adds = 0;
				return (table, request) => table === 'users' && request.type === 'add' && ++adds === 3;
			})()
		);
		const db = faultyDb(fault);
		const outbox = outboxStore(db, relayStore(db));
		const rows = await seeded(db);
		// A message waiting already (and the relay link it makes): the import's must go, not this one.
		await outbox.queueFor([1], 'activation');
		const before = await everything(db);
		const queued: number[] = [];
		const options = {
			...base,
			...chunked,
			afterCreate: async (created: readonly { id: number }[]) => {
				queued.push(created.length);
				await outbox.queueFor(
					created.map((user) => user.id),
					'activation'
				);
			}
		};
		disk.isArmed = true;
		const { locks } = freeLocks();
		const error = await rejection(importsStore(db, locks).commit(rows, options));
		expect(importErrorMessage(error)).toBe(OUT_OF_SPACE);
		// Chunk one's 8 and chunk two's 12 were queued, each in its chunk's transaction, then taken back.
		expect(queued.slice(0, 2)).toEqual([8, 12]);
		expect(await everything(db)).toEqual(before);
		const summary = await importsStore(db, locks).commit(rows, options);
		expect(await db.outbox.count()).toBe(1 + summary.createdIds.length);
	});
});

describe('a commit whose afterCreate has nothing to queue', { timeout: 60_000 }, () => {
	// The Import page's with no message switched on: an async function that awaits nothing. The commit's
	// next write must still be in its transaction (the page's own commit path once failed here with
	// PrematureCommitError). No site to add: the requests adding one kept Dexie's zone echo going long
	// enough to hide it.
	const nothing = async () => {};
	const options = { ...base, addSites: [], afterCreate: nothing };

	it('commits in one transaction', async () => {
		const db = freshDb('after-create-nothing');
		const rows = await seeded(db);
		const { locks, taken } = freeLocks();
		const { createdIds, ...entry } = await importsStore(db, locks).commit(rows, options);
		expect(taken).toEqual([]);
		expect(createdIds).toHaveLength(46);
		expect(await db.imports.toArray()).toEqual([{ ...entry, status: 'done' }]);
		expect(await db.users.count()).toBe(6 + 46);
	});

	it('commits in chunks', async () => {
		const db = freshDb('after-create-nothing-chunks');
		const rows = await seeded(db);
		const { locks, taken } = freeLocks();
		const { createdIds, ...entry } = await importsStore(db, locks).commit(rows, { ...options, ...chunked });
		expect(taken).toHaveLength(1);
		expect(createdIds).toHaveLength(46);
		expect(await db.imports.toArray()).toEqual([{ ...entry, status: 'done' }]);
		expect(await db.users.count()).toBe(6 + 46);
	});
});

describe('the seats of a chunked commit', { timeout: 60_000 }, () => {
	/** A directory of one user, a Desktop pool of `seats`, and a file of 46 new users each given Desktop. */
	async function desktops(db: RollcallDb, seats: number) {
		await usersStore(db).add(person({ firstName: 'Old', email: 'old@example.com' }), { now: 100 });
		await licensesStore(db).setSeats(1, 'Desktop', seats);
		const rows = Array.from({ length: 46 }, (_, i) => [`New${i}`, `new${i}@example.com`, 'Desktop']);
		return (await check(db, [['First name', 'Email', 'Licenses'], ...rows])).rows;
	}

	it('refuses a file needing more than are free before any chunk, in the words of one transaction', async () => {
		const [one, many] = [freshDb('seats-one'), freshDb('seats-chunks')];
		const [oneRows, manyRows] = [await desktops(one, 40), await desktops(many, 40)];
		const before = await everything(many);
		const { locks } = freeLocks();
		const expected = await rejection(importsStore(one, locks).commit(oneRows, base));
		const error = await rejection(importsStore(many, locks).commit(manyRows, { ...base, ...chunked }));
		expect(error).toBeInstanceOf(SeatsError);
		expect(importErrorMessage(error)).toBe(importErrorMessage(expected));
		expect(importErrorMessage(error)).toMatch(/^Nothing was imported: /);
		expect(await everything(many)).toEqual(before);
	});

	it('counts them again in each chunk: seats another tab took meanwhile refuse the import, leaving nothing', async () => {
		const planted = { id: 0 };
		const db = faultyDb(
			onNthAdd(1 + 2, async (request, down) => {
				// Another tab gives the last free seat away between chunks one and two.
				const other = person({ firstName: 'Zed', email: 'zed@example.com', entitlements: 'Desktop' });
				const stored: Omit<User, 'id'> = { ...(request.values[0] as User), ...other, ...userKeys(other, 1) };
				delete stored.licenseKey;
				const result = await down.mutate({ ...request, values: [stored], keys: undefined });
				planted.id = result.lastResult as number;
				return down.mutate(request);
			})
		);
		const rows = await desktops(db, 46);
		const before = await everything(db);
		const { locks } = freeLocks();
		const error = await rejection(importsStore(db, locks).commit(rows, { ...base, ...chunked }));
		expect(error).toBeInstanceOf(SeatsError);
		expect(importErrorMessage(error)).toMatch(/^Nothing was imported: .*Desktop/);
		expect(await licensesStore(db).usage(1)).toContainEqual(
			expect.objectContaining({ product: 'Desktop', used: 1, seats: 46 })
		);
		await db.users.delete(planted.id);
		expect(await everything(db)).toEqual(before);
	});
});

describe('an import left half-written by a closed tab', { timeout: 60_000 }, () => {
	/**
	 * An import stopped after its second chunk as a closed tab leaves it: 'committing', its lock let go.
	 * Here its third chunk fails and so does the rollback's first deletion, which a closed tab never runs.
	 */
	async function leftBehind() {
		const tab = { isClosing: false };
		let adds = 0;
		const db = faultyDb((table, request) => {
			if (!tab.isClosing || table !== 'users') return undefined;
			const isThirdChunk = request.type === 'add' && ++adds === 3;
			if (!isThirdChunk && request.type !== 'deleteRange') return undefined;
			return Promise.reject(new Error('The tab was closed'));
		});
		const rows = await seeded(db);
		const before = await everything(db);
		const { locks } = freeLocks();
		tab.isClosing = true;
		const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
		await rejection(importsStore(db, locks).commit(rows, { ...base, ...chunked }));
		expect(logged).toHaveBeenCalledOnce();
		logged.mockRestore();
		tab.isClosing = false;
		const record = (await db.imports.toArray()).find((row) => row.status === 'committing')!;
		return { db, imports: importsStore(db, locks), before, record };
	}

	it('is rolled back by the next start when no tab holds its lock, the history saying so', async () => {
		const { db, imports, before, record } = await leftBehind();
		expect(record.lock).toMatch(/^rollcall-import-/);
		expect(record.sites).toEqual({ before: null, added: ['Leeds'] });
		expect(await db.users.count()).toBe(6 + 2 * PER_CHUNK - 4);
		// Shown neither done nor undoable meanwhile.
		expect(importErrorMessage(await rejection(imports.undo(record.id)))).toMatch(/still being saved/);
		expect(await imports.changedSince(record.id)).toBe(0);
		const recovered = importsStore(db, navigator.locks);
		expect(await recovered.recover(AT + 5)).toBe(1);
		const { imports: entries, ...after } = await everything(db);
		const { imports: entriesBefore, ...rest } = before;
		expect(after).toEqual(rest);
		expect(entriesBefore).toEqual([]);
		// The admin may never have seen it fail: its entry stays, rolled back, with nothing left to undo
		// (and without what only the unfinished import needed: its lock, the sites to take back).
		const entry: Partial<ImportRow> = { ...record, status: 'rolledBack', rolledBackAt: AT + 5 };
		delete entry.lock;
		delete entry.sites;
		expect(entries).toStrictEqual([entry]);
		expect(await recovered.history()).toStrictEqual(entries);
		expect(importErrorMessage(await rejection(recovered.undo(record.id)))).toBe(
			'This import was interrupted before it finished and rolled back: nothing of it is left to undo.'
		);
		expect(await recovered.changedSince(record.id)).toBe(0);
		expect(await recovered.recover()).toBe(0);
		expect(await db.imports.get(record.id)).toMatchObject({ rolledBackAt: AT + 5 });
	});

	it('is left alone while the tab writing it holds its lock', async () => {
		const { db, record } = await leftBehind();
		const during = await everything(db);
		let release = () => {};
		const holding = new Promise<void>((resolve) => (release = resolve));
		let isHeld: () => void = () => {};
		const held = new Promise<void>((resolve) => (isHeld = resolve));
		const lock = navigator.locks.request(record.lock!, () => {
			isHeld();
			return holding;
		});
		await held;
		expect(await importsStore(db, navigator.locks).recover()).toBe(0);
		expect(await everything(db)).toEqual(during);
		release();
		await lock;
		expect(await importsStore(db, navigator.locks).recover()).toBe(1);
	});

	it('is restored from a backup made meanwhile, then rolled back on the restoring device', async () => {
		const { db, before } = await leftBehind();
		const backup = await createBackupWorkerApi(() => db).backup(undefined, AT);
		const target = freshDb('restored');
		const api = createBackupWorkerApi(() => target);
		const opened = await api.open({
			name: 'backup.rollcall',
			bytes: new Uint8Array(await backup.file.arrayBuffer())
		});
		expect(opened.ok).toBe(true);
		await api.restore();
		expect(await target.imports.filter((row) => row.status === 'committing').count()).toBe(1);
		expect(await importsStore(target, navigator.locks).recover()).toBe(1);
		expect(await target.users.toArray()).toEqual(before.users);
		expect((await target.imports.toArray()).map((entry) => entry.status)).toEqual(['rolledBack']);
		expect(await target.importChanges.count()).toBe(0);
		expect(await target.groups.count()).toBe(0);
		expect(await customersStore(target).sites(1)).toEqual(['HQ']);
		// A backup made after the rollback keeps the entry saying so.
		const later = await api.backup(undefined, AT + 10);
		const again = freshDb('restored-again');
		const againApi = createBackupWorkerApi(() => again);
		const reopened = await againApi.open({
			name: 'later.rollcall',
			bytes: new Uint8Array(await later.file.arrayBuffer())
		});
		expect(reopened.ok).toBe(true);
		await againApi.restore();
		expect(await again.imports.toArray()).toEqual(await target.imports.toArray());
	});

	it('is rolled back before a new import commits', async () => {
		const { db, imports, record } = await leftBehind();
		const rows = await check(db, [HEADERS, ['Ann', 'Other', 'ann@example.com', 'Nurse', '']]);
		const summary = await importsStore(db, navigator.locks).commit(rows.rows, base);
		expect(summary.counts.created).toBe(1);
		expect(await imports.get(record.id)).toMatchObject({ status: 'rolledBack' });
		expect(await db.users.count()).toBe(6 + 1);
	});
});
