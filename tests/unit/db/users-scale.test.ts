import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type RollcallDb } from '$lib/db/database';
import { usersStore, type ListQuery, type UsersStore } from '$lib/db/users';
import { userTypes } from '$lib/domain/fields';
import { foldText } from '$lib/domain/text';
import { userKeys, userStatuses, type User, type UserFields } from '$lib/domain/user';
import { freshName, person, query } from './helpers';

const COUNT = 20_000;
// Letters and combining-accent letters only, so a collator's base order and the folded binary order agree.
const FIRST = [
	'Ann',
	'anna',
	'Élodie',
	'Eddie',
	'emma',
	'Zoë',
	'Björn',
	'Chloé',
	'Núñez',
	'Ángel',
	'Bob',
	'ÉLISE',
	'elif',
	'Omar',
	'Yusuf',
	'Ida'
];
const LAST = [
	'Smith',
	'smithson',
	'Ünal',
	'Müller',
	'García',
	'Lee',
	'ELLIS',
	'Élan',
	'Brown',
	'Zhou',
	'Ortiz',
	'Çelik'
];
const SITES = ['HQ', 'Leeds', 'Paris', 'São Paulo', 'Zürich'];

/** A deterministic pseudo-random sequence, so a failure can be reproduced. */
function random(seed: number) {
	let state = seed;
	return (n: number) => {
		state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
		return state % n;
	};
}

function buildUsers(): Omit<User, 'id'>[] {
	const pick = random(20_261_101);
	return Array.from({ length: COUNT }, (_, i) => {
		const fields: UserFields = person({
			firstName: FIRST[pick(FIRST.length)]!,
			lastName: LAST[pick(LAST.length)]!,
			email: `u${i}@corp${i % 3}.example`,
			userType: userTypes[pick(userTypes.length)]!,
			site: SITES[pick(SITES.length)]!
		});
		const createdAt = 1_000 + pick(500);
		const status = userStatuses[pick(userStatuses.length)]!;
		return {
			...fields,
			...userKeys(fields, 1),
			customerId: 1,
			status,
			hasPassword: false,
			createdAt,
			updatedAt: createdAt,
			activatedAt: status === 'Active' ? createdAt + 1 : null,
			lastLoginAt: status === 'Active' ? createdAt + pick(1_000) : 0
		};
	});
}

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

describe(`listIds over ${COUNT.toLocaleString('en')} users`, { timeout: 180_000 }, () => {
	// One database shared by the tests below (they only read), closed at the end.
	let db: RollcallDb;
	let users: UsersStore;
	let all: User[];
	const byId = new Map<number, User>();

	beforeAll(async () => {
		db = createDb(freshName('scale'));
		users = usersStore(db);
		const records = buildUsers();
		const ids = await db.users.bulkAdd(records, { allKeys: true });
		all = records.map((r, i) => ({ ...r, id: ids[i]! }));
		for (const user of all) byId.set(user.id, user);
	}, 180_000);
	afterAll(() => db.close());

	/** The expected ids: the users a predicate keeps, in the order of the given keys, ties by name key. */
	function expected(keep: (u: User) => boolean, key: (u: User) => string | number, isDescending = false) {
		const ids = all
			.filter(keep)
			.sort((a, b) => compare(key(a), key(b)) || compare(a.nameKey, b.nameKey))
			.map((u) => u.id);
		return isDescending ? ids.reverse() : ids;
	}

	it('holds every user', async () => {
		expect(await users.count()).toBe(COUNT);
		expect(await users.sites()).toEqual([...SITES].sort());
	});

	it('lists everyone alphabetically, as a person would file them', async () => {
		const ids = await users.listIds(query());
		expect(ids).toHaveLength(COUNT);
		expect(new Set(ids).size).toBe(COUNT);
		expect(ids).toEqual(
			expected(
				() => true,
				() => 0
			)
		);
		// Independent of the stored keys: neighbours are in a collator's base order, same names by email.
		const collator = new Intl.Collator('en', { sensitivity: 'base' });
		for (let i = 1; i < ids.length; i++) {
			const a = byId.get(ids[i - 1]!)!;
			const b = byId.get(ids[i]!)!;
			const order = collator.compare(`${a.firstName} ${a.lastName}`, `${b.firstName} ${b.lastName}`);
			expect(order <= 0, `${a.firstName} ${a.lastName} before ${b.firstName} ${b.lastName}`).toBe(true);
			if (order === 0) expect(a.emailKey < b.emailKey).toBe(true);
		}
	});

	it.each<[ListQuery['sort'], (u: User) => string | number]>([
		['email', (u) => u.emailKey],
		['status', (u) => u.status],
		['site', (u) => u.site],
		['lastLoginAt', (u) => u.lastLoginAt],
		['createdAt', (u) => u.createdAt]
	])('sorts by %s, both ways', async (sort, key) => {
		expect(await users.listIds(query({ sort }))).toEqual(expected(() => true, key));
		expect(await users.listIds(query({ sort, isDescending: true }))).toEqual(expected(() => true, key, true));
	});

	const starts = (value: string | undefined, term: string) => foldText(value ?? '').startsWith(term);

	it('searches by name prefix, and by two words', async () => {
		const el = expected(
			(u) => starts(u.firstName, 'el') || starts(u.lastName, 'el'),
			() => 0
		);
		expect(el.length).toBeGreaterThan(1_000);
		expect(await users.listIds(query({ search: 'El' }))).toEqual(el);

		const annSm = expected(
			(u) =>
				[u.firstName, u.lastName].some((w) => starts(w, 'ann')) &&
				[u.firstName, u.lastName].some((w) => starts(w, 'sm')),
			() => 0
		);
		expect(annSm.length).toBeGreaterThan(100);
		expect(await users.listIds(query({ search: 'ann sm' }))).toEqual(annSm);
		expect(await users.listIds(query({ search: 'u1234@' }))).toEqual([all[1_234]!.id]);
	});

	it('combines filters with a search and a sort', async () => {
		const keep = (u: User) =>
			u.status === 'Active' &&
			u.userType === 'Privileged' &&
			u.site === 'São Paulo' &&
			[u.firstName, u.lastName].some((w) => starts(w, 'el'));
		const ids = expected(keep, (u) => u.lastLoginAt, true);
		expect(ids.length).toBeGreaterThan(20);
		expect(
			await users.listIds(
				query({
					status: 'Active',
					userType: 'Privileged',
					site: 'São Paulo',
					// Not 'É' alone: every address's domain (corp0.example) has a word starting with 'e'.
					search: 'ÉL',
					sort: 'lastLoginAt',
					isDescending: true
				})
			)
		).toEqual(ids);
		expect(await users.listIds(query({ site: 'Zürich' }))).toEqual(
			expected(
				(u) => u.site === 'Zürich',
				() => 0
			)
		);
		expect(await users.listIds(query({ status: 'Suspended', sort: 'email' }))).toEqual(
			expected(
				(u) => u.status === 'Suspended',
				(u) => u.emailKey
			)
		);
	});
});
