import { describe, expect, it } from 'vitest';
import {
	costRows,
	countIndexEntries,
	indexVariants,
	leanAround,
	leanFloorMs,
	LEAN_INDEXES,
	type IndexCosts,
	type IndexSpec
} from '../../bench/index-costs';

const index = (name: string, keyPath: string | string[], flags: Partial<IndexSpec> = {}): IndexSpec => ({
	name,
	keyPath,
	unique: false,
	multiEntry: false,
	...flags
});

describe('countIndexEntries', () => {
	const count = (users: unknown[], spec: IndexSpec) => countIndexEntries({ users, indexes: [spec] })[0];

	it('gives one entry for a valid key and none for a missing or non-key value', () => {
		const users = [
			{ site: 'Leeds' },
			{ site: 42 },
			{ site: new Date(0) },
			{},
			{ site: null },
			{ site: true },
			{ site: { city: 'Leeds' } },
			{ site: Number.NaN },
			{ site: new Date(Number.NaN) }
		];
		expect(count(users, index('site', 'site'))).toBe(3);
	});

	it('follows a dotted key path', () => {
		const users = [{ address: { city: 'Leeds' } }, { address: {} }, { address: 'Leeds' }];
		expect(count(users, index('city', 'address.city'))).toBe(1);
	});

	it('gives a compound key path an entry only when every part is a key', () => {
		const users = [
			{ customerId: 1, usernameKey: 'ann' },
			{ customerId: 1 },
			{ customerId: 1, usernameKey: null },
			{ customerId: 2, usernameKey: 'bob' }
		];
		expect(count(users, index('byUsername', ['customerId', 'usernameKey'], { unique: true }))).toBe(2);
	});

	it('counts a multi-entry array by its distinct keys, skipping what is not a key', () => {
		const users = [
			{ words: ['ann', 'lee', 'ann'] },
			{ words: ['ann', null, 3, '3', [1, 2], [1, 2]] },
			{ words: [] },
			{ words: 'solo' },
			{}
		];
		// 2 distinct words; 'ann', 3, '3' and one [1, 2] (null is no key); none; a plain key is one; none.
		expect(count(users, index('words', 'words', { multiEntry: true }))).toBe(2 + 4 + 0 + 1 + 0);
	});

	it('tells binary keys apart by their bytes, views by the bytes they show', () => {
		const bytes = new Uint8Array([9, 1, 2, 9]);
		const users = [{ keys: [new Uint8Array([1, 2]), bytes.subarray(1, 3), new Uint8Array([2, 1]).buffer] }];
		expect(count(users, index('keys', 'keys', { multiEntry: true }))).toBe(2);
	});

	it('gives an array value of a plain index one entry, as a whole, when it is a key', () => {
		const users = [{ words: ['ann', 'lee'] }, { words: ['ann', undefined] }];
		expect(count(users, index('words', 'words'))).toBe(1);
	});

	it('counts each index over all the records, in the order of the indexes', () => {
		const users = [
			{ emailKey: 'a@x', nameKey: 'a' },
			{ emailKey: 'b@x', nameKey: 'b', site: 'Leeds' }
		];
		expect(countIndexEntries({ users, indexes: [...LEAN_INDEXES, index('site', 'site')] })).toEqual([
			2, 2, 1
		]);
	});
});

describe('indexVariants', () => {
	const app = [
		index('emailKey', 'emailKey'),
		index('nameKey', 'nameKey'),
		index('byEmail', ['customerId', 'emailKey'], { unique: true }),
		index('searchWords', 'searchWords', { multiEntry: true })
	];

	it('fills the bare store, each other index on the lean floor and the whole schema, with the lean floor around each', () => {
		const variants = indexVariants(app);
		const lean = ['lean', undefined, ['lean:emailKey', 'lean:nameKey']];
		expect(variants.map((v) => [v.kind, v.added?.name, v.indexes.map((i) => i.name)])).toEqual([
			lean,
			['bare', undefined, []],
			lean,
			['plus', 'emailKey', ['lean:emailKey', 'lean:nameKey', 'emailKey']],
			lean,
			['plus', 'byEmail', ['lean:emailKey', 'lean:nameKey', 'byEmail']],
			lean,
			['plus', 'searchWords', ['lean:emailKey', 'lean:nameKey', 'searchWords']],
			lean,
			['full', undefined, ['emailKey', 'nameKey', 'byEmail', 'searchWords']],
			lean
		]);
	});

	it('makes the lean floor a unique email key and one name order', () => {
		expect(LEAN_INDEXES.map(({ keyPath, unique, multiEntry }) => ({ keyPath, unique, multiEntry }))).toEqual([
			{ keyPath: 'emailKey', unique: true, multiEntry: false },
			{ keyPath: 'nameKey', unique: false, multiEntry: false }
		]);
	});
});

