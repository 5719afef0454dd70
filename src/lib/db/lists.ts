// The Users list's orders, kept on disk. Reading every id of an order from its index takes most of a minute
// for a million users in Chromium (it checks each index entry against its record, one request at a time),
// while one stored Float64Array of the same ids reads in tens of milliseconds. So each order (and each
// filtered order) the list reads is kept here, stamped with the directory's generation: a token that every
// write to the users table replaces, in the same transaction, through the middleware below. A list whose
// stamp is not the current token is out of date and is never used.
import {
	Dexie,
	type DBCore,
	type DBCoreMutateRequest,
	type DBCoreTable,
	type DBCoreTransaction,
	type Middleware,
	type ObservabilitySet
} from 'dexie';
import type { RollcallDb } from './database';

/** The table's name, shared by the schema and the middleware. */
export const LISTS_TABLE = 'lists';

/** The key of the row holding the current generation. */
const GENERATION_KEY = 'generation';

/** How many lists are kept; the oldest built is dropped past this (each is 8 bytes per user). */
export const MAX_KEPT_LISTS = 8;

/** One stored list, or the generation row. */
export interface ListRow {
	key: string;
	/** For a list: the generation it was read at. For the generation row: the current one. */
	generation: string;
	/** The ids in the list's ascending order. */
	ids?: Float64Array;
	/** When the list was read (ms since the epoch); the oldest goes first when too many are kept. */
	builtAt?: number;
}

/** A list read from the directory, with the generation it was read at (see listsStore.keep). */
export interface ReadList {
	ids: number[];
	generation: string;
}

/**
 * Dexie middleware: every read-write transaction that includes the users table also includes the lists
 * table, and each write to users there replaces the generation, so the lists read before become stale in
 * the same commit as the change that made them so (also in another tab, or in the import worker).
 */
export const listsMiddleware: Middleware<DBCore> = {
	stack: 'dbcore',
	name: 'rollcall-lists',
	create(down: DBCore): DBCore {
		return {
			...down,
			transaction(stores, mode, options) {
				const withLists =
					mode === 'readwrite' && stores.includes('users') && !stores.includes(LISTS_TABLE)
						? [...stores, LISTS_TABLE]
						: stores;
				return down.transaction(withLists, mode, options);
			},
			table(name: string): DBCoreTable {
				const table = down.table(name);
				if (name !== 'users') return table;
				return {
					...table,
					async mutate(request: DBCoreMutateRequest) {
						const result = await table.mutate(request);
						if (hasListsTable(request.trans)) {
							await down.table(LISTS_TABLE).mutate({
								type: 'put',
								trans: request.trans,
								values: [{ key: GENERATION_KEY, generation: newGeneration() } satisfies ListRow]
							});
						}
						return result;
					}
				};
			}
		};
	}
};

/**
 * Whether the lists table is in this transaction: not in the upgrades of schema versions before it
 * existed (a versionchange transaction covers only the stores created so far).
 */
function hasListsTable(trans: DBCoreTransaction): boolean {
	const names = (trans as Partial<IDBTransaction>).objectStoreNames;
	return names ? names.contains(LISTS_TABLE) : true;
}

/** A new generation token: the time and 64 random bits (getRandomValues also works on a plain-http origin). */
function newGeneration(): string {
	const random = crypto.getRandomValues(new Uint32Array(2));
	return [Date.now(), ...random].map((n) => n.toString(36)).join('-');
}

/** Installs the middleware and the guard below; createDb calls this before the database opens. */
export function useLists(db: Dexie): void {
	db.use(listsMiddleware);
	watchUnstampedWrites(db);
}

/**
 * Code without the middleware (a tab or import worker of a Rollcall older than the lists table, still
 * running while this one upgraded the database) writes users without replacing the generation. Dexie
 * tells every tab and worker of each committed write, naming its tables: a write to users that did not
 * also write lists was such a write, and the generation is replaced here. The write transaction starts at
 * once, so a list read after the news waits for it.
 */
function watchUnstampedWrites(db: Dexie): void {
	const users = `idb://${db.name}/users/`;
	const lists = `idb://${db.name}/${LISTS_TABLE}/`;
	Dexie.on.storagemutated.subscribe((parts: ObservabilitySet) => {
		const tables = Object.keys(parts);
		if (!tables.some((part) => part.startsWith(users))) return;
		if (tables.some((part) => part.startsWith(lists))) return;
		if (!db.isOpen()) return;
		db.table(LISTS_TABLE)
			.put({ key: GENERATION_KEY, generation: newGeneration() } satisfies ListRow)
			.catch((error: unknown) => console.warn('Marking the kept lists out of date failed', error));
	});
}

/** The lists table's module: read a kept list, keep one. */
export function listsStore(db: RollcallDb) {
	const currentGeneration = async (): Promise<string> =>
		(await db.lists.get(GENERATION_KEY))?.generation ?? '';

	return {
		/** The current generation: read it in the transaction that reads the list it will stamp. */
		currentGeneration,

		/** The kept list of `key` if it is up to date, in ascending order. */
		async find(key: string): Promise<ReadList | undefined> {
			return db.transaction('r', db.lists, async () => {
				// Only an up-to-date list's ids are read: a stale one may hold megabytes for nothing.
				const generation = await currentGeneration();
				const current = await db.lists.where('generation').equals(generation).primaryKeys();
				if (!current.includes(key)) return undefined;
				const row = await db.lists.get(key);
				if (!row?.ids) return undefined;
				return { ids: Array.from(row.ids), generation };
			});
		},

		/**
		 * Keeps a list read at `list.generation`, unless the users changed since (then it is already stale
		 * and is not kept). Drops the oldest lists past MAX_KEPT_LISTS. Returns whether it was kept.
		 */
		async keep(key: string, list: ReadList, now = Date.now()): Promise<boolean> {
			if (key === GENERATION_KEY) throw new Error(`'${GENERATION_KEY}' cannot name a list.`);
			return db.transaction('rw', db.lists, async () => {
				if ((await currentGeneration()) !== list.generation) return false;
				await db.lists.put({
					key,
					generation: list.generation,
					ids: Float64Array.from(list.ids),
					builtAt: now
				});
				// Lists of an older generation can never be used again; past the limit, the oldest built go.
				await db.lists.where('generation').notEqual(list.generation).delete();
				const byAge = await db.lists.orderBy('builtAt').primaryKeys();
				await db.lists.bulkDelete(byAge.slice(0, Math.max(0, byAge.length - MAX_KEPT_LISTS)));
				return true;
			});
		}
	};
}

export type ListsStore = ReturnType<typeof listsStore>;
