import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RollcallDb } from '$lib/db/database';
import { SeatsError } from '$lib/db/errors';
import { importsStore } from '$lib/db/imports';
import { licensesStore, withProduct } from '$lib/db/licenses';
import { usersStore } from '$lib/db/users';
import { products, type Product } from '$lib/domain/fields';
import { productsOf } from '$lib/domain/seats';
import { freshDb, person } from './helpers';
import { check, rejection } from './import-helpers';

function stores(db: RollcallDb) {
	return { users: usersStore(db), licenses: licensesStore(db), imports: importsStore(db) };
}

/** Seats each product's holders take, counted from the users themselves (not the index). */
async function held(db: RollcallDb): Promise<Record<Product, number>> {
	const all = await db.users.toArray();
	return Object.fromEntries(
		products.map((p) => [p, all.filter((u) => productsOf(u.entitlements).has(p)).length])
	) as Record<Product, number>;
}

const usedOf = async (db: RollcallDb, product: Product) =>
	(await licensesStore(db).usage(1)).find((u) => u.product === product)!.used;

describe('license pools', () => {
	it('start with no seats, and show seats and use per product', async () => {
		const db = freshDb('pools');
		const { users, licenses } = stores(db);
		expect(await licenses.usage(1)).toEqual([
			{ product: 'Desktop', seats: 0, used: 0, hasPool: false },
			{ product: 'Web', seats: 0, used: 0, hasPool: false },
			{ product: 'Mobile', seats: 0, used: 0, hasPool: false }
		]);
		await licenses.setSeats(1, 'Desktop', 3);
		await licenses.setSeats(1, 'Web', 1);
		await users.add(person({ email: 'ann@example.com', entitlements: 'Desktop; Web' }));
		expect((await licenses.usage(1)).slice(0, 2)).toEqual([
			{ product: 'Desktop', seats: 3, used: 1, hasPool: true },
			{ product: 'Web', seats: 1, used: 1, hasPool: true }
		]);
		// Another customer's pool and users are its own.
		expect((await licenses.usage(2))[0]).toEqual({ product: 'Desktop', seats: 0, used: 0, hasPool: false });
	});

	it('cannot go below the users holding the product, and say so', async () => {
		const db = freshDb('pools-floor');
		const { users, licenses } = stores(db);
		await licenses.setSeats(1, 'Desktop', 2);
		await users.add(person({ email: 'ann@example.com', entitlements: 'Desktop' }));
		await users.add(person({ email: 'bob@example.com', entitlements: 'Desktop' }));
		const error = await rejection(licenses.setSeats(1, 'Desktop', 1));
		expect(error).toBeInstanceOf(SeatsError);
		expect((error as Error).message).toBe(
			'2 users hold Desktop, so it needs at least 2 seats: take Desktop from 1 user first (Users → Action → Licenses…).'
		);
		expect((await licenses.usage(1))[0]!.seats).toBe(2);
	});
});

describe('assigning products by hand', () => {
	it('refuses a user who would take a seat that is not there, saving nothing', async () => {
		const db = freshDb('by-hand');
		const { users, licenses } = stores(db);
		const error = await rejection(users.add(person({ email: 'ann@example.com', entitlements: 'Desktop' })));
		expect((error as Error).message).toBe(
			'The user was not saved: There are no Desktop seats yet: set them in Settings → Licenses (this gives Desktop to 1 user: 1 seat is missing).'
		);
		expect(await db.users.count()).toBe(0);
		await licenses.setSeats(1, 'Desktop', 1);
		const ann = await users.add(person({ email: 'ann@example.com', entitlements: 'Desktop' }));
		const bob = await users.add(person({ email: 'bob@example.com' }));
		const refused = await rejection(users.update(bob.id, { entitlements: 'Desktop', jobTitle: 'Chef' }));
		expect(refused).toBeInstanceOf(SeatsError);
		expect((await users.get(bob.id))?.jobTitle).toBeUndefined();
		// Taking it from Ann frees the seat for Bob.
		await users.update(ann.id, { entitlements: undefined });
		await users.update(bob.id, { entitlements: 'Desktop' });
		expect(await usedOf(db, 'Desktop')).toBe(1);
	});
});

