// The directory's catalogue: what the Users list sorts, filters, counts and searches by, for every user, kept
// in a few hundred compact records (CATALOG_CHUNK users each, column by column) instead of IndexedDB index
// entries. An index entry costs about as much to write as a tenth of the user record itself, and a list
// needs a dozen (an order per sortable column, a word per search term): a 100,000-user import spent most
// of its time writing them. The catalogue is one record write per CATALOG_CHUNK users written, and reads
// whole in a second for a million users, into the catalogue worker (catalog-index.ts), which answers from
// memory. The middleware below keeps it in the same transaction as every write to users, whoever writes
// (the form, an import, a restore, an upgrade, another tab), so it can never disagree with the users table.
import {
	Dexie,
	type DBCore,
	type DBCoreMutateRequest,
	type DBCoreMutateResponse,
	type DBCoreTable,
	type DBCoreTransaction,
	type Middleware,
	type ObservabilitySet,
	type Table
} from 'dexie';
import type { User } from '$lib/domain/user';

/** The table's name, shared by the schema and the middleware. */
export const CATALOG_TABLE = 'catalog';

/** Users per catalogue record: by id, so a user's record never moves (ids are never reused). */
export const CATALOG_CHUNK = 512;

/** The key of the census record: what each chunk holds, in brief (see Census). */
export const CENSUS_KEY = -1;

/** What the catalogue keeps of each user, besides the id: the keys the list sorts, filters and searches by. */
export const CATALOG_COLUMNS = [
	'customerId',
	'nameKey',
	'emailKey',
	'status',
	'userType',
	'site',
	'lastLoginAt',
	'createdAt',
	'groupKeys',
	'searchText'
] as const;

export type CatalogColumn = (typeof CATALOG_COLUMNS)[number];

/** One user in the catalogue. groupKeys are joined by GROUP_SEPARATOR: one string, not an array each. */
export interface CatalogEntry {
	id: number;
	customerId: number;
	nameKey: string;
	emailKey: string;
	status: string;
	userType: string;
	site: string;
	lastLoginAt: number;
	createdAt: number;
	groupKeys: string;
	searchText: string;
}

/** Between two group keys of an entry (a key never holds it: names are folded text). */
export const GROUP_SEPARATOR = '\u0001';

/** One catalogue record: the users whose ids fall in its chunk, ascending, column by column. */
export type CatalogChunk = { chunk: number; ids: number[] } & { [K in CatalogColumn]: CatalogEntry[K][] };

/** Per chunk: a stamp replaced at each write (a reader reloads a chunk whose stamp changed) and its users per customer. */
export interface ChunkSummary {
	stamp: string;
	counts: Record<number, number>;
}

/** The census record: every chunk's summary. One small read says how many users each customer has. */
export interface Census {
	chunk: typeof CENSUS_KEY;
	chunks: Record<number, ChunkSummary>;
}

export type CatalogRow = CatalogChunk | Census;

/**
 * How many users the census counts: of one customer, or ('') of every customer. One small record read,
 * where the users table's count() walks every record (seconds for a million, holding back every other
 * read of the database meanwhile).
 */
export async function censusCount(catalog: Table, customerId: number | ''): Promise<number> {
	const census = (await catalog.get(CENSUS_KEY)) as Census | undefined;
	let total = 0;
	for (const { counts } of Object.values(census?.chunks ?? {})) {
		if (customerId === '') for (const count of Object.values(counts)) total += count;
		else total += counts[customerId] ?? 0;
	}
	return total;
}

export const chunkOf = (id: number) => Math.floor(id / CATALOG_CHUNK);

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** A stored user's catalogue entry (its id given apart: an added record may not carry it yet). */
export function entryOf(id: number, user: Partial<Record<keyof User, unknown>>): CatalogEntry {
	return {
		id,
		customerId: number(user.customerId),
		nameKey: text(user.nameKey),
		emailKey: text(user.emailKey),
		status: text(user.status),
		userType: text(user.userType),
		site: text(user.site),
		lastLoginAt: number(user.lastLoginAt),
		createdAt: number(user.createdAt),
		groupKeys: Array.isArray(user.groupKeys) ? user.groupKeys.join(GROUP_SEPARATOR) : '',
		searchText: text(user.searchText)
	};
}

