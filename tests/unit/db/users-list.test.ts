import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { usersStore, type ListQuery } from '$lib/db/users';
import type { UserType } from '$lib/domain/fields';
import type { UserStatus } from '$lib/domain/user';
import { freshDb, person, query } from './helpers';

interface Row {
	first: string;
	last: string;
	email: string;
	type: UserType;
	site: string;
	status: UserStatus;
	createdAt: number;
	lastLoginAt: number;
	username?: string;
}

/** Ten people chosen so that every sort gives a different order, with ties on name and on creation time. */
const people = {
	annJ: {
		first: 'ANN',
		last: 'jones',
		email: 'aj@corp.com',
		type: 'Standard',
		site: 'HQ',
		status: 'Pending',
		createdAt: 4,
		lastLoginAt: 0
	},
	annS: {
		first: 'Ann',
		last: 'Smith',
		email: 'smith.ann@corp.com',
		type: 'Privileged',
		site: 'Leeds',
		status: 'Active',
		createdAt: 3,
		lastLoginAt: 300
	},
	bob: {
		first: 'Bob',
		last: 'Smith',
		email: 'bob@corp.com',
		type: 'Standard',
		site: 'Leeds',
		status: 'Suspended',
		createdAt: 8,
		lastLoginAt: 100
	},
	chrisB: {
		first: 'Chris',
		last: 'Lee',
		email: 'chris.b@corp.com',
		type: 'Standard',
		site: 'HQ',
		status: 'Pending',
		createdAt: 1,
		lastLoginAt: 0
	},
	chrisA: {
		first: 'Chris',
		last: 'Lee',
		email: 'chris.a@corp.com',
		type: 'Standard',
		site: 'HQ',
		status: 'Pending',
		createdAt: 1,
		lastLoginAt: 0
	},
	eddie: {
		first: 'eddie',
		last: 'Brown',
		email: 'eb@corp.com',
		type: 'Privileged',
		site: 'Paris',
		status: 'Active',
		createdAt: 2,
		lastLoginAt: 500
	},
	elodie: {
		first: 'Élodie',
		last: 'Martin',
		email: 'elodie@corp.com',
		type: 'Standard',
		site: 'Paris',
		status: 'Pending',
		createdAt: 7,
		lastLoginAt: 0
	},
	emma: {
		first: 'Emma',
		last: 'Stone',
		email: 'emma@corp.com',
		type: 'Standard',
		site: 'HQ',
		status: 'Active',
		createdAt: 4,
		lastLoginAt: 200
	},
	oystein: {
		first: 'Øystein',
		last: 'Berg',
		email: 'ob@corp.com',
		type: 'Privileged',
		site: 'HQ',
		status: 'Pending',
		createdAt: 6,
		lastLoginAt: 0
	},
	zoe: {
		first: 'zoë',
		last: 'Adams',
		email: 'za@corp.com',
		type: 'Standard',
		site: 'Leeds',
		status: 'Active',
		createdAt: 10,
		lastLoginAt: 400,
		username: 'ZAdams'
	}
} satisfies Record<string, Row>;

type Name = keyof typeof people;

/** A database holding the ten people, and a helper that reads listIds as their names. */
async function directory() {
	const db = freshDb('list');
	const users = usersStore(db);
	const ids = new Map<number, Name>();
	// Added in an order unlike any sort, so the id order cannot pass for a sorted one.
	for (const name of [
		'emma',
		'bob',
		'zoe',
		'chrisB',
		'annS',
		'oystein',
		'chrisA',
		'elodie',
		'annJ',
		'eddie'
	] as Name[]) {
		const p: Row = people[name];
		const user = await users.add(
			person({
				firstName: p.first,
				lastName: p.last,
				email: p.email,
				userType: p.type,
				site: p.site,
				username: p.username
			}),
			{ now: p.createdAt }
		);
		ids.set(user.id, name);
		if (p.status === 'Active')
			await db.users.update(user.id, { status: 'Active', activatedAt: 1, lastLoginAt: p.lastLoginAt });
		else await db.users.update(user.id, { lastLoginAt: p.lastLoginAt });
		if (p.status === 'Suspended') await users.setSuspended([user.id], true);
	}
	const list = async (changes: Partial<ListQuery> = {}) =>
		(await users.listIds(query(changes))).map((id) => ids.get(id));
	const idOf = (name: Name) => [...ids].find(([, n]) => n === name)![0];
	return { db, users, list, idOf };
}

const byName: Name[] = [
	'annJ',
	'annS',
	'bob',
	'chrisA',
	'chrisB',
	'eddie',
	'elodie',
	'emma',
	'oystein',
	'zoe'
];

describe('listIds order', () => {
	it('is alphabetical by default: case and accents folded, same names ordered by email', async () => {
		const { list } = await directory();
		expect(await list()).toEqual(byName);
	});

	it('files Élodie between Eddie and Emma', async () => {
		const { list } = await directory();
		const names = await list();
		expect(names.indexOf('eddie')).toBe(names.indexOf('elodie') - 1);
		expect(names.indexOf('emma')).toBe(names.indexOf('elodie') + 1);
	});

	it('reverses when descending', async () => {
		const { list } = await directory();
		expect(await list({ isDescending: true })).toEqual([...byName].reverse());
	});

	it.each<[ListQuery['sort'], Name[]]>([
		['email', ['annJ', 'bob', 'chrisA', 'chrisB', 'eddie', 'elodie', 'emma', 'oystein', 'annS', 'zoe']],
		['status', ['annS', 'eddie', 'emma', 'zoe', 'annJ', 'chrisA', 'chrisB', 'elodie', 'oystein', 'bob']],
		['userType', ['annS', 'eddie', 'oystein', 'annJ', 'bob', 'chrisA', 'chrisB', 'elodie', 'emma', 'zoe']],
		['site', ['annJ', 'chrisA', 'chrisB', 'emma', 'oystein', 'annS', 'bob', 'zoe', 'eddie', 'elodie']],
		['lastLoginAt', ['annJ', 'chrisA', 'chrisB', 'elodie', 'oystein', 'bob', 'emma', 'annS', 'zoe', 'eddie']],
		['createdAt', ['chrisA', 'chrisB', 'eddie', 'annS', 'annJ', 'emma', 'oystein', 'elodie', 'bob', 'zoe']]
	])('sorts by %s with the name breaking ties, both ways', async (sort, expected) => {
		const { list } = await directory();
		expect(await list({ sort })).toEqual(expected);
		expect(await list({ sort, isDescending: true })).toEqual([...expected].reverse());
	});
});

