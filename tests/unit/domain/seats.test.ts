import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { products, type Product } from '$lib/domain/fields';
import {
	productsOf,
	seatDelta,
	seatsProblem,
	shortages,
	shortagesMessage,
	type SeatUse
} from '$lib/domain/seats';

const use = (product: Product, seats: number, used: number, hasPool = true): SeatUse => ({
	product,
	seats,
	used,
	hasPool
});
const uses = (desktop: Partial<SeatUse> = {}): SeatUse[] =>
	products.map((product) => ({ ...use(product, 0, 0, false), ...(product === 'Desktop' ? desktop : {}) }));

describe('seat accounting', () => {
	it('reads the products of an entitlements value in their own spelling, ignoring other names', () => {
		expect([...productsOf('desktop; WEB; Desktop; Fax')]).toEqual(['Desktop', 'Web']);
		expect(productsOf(undefined).size).toBe(0);
	});

	it('counts what a change takes net of what it frees', () => {
		expect(
			seatDelta([
				[undefined, 'Desktop'],
				['Desktop; Web', 'Web; Mobile'],
				['Mobile', 'mobile']
			])
		).toEqual({ Desktop: 0, Web: 0, Mobile: 1 });
	});

	it('says how many seats are free, what the change asks and how many are missing', () => {
		const found = shortages(uses({ seats: 5, used: 2, hasPool: true }), {
			Desktop: 4,
			Web: 0,
			Mobile: 0
		});
		expect(found).toEqual([{ product: 'Desktop', hasPool: true, free: 3, wanted: 4, missing: 1 }]);
		expect(shortagesMessage(found)).toBe(
			'3 Desktop seats are free; this gives Desktop to 4 users: 1 seat is missing. Add seats in Settings → Licenses or give Desktop to fewer users.'
		);
	});

	it('says where to set seats for a product that has no pool yet', () => {
		const found = shortages(uses(), { Desktop: 2, Web: 0, Mobile: 0 });
		expect(shortagesMessage(found)).toBe(
			'There are no Desktop seats yet: set them in Settings → Licenses (this gives Desktop to 2 users: 2 seats are missing).'
		);
	});

	it('speaks of one seat and of none', () => {
		const full = shortages(uses({ seats: 1, used: 1, hasPool: true }), { Desktop: 1, Web: 0, Mobile: 0 });
		expect(shortagesMessage(full)).toBe(
			'No Desktop seats are free; this gives Desktop to 1 user: 1 seat is missing. Add seats in Settings → Licenses or give Desktop to fewer users.'
		);
		const one = shortages(uses({ seats: 2, used: 1, hasPool: true }), { Desktop: 3, Web: 0, Mobile: 0 });
		expect(shortagesMessage(one)).toMatch(/^1 Desktop seat is free; .*: 2 seats are missing\./u);
	});

	it('lets a change that frees seats through an over-full pool', () => {
		expect(shortages(uses({ seats: 1, used: 3, hasPool: true }), { Desktop: -1, Web: 0, Mobile: 0 })).toEqual(
			[]
		);
	});

	it('never lets a pool go below the users holding it, and says so', () => {
		expect(seatsProblem({ product: 'Desktop', used: 3 }, 3)).toBeUndefined();
		expect(seatsProblem({ product: 'Desktop', used: 3 }, 1)).toBe(
			'3 users hold Desktop, so it needs at least 3 seats: take Desktop from 2 users first (Users → Action → Licenses…).'
		);
		expect(seatsProblem({ product: 'Web', used: 0 }, -1)).toBe('Seats must be a whole number, 0 or more.');
		expect(seatsProblem({ product: 'Web', used: 0 }, 1.5)).toBe('Seats must be a whole number, 0 or more.');
	});
});

/** A small directory: each user's entitlements value, and the seats of each product. */
interface Model {
	held: (string | undefined)[];
	seats: Record<Product, number>;
}

const usesOf = (model: Model): SeatUse[] =>
	products.map((product) => ({
		product,
		seats: model.seats[product],
		used: model.held.filter((value) => productsOf(value).has(product)).length,
		hasPool: true
	}));

/** A proposed change: some users (by position) get a new entitlements value. */
const entitlements = fc
	.subarray([...products, 'Fax'])
	.map((names) => (names.length > 0 ? names.join('; ') : undefined));
const change = fc.array(fc.tuple(fc.nat({ max: 11 }), entitlements), { minLength: 1, maxLength: 6 });

/** Applies a change if it fits, as every write does (see licenses.withinSeats); returns whether it did. */
function propose(model: Model, proposed: [number, string | undefined][]): boolean {
	const next = [...model.held];
	for (const [position, value] of proposed) next[position % next.length] = value;
	const delta = seatDelta(model.held.map((before, i) => [before, next[i]] as const));
	if (shortages(usesOf(model), delta).length > 0) return false;
	model.held = next;
	return true;
}

describe('seat accounting, through any sequence of changes', () => {
	it('never lets use exceed seats, leaves a refused change without effect, and counts what users hold', () => {
		fc.assert(
			fc.property(
				fc.record({ Desktop: fc.nat({ max: 6 }), Web: fc.nat({ max: 6 }), Mobile: fc.nat({ max: 6 }) }),
				fc.array(change, { maxLength: 25 }),
				(seats, changes) => {
					const model: Model = { held: Array<string | undefined>(12).fill(undefined), seats };
					for (const proposed of changes) {
						const before = [...model.held];
						const isAccepted = propose(model, proposed);
						if (!isAccepted) expect(model.held).toEqual(before);
						for (const { seats: pool, used } of usesOf(model)) expect(used).toBeLessThanOrEqual(pool);
					}
					// Seats taken are what the users hold, product by product.
					const taken = seatDelta(model.held.map((value) => [undefined, value] as const));
					expect(usesOf(model).map((u) => u.used)).toEqual(products.map((p) => taken[p]));
				}
			)
		);
	});

	it('refuses exactly the changes that give a product to more users than have free seats', () => {
		fc.assert(
			fc.property(
				fc.nat({ max: 5 }),
				fc.nat({ max: 5 }),
				fc.integer({ min: -5, max: 8 }),
				(seats, used, more) => {
					const found = shortages([use('Web', seats, used)], { Desktop: 0, Web: more, Mobile: 0 });
					const free = Math.max(0, seats - used);
					expect(found.length > 0).toBe(more > 0 && more > free);
					if (found.length > 0) expect(found[0]!.missing).toBe(more - free);
				}
			)
		);
	});
});
