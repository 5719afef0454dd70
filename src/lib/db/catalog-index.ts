// The catalogue in memory (catalog.ts keeps it on disk): the Users list's orders, filters, searches and
// sites, answered from columns held here. In the app this runs in the catalogue worker (catalog-worker.ts),
// so sorting a million names never holds the page; tests run it in-process over fake-indexeddb.
// Before each answer it reads the census (one small record) and reloads only the chunks whose stamp changed.
import type { SortKey } from './users';
import { Dexie } from 'dexie';
import {
	CATALOG_COLUMNS,
	CATALOG_TABLE,
	CENSUS_KEY,
	GROUP_SEPARATOR,
	type CatalogChunk,
	type CatalogEntry,
	type Census
} from './catalog';
import { INNER_START, isInfixTerm, textMatches, WORD_START } from '$lib/domain/search-match';

/** What an order is asked for by: the list's sort and filters ('' for none; the customer too). */
export interface CatalogQuery {
	customerId: number | '';
	sort: SortKey;
	isDescending: boolean;
	status: string;
	userType: string;
	site: string;
	/** A group's key within its customer (memberKey). */
	group: string;
}

/** The catalogue's answers, in the worker or in-process. Ids come as Float64Arrays (transferred whole). */
export interface CatalogApi {
	/** The ids of the users the query's filters keep, in its order. */
	order(query: CatalogQuery): Promise<Float64Array>;
	/** The ids (ascending) of the users matching every term (folded: searchTerms) within the customer. */
	matching(terms: string[], customerId: number | ''): Promise<Float64Array>;
	/** Every site in use (by the customer's users), sorted. */
	sites(customerId: number | ''): Promise<string[]>;
	/** The customer's users' ids, ascending. */
	idsOf(customerId: number): Promise<Float64Array>;
	/** Reads the catalogue now (a search soon after finds it in memory). */
	warm(): Promise<void>;
}

/**
 * Where the catalogue is read from: its census and its records by chunk. The page passes its database; the
 * worker opens the database as it is (catalog-worker.ts), without the schema and its upgrades.
 */
export interface CatalogSource {
	census(): Promise<Census | undefined>;
	chunks(keys: number[]): Promise<(CatalogChunk | undefined)[]>;
}

/** The catalogue of a Dexie database that has it (the app's, or one opened as it is). */
export function catalogSource(db: Dexie): CatalogSource {
	const table = () => db.table(CATALOG_TABLE);
	return {
		census: () => table().get(CENSUS_KEY) as Promise<Census | undefined>,
		chunks: (keys) => table().bulkGet(keys) as Promise<(CatalogChunk | undefined)[]>
	};
}

/** Reads, answering as an empty catalogue while there is no such database. */
async function orEmpty<T>(read: () => Promise<T>, empty: T): Promise<T> {
	try {
		return await read();
	} catch (error) {
		if ((error as { name?: string } | null)?.name === Dexie.errnames.NoSuchDatabase) return empty;
		throw error;
	}
}

/**
 * The catalogue of the database `name` opened as it is (Dexie's dynamic mode: its stores as they are, no
 * schema, no upgrade), for a reader that must not carry the schema's code. The page makes and upgrades
 * the database before it asks anything; until then this reads as an empty catalogue (and creates nothing).
 * A newer tab's upgrade closes the connection; Dexie opens it again, as it then is, on the next read.
 */
export function catalogAsItIs(name: string): CatalogSource {
	const db = new Dexie(name);
	const source = catalogSource(db);
	// Opened first: a database opened as it is knows its tables only once open.
	const opened = async <T>(read: () => Promise<T>) => {
		if (!db.isOpen()) await db.open();
		return read();
	};
	return {
		census: () => orEmpty(() => opened(() => source.census()), undefined),
		chunks: (keys) =>
			orEmpty(
				() => opened(() => source.chunks(keys)),
				keys.map(() => undefined)
			)
	};
}