/** The entries of a catalogue record, in id order. */
export function entriesOf(row: CatalogChunk): CatalogEntry[] {
	return row.ids.map((id, i) => {
		const entry = { id } as Record<string, unknown>;
		for (const column of CATALOG_COLUMNS) entry[column] = row[column][i];
		return entry as unknown as CatalogEntry;
	});
}

/** A catalogue record of entries (sorted by id here). */
export function chunkRow(chunk: number, entries: CatalogEntry[]): CatalogChunk {
	const sorted = entries.slice().sort((a, b) => a.id - b.id);
	const row = { chunk, ids: sorted.map((entry) => entry.id) } as Record<string, unknown>;
	for (const column of CATALOG_COLUMNS) row[column] = sorted.map((entry) => entry[column]);
	return row as unknown as CatalogChunk;
}

/** How many users of each customer a record holds. */
export function countsOf(row: CatalogChunk): Record<number, number> {
	const counts: Record<number, number> = {};
	for (const customerId of row.customerId) counts[customerId] = (counts[customerId] ?? 0) + 1;
	return counts;
}

/** What one write did to the users: entries put (added or replaced) and ids deleted. */
export interface CatalogChange {
	put: CatalogEntry[];
	deleted: number[];
}

/**
 * A record after a change to its users: put entries replace those of their id or join, deleted ids leave.
 * Undefined once it holds no one.
 */
export function changedChunk(
	chunk: number,
	row: CatalogChunk | undefined,
	put: readonly CatalogEntry[],
	deleted: readonly number[]
): CatalogChunk | undefined {
	const byId = new Map((row ? entriesOf(row) : []).map((entry) => [entry.id, entry]));
	for (const id of deleted) byId.delete(id);
	for (const entry of put) byId.set(entry.id, entry);
	return byId.size === 0 ? undefined : chunkRow(chunk, [...byId.values()]);
}

/** A new stamp: the time and 64 random bits (getRandomValues also works on a plain-http origin). */
function newStamp(): string {
	const random = crypto.getRandomValues(new Uint32Array(2));
	return [Date.now(), ...random].map((n) => n.toString(36)).join('-');
}

/** The chunks a key range of ids covers, among those the census knows. */
function chunksIn(census: Census, lower: unknown, upper: unknown): number[] {
	const low = typeof lower === 'number' ? chunkOf(lower) : -Infinity;
	const high = typeof upper === 'number' ? chunkOf(upper) : Infinity;
	return Object.keys(census.chunks)
		.map(Number)
		.filter((chunk) => chunk >= low && chunk <= high);
}

/** Dexie's DBCoreRangeType (a const enum, not importable here): Any is a clear()'s range, Never no key's. */
const ANY_RANGE = 3;
const NEVER_RANGE = 4;

type KeyRange = Extract<DBCoreMutateRequest, { type: 'deleteRange' }>['range'];

/**
 * Whether an id is in a key range, as IndexedDB orders keys: every number before any other key, so a bound
 * that is not a number (Dexie.maxKey is an array) lies above every id.
 */
function inRange(id: number, range: KeyRange): boolean {
	const lower: unknown = range.lower;
	const upper: unknown = range.upper;
	if ((range.type as number) === NEVER_RANGE) return false;
	const isAboveLower =
		lower === undefined || (typeof lower === 'number' && (range.lowerOpen ? id > lower : id >= lower));
	const isBelowUpper =
		upper === undefined || typeof upper !== 'number' || (range.upperOpen ? id < upper : id <= upper);
	return isAboveLower && isBelowUpper;
}

/**
 * What the middleware knows of the catalogue in one transaction, from its last write there: the census and
 * the records that write touched, as they stand in the transaction. An import writes its users in batches
 * of one transaction: each batch then reads nothing it or the batch before wrote (the census, the record a
 * batch left half filled), where reading them back cost as much as writing them.
 */
interface Known {
	census: Census;
	rows: Map<number, CatalogChunk | undefined>;
}

/**
 * Applies one users write to the catalogue, in its transaction: reads the census and the records it
 * touches (those `known` does not hold), writes them back changed, and returns what it now knows. A
 * deleteRange (a clear, or a range of ids) is resolved to ids here.
 */
