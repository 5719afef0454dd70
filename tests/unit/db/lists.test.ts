import 'fake-indexeddb/auto';
import { Dexie, type DBCoreMutateRequest } from 'dexie';
import { describe, expect, it, vi } from 'vitest';
import { createDb, type RollcallDb } from '$lib/db/database';
import { listsStore, MAX_KEPT_LISTS } from '$lib/db/lists';
import { usersStore, type SortKey } from '$lib/db/users';
import type { User } from '$lib/domain/user';
import { freshDb, keysBeforeV9, person, query, track } from './helpers';

const NAMES = ['Cy', 'Ann', 'Eve', 'Bob', 'Dee'];

async function directory() {
	const db = freshDb('lists');
	const users = usersStore(db);
	const byName = new Map<string, number>();
	for (const firstName of NAMES) {
		const user = await users.add(person({ firstName, email: `${firstName.toLowerCase()}@example.com` }));
		byName.set(firstName, user.id);
	}
	const names = (ids: number[]) => ids.map((id) => [...byName].find(([, v]) => v === id)?.[0] ?? id);
	return { db, users, byName, names };
}

/** The name order, worked out here from every stored user: by name key, then id. */
async function nameOrder(db: RollcallDb): Promise<number[]> {
	const users = await db.users.toArray();
	users.sort((a, b) => (a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : a.id - b.id));
	return users.map((user) => user.id);
}

/** Replaces the kept list of the name order with a made-up one, without touching the users. */
async function tamper(db: RollcallDb, ids: number[]): Promise<void> {
	const key = JSON.stringify(['users', 'name', '', '', '', '']);
	const row = await db.lists.get(key);
	expect(row, 'the name order is kept').toBeDefined();
	await db.lists.put({ ...row!, ids: Float64Array.from(ids) });
}

