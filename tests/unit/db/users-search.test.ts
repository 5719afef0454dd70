import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prefixRanges, usersStore } from '$lib/db/users';
import { matchesSearch, searchTerms } from '$lib/domain/user';
import { freshDb, person, query } from './helpers';

/** Whether `word` falls in one of the ranges, as IndexedDB compares strings (by UTF-16 code unit). */
const inRanges = (word: string, ranges: [string, string][]) =>
	ranges.filter(([lower, upper]) => word >= lower && word < upper).length;

describe('prefixRanges', () => {
	it('cuts a short term into ranges that hold each word starting with it exactly once', () => {
		const alphabet = fc.constantFrom(...'abcmxyz019@.-_éßøжд中\u0080\u03ff\u0400', '😀');
		const text = fc.array(alphabet, { maxLength: 6 }).map((chars) => chars.join(''));
		fc.assert(
			fc.property(text, text, (term, rest) => {
				const ranges = prefixRanges(term);
				expect(inRanges(term + rest, ranges)).toBe(1);
			})
		);
		fc.assert(
			fc.property(text, text, (term, other) => {
				fc.pre(!other.startsWith(term));
				expect(inRanges(other, prefixRanges(term))).toBe(0);
			})
		);
	});

	it('reads a long term in one range, a short one in parts', () => {
		expect(prefixRanges('mar')).toEqual([['mar', 'mar\uffff']]);
		expect(prefixRanges('m').length).toBeGreaterThan(10);
		expect(prefixRanges('')[0]![0]).toBe('');
	});
});

describe('search', () => {
	const names = ['Maria Lopez', 'Mark Ma', 'Anna Smith', 'Mateo Ruiz', 'Zoë Martin', 'Bob Marley', 'Ma Li'];

	async function directory() {
		const db = freshDb('search');
		const users = usersStore(db);
		for (const [i, name] of names.entries()) {
			const [firstName, lastName] = name.split(' ');
			await users.add(person({ firstName, lastName, email: `p${i}@example.com` }));
		}
		return users;
	}

	it('finds the same users through the index ranges as by reading each row, for short and long terms', async () => {
		const users = await directory();
		const base = await users.listIds(query());
		const rows = (await users.rows(base)).filter((u) => u !== undefined);
		for (const search of [
			'm',
			'ma',
			'mar',
			'maria',
			'm l',
			'zo',
			'ZOË',
			'x',
			'p1@',
			'ma ma',
			'ar',
			'ari',
			'opez',
			'rt ma'
		]) {
			const expected = rows.filter((u) => matchesSearch(u, searchTerms(search))).map((u) => u.id);
			expect(await users.searchIds(base, search), search).toEqual(expected);
			expect(await users.listIds(query({ search })), search).toEqual(expected);
			const first = await users.firstMatches(base, search, 2, 1000);
			// At least the first two matches (a whole chunk is read), in order; all of them when it read all.
			expect(first.ids, search).toEqual(expected.slice(0, first.ids.length));
			expect(first.ids.length, search).toBeGreaterThanOrEqual(Math.min(2, expected.length));
			if (first.isAll) expect(first.ids, search).toEqual(expected);
		}
	});

	it('stops reading when the answer is no longer wanted', async () => {
		const users = await directory();
		const base = await users.listIds(query());
		let asked = 0;
		const result = await users.searchIds(base, 'm', () => ++asked < 3);
		expect(result).toBeUndefined();
		expect(asked).toBe(3);
	});

	it('reads no more rows than asked for its first matches, and says when it read them all', async () => {
		const users = await directory();
		const base = await users.listIds(query());
		const some = await users.firstMatches(base, 'zz', 10, 3);
		expect(some).toEqual({ ids: [], isAll: false });
		const all = await users.firstMatches(base, 'ma', 100, 1000);
		expect(all.isAll).toBe(true);
		expect(all.ids).toEqual(await users.searchIds(base, 'ma'));
	});
});

