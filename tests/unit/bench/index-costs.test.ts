import { describe, expect, it } from 'vitest';
import {
	costRows,
	countIndexEntries,
	indexVariants,
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

	it('fills the lean floor first and last, then the bare store, each other index on the lean floor, and the whole schema', () => {
		const variants = indexVariants(app);
		expect(variants.map((v) => [v.kind, v.added?.name, v.indexes.map((i) => i.name)])).toEqual([
			['lean', undefined, ['lean:emailKey', 'lean:nameKey']],
			['bare', undefined, []],
			['plus', 'emailKey', ['lean:emailKey', 'lean:nameKey', 'emailKey']],
			['plus', 'byEmail', ['lean:emailKey', 'lean:nameKey', 'byEmail']],
			['plus', 'searchWords', ['lean:emailKey', 'lean:nameKey', 'searchWords']],
			['full', undefined, ['emailKey', 'nameKey', 'byEmail', 'searchWords']],
			['lean', undefined, ['lean:emailKey', 'lean:nameKey']]
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
	it('is the mean of the lean floor runs only', () => {
		expect(
			leanFloorMs([
				{ kind: 'lean', ms: 6000 },
				{ kind: 'full', ms: 48_000 },
				{ kind: 'lean', ms: 7000 }
			])
		).toBe(6500);
		expect(leanFloorMs([{ kind: 'bare', ms: 5000 }])).toBeUndefined();
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
			{ kind: 'plus', indexes: 3, added: app[1], ms: 7000 },
			{ kind: 'plus', indexes: 3, added: app[2], ms: 9900 },
			{ kind: 'full', indexes: 3, ms: 12_000 },
			{ kind: 'lean', indexes: 2, ms: 7000 }
		]
	};

	it('gives each store its time over the lean floor’s mean, and each index its entries per user', () => {
		expect(costRows(costs)).toEqual([
			{
				label: 'Lean floor (first run)',
				keyPaths: ['emailKey', 'nameKey'],
				flags: 'unique; –',
				entriesPerUser: 2,
				ms: 6000
			},
			{
				label: 'Lean floor (last run)',
				keyPaths: ['emailKey', 'nameKey'],
				flags: 'unique; –',
				entriesPerUser: 2,
				ms: 7000
			},
			{
				label: 'Lean floor (mean: the reference)',
				keyPaths: ['emailKey', 'nameKey'],
				flags: 'unique; –',
				entriesPerUser: 2,
				ms: 6500
			},
			{
				label: 'Bare store (primary key only)',
				keyPaths: ['id'],
				flags: 'autoIncrement',
				entriesPerUser: 0,
				ms: 4000,
				extraMs: -2500
			},
			{ label: 'nameKey (in the lean floor)', keyPaths: ['nameKey'], flags: '–', entriesPerUser: 1 },
			{
				label: '+ emailKey (a second index on a lean-floor key path)',
				keyPaths: ['emailKey'],
				flags: '–',
				entriesPerUser: 1,
				ms: 7000,
				extraMs: 500
			},
			{
				label: '+ searchWords',
				keyPaths: ['searchWords'],
				flags: 'multi-entry',
				entriesPerUser: 3.5,
				ms: 9900,
				extraMs: 3400
			},
			{
				label: "The app's users schema (3 indexes)",
				keyPaths: [],
				flags: '–',
				entriesPerUser: 5.5,
				ms: 12_000,
				extraMs: 5500
			}
		]);
	});
});
