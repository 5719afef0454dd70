// The Import section of BENCHMARKS.md, written by `npm run bench:import`. Each benchmark writes its own
// section between markers: each run replaces only its own part of the file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { MemoryPeaks } from './import-memory';
import type { ImportRun } from './import-probes';
import { costRows, leanFloorMs, type IndexCosts } from './index-costs';
import type { Machine } from './machine';
import type { TaskStats } from './trace';

const START = '<!-- import-bench:start -->';
const END = '<!-- import-bench:end -->';

export interface PageImport {
	label: string;
	/** Set when the figures are an earlier run's (this run left the case out): when it ran, and the load then. */
	earlier?: string;
	rows: number;
	bytes: number;
	run: ImportRun;
	usersAfter: number;
	tasks?: TaskStats;
	memory?: MemoryPeaks;
}

export interface ImportResults {
	machine?: Machine;
	startedAt: number;
	finishedAt?: number;
	load: { section: string; loadAverage: number }[];
	/** The lean floor and each index's cost, measured with the CSV import's records. */
	floor?: IndexCosts;
	/** The XLSX import's floor: SheetJS's read of the file plus the lean floor of the records it gave. */
	xlsxFloor?: XlsxFloor;
	/** The CSV import: its run of median ratio when it ran several times (csvRuns). */
	csv?: PageImport;
	/** The CSV import's runs, each with the lean floor's runs around it: the target takes their median ratio. */
	csvRuns?: CsvRun[];
	xlsx?: PageImport;
	million?: PageImport;
	preview?: { bytes: number; rows: number; ms: number }[];
	errors: { section: string; message: string }[];
}

export interface XlsxFloor {
	count: number;
	/** SheetJS's read of the file in the page, from its bytes being read to the workbook built. */
	sheetjsMs: number;
	/** The lean floor's runs (before and after the read). */
	leanMs: number[];
}

/**
 * One run of the CSV import (a fresh profile each) and the lean floor's runs just before it (the last of
 * the page before) and just after it (the first in its own page): the floor swings by ±15% from minute to
 * minute on a shared machine, so each run is set against the floor measured around it.
 */
export interface CsvRun {
	imp: PageImport;
	leanMs: number[];
}

const mean = (values: readonly number[]) =>
	values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;

/** A CSV run, chosen → committed, over the mean of the lean floor's runs around it. */
export function csvRunRatio(run: CsvRun): number | undefined {
	const floor = mean(run.leanMs);
	return floor ? (run.imp.run.done - run.imp.run.chosen) / floor : undefined;
}

/** The run of median ratio (of an even number, the higher of the two middle ones: never the kinder). */
export function medianRun(runs: readonly CsvRun[]): { run: CsvRun; ratio: number } | undefined {
	const rated = runs
		.flatMap((run) => {
			const ratio = csvRunRatio(run);
			return ratio === undefined ? [] : [{ run, ratio }];
		})
		.sort((a, b) => a.ratio - b.ratio);
	return rated[Math.floor(rated.length / 2)];
}

/** The XLSX import's floor: SheetJS's read plus the mean of the lean floor's runs. */
export const xlsxFloorMs = (f: XlsxFloor): number =>
	f.sheetjsMs + f.leanMs.reduce((a, b) => a + b, 0) / Math.max(1, f.leanMs.length);

const CASES = ['csv', 'xlsx', 'million'] as const;

/**
 * This run's results, with the cases it left out (BENCH_IMPORT) taken from the last run that measured
 * them, marked as such; `store` keeps them between runs. Each floor goes with the case it was measured
 * with (the lean floor and index costs with the CSV, SheetJS's read with the XLSX), the previews with theirs.
 */