describe('head', () => {
	it.each<ListQuery['sort']>(['name', 'email', 'status', 'userType', 'site', 'lastLoginAt', 'createdAt'])(
		'gives the first ids of the %s order, both ways, and how many there are in all',
		async (sort) => {
			const { users } = await directory();
			for (const isDescending of [false, true]) {
				const all = await users.orderedIds(sort, isDescending);
				expect(all).toHaveLength(10);
				expect(await users.head(sort, isDescending, 4)).toEqual({ ids: all.slice(0, 4), total: 10 });
				expect(await users.head(sort, isDescending, 50)).toEqual({ ids: all, total: 10 });
			}
		}
	);
});

describe('listIds search', () => {
	it.each<[string, Name[]]>([
		['ann', ['annJ', 'annS']],
		['ANN', ['annJ', 'annS']],
		['sm', ['annS', 'bob']],
		['jo', ['annJ']],
		['ann sm', ['annS']],
		['  sm   ann ', ['annS']],
		['chris lee', ['chrisA', 'chrisB']],
		['chris.a', ['chrisA']],
		['smith.ann@', ['annS']],
		['eb@corp.com', ['eddie']],
		['zadams', ['zoe']],
		['zad', ['zoe']],
		['zoe', ['zoe']],
		['elo', ['elodie']],
		['ÉLODIE', ['elodie']],
		['oy', ['oystein']],
		['ann jones smith', []],
		['nobody', []],
		['', byName],
		['   ', byName]
	])('%j finds %j', async (search, expected) => {
		const { list } = await directory();
		expect(await list({ search })).toEqual(expected);
	});

	it('keeps the sort order among the matches', async () => {
		const { list } = await directory();
		expect(await list({ search: 'chris', isDescending: true })).toEqual(['chrisB', 'chrisA']);
		expect(await list({ search: 'smith', sort: 'lastLoginAt' })).toEqual(['bob', 'annS']);
		expect(await list({ search: 'e', sort: 'email' })).toEqual(['eddie', 'elodie', 'emma']);
	});
});

describe('listIds filters', () => {
	it.each<[Partial<ListQuery>, Name[]]>([
		[{ status: 'Active' }, ['annS', 'eddie', 'emma', 'zoe']],
		[{ status: 'Suspended' }, ['bob']],
		[{ userType: 'Privileged' }, ['annS', 'eddie', 'oystein']],
		[{ site: 'Leeds' }, ['annS', 'bob', 'zoe']],
		[{ site: 'leeds' }, []],
		[{ site: 'Nowhere' }, []],
		[{ userType: 'Privileged', site: 'Paris' }, ['eddie']],
		[{ status: 'Pending', userType: 'Standard', site: 'HQ' }, ['annJ', 'chrisA', 'chrisB']],
		[{ site: 'HQ', search: 'chris' }, ['chrisA', 'chrisB']],
		[{ status: 'Active', search: 'ann' }, ['annS']],
		[{ status: 'Active', search: 'e' }, ['eddie', 'emma']],
		[
			{
				status: 'Pending',
				userType: 'Standard',
				site: 'HQ',
				search: 'lee',
				sort: 'email',
				isDescending: true
			},
			['chrisB', 'chrisA']
		],
		[{ site: 'Leeds', sort: 'lastLoginAt' }, ['bob', 'annS', 'zoe']],
		[{ status: 'Suspended', search: 'ann' }, []]
	])('%j gives %j', async (changes, expected) => {
		const { list } = await directory();
		expect(await list(changes)).toEqual(expected);
	});
});

describe('count, sites and rows', () => {
	it('counts every user and lists each site once, sorted', async () => {
		const { users, idOf } = await directory();
		expect(await users.count()).toBe(10);
		expect(await users.sites()).toEqual(['HQ', 'Leeds', 'Paris']);
		await users.remove([idOf('eddie'), idOf('elodie')]);
		expect(await users.count()).toBe(8);
		expect(await users.sites()).toEqual(['HQ', 'Leeds']);
	});

	it('gives rows in the order asked, undefined for one deleted meanwhile', async () => {
		const { users, idOf } = await directory();
		const ids = [idOf('zoe'), idOf('annJ'), idOf('bob')];
		await users.remove([idOf('annJ')]);
		const rows = await users.rows(ids);
		expect(rows.map((r) => r?.email)).toEqual(['za@corp.com', undefined, 'bob@corp.com']);
	});

	it('follows writes: an added, renamed or removed user moves in the list', async () => {
		const { users, list, idOf } = await directory();
		await users.update(idOf('zoe'), { firstName: 'Aaron', displayName: undefined });
		expect((await list())[0]).toBe('zoe');
		await users.remove([idOf('annJ')]);
		expect(await list({ search: 'ann' })).toEqual(['annS']);
		expect(await users.listIds(query({ search: 'aaron' }))).toEqual([idOf('zoe')]);
	});
});
