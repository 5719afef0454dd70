import { Dexie, type PromiseExtended } from 'dexie';
import { LIST_SEPARATOR, listNames, products, type Product } from '$lib/domain/fields';
import {
	noDelta,
	productsOf,
	seatDelta,
	seatsProblem,
	shortages,
	shortagesMessage,
	type SeatDelta,
	type SeatUse,
	type Shortage
} from '$lib/domain/seats';
import { memberKey, memberKeys, type User } from '$lib/domain/user';
import { commandsStore } from './commands';
import type { RollcallDb } from './database';
import { SeatsError } from './errors';

/** Each customer's seats before a write. */
export type SeatsBefore = Map<number, SeatUse[]>;

/** The entitlements value with `product` added or taken out, the other names kept in their order. */
export function withProduct(entitlements: string | undefined, product: Product, isGiven: boolean): string {
	const others = listNames(entitlements).filter((name) => name.toLowerCase() !== product.toLowerCase());
	return [...others, ...(isGiven ? [product] : [])].join(LIST_SEPARATOR);
}

/**
 * License pools module: a customer's seats per product, and the one rule every write that gives users a
 * product goes through (withinSeats). Seats taken are never stored: they are counted from the users'
 * entitlementKeys index, so they always equal what the users hold.
 */
export function licensesStore(db: RollcallDb) {
	const commands = commandsStore(db);
	/**
	 * Some products' seats and use for a customer (all by default), read in the caller's transaction (or
	 * its own). Dexie's promises all the way, no native async: it runs inside other modules' transactions
	 * (an import's commit), where a native promise chain may lose the transaction's zone (see imports.ts).
	 */
	function usage(customerId: number, touched: readonly Product[] = products): PromiseExtended<SeatUse[]> {
		return Dexie.Promise.all([
			db.licensePools.bulkGet(touched.map((product): [number, Product] => [customerId, product])),
			Dexie.Promise.all(
				touched.map((product) =>
					db.users.where('entitlementKeys').equals(memberKey(customerId, product)).count()
				)
			)
		]).then(([pools, used]) =>
			touched.map((product, i) => ({
				product,
				seats: pools[i]?.seats ?? 0,
				used: used[i]!,
				hasPool: pools[i] !== undefined
			}))
		);
	}

	/**
	 * The seats of each customer as they are now, to compare a write against (see refuseBeyond): only of
	 * the products the write may give (`touched`). Counting an index range costs a read of each entry it
	 * holds, so a write that gives no product (most edits) counts nothing, and one that gives Web never
	 * counts a million Desktop holders.
	 */
	const seatsNow = (
		customerIds: Iterable<number>,
		touched: Iterable<Product> = products
	): PromiseExtended<SeatsBefore> => {
		const customers = [...new Set(customerIds)];
		const given = products.filter((product) => new Set(touched).has(product));
		return Dexie.Promise.all(customers.map((customerId) => usage(customerId, given))).then(
			(uses) => new Map(customers.map((c, i) => [c, uses[i]!]))
		);
	};

	/**
	 * Refuses (SeatsError, `prefix` before the message) if the writes since `before` was read gave a
	 * product to more of a customer's users than had free seats then; inside the same transaction, so the
	 * refusal aborts the writes with it.
	 */
	const refuseBeyond = (before: SeatsBefore, prefix = ''): PromiseExtended<void> =>
		Dexie.Promise.all(
			[...before].map(([customerId, uses]) =>
				usage(
					customerId,
					uses.map((use) => use.product)
				)
			)
		).then((afters) => {
			[...before.values()].forEach((uses, i) => {
				const delta: SeatDelta = noDelta();
				afters[i]!.forEach((use, j) => (delta[use.product] = use.used - uses[j]!.used));
				const found = shortages(uses, delta);
				if (found.length > 0) throw new SeatsError(found, prefix + shortagesMessage(found));
			});
		});

	const store = {
		/** The tables a transaction must hold to call withinSeats. */
		tables: () => [db.users, db.licensePools],

		/** Each product's seats and how many users of the customer hold it, for Settings → Licenses. */
		usage: (customerId: number): Promise<SeatUse[]> =>
			db.transaction('r', db.users, db.licensePools, () => usage(customerId)),

		/**
		 * What a planned change lacks in seats, for a preview: each user's entitlements after it, with the id of
		 * a stored user (whose entitlements now are read) or none for a new one. Empty when it fits.
		 * `count`: how many new users get these entitlements (1 when absent), so a million new users who
		 * share a few values are a few entries.
		 */
		async shortageOf(
			customerId: number,
			planned: readonly { id?: number; entitlements?: string; count?: number }[]
		): Promise<Shortage[]> {
			return db.transaction('r', db.users, db.licensePools, async () => {
				const ids = planned.flatMap((p) => (p.id === undefined ? [] : [p.id]));
				const stored = new Map((await db.users.bulkGet(ids)).flatMap((u) => (u ? [[u.id, u] as const] : [])));
				const delta = noDelta();
				for (const p of planned) {
					const one = seatDelta([
						[p.id === undefined ? undefined : stored.get(p.id)?.entitlements, p.entitlements]
					]);
					for (const product of products) delta[product] += one[product] * (p.count ?? 1);
				}
				return shortages(await usage(customerId), delta);
			});
		},

		/** Sets a pool's seats; refused (SeatsError) below the number of users holding the product. */
		async setSeats(customerId: number, product: Product, seats: number, now = Date.now()): Promise<void> {
			await db.transaction('rw', db.users, db.licensePools, async () => {
				const use = (await usage(customerId)).find((u) => u.product === product)!;
				const problem = seatsProblem(use, seats);
				if (problem) throw new SeatsError([], problem);
				await db.licensePools.put({ customerId, product, seats, updatedAt: now });
			});
		},

		seatsNow,
		refuseBeyond,

		/**
		 * Runs `write` inside the caller's 'rw' transaction over tables(), and refuses (SeatsError, which
		 * aborts that transaction: nothing of the write is kept) if it gave a product to more of a customer's
		 * users than had free seats. Counting before and after, rather than trusting the caller's arithmetic,
		 * covers every write the same way: by hand, in bulk, an import, an undone deletion. `touched`: the
		 * products the write may give (see seatsNow); those it only takes away need no check.
		 */
		async withinSeats<T>(
			customerIds: Iterable<number>,
			touched: Iterable<Product>,
			write: () => Promise<T>,
			prefix = ''
		): Promise<T> {
			const before = await seatsNow(customerIds, touched);
			const result = await write();
			await refuseBeyond(before, prefix);
			return result;
		},

		/**
		 * Gives `product` to the users (isGiven) or takes it from them, all or none: refused with the seats
		 * missing when they are too few. Returns how many users changed.
		 */
		async setProduct(ids: readonly number[], product: Product, isGiven: boolean, now = Date.now()) {
			return db.transaction('rw', [...store.tables(), ...commands.tables()], async () => {
				const found = (await db.users.bulkGet([...ids])).filter((u): u is User => u !== undefined);
				const changed = found.filter((user) => productsOf(user.entitlements).has(product) !== isGiven);
				const next = changed.map((user) => {
					const entitlements = withProduct(user.entitlements, product, isGiven);
					const updated: User = { ...user, entitlements, updatedAt: now };
					if (!entitlements) delete updated.entitlements;
					return { ...updated, entitlementKeys: memberKeys(user.customerId, entitlements) };
				});
				const customers = changed.map((user) => user.customerId);
				// Taking a product away frees seats: only giving is counted.
				const touched = isGiven ? [product] : [];
				await store.withinSeats(customers, touched, () => db.users.bulkPut(next), 'Nothing was changed: ');
				// The relay learns each change (for the users it knows): a product taken stops its activations.
				await commands.queueLicenseChanges(
					changed.map((user, i) => [user, next[i]!] as const),
					now
				);
				return changed.length;
			});
		},

		/** Turns web access on or off for the users; returns how many changed. */
		async setWebAccess(ids: readonly number[], isOn: boolean, now = Date.now()): Promise<number> {
			return db.transaction('rw', [db.users, ...commands.tables()], async () => {
				const found = (await db.users.bulkGet([...ids])).filter((u): u is User => u !== undefined);
				const changed = found.filter((user) => (user.webAccess ?? false) !== isOn);
				const next = changed.map((user) => ({ ...user, webAccess: isOn, updatedAt: now }));
				await db.users.bulkPut(next);
				await commands.queueLicenseChanges(
					changed.map((user, i) => [user, next[i]!] as const),
					now
				);
				return changed.length;
			});
		}
	};
	return store;
}

export type LicensesStore = ReturnType<typeof licensesStore>;