export function withEarlierCases(results: ImportResults, store: string): ImportResults {
	const earlier = existsSync(store) ? (JSON.parse(readFileSync(store, 'utf8')) as ImportResults) : undefined;
	const merged: ImportResults = { ...results };
	const when = (r: ImportResults) =>
		`${new Date(r.startedAt).toISOString().slice(0, 16)}Z, load ${r.load[0]?.loadAverage.toFixed(1) ?? '?'}`;
	if (earlier) {
		for (const name of CASES) {
			const old = earlier[name];
			if (merged[name] || !old) continue;
			merged[name] = { ...old, earlier: old.earlier ?? when(earlier) };
			if (name === 'csv' && earlier.csvRuns) {
				merged.csvRuns ??= earlier.csvRuns.map((run) => ({
					...run,
					imp: { ...run.imp, earlier: run.imp.earlier ?? when(earlier) }
				}));
			}
			// An earlier run's floor of another shape (before the lean floor) is not shown.
			if (name === 'csv' && Array.isArray(earlier.floor?.runs)) merged.floor ??= earlier.floor;
			if (name === 'xlsx' && Array.isArray(earlier.xlsxFloor?.leanMs)) merged.xlsxFloor ??= earlier.xlsxFloor;
		}
		if (!merged.preview && earlier.preview) merged.preview = earlier.preview;
	}
	writeFileSync(store, JSON.stringify(merged));
	return merged;
}

/** The Import section kept in `file`, markers included, or '' when there is none. */
export function importSection(file: string): string {
	if (!existsSync(file)) return '';
	const text = readFileSync(file, 'utf8');
	const start = text.indexOf(START);
	const end = text.indexOf(END);
	return start >= 0 && end > start ? text.slice(start, end + END.length) : '';
}

/** Puts `section` (with its markers) in place of the one in `file`, or at its end. */
export function writeImportSection(file: string, section: string): void {
	const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Rollcall benchmarks\n';
	const old = importSection(file);
	const next = old ? text.replace(old, section) : `${text.trimEnd()}\n\n${section}\n`;
	writeFileSync(file, next);
}

const int = (n: number) => Math.round(n).toLocaleString('en');
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const MB = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const met = (ok: boolean) => (ok ? '**met**' : '**NOT met**');

function table(head: string[], rows: (string | number)[][]): string {
	return [
		`| ${head.join(' | ')} |`,
		`| ${head.map(() => '---').join(' | ')} |`,
		...rows.map((r) => `| ${r.join(' | ')} |`)
	].join('\n');
}

const longest = (run: ImportRun) => Math.max(0, ...run.longTasks.map((t) => t.duration));

function tasksText(imp: PageImport): string {
	const { run, tasks } = imp;
	const wall = `${run.longTasks.length} over 50 ms${run.longTasks.length ? `, longest ${int(longest(run))} ms` : ''}`;
	return tasks
		? `${wall} (wall clock); longest task's CPU time ${int(tasks.longestCpu)} ms, ${tasks.over50Cpu} over 50 ms of CPU`
		: `${wall} (wall clock)`;
}

function importRow(imp: PageImport, floorMs: number | undefined): (string | number)[] {
	const { run } = imp;
	const total = run.done - run.chosen;
	const commit = run.done - run.ready;
	return [
		imp.earlier ? `${imp.label} (an earlier run: ${imp.earlier})` : imp.label,
		MB(imp.bytes),
		s(run.preview - run.chosen),
		s(run.ready - run.chosen),
		s(commit),
		s(total),
		floorMs ? `${(total / floorMs).toFixed(2)}×` : '–',
		tasksText(imp)
	];
}

/** A time over the lean floor, in seconds and in % of the floor: +1.2 s (+20%). */
function overFloor(extraMs: number, floorMs: number): string {
	const sign = extraMs < 0 ? '−' : '+';
	const pct = Math.round((Math.abs(extraMs) / floorMs) * 100);
	return `${sign}${(Math.abs(extraMs) / 1000).toFixed(1)} s (${sign}${pct}%)`;
}

/** Entries per user, to two decimals at most: 1, 0.56, 8.4. */
const perUser = (n: number) => String(Number(n.toFixed(2)));