async function applyWrite(
	down: DBCore,
	request: DBCoreMutateRequest,
	response: DBCoreMutateResponse,
	known: Known | undefined
): Promise<Known> {
	const catalog = down.table(CATALOG_TABLE);
	const trans = request.trans;
	const census = known?.census ??
		((await catalog.get({ trans, key: CENSUS_KEY })) as Census | undefined) ?? {
			chunk: CENSUS_KEY,
			chunks: {}
		};
	const held = new Map(known?.rows);
	// The chunks of these that `held` lacks. Every await here is on a request itself: Dexie keeps the
	// transaction's zone across those only, and the middleware below needs it (a plain await loses it).
	const lacking = (chunks: readonly number[]) => chunks.filter((chunk) => !held.has(chunk));
	const hold = (chunks: readonly number[], rows: readonly unknown[]) =>
		chunks.forEach((chunk, i) => held.set(chunk, rows[i] as CatalogChunk | undefined));
	const put = new Map<number, CatalogEntry[]>();
	const deleted = new Map<number, number[]>();
	const add = <T>(map: Map<number, T[]>, id: number, item: T) => {
		const chunk = chunkOf(id);
		const list = map.get(chunk);
		if (list) list.push(item);
		else map.set(chunk, [item]);
	};
	const failed = (i: number) => response.failures[i] !== undefined;
	if (request.type === 'add' || request.type === 'put') {
		request.values.forEach((value, i) => {
			const id = response.results?.[i] as unknown;
			if (failed(i) || typeof id !== 'number') return;
			add(put, id, entryOf(id, value as Partial<Record<keyof User, unknown>>));
		});
	} else if (request.type === 'delete') {
		request.keys.forEach((id: unknown, i) => {
			if (!failed(i) && typeof id === 'number') add(deleted, id, id);
		});
	} else {
		const { range } = request;
		const chunks = chunksIn(census, range.lower, range.upper);
		const missing = lacking(chunks);
		if (missing.length > 0) hold(missing, await catalog.getMany({ trans, keys: missing }));
		for (const row of chunks.map((chunk) => held.get(chunk))) {
			for (const id of row?.ids ?? [])
				if ((range.type as number) === ANY_RANGE || inRange(id, range)) add(deleted, id, id);
		}
	}
	const touched = [...new Set([...put.keys(), ...deleted.keys()])];
	// The census is written even when no chunk changes (a range that held no one): every users write that
	// went through here writes the catalogue, which is how watchUncataloguedWrites knows those that did not.
	if (touched.length === 0) {
		await catalog.mutate({ type: 'put', trans, values: [census] });
		return { census, rows: new Map() };
	}
	const missing = lacking(touched);
	if (missing.length > 0) hold(missing, await catalog.getMany({ trans, keys: missing }));
	const rows = touched.map((chunk) => held.get(chunk));
	const written: CatalogChunk[] = [];
	const emptied: number[] = [];
	// Only the records this write touched are kept: the next batch of an import goes on in the last one.
	const now = new Map<number, CatalogChunk | undefined>();
	touched.forEach((chunk, i) => {
		const row = changedChunk(chunk, rows[i], put.get(chunk) ?? [], deleted.get(chunk) ?? []);
		now.set(chunk, row);
		if (row) {
			written.push(row);
			census.chunks[chunk] = { stamp: newStamp(), counts: countsOf(row) };
		} else {
			emptied.push(chunk);
			delete census.chunks[chunk];
		}
	});
	if (written.length > 0) await catalog.mutate({ type: 'put', trans, values: written });
	if (emptied.length > 0) await catalog.mutate({ type: 'delete', trans, keys: emptied });
	await catalog.mutate({ type: 'put', trans, values: [census] });
	return { census, rows: now };
}

/**
 * The whole catalogue of these users (its records and census), for a writer that bypasses Dexie and so the
 * middleware: a restore adding rows to the object stores itself, the benchmark's seeding.
 */
