import { liveQuery } from 'dexie';
import { untrack } from 'svelte';
import { users } from '$lib/db';
import { defaultQuery, type ListQuery, type SortKey, type UsersStore } from '$lib/db/users';
import { searchTerms, type User } from '$lib/domain/user';
import { currentCustomer } from './current-customer.svelte';
import { Selection } from './selection.svelte';

/** When the list shows part of itself before it is read in full (the defaults suit this machine). */
export interface ListTuning {
	/** How many ids of an order are read first, so the first screen shows before the rest are read. */
	headRows: number;
	/** From this many users, a one- or two-letter search shows its first matches before all of them. */
	walkFirstFrom: number;
	/** How many rows, in order, are read for those first matches at most. */
	walkRows: number;
}

const defaultTuning: ListTuning = { headRows: 200, walkFirstFrom: 200_000, walkRows: 2000 };

/**
 * The reads of the users table the list makes: the users module itself, except in tests, which hold a
 * read back until they have seen what the list shows meanwhile (a machine's speed must not decide it).
 */
export type ListReader = Pick<
	UsersStore,
	'onChange' | 'keptIds' | 'head' | 'rows' | 'sites' | 'baseIds' | 'firstMatches' | 'searchIds'
> &
	Partial<Pick<UsersStore, 'warmCatalog'>>;

/** A read given up for a newer query (never shown). */
class Superseded extends Error {}

interface ReadOptions {
	/** False once a newer query made this read's answer useless. */
	isWanted: () => boolean;
	/** Whether a short search may show its first matches before all of them (a new list only). */
	mayShowFirst: boolean;
}

/**
 * The Users list: its query, the ordered ids it matches (kept live across tabs), the rows of the
 * window on screen, and the selection. Create it during a component's initialisation.
 */
