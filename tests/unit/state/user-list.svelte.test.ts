import 'fake-indexeddb/auto';
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { db, users } from '$lib/db';
import { defaultQuery, ReadAbandoned } from '$lib/db/users';
import { UserList, type ListReader, type ListTuning } from '$lib/state/user-list.svelte';
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

/**
 * A point a read of the users waits at until the test opens it. The list's in-between states (the first
 * matches while the rest are read) last only as long as a read: held here, not raced, so that neither a
 * busy machine nor a fast one can pass them before the test has looked.
 */
function gate() {
	let reach!: () => void;
	let open!: () => void;
	const reached = new Promise<void>((resolve) => (reach = resolve));
	const opened = new Promise<void>((resolve) => (open = resolve));
	return {
		/** Resolves once a read waits here (and the list shows what it shows meanwhile). */
		reached,
		/** Lets every read waiting here, and every later one, go on. */
		open,
		pass: () => {
			reach();
			return opened;
		}
	};
}
type Gate = ReturnType<typeof gate>;

/** What a test watches or holds back of the list's reads (see reader). */
interface Hooks {
	/** Holds every full read of an order before it starts. */
	baseIds?: Gate;
	/** Holds every full read of a search once read: its answer, handed back late, may be out of date. */
	searchIds?: Gate;
	/** Told once the list has heard of a change to the users. */
	changed?: () => void;
	/** Told as a full read of an order starts. */
	onRead?: () => void;
	/** Told when the list asks for the sites. */
	onSites?: () => void;
	/** Runs while a full read of an order is under way: after the list asked for it, before it is answered. */
	duringRead?: () => Promise<void>;
}

/** The users module as the list reads it, with the hooks a test gives. */
function reader(hold: Hooks = {}): ListReader {
	return {
		onChange: (listener) =>
			users.onChange(() => {
				listener();
				hold.changed?.();
			}),
		keptIds: (query) => users.keptIds(query),
		head: (...args) => users.head(...args),
		rows: (ids) => users.rows(ids),
		sites: () => {
			hold.onSites?.();
			return users.sites();
		},
		firstMatches: (...args) => users.firstMatches(...args),
		baseIds: async (query, isWanted) => {
			hold.onRead?.();
			await hold.baseIds?.pass();
			await hold.duringRead?.();
			return users.baseIds(query, isWanted);
		},
		searchIds: async (...args) => {
			const ids = await users.searchIds(...args);
			await hold.searchIds?.pass();
			return ids;
		}
	};
}

interface Seen {
	count: number;
	isSearching: boolean;
	isComplete: boolean;
}

