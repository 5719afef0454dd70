import 'fake-indexeddb/auto';
import '../backup/node-self';
import { Dexie, type ObservabilitySet } from 'dexie';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackupWorkerApi } from '$lib/backup/worker-api';
import {
	CATALOG_CHUNK,
	CATALOG_TABLE,
	CENSUS_KEY,
	chunkRow,
	entryOf,
	type CatalogChunk,
	type CatalogRow
} from '$lib/db/catalog';
import { customersStore } from '$lib/db/customers';
import type { RollcallDb } from '$lib/db/database';
import { importsStore } from '$lib/db/imports';
import { usersStore } from '$lib/db/users';
import { userKeys, type User, type UserFields } from '$lib/domain/user';
import { expectTrueCatalogue, freshDb, person, track } from './helpers';
import { check, peopleRows } from './import-helpers';

/**
 * Every committed write to the users that does not also write the catalogue, in any database: each write
 * through the middleware must write it, or the guard (watchUncataloguedWrites) would make it again, and
 * could hide a middleware that got it wrong.
 */
const uncatalogued: string[][] = [];
function watchWrites(parts: ObservabilitySet) {
	const tables = Object.keys(parts);
	const isUsers = tables.some((part) => /^idb:\/\/[^/]+\/users\//u.test(part));
	const isCatalog = tables.some((part) => part.includes(`/${CATALOG_TABLE}/`));
	if (isUsers && !isCatalog) uncatalogued.push(tables);
}
Dexie.on.storagemutated.subscribe(watchWrites);
afterEach(() => {
	expect(uncatalogued.splice(0), 'users written without the catalogue').toEqual([]);
});

const SITES = ['HQ', 'Leeds', 'York'] as const;

/** Someone to write: a name and number (the email, which may clash on purpose), a customer and a site. */
interface Someone {
	name: string;
	n: number;
	customerId: number;
	site: (typeof SITES)[number];
}

const someone: fc.Arbitrary<Someone> = fc.record({
	name: fc.constantFrom('Ann', 'bob', 'Émile', 'Zoë', '中村'),
	n: fc.integer({ min: 0, max: 5 }),
	customerId: fc.constantFrom(1, 2),
	site: fc.constantFrom(...SITES)
});

const fieldsOf = (who: Someone): UserFields =>
	person({
		firstName: who.name,
		lastName: `N${who.n}`,
		email: `${who.name}${who.n}@example.com`,
		site: who.site
	});

/** A user record as the app writes one (userKeys), with an id given or not. */
function recordOf(who: Someone, id?: number): User {
	const fields = fieldsOf(who);
	return {
		...fields,
		...userKeys(fields, who.customerId),
		...(id !== undefined && { id }),
		customerId: who.customerId,
		status: 'Pending',
		hasPassword: false,
		createdAt: 1_000 + who.n,
		updatedAt: 1_000,
		activatedAt: null,
		lastLoginAt: 0
	} as User;
}

/** Ids in three catalogue chunks, and on both sides of their edges. */
const anId = fc.oneof(
	fc.integer({ min: 1, max: 12 }),
	fc.integer({ min: CATALOG_CHUNK - 4, max: CATALOG_CHUNK + 4 }),
	fc.integer({ min: 2 * CATALOG_CHUNK - 2, max: 2 * CATALOG_CHUNK + 2 })
);
const someIds = fc.array(anId, { minLength: 1, maxLength: 4 });
const seed = fc.array(fc.tuple(someone, anId), { maxLength: 8 });

/** A write straight to the users table, through Dexie (and so the middleware). */
type RawOp =
	| { kind: 'add'; who: Someone; id?: number }
	| { kind: 'bulkAdd'; whos: Someone[] }
	| { kind: 'put'; who: Someone; id: number }
	| { kind: 'bulkPut'; whos: Someone[]; ids: number[] }
	| { kind: 'update'; id: number; site: string; lastLoginAt: number; customerId: number }
	| { kind: 'modify'; from: number; to: number; site: string }
	| { kind: 'modifyFiltered'; site: string; status: User['status'] }
	| { kind: 'delete'; id: number }
	| { kind: 'bulkDelete'; ids: number[] }
	| { kind: 'deleteRange'; from: number; to: number; includeFrom: boolean; includeTo: boolean }
	| { kind: 'deleteAbove'; from: number; toEnd: boolean }
	| { kind: 'deleteBelow'; to: number }
	| { kind: 'clear' };

type Op =
	| RawOp
	| { kind: 'together'; whos: Someone[]; ids: number[]; deleted: number }
	| { kind: 'rolledBack'; who: Someone; id: number; deleted: number }
	| { kind: 'inOne'; ops: RawOp[] }
	| { kind: 'appAdd'; who: Someone }
	| { kind: 'appUpdate'; id: number; who: Someone }
	| { kind: 'appRemove'; ids: number[] }
	| { kind: 'appUndoRemove' }
	| { kind: 'appSuspend'; ids: number[] };

const rawOp: fc.Arbitrary<RawOp> = fc.oneof(
	fc.record({ kind: fc.constant('add' as const), who: someone, id: fc.option(anId, { nil: undefined }) }),
	fc.record({ kind: fc.constant('bulkAdd' as const), whos: fc.array(someone, { maxLength: 4 }) }),
	fc.record({ kind: fc.constant('put' as const), who: someone, id: anId }),
	fc.record({
		kind: fc.constant('bulkPut' as const),
		whos: fc.array(someone, { minLength: 1, maxLength: 4 }),
		ids: someIds
	}),
	fc.record({
		kind: fc.constant('update' as const),
		id: anId,
		site: fc.constantFrom(...SITES),
		lastLoginAt: fc.nat(),
		customerId: fc.constantFrom(1, 2)
	}),
	fc.record({ kind: fc.constant('modify' as const), from: anId, to: anId, site: fc.constantFrom(...SITES) }),
	fc.record({
		kind: fc.constant('modifyFiltered' as const),
		site: fc.constantFrom(...SITES),
		status: fc.constantFrom('Active' as const, 'Suspended' as const)
	}),
	fc.record({ kind: fc.constant('delete' as const), id: anId }),
	fc.record({ kind: fc.constant('bulkDelete' as const), ids: someIds }),
	fc.record({
		kind: fc.constant('deleteRange' as const),
		from: anId,
		to: anId,
		includeFrom: fc.boolean(),
		includeTo: fc.boolean()
	}),
	fc.record({ kind: fc.constant('deleteAbove' as const), from: anId, toEnd: fc.boolean() }),
	fc.record({ kind: fc.constant('deleteBelow' as const), to: anId }),
	fc.constant({ kind: 'clear' as const })
);

const op: fc.Arbitrary<Op> = fc.oneof(
	rawOp,
	fc.record({
		kind: fc.constant('together' as const),
		whos: fc.array(someone, { minLength: 1, maxLength: 3 }),
		ids: someIds,
		deleted: anId
	}),
	fc.record({ kind: fc.constant('rolledBack' as const), who: someone, id: anId, deleted: anId }),
	// Writes one after another in one transaction, as an import's batches: each goes on from what the one
	// before left of the catalogue (the middleware's Known), never reading it back.
	fc.record({ kind: fc.constant('inOne' as const), ops: fc.array(rawOp, { minLength: 2, maxLength: 8 }) }),
	fc.record({ kind: fc.constant('appAdd' as const), who: someone }),
	fc.record({ kind: fc.constant('appUpdate' as const), id: anId, who: someone }),
	fc.record({ kind: fc.constant('appRemove' as const), ids: someIds }),
	fc.constant({ kind: 'appUndoRemove' as const }),
	fc.record({ kind: fc.constant('appSuspend' as const), ids: someIds })
);

/** A write refused (a taken email or id, a user gone): the caller catches it, as the app's code does. */
const refused = () => undefined;

async function apply(db: RollcallDb, users: ReturnType<typeof usersStore>, batches: string[], o: Op) {
	switch (o.kind) {
		case 'add':
			return db.users.add(recordOf(o.who, o.id)).catch(refused);
		case 'bulkAdd':
			return db.users.bulkAdd(o.whos.map((who) => recordOf(who))).catch(refused);
		case 'put':
			return db.users.put(recordOf(o.who, o.id)).catch(refused);
		case 'bulkPut':
			return db.users.bulkPut(o.whos.map((who, i) => recordOf(who, o.ids[i % o.ids.length]))).catch(refused);
		case 'update':
			return db.users.update(o.id, { site: o.site, lastLoginAt: o.lastLoginAt, customerId: o.customerId });
		case 'modify':
			return db.users
				.where(':id')
				.between(Math.min(o.from, o.to), Math.max(o.from, o.to), true, true)
				.modify({ site: o.site })
				.catch(refused);
		case 'modifyFiltered':
			return db.users
				.filter((user) => user.site !== o.site)
				.modify((user) => {
					user.status = o.status;
				});
		case 'delete':
			return db.users.delete(o.id);
		case 'bulkDelete':
			return db.users.bulkDelete(o.ids);
		case 'deleteRange': {
			const [from, to] = [Math.min(o.from, o.to), Math.max(o.from, o.to)];
			// (IndexedDB refuses a range of one key open at either end.)
			const isOne = from === to;
			return db.users
				.where(':id')
				.between(from, to, o.includeFrom || isOne, o.includeTo || isOne)
				.delete();
		}
		case 'deleteAbove':
			return o.toEnd
				? db.users.where(':id').between(o.from, Dexie.maxKey).delete()
				: db.users.where(':id').above(o.from).delete();
		case 'deleteBelow':
			return db.users.where(':id').below(o.to).delete();
		case 'clear':
			return db.users.clear();
		case 'together':
			// Several writes at once in one transaction, the middleware's reads of one chunk overlapping.
			return db
				.transaction('rw', db.users, () =>
					Promise.all([
						...o.whos.map((who, i) => db.users.put(recordOf(who, o.ids[i % o.ids.length]))),
						db.users.delete(o.deleted),
						db.users.update(o.ids[0]!, { site: 'York' })
					])
				)
				.catch(refused);
		case 'inOne':
			return db
				.transaction('rw', db.users, async () => {
					for (const one of o.ops) await apply(db, users, batches, one);
				})
				.catch(refused);
		case 'rolledBack':
			await db
				.transaction('rw', db.users, async () => {
					await db.users.put(recordOf(o.who, o.id));
					await db.users.delete(o.deleted);
					throw new Error('Something failed after the writes: the transaction is rolled back.');
				})
				.catch(refused);
			return;
		case 'appAdd':
			return users.add(fieldsOf(o.who), { customerId: o.who.customerId }).catch(refused);
		case 'appUpdate':
			return users.update(o.id, { firstName: o.who.name, site: o.who.site }).catch(refused);
		case 'appRemove': {
			const { batch, count } = await users.remove(o.ids);
			if (count > 0) batches.push(batch);
			return;
		}
		case 'appUndoRemove': {
			const batch = batches.pop();
			if (batch) await users.undoRemove(batch).catch(refused);
			return;
		}
		case 'appSuspend':
			return users.setSuspended(o.ids, true);
	}
}

describe('the catalogue', () => {
	it('is what catalogOf makes of the stored users after any sequence of writes, of any kind', async () => {
		await fc.assert(
			fc.asyncProperty(seed, fc.array(op, { minLength: 1, maxLength: 12 }), async (seeded, ops) => {
				const db = freshDb('catalog');
				const users = usersStore(db);
				await customersStore(db).create('Contoso');
				const batches: string[] = [];
				await expectTrueCatalogue(db, 'nothing');
				// Users in several chunks to begin with, so most writes meet someone.
				await db.users.bulkPut(seeded.map(([who, id]) => recordOf(who, id))).catch(refused);
				await expectTrueCatalogue(db, 'the first users');
				for (const [i, o] of ops.entries()) {
					await apply(db, users, batches, o);
					await expectTrueCatalogue(db, `${i + 1}: ${JSON.stringify(o)}`);
				}
			}),
			{ numRuns: 100 }
		);
	}, 300_000);

	it('is made again after writes by code without its middleware (a tab or worker of an older Rollcall)', async () => {
		const db = freshDb('catalog-old-writer');
		const users = usersStore(db);
		const ann = await users.add(person({ firstName: 'Ann', email: 'ann@example.com' }));
		const bob = await users.add(person({ firstName: 'Bob', email: 'bob@example.com' }));
		const old = track(new Dexie(db.name));
		// (Its indexes as they stand now: Dexie would otherwise add the missing ones, a schema change.)
		old.version(9).stores({ users: '++id, &*uniqueKeys, [customerId+nameKey]' });
		await old.table('users').put({ ...ann, site: 'Leeds', nameKey: 'zzz' });
		await old.table('users').delete(bob.id);
		await old
			.table('users')
			.add(recordOf({ name: 'Far', n: 1, customerId: 1, site: 'York' }, 3 * CATALOG_CHUNK));
		// Those writes did not write the catalogue: that is the point here.
		expect(uncatalogued.splice(0)).toHaveLength(3);
		await expectTrueCatalogue(db, 'writes without the middleware');
		expect(await users.sites()).toEqual(['Leeds', 'York']);
	});

	it('is made for the users a restore puts back, replacing the one of the users it replaces', async () => {
		const source = freshDb('catalog-backup');
		const users = usersStore(source);
		for (let i = 0; i < 5; i++) await users.add(person({ firstName: `S${i}`, email: `s${i}@example.com` }));
		await source.users.bulkAdd(
			Array.from({ length: 3 }, (_, i) =>
				recordOf({ name: 'Far', n: i, customerId: 1, site: 'York' }, 3 * CATALOG_CHUNK + i)
			)
		);
		const api = createBackupWorkerApi(() => source);
		const bytes = new Uint8Array(await (await api.backup(undefined, 5_000)).file.arrayBuffer());

		const target = freshDb('catalog-restore');
		const theirs = usersStore(target);
		for (let i = 0; i < 4; i++) await theirs.add(person({ firstName: `T${i}`, email: `t${i}@example.com` }));
		await target.users.add(recordOf({ name: 'Gone', n: 1, customerId: 1, site: 'HQ' }, 2 * CATALOG_CHUNK));
		const restorer = createBackupWorkerApi(() => target);
		expect((await restorer.open({ name: 'b.json', bytes })).ok).toBe(true);
		expect(await restorer.restore()).toEqual({ ok: true, value: { users: 8 } });
		await expectTrueCatalogue(target, 'a restore');
		expect(await usersStore(target).count()).toBe(8);
	});

	it('follows an import of users over several chunks, and its undo', async () => {
		const db = freshDb('catalog-import');
		const users = usersStore(db);
		const imports = importsStore(db);
		for (let i = 0; i < 3; i++)
			await users.add(person({ firstName: `A${i}`, email: `person${i}@example.com` }));
		const count = 2 * CATALOG_CHUNK + 40;
		const checked = await check(db, [['First name', 'Last name', 'Email'], ...peopleRows(count)], {
			updateExisting: true
		});
		const summary = await imports.commit(checked.rows, {
			fileName: 'people.csv',
			mode: 'all-or-nothing',
			updateExisting: true,
			now: 2_000
		});
		expect(summary.counts).toMatchObject({ created: count - 3, updated: 3 });
		await expectTrueCatalogue(db, 'an import');
		await users.remove([summary.createdIds[7]!, summary.createdIds[CATALOG_CHUNK]!]);
		await imports.undo(summary.id, 3_000);
		await expectTrueCatalogue(db, "the import's undo");
		expect(await users.count()).toBe(3);
	}, 120_000);
});

describe("the catalogue's writes", () => {
	it('write each record an import fills once, but for the one its first batch begins', async () => {
		const puts = new Map<number, number>();
		const db = freshDb('catalog-writes');
		// Below the catalogue's middleware (level 1), where its writes go.
		db.use({
			stack: 'dbcore',
			name: 'count-catalog-puts',
			level: 1,
			create: (down) => ({
				...down,
				table(name) {
					const table = down.table(name);
					return {
						...table,
						mutate(request) {
							if (name === CATALOG_TABLE && request.type === 'put') {
								for (const row of request.values as CatalogRow[])
									if (row.chunk !== CENSUS_KEY) puts.set(row.chunk, (puts.get(row.chunk) ?? 0) + 1);
							}
							return table.mutate(request);
						}
					};
				}
			})
		});
		const count = 3 * CATALOG_CHUNK + 100;
		const checked = await check(db, [['First name', 'Last name', 'Email'], ...peopleRows(count)]);
		await importsStore(db).commit(checked.rows, {
			fileName: 'people.csv',
			mode: 'all-or-nothing',
			updateExisting: false
		});
		await expectTrueCatalogue(db, 'an import');
		// Ids 1 to count: the first batch ends inside record 0, the next ones at each record's end.
		expect(Object.fromEntries(puts)).toEqual({ 0: 2, 1: 1, 2: 1, 3: 1 });
	}, 60_000);

	it('read a record again after the transaction wrote it otherwise than through users', async () => {
		const db = freshDb('catalog-forget');
		const ann = recordOf({ name: 'Ann', n: 1, customerId: 1, site: 'HQ' });
		const bob = recordOf({ name: 'bob', n: 2, customerId: 1, site: 'HQ' });
		const stranger = entryOf(5, recordOf({ name: 'Zoë', n: 3, customerId: 1, site: 'York' }));
		const [annId, bobId] = await db.transaction('rw', db.users, db.catalog, async () => {
			const first = await db.users.add(ann);
			// The record of chunk 0 as someone else wrote it: the middleware must go on from this one.
			await db.catalog.put(chunkRow(0, [stranger]));
			return [first, await db.users.add(bob)];
		});
		const row = (await db.catalog.get(0)) as CatalogChunk;
		expect(annId).toBe(1);
		expect(row.ids).toEqual([bobId, 5]);
	});
});
