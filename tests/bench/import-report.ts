// The Import section of BENCHMARKS.md. The import benchmark runs on its own (`npm run bench -- import`) or
// with the others, so its section sits between markers: each run replaces only its own part of the file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { MemoryPeaks } from './import-memory';
import type { ImportRun } from './import-probes';
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
	floor?: { ms: number; count: number; indexes: number };
	csv?: PageImport;
	xlsx?: PageImport;
	million?: PageImport;
	preview?: { bytes: number; rows: number; ms: number }[];
	errors: { section: string; message: string }[];
}

const CASES = ['csv', 'xlsx', 'million'] as const;

/**
 * This run's results, with the cases it left out (BENCH_IMPORT) taken from the last run that measured
 * them, marked as such; `store` keeps them between runs. The floor goes with the CSV case it was measured
 * with, the previews with theirs.
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
			if (name === 'csv') merged.floor ??= earlier.floor;
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

export function renderImportSection(r: ImportResults): string {
	const out: string[] = [START, '## Import', ''];
	out.push(
		'Written by `npm run bench` (all benchmarks) or `npm run bench -- import` (this section only). The app',
		'is built and served by the relay as for the list; each import runs in a fresh Chromium profile',
		'(headless, service workers blocked) through the real Import page: the file is set on its file input,',
		'the probe clicks Complete as soon as it is enabled and waits for the summary. Times come from the',
		"page's clock, from the file input's change event. The files are generated from tests/bench/people.ts",
		"(the admin's typing of the same realistic people as the list's directories, with Rollcall's template",
		'columns) and kept under node_modules/.cache/rollcall-bench-import/.',
		'',
		'The floor is measured in the same run, right after the 100,000-row CSV import: the very records',
		"Rollcall stored, read back, then put() one by one in one transaction (strict durability, as Rollcall's",
		"database) into a fresh database whose users store has the same key and the same indexes as Rollcall's.",
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
	const floorMs = r.floor?.ms;
	const rows: (string | number)[][] = [];
	if (r.floor)
		rows.push([
			`Floor: ${int(r.floor.count)} put() into ${r.floor.indexes} indexes, one transaction${r.csv?.earlier ? ` (with the CSV's run)` : ''}`,
			'–',
			'–',
			'–',
			s(r.floor.ms),
			s(r.floor.ms),
			'1.00×',
			'–'
		]);
	// The floor is of the 100,000-row files' size: a file of another size is not divided by it.
	for (const imp of [r.csv, r.xlsx, r.million]) {
		if (imp) rows.push(importRow(imp, imp.rows === r.floor?.count ? floorMs : undefined));
	}
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
					'÷ floor',
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
	out.push('', '### Targets', '');
	const targets: (string | number)[][] = [];
	if (r.csv && floorMs) {
		const ratio = (r.csv.run.done - r.csv.run.chosen) / floorMs;
		targets.push([
			`${r.csv.label}, chosen → committed, ÷ floor`,
			`${ratio.toFixed(2)}×`,
			'≤ 1.25×',
			met(ratio <= 1.25)
		]);
	}
	if (r.csv) {
		const wall = longest(r.csv.run);
		const cpu = r.csv.tasks?.longestCpu;
		const verdict =
			wall <= 50
				? met(true)
				: cpu !== undefined && cpu <= 50
					? `${met(false)} in wall time; met in CPU time (see the load)`
					: met(false);
		targets.push([
			'Longest main-thread task during that import',
			`${wall > 0 ? `${int(wall)} ms wall` : 'no task over 50 ms wall'}${cpu === undefined ? '' : `, longest ${int(cpu)} ms CPU`}`,
			'≤ 50 ms',
			verdict
		]);
	}
	if (r.xlsx)
		targets.push([
			'100,000-row XLSX',
			r.xlsx.usersAfter >= r.xlsx.rows ? 'completes' : 'failed',
			'report',
			'–'
		]);
	if (r.million)
		targets.push([
			'1,000,000-row CSV',
			r.million.usersAfter >= r.million.rows
				? `completes in ${s(r.million.run.done - r.million.run.chosen)}`
				: 'failed',
			'completes, memory reported',
			met(r.million.usersAfter >= r.million.rows)
		]);
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