describe('kept lists', () => {
	it('keeps an order once read and answers the next read from it', async () => {
		const { db, users, byName, names } = await directory();
		expect(names(await users.listIds(query()))).toEqual(['Ann', 'Bob', 'Cy', 'Dee', 'Eve']);
		// Proof that the kept record is what answers: a made-up order comes back, searches filter it.
		await tamper(db, [byName.get('Eve')!, byName.get('Ann')!]);
		expect(names(await users.listIds(query()))).toEqual(['Eve', 'Ann']);
		expect(names(await users.listIds(query({ isDescending: true })))).toEqual(['Ann', 'Eve']);
		expect(names(await users.listIds(query({ search: 'ann' })))).toEqual(['Ann']);
		expect(await users.keptIds(query())).toEqual([byName.get('Eve'), byName.get('Ann')]);
	});

	type Write = [
		string,
		(db: RollcallDb, users: ReturnType<typeof usersStore>, id: number) => Promise<unknown>
	];
	const writes: Write[] = [
		['add', (_, users) => users.add(person({ firstName: 'Fay', email: 'fay@example.com' }))],
		['update', (_, users, id) => users.update(id, { firstName: 'Zed' })],
		['suspend', (_, users, id) => users.setSuspended([id], true)],
		['delete', (_, users, id) => users.remove([id])],
		['a direct put', async (db, _, id) => db.users.put({ ...(await db.users.get(id))!, lastLoginAt: 5 })],
		[
			'a bulk write in a transaction of other tables (as an import commits)',
			(db, _, id) =>
				db.transaction('rw', [db.users, db.imports, db.importChanges], async () => {
					await db.imports.add({
						fileName: 'f.csv',
						at: 1,
						mode: 'all-or-nothing',
						updateExisting: false,
						counts: { created: 0, updated: 1, unchanged: 0, skipped: 0, errors: 0 },
						status: 'done'
					} as never);
					await db.users.bulkPut([{ ...(await db.users.get(id))!, firstName: 'Zed' }]);
				})
		],
		['clearing the table', (db) => db.users.clear()]
	];

	it.each(writes)('forgets every kept list after %s', async (_, write) => {
		const { db, users, byName } = await directory();
		await users.listIds(query());
		await users.listIds(query({ status: 'Pending', sort: 'email' }));
		await tamper(db, [byName.get('Eve')!]);
		await write(db, users, byName.get('Bob')!);
		expect(await users.keptIds(query())).toBeUndefined();
		expect(await users.keptIds(query({ status: 'Pending', sort: 'email' }))).toBeUndefined();
		expect(await users.listIds(query())).toEqual(await nameOrder(db));
	});

	it('undoing a deletion forgets the lists too', async () => {
		const { users, byName, names } = await directory();
		const { batch } = await users.remove([byName.get('Bob')!]);
		expect(names(await users.listIds(query()))).toEqual(['Ann', 'Cy', 'Dee', 'Eve']);
		await users.undoRemove(batch);
		expect(names(await users.listIds(query()))).toEqual(['Ann', 'Bob', 'Cy', 'Dee', 'Eve']);
	});

	it('forgets them after a write in another tab (another connection to the database)', async () => {
		const { db, users, names } = await directory();
		await users.listIds(query());
		const other = track(createDb(db.name));
		const al = await usersStore(other).add(person({ firstName: 'Al', email: 'al@example.com' }));
		const ids = await users.listIds(query());
		expect(ids[0]).toBe(al.id);
		expect(names(ids.slice(1))).toEqual(['Ann', 'Bob', 'Cy', 'Dee', 'Eve']);
	});

	it('does not keep a list read before a write that landed before it could be kept', async () => {
		const { db, users } = await directory();
		const lists = listsStore(db);
		const generation = await lists.currentGeneration();
		const stale = { ids: [1, 2], generation };
		await users.add(person({ firstName: 'Fay', email: 'fay@example.com' }));
		expect(await lists.keep('stale', stale)).toBe(false);
		expect(await db.lists.get('stale')).toBeUndefined();
		expect(await lists.keep('fresh', { ids: [1], generation: await lists.currentGeneration() })).toBe(true);
		expect((await lists.find('fresh'))?.ids).toEqual([1]);
		await expect(lists.keep('generation', stale)).rejects.toThrow(/cannot name a list/);
	});

	it(`keeps at most ${MAX_KEPT_LISTS} lists, dropping stale ones and then the oldest read`, async () => {
		const { db, users } = await directory();
		const lists = listsStore(db);
		await lists.keep('stale', { ids: [9], generation: await lists.currentGeneration() });
		await users.update((await db.users.toCollection().first())!.id, { jobTitle: 'Chef' });
		const generation = await lists.currentGeneration();
		for (let i = 0; i < MAX_KEPT_LISTS + 2; i++) {
			await lists.keep(`list ${i}`, { ids: [i], generation }, 1000 + i);
		}
		const keys = (await db.lists.toCollection().primaryKeys()).sort();
		expect(keys).toEqual(
			['generation', ...Array.from({ length: MAX_KEPT_LISTS }, (_, i) => `list ${i + 2}`)].sort()
		);
	});

	it('lists every order and filter correctly from kept lists, both ways', async () => {
		const { db, users } = await directory();
		await users.setSuspended([(await db.users.toCollection().first())!.id], true);
		const sorts: SortKey[] = ['name', 'email', 'status', 'userType', 'site', 'lastLoginAt', 'createdAt'];
		for (const sort of sorts) {
			for (const isDescending of [false, true]) {
				for (const status of ['', 'Suspended', 'Pending'] as const) {
					const q = query({ sort, isDescending, status });
					const first = await users.listIds(q);
					expect(await users.listIds(q), `${sort} ${isDescending} ${status}`).toEqual(first);
					expect(await users.keptIds(q)).toEqual(first);
				}
			}
		}
	});

	it('still answers when keeping the list fails (a full disk)', async () => {
		const db = freshDb('lists-full');
		const users = usersStore(db);
		db.use({
			stack: 'dbcore',
			name: 'full-disk-for-lists',
			create: (down) => ({
				...down,
				table(name) {
					const table = down.table(name);
					const isKeepingAList = (request: DBCoreMutateRequest) =>
						name === 'lists' && request.type === 'put' && request.values.some((v) => 'ids' in v);
					return {
						...table,
						mutate: (request) =>
							isKeepingAList(request)
								? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
								: table.mutate(request)
					};
				}
			})
		});
		await users.add(person({ firstName: 'Ann', email: 'ann@example.com' }));
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		expect(await users.listIds(query())).toHaveLength(1);
		expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Keeping a list/), expect.anything());
		warn.mockRestore();
		expect(await db.lists.where('builtAt').above(0).count()).toBe(0);
	});

	it('opens a version 4 database with its users and starts with no kept lists', async () => {
		const name = `rollcall-lists-v4-${Math.random()}`;
		const v4 = new Dexie(name);
		v4.version(4).stores({
			users:
				'++id, &emailKey, &usernameKey, &customerCodeKey, nameKey, site, *searchWords, ' +
				'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
			settings: 'key',
			trash: '++id, batch, deletedAt',
			imports: '++id, at',
			importChanges: '++id, importId',
			outbox: 'key, [state+nextAttemptAt], createdAt, userId',
			relay: 'key'
		});
		const fields = person({ firstName: 'Ann', email: 'ann@example.com' });
		const user = {
			...fields,
			...keysBeforeV9(fields),
			customerId: 1,
			status: 'Pending',
			hasPassword: false,
			createdAt: 1,
			updatedAt: 1,
			activatedAt: null,
			lastLoginAt: 0
		};
		await v4.table('users').add(user);
		v4.close();
		const db = track(createDb(name));
		await db.open();
		expect(db.verno).toBeGreaterThanOrEqual(5);
		// The upgrades' writes to users stamp a generation, but no list is kept.
		expect(await db.lists.filter((row) => row.ids !== undefined).count()).toBe(0);
		expect(await usersStore(db).listIds(query())).toHaveLength(1);
	});

	it('forgets them after a write by code older than the lists (an old tab or worker still open)', async () => {
		const { db, users, byName, names } = await directory();
		expect(names(await users.listIds(query()))).toEqual(['Ann', 'Bob', 'Cy', 'Dee', 'Eve']);
		// Rollcall before v5: no lists table, no middleware. Dexie opens the newer database anyway.
		const old = track(new Dexie(db.name));
		// (Its indexes as they stand now: Dexie would otherwise add the missing ones, a schema change.)
		old.version(4).stores({ users: '++id, &*uniqueKeys, [customerId+nameKey]' });
		const ann = (await old.table('users').get(byName.get('Ann')!)) as User;
		await old.table('users').put({ ...ann, nameKey: 'zzz ann' });
		expect(await users.keptIds(query())).toBeUndefined();
		expect(names(await users.listIds(query()))).toEqual(['Bob', 'Cy', 'Dee', 'Eve', 'Ann']);
	});

	it('lets go of the database for good when a newer Rollcall upgrades it', async () => {
		const { db, users } = await directory();
		const newer = track(new Dexie(db.name));
		newer.version(60).stores({ users: '++id, &emailKey' });
		await newer.open();
		expect(db.isOpen()).toBe(false);
		await expect(users.add(person({ firstName: 'Fay', email: 'fay@example.com' }))).rejects.toMatchObject({
			name: 'DatabaseClosedError'
		});
	});

	it('lets a write land while an order is read, and keeps no list that write made stale', async () => {
		const { db, users, byName, names } = await directory();
		let write: Promise<unknown> | undefined;
		const ids = await users.baseIds(query(), () => {
			// Asked just before the catalogue is: Ann's rename starts, and the order's read waits for it.
			write ??= users.update(byName.get('Ann')!, { firstName: 'Zoe' });
			return true;
		});
		expect(write, 'the write started while the order was read').toBeDefined();
		await write;
		expect(new Set(ids).size, 'each user once').toBe(ids.length);
		expect(await users.keptIds(query())).toBeUndefined();
		// (names() knows her by the name she was added with.)
		expect(names(await users.listIds(query()))).toEqual(['Bob', 'Cy', 'Dee', 'Eve', 'Ann']);
		expect(await users.keptIds(query())).toHaveLength(5);
		expect(await db.lists.count()).toBe(2);
	});
});