/** A UserList alive as on a page, and every state it showed (count, 'Searching…', complete). */
function mount(tuning: Partial<ListTuning> = {}, reads: ListReader = reader()) {
	let list!: UserList;
	const seen: Seen[] = [];
	stop.push(
		$effect.root(() => {
			list = new UserList(tuning, reads);
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
		const search = gate();
		const { list, seen } = mount(BIG, reader({ searchIds: search }));
		await settled(list, COUNT);
		list.query.search = 'm';
		flushSync();
		await search.reached;
		flushSync();
		expect(seen.at(-1), 'the first matches, while the rest are read').toEqual({
			count: 10,
			isSearching: true,
			isComplete: false
		});
		search.open();
		await settled(list, 30);
		const searching = seen.filter((s) => s.isSearching);
		expect(searching.every((s) => s.count === 10 && !s.isComplete)).toBe(true);
		expect(list.ids.slice().sort((a, b) => a - b)).toEqual((await matchingM()).sort((a, b) => a - b));
	});

	it('acts on every match when “select all” is used while the first matches show', async () => {
		const search = gate();
		const { list } = mount(BIG, reader({ searchIds: search }));
		await settled(list, COUNT);
		list.query.search = 'm';
		flushSync();
		await search.reached;
		flushSync();
		expect(list.isSearching).toBe(true);
		list.selection.selectAll();
		expect(list.selectedCount, 'the count on screen is the first matches’').toBe(10);
		const selected = list.selectedIds();
		search.open();
		const ids = await selected;
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
		const search = gate();
		let heard!: () => void;
		const changed = new Promise<void>((resolve) => (heard = resolve));
		const { list } = mount({}, reader({ searchIds: search, changed: () => heard() }));
		await settled(list, COUNT);
		list.query.search = 'a';
		flushSync();
		list.selection.selectAll();
		const selected = list.selectedIds();
		// Lands after the search was read, before its answer is handed back: that answer lacks Abe, so the
		// list is read again for the change, and 'select all' acts on that read.
		await search.reached;
		const added = await users.add(person({ firstName: 'Abe', email: 'abe@example.com' }));
		await changed;
		search.open();
		const ids = await selected;
		expect(ids).toContain(added.id);
		expect(ids).toHaveLength(
			(await db.users.toArray()).filter((u) => /^(ann|abe)/i.test(u.firstName!)).length
		);
	});

	it('shows the head of a big order first, then every row, and keeps the order for the next visit', async () => {
		const order = gate();
		const first = mount({ headRows: 5 }, reader({ baseIds: order }));
		await order.reached;
		flushSync();
		expect(first.seen.at(-1), 'the head, while the whole order is read').toEqual({
			count: COUNT,
			isSearching: false,
			isComplete: false
		});
		expect(first.list.ids).toHaveLength(5);
		order.open();
		await settled(first.list, COUNT);
		const next = mount({ headRows: 5 });
		await settled(next.list, COUNT);
		expect(next.list.ids).toEqual(first.list.ids);
		expect(
			next.seen.some((s) => !s.isComplete && s.count === COUNT),
			'no head: the kept order'
		).toBe(false);
	});

	it('asks for the sites only once the list is read: the catalogue’s first read waits for the first screen', async () => {
		const order = gate();
		let asked = 0;
		const { list } = mount({ headRows: 5 }, reader({ baseIds: order, onSites: () => asked++ }));
		await order.reached;
		flushSync();
		expect(list.ids, 'the first screen').toHaveLength(5);
		expect(asked, 'no sites while the order is read').toBe(0);
		order.open();
		await settled(list, COUNT);
		await vi.waitFor(() => {
			flushSync();
			expect(list.sites).toEqual(['HQ']);
		});
		expect(asked).toBe(1);
	});

	it('finishes reading a big list while the users keep changing, then reads it again once', async () => {
		const id = (await db.users.toCollection().first())!.id;
		let reads = 0;
		let heard = 0;
		let writes = 0;
		const { list, seen } = mount(
			{ headRows: 5 },
			reader({
				onRead: () => reads++,
				changed: () => heard++,
				// Sign-ins and edits landing all the time: changes the list hears while every read of the order
				// runs, so that a read restarted on each would never finish. Past three reads the writes stop, so
				// that such a list fails the count below rather than running on.
				duringRead: async () => {
					for (let i = 0; i < 3; i++) {
						if (reads > 3 || seen.some((s) => s.isComplete && s.count === COUNT)) return;
						const before = heard;
						await users.update(id, { jobTitle: `Title ${writes++}` });
						await vi.waitFor(() => expect(heard).toBeGreaterThan(before));
					}
				}
			})
		);
		await vi.waitFor(() => {
			flushSync();
			expect(seen.some((s) => s.isComplete && s.count === COUNT)).toBe(true);
		});
		// The list read again for the changes may have started as the first read showed.
		expect(reads, 'the order was read once, not again for each change').toBeLessThanOrEqual(2);
		expect(writes, 'changes landed while the order was read').toBe(3);
		await users.add(person({ firstName: 'Zed', email: 'zed@example.com' }));
		await settled(list, COUNT + 1);
	});

	it('gives up reading an order no query wants any more', async () => {
		const abandoned = users.baseIds({ ...defaultQuery }, () => false);
		await expect(abandoned).rejects.toBeInstanceOf(ReadAbandoned);
		expect(await users.keptIds({ ...defaultQuery })).toBeUndefined();
	});
});
