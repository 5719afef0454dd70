import 'fake-indexeddb/auto';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { db, users } from '$lib/db';
import { defaultQuery, ReadAbandoned } from '$lib/db/users';
import { UserList, type ListTuning } from '$lib/state/user-list.svelte';
import { person } from '../db/helpers';

const FIRST_NAMES = ['Ann', 'Bea', 'Max', 'Mia'];
/** 60 users: 15 of each first name, so 30 match 'm' and 'Ann' and 'Bea' come first by name. */
const COUNT = 60;
/** Lists that count as big here: a short search shows its first matches (from 40 rows read) first. */
const BIG: Partial<ListTuning> = { headRows: 5, walkFirstFrom: 10, walkRows: 40 };

const stop: (() => void)[] = [];

beforeEach(async () => {
	await db.transaction('rw', db.users, db.lists, async () => {
		await db.users.clear();
		await db.lists.clear();
	});
	for (let i = 0; i < COUNT; i++) {
		await users.add(
			person({ firstName: FIRST_NAMES[i % 4], lastName: `Doe${i}`, email: `user${i}@example.com` })
		);
	}
});

afterEach(() => {
	for (const cleanup of stop.splice(0)) cleanup();
});

interface Seen {
	count: number;
	isSearching: boolean;
	isComplete: boolean;
}

/** A UserList alive as on a page, and every state it showed (count, 'Searching…', complete). */
function mount(tuning: Partial<ListTuning> = {}) {
	let list!: UserList;
	const seen: Seen[] = [];
	stop.push(
		$effect.root(() => {
			list = new UserList(tuning);
			$effect(() => {
				seen.push({ count: list.count, isSearching: list.isSearching, isComplete: list.isComplete });
			});
		})
	);
	flushSync();
	return { list, seen };
}

/** Waits until the list shows the whole answer to its query, with `count` users. */
async function settled(list: UserList, count: number): Promise<void> {
	await vi.waitFor(
		() => {
			flushSync();
			expect(list.isLoading || !list.isComplete).toBe(false);
			expect(list.count).toBe(count);
		},
		{ timeout: 5000, interval: 5 }
	);
}

const matchingM = async () =>
	(await db.users.toArray()).filter((u) => u.firstName!.startsWith('M')).map((u) => u.id);

describe('UserList', () => {
	it('shows a short search’s first matches in a big list, then all of them', async () => {
		const { list, seen } = mount(BIG);
		await settled(list, COUNT);
		list.query.search = 'm';
		flushSync();
		await settled(list, 30);
		const searching = seen.filter((s) => s.isSearching);
		expect(searching.length, '“Searching…” was shown').toBeGreaterThan(0);
		expect(searching.every((s) => s.count === 10 && !s.isComplete)).toBe(true);
		expect(list.ids.slice().sort((a, b) => a - b)).toEqual((await matchingM()).sort((a, b) => a - b));
	});

	it('acts on every match when “select all” is used while the first matches show', async () => {
		const { list } = mount(BIG);
		await settled(list, COUNT);
		list.query.search = 'm';
		flushSync();
		await vi.waitFor(() => expect(list.isSearching).toBe(true), { interval: 1 });
		list.selection.selectAll();
		expect(list.selectedCount, 'the count on screen is the first matches’').toBe(10);
		const ids = await list.selectedIds();
		expect(ids.slice().sort((a, b) => a - b)).toEqual((await matchingM()).sort((a, b) => a - b));
	});

	it('keeps every match on screen while a change to the users is read again', async () => {
		const { list, seen } = mount(BIG);
		await settled(list, COUNT);
		list.query.search = 'm';
		flushSync();
		await settled(list, 30);
		seen.length = 0;
		await users.add(person({ firstName: 'Moe', email: 'moe@example.com' }));
		await settled(list, 31);
		expect(seen.some((s) => s.isSearching)).toBe(false);
		expect(seen.every((s) => s.count >= 30)).toBe(true);
	});

	it('hands “select all” over to the new read when the users change while it is read', async () => {
		const { list } = mount();
		await settled(list, COUNT);
		list.query.search = 'a';
		flushSync();
		list.selection.selectAll();
		const selected = list.selectedIds();
		// Lands while the search's index range is read: that read is given up for a new one.
		const added = await users.add(person({ firstName: 'Abe', email: 'abe@example.com' }));
		flushSync();
		const ids = await selected;
		expect(ids).toContain(added.id);
		expect(ids).toHaveLength(
			(await db.users.toArray()).filter((u) => /^(ann|abe)/i.test(u.firstName!)).length
		);
	});

	it('shows the head of a big order first, then every row, and keeps the order for the next visit', async () => {
		const first = mount({ headRows: 5 });
		await settled(first.list, COUNT);
		expect(first.seen.some((s) => !s.isComplete && s.count === COUNT)).toBe(true);
		const next = mount({ headRows: 5 });
		await settled(next.list, COUNT);
		expect(next.list.ids).toEqual(first.list.ids);
		expect(
			next.seen.some((s) => !s.isComplete && s.count === COUNT),
			'no head: the kept order'
		).toBe(false);
	});

	it('finishes reading a big list while the users keep changing, then reads it again once', async () => {
		const { list, seen } = mount({ headRows: 5 });
		const id = (await db.users.toCollection().first())!.id;
		let isWriting = true;
		// Sign-ins and edits landing all the time: a read restarted on each would never finish.
		const storm = (async () => {
			for (let i = 0; isWriting; i++) await users.update(id, { jobTitle: `Title ${i}` });
		})();
		try {
			await vi.waitFor(
				() => {
					flushSync();
					expect(seen.some((s) => s.isComplete && s.count === COUNT)).toBe(true);
				},
				{ timeout: 3000, interval: 5 }
			);
		} finally {
			isWriting = false;
			await storm;
		}
		await users.add(person({ firstName: 'Zed', email: 'zed@example.com' }));
		await settled(list, COUNT + 1);
	});

	it('gives up reading an order no query wants any more', async () => {
		const abandoned = users.baseIds({ ...defaultQuery }, undefined, () => false);
		await expect(abandoned).rejects.toBeInstanceOf(ReadAbandoned);
		expect(await users.keptIds({ ...defaultQuery })).toBeUndefined();
	});
});