/** Rows read per request while loading: other reads (the rows on screen) go between them. */
const LOAD_BATCH = 64;

/** One loaded chunk, with its search texts joined into one string and where each user's starts. */
interface Loaded {
	stamp: string;
	row: CatalogChunk;
	joined: string;
	/** offsets[i] is where user i's text starts in `joined`; one more at the end. */
	offsets: Int32Array;
}

/** The columns orders and filters read (the search reads each chunk's joined texts). */
const FLAT_COLUMNS = CATALOG_COLUMNS.filter((column) => column !== 'searchText');

/** The flat columns of every loaded chunk, in id order: what orders and filters read. */
type Flat = { ids: Float64Array } & {
	[K in Exclude<(typeof CATALOG_COLUMNS)[number], 'searchText'>]: CatalogEntry[K][];
};

function joinTexts(row: CatalogChunk): Pick<Loaded, 'joined' | 'offsets'> {
	const offsets = new Int32Array(row.ids.length + 1);
	let at = 0;
	row.searchText.forEach((text, i) => {
		offsets[i] = at;
		at += text.length;
	});
	offsets[row.ids.length] = at;
	return { joined: row.searchText.join(''), offsets };
}

/** The user of a chunk whose text holds position `at` (binary search of the offsets). */
function userAt(offsets: Int32Array, at: number): number {
	let low = 0;
	let high = offsets.length - 2;
	while (low < high) {
		const mid = (low + high + 1) >> 1;
		if (offsets[mid]! <= at) low = mid;
		else high = mid - 1;
	}
	return low;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The catalogue of a source, in memory. */
export function catalogIndex(source: CatalogSource): CatalogApi {
	const chunks = new Map<number, Loaded>();
	let flat: Flat | undefined;
	/** Each sort's ascending order of every user (positions into flat), until the catalogue changes. */
	const orders = new Map<SortKey, Uint32Array>();
	let refreshing: Promise<void> | undefined;

	async function load(): Promise<void> {
		const census = await source.census();
		const summaries = census?.chunks ?? {};
		const stale = Object.entries(summaries)
			.filter(([chunk, summary]) => chunks.get(Number(chunk))?.stamp !== summary.stamp)
			.map(([chunk]) => Number(chunk));
		const gone = [...chunks.keys()].filter((chunk) => !(chunk in summaries));
		if (stale.length === 0 && gone.length === 0) return;
		for (const chunk of gone) chunks.delete(chunk);
		for (let start = 0; start < stale.length; start += LOAD_BATCH) {
			const batch = stale.slice(start, start + LOAD_BATCH);
			const rows = await source.chunks(batch);
			rows.forEach((row, i) => {
				const chunk = batch[i]!;
				// Changed again since the census was read: the next answer reloads it.
				if (!row) chunks.delete(chunk);
				else {
					const texts = joinTexts(row);
					// Kept once, joined: the search reads a user's text from there (half the memory of both).
					row.searchText = [];
					chunks.set(chunk, { stamp: summaries[chunk]!.stamp, row, ...texts });
				}
			});
		}
		flat = undefined;
		orders.clear();
	}

	/** Brings the loaded chunks up to date; answers asked at once share one load. */
	function refresh(): Promise<void> {
		refreshing ??= load().finally(() => (refreshing = undefined));
		return refreshing;
	}

	function flatten(): Flat {
		if (flat) return flat;
		const sorted = [...chunks.keys()].sort((a, b) => a - b).map((chunk) => chunks.get(chunk)!.row);
		const ids = new Float64Array(sorted.reduce((sum, row) => sum + row.ids.length, 0));
		let at = 0;
		for (const row of sorted) {
			ids.set(row.ids, at);
			at += row.ids.length;
		}
		const built = { ids } as Flat;
		for (const column of FLAT_COLUMNS) {
			(built as Record<string, unknown>)[column] = sorted.flatMap((row) => row[column] as unknown[]);
		}
		flat = built;
		return built;
	}

	/** Every user's position, in the ascending order of a sort: its key, then the name, then the id. */
	function ascending(sort: SortKey): Uint32Array {
		const kept = orders.get(sort);
		if (kept) return kept;
		const f = flatten();
		const positions = new Uint32Array(f.ids.length).map((_, i) => i);
		const byName = (a: number, b: number) => byText(f.nameKey[a]!, f.nameKey[b]!) || f.ids[a]! - f.ids[b]!;
		const compare: Record<SortKey, (a: number, b: number) => number> = {
			name: byName,
			email: (a, b) => byText(f.emailKey[a]!, f.emailKey[b]!) || f.ids[a]! - f.ids[b]!,
			status: (a, b) => byText(f.status[a]!, f.status[b]!) || byName(a, b),
			userType: (a, b) => byText(f.userType[a]!, f.userType[b]!) || byName(a, b),
			site: (a, b) => byText(f.site[a]!, f.site[b]!) || byName(a, b),
			lastLoginAt: (a, b) => f.lastLoginAt[a]! - f.lastLoginAt[b]! || byName(a, b),
			createdAt: (a, b) => f.createdAt[a]! - f.createdAt[b]! || byName(a, b)
		};
		positions.sort(compare[sort]);
		orders.set(sort, positions);
		return positions;
	}

	return {
		async order(query) {
			await refresh();
			const f = flatten();
			const order = ascending(query.sort);
			const groupKey = query.group;
			const keeps = (i: number) =>
				(query.customerId === '' || f.customerId[i] === query.customerId) &&
				(query.status === '' || f.status[i] === query.status) &&
				(query.userType === '' || f.userType[i] === query.userType) &&
				(query.site === '' || f.site[i] === query.site) &&
				(groupKey === '' || f.groupKeys[i]!.split(GROUP_SEPARATOR).includes(groupKey));
			const ids: number[] = [];
			for (const i of order) if (keeps(i)) ids.push(f.ids[i]!);
			if (query.isDescending) ids.reverse();
			return Float64Array.from(ids);
		},

		async matching(terms, customerId) {
			await refresh();
			const found: number[] = [];
			if (terms.length === 0) return new Float64Array();
			// The longest term is likely the rarest: scan for it, then check the others on what it found.
			const [first, ...rest] = terms.slice().sort((a, b) => b.length - a.length) as [string, ...string[]];
			// A longer term is found anywhere (inside words too): its every place is a candidate. A shorter one
			// only starts a word: only the places after a mark are.
			const needles = isInfixTerm(first) ? [first] : [WORD_START + first, INNER_START + first];
			for (const chunk of [...chunks.keys()].sort((a, b) => a - b)) {
				const { row, joined, offsets } = chunks.get(chunk)!;
				const hits = new Set<number>();
				for (const needle of needles) {
					for (let at = joined.indexOf(needle); at >= 0; at = joined.indexOf(needle, at + 1)) {
						hits.add(userAt(offsets, at));
					}
				}
				for (const i of [...hits].sort((a, b) => a - b)) {
					if (customerId !== '' && row.customerId[i] !== customerId) continue;
					const text = joined.slice(offsets[i], offsets[i + 1]);
					if (textMatches(text, first) && rest.every((term) => textMatches(text, term))) {
						found.push(row.ids[i]!);
					}
				}
			}
			return Float64Array.from(found);
		},

		async sites(customerId) {
			await refresh();
			const f = flatten();
			const sites = new Set<string>();
			f.site.forEach((site, i) => {
				if (site && (customerId === '' || f.customerId[i] === customerId)) sites.add(site);
			});
			return [...sites].sort(byText);
		},

		async idsOf(customerId) {
			await refresh();
			const f = flatten();
			return f.ids.filter((_, i) => f.customerId[i] === customerId);
		},

		warm: refresh
	};
}
