// The cost of each index of Rollcall's users store (issue 15): the same user records put into stores that
// differ only in their indexes, against the lean floor (primary key, a unique email key, one name order).
// The app's indexes are read from its real database at run time, so the table follows the schema.
// Pure, tested in tests/unit/bench/index-costs.test.ts; countIndexEntries also runs in the page.

/** One index of a store, as IndexedDB describes it (IDBIndex's keyPath, unique and multiEntry). */
export interface IndexSpec {
	name: string;
	keyPath: string | string[];
	unique: boolean;
	multiEntry: boolean;
}

/**
 * The lean floor's indexes beside the autoIncrement primary key: what any directory needs (an email is
 * someone's once; the list opens in name order). Named apart from the app's so both can be in one store.
 */
export const LEAN_INDEXES: readonly IndexSpec[] = [
	{ name: 'lean:emailKey', keyPath: 'emailKey', unique: true, multiEntry: false },
	{ name: 'lean:nameKey', keyPath: 'nameKey', unique: false, multiEntry: false }
];

export type VariantKind = 'lean' | 'bare' | 'plus' | 'full';

/** One store to put the records into. */
export interface Variant {
	kind: VariantKind;
	indexes: IndexSpec[];
	/** For 'plus': the app's index added to the lean floor's. */
	added?: IndexSpec;
}

const sameKeyPath = (a: string | string[], b: string | string[]) =>
	JSON.stringify(typeof a === 'string' ? a : [...a]) === JSON.stringify(typeof b === 'string' ? b : [...b]);

/** Whether two indexes hold the same entries under the same rules (their names aside). */
export const sameIndex = (a: IndexSpec, b: IndexSpec): boolean =>
	sameKeyPath(a.keyPath, b.keyPath) && a.unique === b.unique && a.multiEntry === b.multiEntry;

/** Whether the lean floor already has this index of the app's (then it gets no store of its own). */
export const inLeanFloor = (index: IndexSpec): boolean => LEAN_INDEXES.some((lean) => sameIndex(lean, index));

/**
 * The stores to fill, in the order they are filled: the bare store, the lean floor plus each of the app's
 * other indexes one at a time, and the app's whole schema, with the lean floor before, between and after
 * them (first and last too). The page may slow as it goes (the machine's load changes; all databases of
 * an origin share one LevelDB, where the deleted ones leave work for its compaction): each store is set
 * against the lean runs on either side of it, so no store gains or loses by its place in the order.
 */
export function indexVariants(app: readonly IndexSpec[]): Variant[] {
	const lean: Variant = { kind: 'lean', indexes: [...LEAN_INDEXES] };
	const stores: Variant[] = [
		{ kind: 'bare', indexes: [] },
		...app
			.filter((index) => !inLeanFloor(index))
			.map((index): Variant => ({ kind: 'plus', indexes: [...LEAN_INDEXES, index], added: index })),
		{ kind: 'full', indexes: [...app] }
	];
	return [lean, ...stores.flatMap((store) => [store, lean])];
}

/**
 * The lean floor around the run at `at`: the mean of the nearest lean runs before and after it (one of
 * them at either end), or undefined when there is none.
 */
export function leanAround(
	runs: readonly { kind: VariantKind; ms: number }[],
	at: number
): number | undefined {
	const before = runs.slice(0, at).findLast((run) => run.kind === 'lean');
	const after = runs.slice(at + 1).find((run) => run.kind === 'lean');
	const around = [before, after].filter((run) => run !== undefined);
	return around.length ? around.reduce((sum, run) => sum + run.ms, 0) / around.length : undefined;
}

/**
 * How many entries the records give each index, by IndexedDB's rules: a key path that does not lead to a
 * valid key (a number, string, date, binary or array of those) gives none; a compound key path gives one
 * when each of its parts is a valid key; a multi-entry index gives one per distinct valid key of an array.
 * Self-contained (it runs in the page too, where the records are): it uses nothing from outside.
 */
export function countIndexEntries(args: {
	users: readonly unknown[];
	indexes: readonly IndexSpec[];
}): number[] {
	const isKey = (value: unknown): boolean =>
		typeof value === 'string' ||
		(typeof value === 'number' && !Number.isNaN(value)) ||
		(value instanceof Date && !Number.isNaN(value.getTime())) ||
		value instanceof ArrayBuffer ||
		ArrayBuffer.isView(value) ||
		(Array.isArray(value) && value.every(isKey));
	// The same key twice in one multi-entry array is one entry: keys compared by type and value.
	const identity = (key: unknown): string =>
		typeof key === 'string'
			? `s${key}`
			: typeof key === 'number'
				? `n${key}`
				: key instanceof Date
					? `d${key.getTime()}`
					: Array.isArray(key)
						? `a[${key.map(identity).join(',')}]`
						: `b${Array.from(
								ArrayBuffer.isView(key)
									? new Uint8Array(key.buffer, key.byteOffset, key.byteLength)
									: new Uint8Array(key as ArrayBuffer)
							).join(',')}`;
	const at = (record: unknown, path: string): unknown =>
		path === ''
			? record
			: path
					.split('.')
					.reduce<unknown>(
						(value, part) =>
							typeof value === 'object' && value !== null && Object.hasOwn(value, part)
								? (value as Record<string, unknown>)[part]
								: undefined,
						record
					);
	const entries = (record: unknown, index: IndexSpec): number => {
		if (Array.isArray(index.keyPath)) return index.keyPath.every((path) => isKey(at(record, path))) ? 1 : 0;
		const value = at(record, index.keyPath);
		if (!index.multiEntry || !Array.isArray(value)) return isKey(value) ? 1 : 0;
		return new Set(value.filter(isKey).map(identity)).size;
	};
	return args.indexes.map((index) => args.users.reduce<number>((sum, user) => sum + entries(user, index), 0));
}

