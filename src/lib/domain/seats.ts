import { listNames, products, type Product } from './fields';

/**
 * Seat accounting (DESIGN.md workflow A): a customer has a pool of seats per product, and each user
 * licensed for a product takes one. Pure: the database counts who holds what (users.entitlementKeys) and
 * asks here whether a change fits, in the same transaction as the change.
 */

/** One product's pool as it stands: its seats (0 with no pool yet) and how many users hold it. */
export interface SeatUse {
	product: Product;
	seats: number;
	used: number;
	/** Whether the admin ever set seats for it: with none, the message says where to set them. */
	hasPool: boolean;
}

/** How many more users hold each product after a change (negative: fewer). */
export type SeatDelta = Record<Product, number>;

/** A product a change gives to more users than it has free seats for. */
export interface Shortage {
	product: Product;
	hasPool: boolean;
	free: number;
	/** How many more users the change gives the product to. */
	wanted: number;
	missing: number;
}

/** The products named in an 'entitlements' value, in the registry's spelling (unknown names are not seats). */
export function productsOf(entitlements: string | undefined): Set<Product> {
	const held = new Set<Product>();
	for (const name of listNames(entitlements)) {
		const product = products.find((p) => p.toLowerCase() === name.toLowerCase());
		if (product) held.add(product);
	}
	return held;
}

export const noDelta = (): SeatDelta => ({ Desktop: 0, Web: 0, Mobile: 0 });

/** The seats a set of users' changes take (before, after: their entitlements) net of those they free. */
export function seatDelta(
	changes: Iterable<readonly [before: string | undefined, after: string | undefined]>
): SeatDelta {
	const delta = noDelta();
	for (const [before, after] of changes) {
		const had = productsOf(before);
		const has = productsOf(after);
		for (const product of products) delta[product] += Number(has.has(product)) - Number(had.has(product));
	}
	return delta;
}

/** Free seats: none when the pool is already over-full (a smaller backup restored over more holders). */
export const freeSeats = (use: Pick<SeatUse, 'seats' | 'used'>) => Math.max(0, use.seats - use.used);

/**
 * What a change lacks: each product it gives to more users than have free seats. A change that frees
 * seats or takes no more than are free always fits, even into an over-full pool (it makes nothing worse).
 */
export function shortages(uses: readonly SeatUse[], delta: SeatDelta): Shortage[] {
	return uses.flatMap((use) => {
		const wanted = delta[use.product];
		const free = freeSeats(use);
		if (wanted <= 0 || wanted <= free) return [];
		return [{ product: use.product, hasPool: use.hasPool, free, wanted, missing: wanted - free }];
	});
}

const count = (n: number, one: string, many = `${one}s`) =>
	`${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** The admin's sentence for one shortage: what is free, what the change asks, how many seats are missing. */
export function shortageSentence({ product, hasPool, free, wanted, missing }: Shortage): string {
	const asks = `this gives ${product} to ${count(wanted, 'user')}: ${count(missing, 'seat')} ${missing === 1 ? 'is' : 'are'} missing`;
	if (!hasPool) return `There are no ${product} seats yet: set them in Settings → Licenses (${asks}).`;
	const freeText =
		free === 0 ? `No ${product} seats are` : `${count(free, `${product} seat`)} ${free === 1 ? 'is' : 'are'}`;
	return `${freeText} free; ${asks}. Add seats in Settings → Licenses or give ${product} to fewer users.`;
}

/** Every shortage of a refused change, one sentence each. */
export const shortagesMessage = (found: readonly Shortage[]) => found.map(shortageSentence).join(' ');

/** Why a pool cannot have `seats` seats, or undefined: never fewer than the users holding it. */
export function seatsProblem(use: Pick<SeatUse, 'product' | 'used'>, seats: number): string | undefined {
	if (!Number.isSafeInteger(seats) || seats < 0) return 'Seats must be a whole number, 0 or more.';
	if (seats >= use.used) return undefined;
	return `${count(use.used, 'user')} ${use.used === 1 ? 'holds' : 'hold'} ${use.product}, so it needs at least ${count(use.used, 'seat')}: take ${use.product} from ${count(use.used - seats, 'user')} first (Users → Action → Licenses…).`;
}