export class UserList {
	/** The list of the customer the page was made for (switching makes the page afresh). */
	query = $state<ListQuery>({ ...defaultQuery, customerId: currentCustomer.id });
	readonly selection = new Selection();
	#ids = $state.raw<number[]>([]);
	/** While only the head of the order is loaded: how many users the whole list has. */
	#total = $state<number | null>(null);
	/** Every id the current query matches, once read. */
	#complete: Promise<number[]> = Promise.resolve([]);
	/** While a search shows only its first matches (see #read). */
	#isPartial = $state(false);
	#isWarmed = $state(false);
	#isLoading = $state(true);
	#error = $state<string | null>(null);
	#window = $state.raw<{ from: number; to: number }>({ from: 0, to: 0 });
	/** The rows of the window last read, with the ids they were read for. */
	#loaded = $state.raw<{ ids: number[]; rows: (User | undefined)[]; from: number }>({
		ids: [],
		rows: [],
		from: 0
	});
	#sites = $state.raw<string[]>([]);
	#queryKey = '';
	/** Bumped on every change to the users table. */
	#version = $state(0);
	/** Every id per order and filters, kept between keystrokes: a search then reads only its matches. */
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache, never rendered
	#ordered = new Map<string, Promise<number[]>>();

	readonly #tuning: ListTuning;
	readonly #users: ListReader;
	/** The query of the latest read: an order no query wants any more is given up before it is read. */
	#latestQuery: ListQuery = { ...defaultQuery, customerId: currentCustomer.id };
	/** A read is running for the latest query. */
	#isReading = false;
	/** The users changed while the latest read ran: it is read again once done (see the constructor). */
	#hasPendingChange = false;
	/** False once the component that made the list is gone (nothing reads the list again then). */
	#isAlive = true;

	constructor(tuning: Partial<ListTuning> = {}, reader: ListReader = users) {
		this.#tuning = { ...defaultTuning, ...tuning };
		this.#users = reader;
		$effect(() => () => (this.#isAlive = false));
		// Any change to the users, here or in another tab, re-reads the list: the order cache is stale.
		// A read already running is not thrown away: a million ids take most of a minute to read, and the
		// relay's sign-in events alone may write every half minute, so restarting it might never end. It
		// finishes and shows, then the list is read once more for every change that came meanwhile.
		$effect(() =>
			this.#users.onChange(() => {
				this.#ordered.clear();
				if (this.#isReading) this.#hasPendingChange = true;
				else this.#version++;
			})
		);
		$effect(() => {
			const query = $state.snapshot(this.query);
			void this.#version;
			// A new search, filter or order starts a new selection; a change to the data keeps it.
			const queryKey = JSON.stringify(query);
			const isNewQuery = queryKey !== this.#queryKey;
			if (isNewQuery) untrack(() => this.selection.clear());
			this.#queryKey = queryKey;
			this.#latestQuery = query;
			this.#isReading = true;
			this.#hasPendingChange = false;
			let isCurrent = true;
			let isComplete = false;
			const key = baseKey(query);
			// A big directory's whole order takes a while (the catalogue worker sorts a million users in
			// seconds). Each list read is kept on disk until the users change (lists.ts), so most reads are one
			// record. Otherwise, for a new list, draw the first screen from the head of the order and read its
			// rows first, then every id; an update keeps the old list on screen until the new one is read.
			const isNewList = isNewQuery || untrack(() => this.#ids.length === 0);
			const isWanted = () => isCurrent && !isComplete;
			const complete = (async () => {
				if (!this.#ordered.has(key)) {
					const kept = await this.#users.keptIds(query).catch(() => undefined);
					if (kept) this.#ordered.set(key, Promise.resolve(kept));
					else if (isUnfiltered(query) && isNewList) {
						// A failure here is the full read's failure too, which reports it.
						await this.#showHead(query, isWanted).catch(() => {});
					}
				}
				return this.#read(query, { isWanted: () => isCurrent, mayShowFirst: isNewList });
			})();
			this.#complete = complete;
			/** This read is over: if the users changed meanwhile, the list is read again. */
			const done = () => {
				this.#isReading = false;
				if (this.#hasPendingChange) this.#version++;
			};
			complete.then(
				(ids) => {
					isComplete = true;
					// The list is there: the search's catalogue is read now, not at the first keystroke.
					if (!this.#isWarmed) {
						this.#isWarmed = true;
						this.#users.warmCatalog?.();
					}
					if (!isCurrent) return;
					done();
					this.#ids = ids;
					this.#total = null;
					this.#isPartial = false;
					this.#isLoading = false;
					this.#error = null;
				},
				(error: unknown) => {
					if (!isCurrent) return;
					done();
					this.#isPartial = false;
					this.#total = null;
					this.#error = error instanceof Error ? error.message : String(error);
					this.#isLoading = false;
				}
			);
			return () => (isCurrent = false);
		});
		$effect(() => {
			const { from, to } = this.#window;
			const ids = this.#ids.slice(from, to);
			const subscription = liveQuery(() => this.#users.rows(ids)).subscribe({
				next: (rows) => (this.#loaded = { ids, rows, from }),
				error: (error: unknown) => console.error('Reading rows failed', error)
			});
			return () => subscription.unsubscribe();
		});
		$effect(() => {
			// The sites come from the catalogue worker, whose first read is the whole catalogue (a million users:
			// seconds of IndexedDB's time): asked once the list is there, so the first screen's reads go first.
			if (!this.#isWarmed) return;
			const subscription = liveQuery(() => this.#users.sites(this.query.customerId)).subscribe({
				next: (sites) => (this.#sites = sites)
			});
			return () => subscription.unsubscribe();
		});
	}

	get ids(): readonly number[] {
		return this.#ids;
	}
	get count(): number {
		return this.#total ?? this.#ids.length;
	}
	/** False while only the first screen's ids are read (positions past them have no row yet). */
	get isComplete(): boolean {
		return this.#total === null && !this.#isPartial;
	}
	/** True while a search shows its first matches and reads the rest (the count is not known yet). */
	get isSearching(): boolean {
		return this.#isPartial;
	}
	get isLoading(): boolean {
		return this.#isLoading;
	}
	get error(): string | null {
		return this.#error;
	}
	get sites(): readonly string[] {
		return this.#sites;
	}
	/** Whether a search or a filter narrows the list (else it holds every user). */
	get isNarrowed(): boolean {
		return !isUnfiltered(this.query);
	}
	get selectedCount(): number {
		return this.selection.count(this.count);
	}

	/** Shows the first screen of an order before the whole order is read (while `isWanted`). */
	async #showHead(query: ListQuery, isWanted: () => boolean): Promise<void> {
		const { ids, total } = await this.#users.head(
			query.sort,
			query.isDescending,
			this.#tuning.headRows,
			query.customerId
		);
		if (!isWanted()) return;
		this.#ids = ids;
		this.#total = total;
		this.#isPartial = false;
		this.#isLoading = false;
		await this.#users.rows(ids);
	}

	#base(query: ListQuery): Promise<number[]> {
		const key = baseKey(query);
		let base = this.#ordered.get(key);
		if (!base) {
			// Shared by every search of this order and filters; given up only when the latest query is of
			// another order or filters (a read of a million ids would otherwise run on for nothing).
			const read = this.#users.baseIds(query, () => baseKey(this.#latestQuery) === key);
			this.#ordered.set(key, read);
			read.catch(() => {
				if (this.#ordered.get(key) === read) this.#ordered.delete(key);
			});
			base = read;
		}
		return base;
	}

	/**
	 * Every id the query matches. A short search in a big directory matches a large share of it, and its
	 * index range takes seconds to read: the first screen of matches is found first by reading rows in
	 * order, shown while the rest is read (the count says so meanwhile). Only for a new list
	 * (`mayShowFirst`): when the users change, the matches on screen stay until the new ones are read.
	 */
	async #read(query: ListQuery, { isWanted, mayShowFirst }: ReadOptions): Promise<number[]> {
		const base = await this.#base(query);
		const terms = searchTerms(query.search);
		if (terms.length === 0) return base;
		const { headRows, walkFirstFrom, walkRows } = this.#tuning;
		if (mayShowFirst && base.length >= walkFirstFrom && terms.every((term) => term.length < 3)) {
			const first = await this.#users.firstMatches(base, query.search, headRows, walkRows);
			if (first.isAll) return first.ids;
			if (!isWanted()) throw new Superseded();
			this.#ids = first.ids;
			this.#total = null;
			this.#isPartial = true;
			this.#isLoading = false;
		}
		const ids = await this.#users.searchIds(base, query.search, isWanted);
		if (!ids) throw new Superseded();
		return ids;
	}

	/** The user at a position of the list, once its row is loaded. */
	rowAt(index: number): User | undefined {
		const { ids, rows, from } = this.#loaded;
		const id = this.#ids[index];
		// While a new window is read, rows still in place keep showing; moved ones wait for the read.
		return id !== undefined && ids[index - from] === id ? rows[index - from] : undefined;
	}

	/** Tells the list which positions are on screen, so only those rows are read. */
	show(from: number, to: number): void {
		if (from !== this.#window.from || to !== this.#window.to) this.#window = { from, to };
	}

	sortBy(sort: SortKey): void {
		if (this.query.sort === sort) this.query.isDescending = !this.query.isDescending;
		else this.query = { ...this.query, sort, isDescending: false };
	}

	/**
	 * The selected users' ids in list order, once every id of the list is read, and read again for any
	 * change to the users that came meanwhile.
	 */
	async selectedIds(): Promise<number[]> {
		return this.selection.resolve(await this.matchingIds());
	}

	/** Every id the query matches, in list order, read as selectedIds reads them. */
	async matchingIds(): Promise<readonly number[]> {
		for (;;) {
			const complete = this.#complete;
			let ids: readonly number[];
			try {
				ids = await complete;
			} catch (error) {
				if (error instanceof Superseded && complete !== this.#complete) continue;
				throw error;
			}
			// A change to the users came while it was read: the list read again is the one to act on.
			if (complete !== this.#complete) continue;
			if (this.#hasPendingChange && this.#isAlive) {
				await new Promise((resolve) => setTimeout(resolve, 0));
				continue;
			}
			return ids;
		}
	}
}

/** Names a query's list before its search: order, direction and filters. */
function baseKey(query: ListQuery): string {
	return JSON.stringify([
		query.customerId,
		query.sort,
		query.isDescending,
		query.status,
		query.userType,
		query.site,
		query.group
	]);
}

function isUnfiltered(query: ListQuery): boolean {
	return query.search.trim() === '' && !query.status && !query.userType && !query.site && !query.group;
}