describe('assigning products in bulk', () => {
	it('gives a product to all the users or none, naming the seats missing', async () => {
		const db = freshDb('bulk');
		const { users, licenses } = stores(db);
		await licenses.setSeats(1, 'Desktop', 3);
		await licenses.setSeats(1, 'Web', 4);
		const ids: number[] = [];
		for (const name of ['ann', 'bob', 'cy', 'dee']) {
			ids.push((await users.add(person({ email: `${name}@example.com`, entitlements: 'Web' }))).id);
		}
		const error = await rejection(licenses.setProduct(ids, 'Desktop', true));
		expect((error as Error).message).toBe(
			'Nothing was changed: 3 Desktop seats are free; this gives Desktop to 4 users: 1 seat is missing. Add seats in Settings → Licenses or give Desktop to fewer users.'
		);
		expect(await usedOf(db, 'Desktop')).toBe(0);
		expect(await licenses.setProduct(ids.slice(0, 3), 'Desktop', true)).toBe(3);
		expect((await users.get(ids[0]!))?.entitlements).toBe('Web; Desktop');
		// Giving it again to those who have it takes nothing; taking it frees the seats.
		expect(await licenses.setProduct(ids.slice(0, 2), 'Desktop', true)).toBe(0);
		expect(await licenses.setProduct(ids.slice(0, 2), 'Desktop', false)).toBe(2);
		expect((await users.get(ids[0]!))?.entitlements).toBe('Web');
		expect(await held(db)).toEqual({ Desktop: 1, Web: 4, Mobile: 0 });
	});

	it('turns web access on and off', async () => {
		const db = freshDb('web-access');
		const { users, licenses } = stores(db);
		const ann = await users.add(person({ email: 'ann@example.com' }));
		expect(ann.webAccess).toBe(false);
		expect(await licenses.setWebAccess([ann.id], true)).toBe(1);
		expect((await users.get(ann.id))?.webAccess).toBe(true);
		expect(await licenses.setWebAccess([ann.id], true)).toBe(0);
	});

	it('keeps use within seats and equal to what users hold, through any sequence of changes', async () => {
		const step = fc.oneof(
			fc.record({
				kind: fc.constant('give' as const),
				who: fc.subarray([0, 1, 2, 3, 4, 5]),
				product: fc.constantFrom(...products),
				isGiven: fc.boolean()
			}),
			fc.record({
				kind: fc.constant('seats' as const),
				product: fc.constantFrom(...products),
				seats: fc.nat(5)
			}),
			fc.record({ kind: fc.constant('delete' as const), who: fc.subarray([0, 1, 2, 3, 4, 5]) })
		);
		await fc.assert(
			fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
				const db = freshDb('seats-property');
				const { users, licenses } = stores(db);
				const ids: number[] = [];
				for (let i = 0; i < 6; i++) ids.push((await users.add(person({ email: `p${i}@example.com` }))).id);
				const undos: string[] = [];
				for (const s of steps) {
					const before = await db.users.toArray();
					try {
						if (s.kind === 'give') {
							await licenses.setProduct(
								s.who.map((i) => ids[i]!),
								s.product,
								s.isGiven
							);
						} else if (s.kind === 'seats') await licenses.setSeats(1, s.product, s.seats);
						else undos.push((await users.remove(s.who.map((i) => ids[i]!))).batch);
					} catch (error) {
						expect(error).toBeInstanceOf(SeatsError);
						// A refused change changes nothing.
						expect(await db.users.toArray()).toEqual(before);
					}
					// Any deletion may be undone meanwhile: refused if its seats were taken since.
					const batch = undos.shift();
					if (batch) await users.undoRemove(batch).catch((error) => expect(error).toBeInstanceOf(SeatsError));
					const usage = await licenses.usage(1);
					const holding = await held(db);
					for (const u of usage) {
						expect(u.used).toBeLessThanOrEqual(u.seats);
						expect(u.used).toBe(holding[u.product]);
					}
				}
			}),
			{ numRuns: 25 }
		);
	}, 60_000);
});

describe('deleting and undoing', () => {
	it('frees the seats of deleted users, and refuses the undo once they were given to others', async () => {
		const db = freshDb('undo-seats');
		const { users, licenses } = stores(db);
		await licenses.setSeats(1, 'Desktop', 1);
		const ann = await users.add(person({ email: 'ann@example.com', entitlements: 'Desktop' }));
		const bob = await users.add(person({ email: 'bob@example.com' }));
		const { batch } = await users.remove([ann.id]);
		expect(await usedOf(db, 'Desktop')).toBe(0);
		await licenses.setProduct([bob.id], 'Desktop', true);
		const error = await rejection(users.undoRemove(batch));
		expect((error as Error).message).toBe(
			'The deletion cannot be undone: No Desktop seats are free; this gives Desktop to 1 user: 1 seat is missing. Add seats in Settings → Licenses or give Desktop to fewer users.'
		);
		expect(await db.users.get(ann.id)).toBeUndefined();
		expect(await db.trash.count()).toBe(1);
		// With a seat added, the same undo goes through.
		await licenses.setSeats(1, 'Desktop', 2);
		expect(await users.undoRemove(batch)).toBe(1);
		expect(await usedOf(db, 'Desktop')).toBe(2);
	});
});

describe('withProduct', () => {
	it('adds or takes out one product, keeping the other names in order', () => {
		expect(withProduct('Web; Mobile', 'Desktop', true)).toBe('Web; Mobile; Desktop');
		expect(withProduct('web; desktop; Mobile', 'Desktop', false)).toBe('web; Mobile');
		expect(withProduct(undefined, 'Web', false)).toBe('');
	});
});