describe('leanFloorMs', () => {
	it('is the mean of all the lean floor runs only', () => {
		expect(
			leanFloorMs([
				{ kind: 'lean', ms: 6000 },
				{ kind: 'full', ms: 48_000 },
				{ kind: 'lean', ms: 7000 },
				{ kind: 'bare', ms: 5000 },
				{ kind: 'lean', ms: 8000 }
			])
		).toBe(7000);
		expect(leanFloorMs([{ kind: 'bare', ms: 5000 }])).toBeUndefined();
	});
});

describe('leanAround', () => {
	const runs = [
		{ kind: 'bare', ms: 1 },
		{ kind: 'lean', ms: 6000 },
		{ kind: 'plus', ms: 2 },
		{ kind: 'plus', ms: 3 },
		{ kind: 'lean', ms: 9000 },
		{ kind: 'full', ms: 4 }
	] as const;

	it('is the mean of the nearest lean runs before and after a run', () => {
		expect(leanAround(runs, 2)).toBe(7500);
		expect(leanAround(runs, 3)).toBe(7500);
	});

	it('is the one lean run beside a run at either end, and undefined with none', () => {
		expect(leanAround(runs, 0)).toBe(6000);
		expect(leanAround(runs, 5)).toBe(9000);
		expect(leanAround([{ kind: 'bare', ms: 1 }], 0)).toBeUndefined();
	});
});

describe('costRows', () => {
	const app = [
		index('nameKey', 'nameKey'),
		index('emailKey', 'emailKey'),
		index('searchWords', 'searchWords', { multiEntry: true })
	];
	const costs: IndexCosts = {
		count: 100,
		app,
		// lean:emailKey, lean:nameKey, then the app's nameKey, emailKey, searchWords.
		entries: [100, 100, 100, 100, 350],
		runs: [
			{ kind: 'lean', indexes: 2, ms: 6000 },
			{ kind: 'bare', indexes: 0, ms: 4000 },
			{ kind: 'lean', indexes: 2, ms: 6000 },
			{ kind: 'plus', indexes: 3, added: app[1], ms: 7000 },
			{ kind: 'lean', indexes: 2, ms: 7000 },
			{ kind: 'plus', indexes: 3, added: app[2], ms: 9900 },
			{ kind: 'lean', indexes: 2, ms: 8000 },
			{ kind: 'full', indexes: 3, ms: 12_000 },
			{ kind: 'lean', indexes: 2, ms: 8000 }
		]
	};

	it('sets each store against the lean runs around it, and gives each index its entries per user', () => {
		expect(costRows(costs)).toEqual([
			{
				label: 'Lean floor (mean of 5 runs, 6.0 to 8.0 s)',
				keyPaths: ['emailKey', 'nameKey'],
				flags: 'unique; –',
				entriesPerUser: 2,
				ms: 7000
			},
			{
				label: 'Bare store (primary key only)',
				keyPaths: ['id'],
				flags: 'autoIncrement',
				entriesPerUser: 0,
				ms: 4000,
				leanMs: 6000,
				extraMs: -2000
			},
			{ label: 'nameKey (in the lean floor)', keyPaths: ['nameKey'], flags: '–', entriesPerUser: 1 },
			{
				label: '+ emailKey (a second index on a lean-floor key path)',
				keyPaths: ['emailKey'],
				flags: '–',
				entriesPerUser: 1,
				ms: 7000,
				leanMs: 6500,
				extraMs: 500
			},
			{
				label: '+ searchWords',
				keyPaths: ['searchWords'],
				flags: 'multi-entry',
				entriesPerUser: 3.5,
				ms: 9900,
				leanMs: 7500,
				extraMs: 2400
			},
			{
				label: "The app's users schema (3 indexes)",
				keyPaths: [],
				flags: '–',
				entriesPerUser: 5.5,
				ms: 12_000,
				leanMs: 8000,
				extraMs: 4000
			}
		]);
	});
});
