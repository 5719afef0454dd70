import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadAbandoned, usersStore, type SortKey } from '$lib/db/users';
import { matchesSearch, searchTerms, type User } from '$lib/domain/user';
import { freshDb, person, query } from './helpers';

/** Tricky text for names and addresses: case, accents, other scripts, digits, separators, astral code points. */
const alphabet = fc.constantFrom(...'abcmxyz019@.-_éßøжд中\u0080\u03ff\u0400', 'M', 'É', ' ', '😀');
const text = (maxLength: number) => fc.array(alphabet, { maxLength }).map((chars) => chars.join(''));

describe("the catalogue's search", () => {
	it('finds exactly the users matchesSearch finds, for short and long terms, over any names', async () => {
		const someone = fc.record({ firstName: text(8), lastName: text(8), local: text(6), department: text(8) });
		await fc.assert(
			fc.asyncProperty(
				fc.array(someone, { minLength: 2, maxLength: 6 }),
				text(5),
				fc.nat(),
				fc.nat(),
				async (people, typed, at, length) => {
					// Mostly a piece of someone's name or department: a term that may start or sit inside a word.
					const texts = people.flatMap((who) => [who.firstName, who.lastName, who.department]);
					const piece = texts[at % Math.max(1, texts.length)]?.slice(at % 7, (at % 7) + 1 + (length % 5));
					const search = at % 4 !== 0 && piece ? piece : typed;
					const users = usersStore(freshDb('search-property'));
					for (const [i, { local, department, ...names }] of people.entries()) {
						const email = `${local.replace(/[^a-z0-9]/gu, '')}${i}@example.com`;
						await users.add(person({ ...names, email, department: department || undefined }));
					}
					const base = await users.listIds(query());
					const rows = (await users.rows(base)).filter((u) => u !== undefined);
					const expected = rows.filter((u) => matchesSearch(u, searchTerms(search))).map((u) => u.id);
					expect(await users.searchIds(base, search)).toEqual(expected);
					expect(await users.listIds(query({ search }))).toEqual(expected);
				}
			),
			{ numRuns: 50 }
		);
	}, 120_000);
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

	it('gives up when the answer is no longer wanted', async () => {
		const users = await directory();
		const base = await users.listIds(query());
		let asked = 0;
		expect(await users.searchIds(base, 'm', () => ++asked > 1)).toBeUndefined();
		expect(await users.searchIds(base, 'm', () => ++asked > 1)).toEqual(await users.searchIds(base, 'm'));
		expect(asked).toBe(2);
		// An order no one wants any more is not asked of the catalogue (nor kept).
		await expect(users.baseIds(query({ sort: 'email' }), () => false)).rejects.toBeInstanceOf(ReadAbandoned);
		expect(await users.keptIds(query({ sort: 'email' }))).toBeUndefined();
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

describe("the catalogue's orders", () => {
	it('are the stored users sorted by each column, then name, then id, both ways; the head their start', async () => {
		const db = freshDb('orders');
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
			'~tilde',
			'Ann'
		];
		const sites = ['HQ', 'Leeds', 'Éire', 'zeta'];
		for (const [i, firstName] of firsts.entries()) {
			const user = await users.add(
				person({
					firstName,
					lastName: 'X',
					email: `${String.fromCharCode(97 + ((i * 7) % 26))}${i}@example.com`,
					site: sites[i % sites.length],
					userType: i % 3 === 0 ? 'Privileged' : 'Standard'
				}),
				{ now: 1_000 + (i % 4) }
			);
			if (i % 5 === 0) await users.setSuspended([user.id], true);
			// Sign-ins come from the relay (events.ts): written straight to the record.
			if (i % 2 === 0) await db.users.update(user.id, { lastLoginAt: 5_000 - (i % 3) });
		}
		const stored = await db.users.toArray();
		// As IndexedDB compares strings (by UTF-16 code unit), which the old indexes ordered by.
		const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
		const byName = (a: User, b: User) => text(a.nameKey, b.nameKey) || a.id - b.id;
		const compare: Record<SortKey, (a: User, b: User) => number> = {
			name: byName,
			email: (a, b) => text(a.emailKey, b.emailKey) || a.id - b.id,
			status: (a, b) => text(a.status, b.status) || byName(a, b),
			userType: (a, b) => text(a.userType, b.userType) || byName(a, b),
			site: (a, b) => text(a.site, b.site) || byName(a, b),
			lastLoginAt: (a, b) => a.lastLoginAt - b.lastLoginAt || byName(a, b),
			createdAt: (a, b) => a.createdAt - b.createdAt || byName(a, b)
		};
		for (const [sort, order] of Object.entries(compare) as [SortKey, (a: User, b: User) => number][]) {
			const truth = stored.toSorted(order).map((user) => user.id);
			expect(await users.baseIds(query({ sort })), sort).toEqual(truth);
			expect(await users.baseIds(query({ sort, isDescending: true })), sort).toEqual(truth.toReversed());
			await db.lists.clear();
			expect(await users.baseIds(query({ sort, isDescending: true })), sort).toEqual(truth.toReversed());
			expect(await users.head(sort, false, 3)).toEqual({ ids: truth.slice(0, 3), total: stored.length });
			expect(await users.head(sort, true, 3)).toEqual({
				ids: truth.toReversed().slice(0, 3),
				total: stored.length
			});
			await db.lists.clear();
		}
	});
});