describe('importing licenses', () => {
	const commitOptions = { fileName: 'people.csv', mode: 'all-or-nothing', updateExisting: true } as const;
	const file = (count: number) => [
		['Email', 'Licenses'],
		...Array.from({ length: count }, (_, i) => [`p${i}@example.com`, 'Desktop'])
	];

	it('refuses a file that needs more seats than are free, importing nothing', async () => {
		const db = freshDb('import-seats');
		const { licenses, imports } = stores(db);
		await licenses.setSeats(1, 'Desktop', 3);
		const error = await rejection(imports.commit((await check(db, file(4))).rows, commitOptions));
		expect((error as Error).message).toBe(
			'Nothing was imported: 3 Desktop seats are free; this gives Desktop to 4 users: 1 seat is missing. Add seats in Settings → Licenses or give Desktop to fewer users.'
		);
		expect(await db.users.count()).toBe(0);
		expect(await db.imports.count()).toBe(0);
		const summary = await imports.commit((await check(db, file(3))).rows, commitOptions);
		expect(summary.counts.created).toBe(3);
		expect(await usedOf(db, 'Desktop')).toBe(3);
	});

	it('refuses at the commit when the pool shrank after the check', async () => {
		const db = freshDb('import-seats-changed');
		const { users, licenses, imports } = stores(db);
		await licenses.setSeats(1, 'Desktop', 3);
		const checked = await check(db, file(3));
		// Meanwhile another tab gives a seat away.
		await users.add(person({ email: 'zed@example.com', entitlements: 'Desktop' }));
		const error = await rejection(imports.commit(checked.rows, commitOptions));
		expect((error as Error).message).toMatch(
			/^Nothing was imported: 2 Desktop seats are free; .*1 seat is missing/u
		);
		expect(await db.users.count()).toBe(1);
	});

	it('counts the seats an update frees as well as those it takes', async () => {
		const db = freshDb('import-seats-update');
		const { users, licenses, imports } = stores(db);
		await licenses.setSeats(1, 'Desktop', 1);
		await users.add(person({ email: 'p0@example.com', entitlements: 'Desktop' }));
		const table = [
			['Email', 'Licenses'],
			['p0@example.com', 'Web'],
			['p1@example.com', 'Desktop']
		];
		await licenses.setSeats(1, 'Web', 1);
		const summary = await imports.commit(
			(await check(db, table, { updateExisting: true })).rows,
			commitOptions
		);
		expect(summary.counts).toMatchObject({ created: 1, updated: 1 });
		expect(await held(db)).toEqual({ Desktop: 1, Web: 1, Mobile: 0 });
	});

	it('refuses to undo an import whose users would take back seats given away since', async () => {
		const db = freshDb('import-undo-seats');
		const { users, licenses, imports } = stores(db);
		await licenses.setSeats(1, 'Desktop', 1);
		await licenses.setSeats(1, 'Web', 1);
		const ann = await users.add(person({ email: 'p0@example.com', entitlements: 'Desktop' }));
		const table = [
			['Email', 'Licenses'],
			['p0@example.com', 'Web']
		];
		const summary = await imports.commit(
			(await check(db, table, { updateExisting: true })).rows,
			commitOptions
		);
		const bob = await users.add(person({ email: 'bob@example.com', entitlements: 'Desktop' }));
		const error = await rejection(imports.undo(summary.id));
		expect((error as Error).message).toMatch(/^This import cannot be undone: No Desktop seats are free; /u);
		expect((await users.get(ann.id))?.entitlements).toBe('Web');
		await users.update(bob.id, { entitlements: undefined });
		await imports.undo(summary.id);
		expect((await users.get(ann.id))?.entitlements).toBe('Desktop');
	});

	it("never changes an existing user's license key, and refuses a key another user has", async () => {
		const db = freshDb('import-keys');
		const { users, imports } = stores(db);
		const ann = await users.add(person({ email: 'ann@example.com' }));
		const other = (await users.add(person({ email: 'bob@example.com' }))).licenseKey!;
		await db.users.delete((await users.whoHas('email', 'bob@example.com'))!.id);
		const updates = [
			['Email', 'License key', 'Job title'],
			['ann@example.com', other, 'Chef']
		];
		await imports.commit((await check(db, updates, { updateExisting: true })).rows, commitOptions);
		const after = await users.get(ann.id);
		expect(after).toMatchObject({ jobTitle: 'Chef', licenseKey: ann.licenseKey });
		const clash = [
			['Email', 'License key'],
			['cy@example.com', ann.licenseKey!]
		];
		const error = await rejection(imports.commit((await check(db, clash)).rows, commitOptions));
		expect((error as Error).message).toBe(
			`Nothing was imported: the license key ${ann.licenseKey} in row 2 is already ann@example.com's, and a key belongs to one person. Leave the License key cell empty for a new user (Rollcall gives each one a key), then import the file again.`
		);
	});
});