describe('search inside words and across the listed fields', () => {
	it('finds by the middle of a name or username, an email domain, a site and a department', async () => {
		const users = usersStore(freshDb('search-wide'));
		const jones = await users.add(
			person({
				firstName: 'Ann',
				lastName: 'Jones',
				email: 'ann@example.net',
				username: 'ajones',
				site: 'Leeds',
				department: 'Finance'
			})
		);
		const smith = await users.add(
			person({
				firstName: 'Bo',
				lastName: 'Chen',
				email: 'bo@example.com',
				username: 'jsmith',
				department: 'Sales'
			})
		);
		const base = await users.listIds(query());
		expect(await users.searchIds(base, 'ones')).toEqual([jones.id]);
		expect(await users.searchIds(base, 'smith')).toEqual([smith.id]);
		expect(await users.searchIds(base, 'example.net')).toEqual([jones.id]);
		expect(await users.searchIds(base, 'example')).toEqual([jones.id, smith.id]);
		expect(await users.searchIds(base, 'leeds')).toEqual([jones.id]);
		expect(await users.searchIds(base, 'HQ')).toEqual([smith.id]);
		expect(await users.searchIds(base, 'fin')).toEqual([jones.id]);
		expect(await users.listIds(query({ search: 'sales mit' }))).toEqual([smith.id]);
		// Two letters match only the start of a word: 'on' is inside Jones, not the start of any of Ann's words.
		expect(await users.searchIds(base, 'on')).toEqual([]);
		// An edit moves the user's keys with it.
		await users.update(jones.id, { lastName: 'Brown', department: 'Legal' });
		expect(await users.searchIds(base, 'rown')).toEqual([jones.id]);
		expect(await users.searchIds(base, 'finance')).toEqual([]);
		expect(await users.searchIds(base, 'legal')).toEqual([jones.id]);
	});
});

describe('search by a custom attribute', () => {
	it('finds users by the words of their custom values, kept current when edited or cleared', async () => {
		const users = usersStore(freshDb('custom-search'));
		const ann = await users.add(
			person({ firstName: 'Ann', email: 'ann@example.com', 'custom:Badge colour': 'Sea green' })
		);
		const bob = await users.add(
			person({ firstName: 'Bob', email: 'bob@example.com', 'custom:Locker': 'B-12' })
		);
		const base = await users.listIds(query());
		expect(await users.searchIds(base, 'green')).toEqual([ann.id]);
		expect(await users.listIds(query({ search: 'SEA GR' }))).toEqual([ann.id]);
		expect(await users.listIds(query({ search: 'b-12' }))).toEqual([bob.id]);
		await users.update(ann.id, { 'custom:Badge colour': 'Teal' });
		expect(await users.listIds(query({ search: 'green' }))).toEqual([]);
		expect(await users.listIds(query({ search: 'teal' }))).toEqual([ann.id]);
		await users.update(ann.id, { 'custom:Badge colour': undefined });
		expect(await users.listIds(query({ search: 'teal' }))).toEqual([]);
		expect(await users.get(ann.id)).not.toHaveProperty('custom:Badge colour');
	});
});

describe('reading an order in parts', () => {
	it('gives the same order as one read of the index, both ways, and shows each part as it comes', async () => {
		const db = freshDb('order-parts');
		const users = usersStore(db);
		const firsts = [
			'0liver',
			'Ann',
			'bea',
			'Cy',
			'Ёлка',
			'Жанна',
			'Zoë',
			'Émile',
			'中村',
			'yves',
			'Øyvind',
			'~tilde'
		];
		for (const [i, firstName] of firsts.entries()) {
			await users.add(
				person({ firstName, lastName: 'X', email: `${String.fromCharCode(97 + i * 2)}${i}@example.com` })
			);
		}
		for (const sort of ['name', 'email'] as const) {
			const index = sort === 'name' ? 'nameKey' : 'emailKey';
			const truth = await db.users.orderBy(index).primaryKeys();
			const parts: number[][] = [];
			const ids = await users.baseIds(query({ sort }), (soFar) => parts.push([...soFar]));
			expect(ids).toEqual(truth);
			expect(parts.length).toBeGreaterThan(1);
			for (const part of parts) expect(truth.slice(0, part.length)).toEqual(part);
			await db.lists.clear();
			const descending = await users.baseIds(query({ sort, isDescending: true }), () => {});
			expect(descending).toEqual([...truth].reverse());
			await db.lists.clear();
		}
	});
});