/** The table of what each index costs, from the runs measured with the CSV import's records. */
function costSection(costs: IndexCosts, earlier: string | undefined): string[] {
	const rows = costRows(costs).map((row) => [
		row.label,
		row.keyPaths.map((keyPath) => `\`${keyPath}\``).join('; ') || 'all of the app’s',
		row.flags,
		perUser(row.entriesPerUser),
		row.ms === undefined ? 'in the lean floor' : s(row.ms),
		row.leanMs === undefined ? '–' : s(row.leanMs),
		row.extraMs === undefined || row.leanMs === undefined ? '–' : overFloor(row.extraMs, row.leanMs)
	]);
	return [
		'### The cost of each index',
		'',
		`${int(costs.count)} user records; each store filled in a fresh database, in the order of the rows, with a lean floor run before the first, between each two and after the last${earlier ? ` (with the CSV's run: ${earlier})` : ''}.`,
		'',
		table(
			['Index', 'Key path', 'Flags', 'Entries per user', 'Time', 'Lean floor around it', 'Over that floor'],
			rows
		)
	];
}

export function renderImportSection(r: ImportResults): string {
	const out: string[] = [START, '## Import', ''];
	out.push(
		'Written by `npm run bench:import` (this section only; `npm run bench` does not run it). The app',
		'is built and served by the relay as for the list; each import runs in a fresh Chromium profile',
		'(headless, service workers blocked) through the real Import page: the file is set on its file input,',
		'the probe clicks Complete as soon as it is enabled and waits for the summary. Times come from the',
		"page's clock, from the file input's change event. The files are generated from tests/bench/people.ts",
		"(the admin's typing of the same realistic people as the list's directories, with Rollcall's template",
		'columns) and kept under node_modules/.cache/rollcall-bench-import/.',
		'',
		'The floors are measured in the same run and the same page, right after each import: the very records',
		"Rollcall stored, read back, then put() one by one in one transaction (strict durability, as Rollcall's",
		"database) into a fresh database, timed from the first put() to the transaction's complete event. The",
		"**lean floor**'s users store has only the primary key (an autoIncrement id), a unique index on",
		'`emailKey` and one name-order index on `nameKey`; it is filled before, between and after the stores',
		'below, and the mean of its runs is the floor. The CSV import is divided by the lean floor. The XLSX',
		"import is divided by SheetJS's read of the same file plus the lean floor of the records it gave: the bench loads",
		'SheetJS into the page (`@e965/xlsx`, the version the app bundles, as its page script',
		'dist/xlsx.full.min.js), chooses the file on a file input of its own, and times `read()` with the',
		"options Rollcall's import worker passes, from the file's bytes being read to the workbook built, once,",
		"between the lean floor's two runs. That read runs on the page's main thread where the app's runs in",
		"its worker; the app's own walk of the cells into rows is not part of it.",
		'',
		'The lean floor alone swung by ±15% from one run to the next on this shared machine, so the CSV',
		'import runs several times (BENCH_IMPORT_CSV_RUNS, 3 by default), each in a fresh profile and followed',
		'in its page by a lean floor run (the last by the table of index costs, which begins with one). Each',
		"run is divided by the mean of the lean floor's runs just before and just after it, and the target",
		'takes the median of those ratios (of an even number of runs, the higher middle one).',
		'',
		"The cost of each index: with the CSV import's records, the same put() into the lean floor, a bare store",
		"(primary key only), the lean floor plus each of the app's other users-store indexes one at a time, and",
		"a store with the app's whole users schema (the floor this section used before), in that order, a fresh",
		"database each. The page may slow as it goes (the machine's load changes, and all databases of an origin",
		'share one LevelDB, where the deleted ones leave work for its compaction), so each store is set against',
		"the mean of the lean floor's runs just before and after it. The app's indexes (key path, unique,",
		'multi-entry) are read from its database in the same run, so the table follows the schema. Entries per',
		"user are counted from the records by IndexedDB's rules (a multi-entry array gives one per distinct key;",
		'a missing value none).',
		'Long tasks: a `longtask` PerformanceObserver, wall clock (a busy machine inflates them); the CPU time',
		"of the longest main-thread task comes from a Chromium trace ('toplevel') of the same import.",
		''
	);
	const m = r.machine;
	if (m) {
		const took = r.finishedAt ? `${((r.finishedAt - r.startedAt) / 60_000).toFixed(1)} min` : '–';
		out.push(
			table(
				['', ''],
				[
					['Date', m.date],
					['CPU', `${m.cpuModel}, ${m.cpus} cores`],
					['Memory', m.memory],
					['Chromium', m.chromium],
					['Run took', took],
					[
						'Load average (1 min) as sections started',
						r.load.map((l) => `${l.loadAverage.toFixed(1)} (${l.section})`).join(', ')
					]
				]
			),
			''
		);
	}
	const leanMs = r.floor && leanFloorMs(r.floor.runs);
	const xlsxMs = r.xlsxFloor && xlsxFloorMs(r.xlsxFloor);
	const rows: (string | number)[][] = [];
	const floorRow = (label: string, ms: number) => [label, '–', '–', '–', s(ms), s(ms), '1.00×', '–'];
	if (r.floor && leanMs !== undefined)
		rows.push(
			floorRow(
				`Lean floor: ${int(r.floor.count)} put() into a unique email key and a name order, one transaction (mean of ${r.floor.runs.filter((run) => run.kind === 'lean').length} runs)${r.csv?.earlier ? ` (with the CSV's run)` : ''}`,
				leanMs
			)
		);
	if (r.xlsxFloor && xlsxMs !== undefined)
		rows.push(
			floorRow(
				`SheetJS read of the XLSX (${s(r.xlsxFloor.sheetjsMs)}) + lean floor of its ${int(r.xlsxFloor.count)} records${r.xlsx?.earlier ? ` (with the XLSX's run)` : ''}`,
				xlsxMs
			)
		);
	// Each import is divided by the floor of its own records: a file of another size is not divided by it.
	const floorOf = (imp: PageImport, floor: { count: number } | undefined, ms: number | undefined) =>
		imp.rows === floor?.count ? ms : undefined;
	const runs = r.csvRuns ?? [];
	if (runs.length > 0) {
		runs.forEach((run, i) => {
			const label = `${run.imp.label}, run ${i + 1} of ${runs.length} (lean floor around it ${run.leanMs.map(s).join(', ')})`;
			rows.push(importRow({ ...run.imp, label }, mean(run.leanMs)));
		});
	} else if (r.csv) rows.push(importRow(r.csv, floorOf(r.csv, r.floor, leanMs)));
	if (r.xlsx) rows.push(importRow(r.xlsx, floorOf(r.xlsx, r.xlsxFloor, xlsxMs)));
	if (r.million) rows.push(importRow(r.million, undefined));
	if (rows.length) {
		out.push(
			'### Figures',
			'',
			table(
				[
					'Import',
					'File',
					'Chosen → preview',
					'Chosen → Complete enabled (analysis)',
					'Complete → committed',
					'Chosen → committed',
					'÷ its floor',
					'Main-thread long tasks'
				],
				rows
			),
			''
		);
	}
	for (const imp of [r.csv, r.xlsx, r.million]) {
		if (!imp) continue;
		out.push(
			`- ${imp.label}: the page said “${imp.run.summary}”; the directory then held ${int(imp.usersAfter)} users.`
		);
		if (imp.memory) {
			out.push(
				`  Memory (JS heap, peak of ${imp.memory.samples} samples): page ${mib(imp.memory.pageHeap)}, import worker ${imp.memory.workerHeap ? mib(imp.memory.workerHeap) : 'not reached'}, both at once ${mib(imp.memory.totalHeap)}.`
			);
		}
	}
	if (r.preview?.length) {
		out.push(
			'',
			table(
				['Preview of', 'Run', 'Chosen → preview shown'],
				r.preview.map((p, i) => [
					`${MB(p.bytes)} CSV, ${int(p.rows)} rows`,
					`${i + 1} of ${r.preview!.length}`,
					s(p.ms)
				])
			)
		);
	}
	if (r.floor) out.push('', ...costSection(r.floor, r.csv?.earlier));
	out.push('', '### Targets', '');
	const targets: (string | number)[][] = [];
	const ratioTarget = (label: string, total: number, floor: number, of: string, stretch?: number) => {
		const ratio = total / floor;
		const verdict =
			stretch === undefined
				? met(ratio <= 1.5)
				: `${met(ratio <= 1.5)}${ratio <= stretch ? ', stretch met' : `, stretch ${met(false)}`}`;
		return [
			`${label}, chosen → committed, ÷ ${of}`,
			`${ratio.toFixed(2)}×`,
			`≤ 1.5×${stretch === undefined ? '' : ` (stretch ≤ ${stretch}×)`}`,
			verdict
		];
	};
	const median = medianRun(runs);
	const csvFloor = r.csv && floorOf(r.csv, r.floor, leanMs);
	if (median) {
		const { imp } = median.run;
		targets.push(
			ratioTarget(
				imp.label,
				imp.run.done - imp.run.chosen,
				mean(median.run.leanMs)!,
				`lean floor around it (median of ${runs.length} runs)`,
				1.2
			)
		);
	} else if (r.csv && csvFloor)
		targets.push(ratioTarget(r.csv.label, r.csv.run.done - r.csv.run.chosen, csvFloor, 'lean floor', 1.2));
	if (r.csv) {
		// The longest over every run: the target holds for each.
		const all = runs.length > 0 ? runs.map((run) => run.imp) : [r.csv];
		const wall = Math.max(...all.map((imp) => longest(imp.run)));
		const cpus = all.flatMap((imp) => (imp.tasks ? [imp.tasks.longestCpu] : []));
		const cpu = cpus.length ? Math.max(...cpus) : undefined;
		const verdict =
			wall <= 50
				? met(true)
				: cpu !== undefined && cpu <= 50
					? `${met(false)} in wall time; met in CPU time (see the load)`
					: met(false);
		targets.push([
			`Longest main-thread task during that import${all.length > 1 ? ` (any of its ${all.length} runs)` : ''}`,
			`${wall > 0 ? `${int(wall)} ms wall` : 'no task over 50 ms wall'}${cpu === undefined ? '' : `, longest ${int(cpu)} ms CPU`}`,
			'≤ 50 ms',
			verdict
		]);
	}
	const xlsxFloor = r.xlsx && floorOf(r.xlsx, r.xlsxFloor, xlsxMs);
	if (r.xlsx && xlsxFloor)
		targets.push(
			ratioTarget(r.xlsx.label, r.xlsx.run.done - r.xlsx.run.chosen, xlsxFloor, '(SheetJS read + lean floor)')
		);
	else if (r.xlsx)
		targets.push([r.xlsx.label, r.xlsx.usersAfter >= r.xlsx.rows ? 'completes' : 'failed', 'report', '–']);
	if (r.million) {
		const completes = r.million.usersAfter >= r.million.rows;
		const took = r.million.run.done - r.million.run.chosen;
		// Near-linear: at most 12x the 100,000-row import of the same run (its median run when there are several).
		const base = median?.run.imp ?? r.csv;
		const ratio = base && completes ? took / (base.run.done - base.run.chosen) : undefined;
		targets.push([
			`1,000,000-row CSV, chosen → committed${base ? ', ÷ the 100,000-row CSV import of this run' : ''}`,
			completes ? `${s(took)}${ratio === undefined ? '' : ` (${ratio.toFixed(2)}×)`}` : 'failed',
			base ? '≤ 12×' : 'completes',
			met(completes && (ratio === undefined || ratio <= 12))
		]);
		const memory = r.million.memory;
		if (memory) {
			const limit = 512 * 1024 * 1024;
			targets.push([
				'1,000,000-row CSV, peak JS heap',
				`page ${mib(memory.pageHeap)}, import worker ${memory.workerHeap ? mib(memory.workerHeap) : 'not reached'}`,
				'each < 512 MiB',
				met(memory.pageHeap < limit && memory.workerHeap < limit)
			]);
		}
	}
	if (r.preview?.length) {
		// The slowest of the runs: the target holds for every one.
		const slowest = r.preview.reduce((a, b) => (b.ms > a.ms ? b : a));
		targets.push([
			`Preview of a ${MB(slowest.bytes)} file (slowest of ${r.preview.length} runs)`,
			s(slowest.ms),
			'≤ 2 s',
			met(slowest.ms <= 2000)
		]);
	}
	if (targets.length) out.push(table(['Measure', 'Result', 'Target', ''], targets), '');
	if (r.errors.length)
		out.push('### Failures', '', ...r.errors.map((e) => `- ${e.section}: ${e.message.split('\n')[0]}`), '');
	out.push(END);
	return out.join('\n');
}
