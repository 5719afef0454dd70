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
 * The stores to fill, in the order they are filled: the lean floor first and last (a page that slows as
 * it goes, or warms up, shows as a difference between the two, and their mean is the reference), the bare
 * store, the lean floor plus each of the app's other indexes one at a time, and the app's whole schema.
 */
export function indexVariants(app: readonly IndexSpec[]): Variant[] {
	const lean: Variant = { kind: 'lean', indexes: [...LEAN_INDEXES] };
	return [
		lean,
		{ kind: 'bare', indexes: [] },
		...app
			.filter((index) => !inLeanFloor(index))
			.map((index): Variant => ({ kind: 'plus', indexes: [...LEAN_INDEXES, index], added: index })),
		{ kind: 'full', indexes: [...app] },
		lean
	];
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

/** The lean floor: the mean of its runs (first and last), or undefined when none ran. */
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
	/** Over the lean floor's mean, in ms; undefined for the lean floor itself. */
	extraMs?: number;
}

/**
 * The table of index costs: the lean floor's runs, the bare store, each of the app's indexes (those the
 * lean floor has already are said to be there), then the app's whole schema.
 */
export function costRows(costs: IndexCosts): CostRow[] {
	const floor = leanFloorMs(costs.runs);
	const perUser = (entries: number) => (costs.count ? entries / costs.count : 0);
	const leanEntries = costs.entries.slice(0, LEAN_INDEXES.length).reduce((a, b) => a + b, 0);
	const appEntries = costs.entries.slice(LEAN_INDEXES.length);
	const extra = (ms: number) => (floor === undefined ? undefined : ms - floor);
	const leanKeyPaths = LEAN_INDEXES.map((index) => keyPathText(index.keyPath));
	const leanFlags = LEAN_INDEXES.map(flagsText).join('; ');
	const rows: CostRow[] = [];
	const leanRuns = costs.runs.filter((run) => run.kind === 'lean');
	leanRuns.forEach((run, i) => {
		const which =
			leanRuns.length === 1
				? ''
				: i === 0
					? ' (first run)'
					: i === leanRuns.length - 1
						? ' (last run)'
						: ` (run ${i + 1})`;
		rows.push({
			label: `Lean floor${which}`,
			keyPaths: leanKeyPaths,
			flags: leanFlags,
			entriesPerUser: perUser(leanEntries),
			ms: run.ms
		});
	});
	if (floor !== undefined && leanRuns.length > 1)
		rows.push({
			label: 'Lean floor (mean: the reference)',
			keyPaths: leanKeyPaths,
			flags: leanFlags,
			entriesPerUser: perUser(leanEntries),
			ms: floor
		});
	for (const run of costs.runs) {
		if (run.kind === 'bare')
			rows.push({
				label: 'Bare store (primary key only)',
				keyPaths: ['id'],
				flags: 'autoIncrement',
				entriesPerUser: 0,
				ms: run.ms,
				extraMs: extra(run.ms)
			});
	}
	costs.app.forEach((index, i) => {
		const run = costs.runs.find((r) => r.kind === 'plus' && r.added?.name === index.name);
		const row = {
			keyPaths: [keyPathText(index.keyPath)],
			flags: flagsText(index),
			entriesPerUser: perUser(appEntries[i] ?? 0)
		};
		if (inLeanFloor(index)) rows.push({ label: `${index.name} (in the lean floor)`, ...row });
		else if (run) {
			// The app's plain emailKey beside the lean floor's unique one: a second index on the same key path.
			const twice = LEAN_INDEXES.some((lean) => sameKeyPath(lean.keyPath, index.keyPath));
			const label = `+ ${index.name}${twice ? ' (a second index on a lean-floor key path)' : ''}`;
			rows.push({ label, ...row, ms: run.ms, extraMs: extra(run.ms) });
		}
	});
	for (const run of costs.runs) {
		if (run.kind === 'full')
			rows.push({
				label: `The app's users schema (${run.indexes} ${run.indexes === 1 ? 'index' : 'indexes'})`,
				keyPaths: [],
				flags: '–',
				entriesPerUser: perUser(appEntries.reduce((a, b) => a + b, 0)),
				ms: run.ms,
				extraMs: extra(run.ms)
			});
	}
	return rows;
}