export function catalogOf(
	users: Iterable<Partial<Record<keyof User, unknown>> & { id: number }>
): CatalogRow[] {
	const byChunk = new Map<number, CatalogEntry[]>();
	for (const user of users) {
		const chunk = chunkOf(user.id);
		const entries = byChunk.get(chunk) ?? [];
		entries.push(entryOf(user.id, user));
		byChunk.set(chunk, entries);
	}
	const census: Census = { chunk: CENSUS_KEY, chunks: {} };
	const rows: CatalogRow[] = [];
	for (const [chunk, entries] of byChunk) {
		const row = chunkRow(chunk, entries);
		rows.push(row);
		census.chunks[chunk] = { stamp: newStamp(), counts: countsOf(row) };
	}
	return [...rows, census];
}

/** Whether the catalogue is in this transaction: not in upgrades of versions before it existed. */
function hasCatalog(trans: DBCoreTransaction): boolean {
	const names = (trans as Partial<IDBTransaction>).objectStoreNames;
	return names ? names.contains(CATALOG_TABLE) : true;
}

/**
 * Dexie middleware: every read-write transaction that includes users also includes the catalogue, and each
 * write to users changes it there. The writes of one transaction are applied one after another (a chain
 * per transaction): two puts at once must not both read a record and the second overwrite the first. Each
 * link hands the next what it knows of the catalogue (Known); a link that failed hands on nothing (the
 * next reads again), and so does a write to the catalogue by anyone else in the transaction.
 */
export const catalogMiddleware: Middleware<DBCore> = {
	stack: 'dbcore',
	name: 'rollcall-catalog',
	create(down: DBCore): DBCore {
		const chains = new WeakMap<DBCoreTransaction, Promise<Known | undefined>>();
		const forget = (trans: DBCoreTransaction) => {
			const before = chains.get(trans);
			if (before)
				chains.set(
					trans,
					before.then(() => undefined)
				);
		};
		return {
			...down,
			transaction(stores, mode, options) {
				const withCatalog =
					mode === 'readwrite' && stores.includes('users') && !stores.includes(CATALOG_TABLE)
						? [...stores, CATALOG_TABLE]
						: stores;
				return down.transaction(withCatalog, mode, options);
			},
			table(name: string): DBCoreTable {
				const table = down.table(name);
				if (name === CATALOG_TABLE) {
					return {
						...table,
						mutate(request: DBCoreMutateRequest) {
							forget(request.trans);
							return table.mutate(request);
						}
					};
				}
				if (name !== 'users') return table;
				return {
					...table,
					async mutate(request: DBCoreMutateRequest) {
						const response = await table.mutate(request);
						if (!hasCatalog(request.trans)) return response;
						const before = chains.get(request.trans) ?? Promise.resolve(undefined);
						const applied = before.then((known) => applyWrite(down, request, response, known));
						chains.set(
							request.trans,
							applied.catch(() => undefined)
						);
						await applied;
						return response;
					}
				};
			}
		};
	}
};

/** Installs the middleware and the guard below; createDb calls this before the database opens. */
export function useCatalog(db: Dexie): void {
	db.use(catalogMiddleware);
	watchUncataloguedWrites(db);
}

/**
 * Code without the middleware (a tab or worker of a Rollcall older than the catalogue, still running while
 * this one upgraded the database) writes users without changing the catalogue. Dexie tells every tab and
 * worker of each committed write, naming its tables: a write to users that did not also write the
 * catalogue was such a write, and the catalogue is made again from every user, in one transaction with
 * them (so no write lands between the read and the catalogue). Rare, and as costly as a restore's.
 */
function watchUncataloguedWrites(db: Dexie): void {
	const users = `idb://${db.name}/users/`;
	const catalog = `idb://${db.name}/${CATALOG_TABLE}/`;
	Dexie.on.storagemutated.subscribe((parts: ObservabilitySet) => {
		const tables = Object.keys(parts);
		if (!tables.some((part) => part.startsWith(users))) return;
		if (tables.some((part) => part.startsWith(catalog))) return;
		if (!db.isOpen()) return;
		const [usersTable, catalogTable] = [db.table('users'), db.table(CATALOG_TABLE)];
		db.transaction('rw', usersTable, catalogTable, async () => {
			const rows = catalogOf((await usersTable.toArray()) as (Partial<User> & { id: number })[]);
			await catalogTable.clear();
			await catalogTable.bulkAdd(rows);
		}).catch((error: unknown) => console.warn('Making the catalogue of the users again failed', error));
	});
}