/** What one store took: the variant, and the time from the first put() to the transaction's complete. */
export interface VariantRun {
	kind: VariantKind;
	indexes: number;
	added?: IndexSpec;
	ms: number;
}

/** The index costs measured with one import: the records, the app's schema, the entries and the runs. */
export interface IndexCosts {
	count: number;
	/** The app's users-store indexes, as its database described them in this run. */
	app: IndexSpec[];
	/** Entries the records give each of LEAN_INDEXES then each of `app`, in that order. */
	entries: number[];
	runs: VariantRun[];
}

/** The lean floor: the mean of all its runs, or undefined when none ran. */
export function leanFloorMs(runs: readonly { kind: VariantKind; ms: number }[]): number | undefined {
	const lean = runs.filter((run) => run.kind === 'lean');
	return lean.length ? lean.reduce((sum, run) => sum + run.ms, 0) / lean.length : undefined;
}

/** A key path as Dexie's schema writes it: a compound one as [a+b]. */
export const keyPathText = (keyPath: string | string[]): string =>
	typeof keyPath === 'string' ? keyPath : `[${keyPath.join('+')}]`;

export const flagsText = (index: IndexSpec): string =>
	[index.unique && 'unique', index.multiEntry && 'multi-entry'].filter(Boolean).join(', ') || '–';

/** One row of the cost table, figures unformatted. */
export interface CostRow {
	label: string;
	/** The key paths of the index (of the store's indexes for a store; none for the app's whole schema). */
	keyPaths: string[];
	flags: string;
	/** Index entries per user (all of the store's indexes for a whole store). */
	entriesPerUser: number;
	/** Undefined for an app index the lean floor has already (no store of its own). */
	ms?: number;
	/** The lean floor around this store's run (leanAround), in ms; undefined for the lean floor itself. */
	leanMs?: number;
	/** Over that lean floor, in ms. */
	extraMs?: number;
}

/**
 * The table of index costs: the lean floor (the mean of its runs, each run listed), the bare store, each of
 * the app's indexes (those the lean floor has already are said to be there), then the app's whole schema;
 * each store against the lean runs around it.
 */
export function costRows(costs: IndexCosts): CostRow[] {
	const perUser = (entries: number) => (costs.count ? entries / costs.count : 0);
	const leanEntries = costs.entries.slice(0, LEAN_INDEXES.length).reduce((a, b) => a + b, 0);
	const appEntries = costs.entries.slice(LEAN_INDEXES.length);
	const lean = {
		keyPaths: LEAN_INDEXES.map((index) => keyPathText(index.keyPath)),
		flags: LEAN_INDEXES.map(flagsText).join('; '),
		entriesPerUser: perUser(leanEntries)
	};
	const rows: CostRow[] = [];
	const leanRuns = costs.runs.filter((run) => run.kind === 'lean');
	const floor = leanFloorMs(costs.runs);
	if (floor !== undefined) {
		const times = leanRuns.map((run) => run.ms);
		const range = [Math.min(...times), Math.max(...times)].map((ms) => (ms / 1000).toFixed(1)).join(' to ');
		rows.push({ label: `Lean floor (mean of ${leanRuns.length} runs, ${range} s)`, ...lean, ms: floor });
	}
	const measured = (kind: VariantKind, added?: IndexSpec) => {
		const at = costs.runs.findIndex((run) => run.kind === kind && run.added?.name === added?.name);
		const run = costs.runs[at];
		if (!run) return undefined;
		const leanMs = leanAround(costs.runs, at);
		return { ms: run.ms, leanMs, extraMs: leanMs === undefined ? undefined : run.ms - leanMs };
	};
	const bare = measured('bare');
	if (bare)
		rows.push({
			label: 'Bare store (primary key only)',
			keyPaths: ['id'],
			flags: 'autoIncrement',
			entriesPerUser: 0,
			...bare
		});
	costs.app.forEach((index, i) => {
		const row = {
			keyPaths: [keyPathText(index.keyPath)],
			flags: flagsText(index),
			entriesPerUser: perUser(appEntries[i] ?? 0)
		};
		if (inLeanFloor(index)) {
			rows.push({ label: `${index.name} (in the lean floor)`, ...row });
			return;
		}
		const plus = measured('plus', index);
		if (!plus) return;
		// The app's plain emailKey beside the lean floor's unique one: a second index on the same key path.
		const twice = LEAN_INDEXES.some((lean) => sameKeyPath(lean.keyPath, index.keyPath));
		rows.push({
			label: `+ ${index.name}${twice ? ' (a second index on a lean-floor key path)' : ''}`,
			...row,
			...plus
		});
	});
	const full = measured('full');
	const fullRun = costs.runs.find((run) => run.kind === 'full');
	if (full && fullRun)
		rows.push({
			label: `The app's users schema (${fullRun.indexes} ${fullRun.indexes === 1 ? 'index' : 'indexes'})`,
			keyPaths: [],
			flags: '–',
			entriesPerUser: perUser(appEntries.reduce((a, b) => a + b, 0)),
			...full
		});
	return rows;
}
