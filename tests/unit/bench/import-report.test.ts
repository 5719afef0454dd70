import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
	csvRunRatio,
	medianRun,
	renderImportSection,
	withEarlierCases,
	xlsxFloorMs,
	type ImportResults,
	type PageImport
} from '../../bench/import-report';
import type { IndexCosts } from '../../bench/index-costs';

const pageImport = (label: string, totalMs: number): PageImport => ({
	label,
	rows: 100_000,
	bytes: 11e6,
	run: { chosen: 1000, preview: 1400, ready: 5000, done: 1000 + totalMs, summary: 'done', longTasks: [] },
	usersAfter: 100_000
});

const floor: IndexCosts = {
	count: 100_000,
	app: [{ name: 'site', keyPath: 'site', unique: false, multiEntry: false }],
	entries: [100_000, 100_000, 50_000],
	runs: [
		{ kind: 'lean', indexes: 2, ms: 6000 },
		{ kind: 'bare', indexes: 0, ms: 4000 },
		{ kind: 'lean', indexes: 2, ms: 6000 },
		{
			kind: 'plus',
			indexes: 3,
			added: { name: 'site', keyPath: 'site', unique: false, multiEntry: false },
			ms: 8000
		},
		{ kind: 'lean', indexes: 2, ms: 8000 },
		{ kind: 'full', indexes: 1, ms: 5000 },
		{ kind: 'lean', indexes: 2, ms: 8000 }
	]
};

const results = (over: Partial<ImportResults> = {}): ImportResults => ({
	startedAt: Date.UTC(2026, 11, 7, 21),
	load: [{ section: 'import', loadAverage: 1.5 }],
	errors: [],
	...over
});

describe('renderImportSection', () => {
	it('divides the CSV import by the lean floor’s mean, with the 1.5× target and the 1.2× stretch', () => {
		// Lean floor: (6 + 6 + 8 + 8) / 4 = 7 s; the CSV took 8.4 s: 1.20×.
		const text = renderImportSection(results({ csv: pageImport('100,000-row CSV', 8400), floor }));
		expect(text).toContain(
			'| 100,000-row CSV, chosen → committed, ÷ lean floor | 1.20× | ≤ 1.5× (stretch ≤ 1.2×) | **met**, stretch met |'
		);
		expect(text).toMatch(
			/\| Lean floor: 100,000 put\(\)[^|]*\(mean of 4 runs\) \| – \| – \| – \| 7\.0 s \| 7\.0 s \|/u
		);
	});

	it('holds the million-row import to 12× the 100,000-row one of the run, and each heap under 512 MiB', () => {
		const million = (totalMs: number, workerMiB: number) => ({
			...pageImport('1,000,000-row CSV', totalMs),
			rows: 1_000_000,
			usersAfter: 1_000_000,
			memory: { pageHeap: 40 * 2 ** 20, workerHeap: workerMiB * 2 ** 20, totalHeap: 0, samples: 9 }
		});
		const slow = renderImportSection(
			results({ csv: pageImport('100,000-row CSV', 40_000), floor, million: million(520_000, 880) })
		);
		expect(slow).toContain(
			'| 1,000,000-row CSV, chosen → committed, ÷ the 100,000-row CSV import of this run | 520.0 s (13.00×) | ≤ 12× | **NOT met** |'
		);
		expect(slow).toContain(
			'| 1,000,000-row CSV, peak JS heap | page 40.0 MiB, import worker 880.0 MiB | each < 512 MiB | **NOT met** |'
		);
		const fine = renderImportSection(
			results({ csv: pageImport('100,000-row CSV', 40_000), floor, million: million(400_000, 300) })
		);
		expect(fine).toContain('| 400.0 s (10.00×) | ≤ 12× | **met** |');
		expect(fine).toContain('| each < 512 MiB | **met** |');
	});

	it('divides the XLSX import by SheetJS’s read plus the lean floor of its records', () => {
		const xlsxFloor = { count: 100_000, sheetjsMs: 3000, leanMs: [6000, 8000] };
		expect(xlsxFloorMs(xlsxFloor)).toBe(10_000);
		const text = renderImportSection(results({ xlsx: pageImport('100,000-row XLSX', 16_000), xlsxFloor }));
		expect(text).toContain(
			'| 100,000-row XLSX, chosen → committed, ÷ (SheetJS read + lean floor) | 1.60× | ≤ 1.5× | **NOT met** |'
		);
	});

	it('shows each index’s cost over the lean floor around it, the app’s whole schema as one row', () => {
		const text = renderImportSection(results({ csv: pageImport('100,000-row CSV', 20_000), floor }));
		expect(text).toContain('### The cost of each index');
		expect(text).toContain(
			'| Lean floor (mean of 4 runs, 6.0 to 8.0 s) | `emailKey`; `nameKey` | unique; – | 2 | 7.0 s | – | – |'
		);
		expect(text).toContain('| + site | `site` | – | 0.5 | 8.0 s | 7.0 s | +1.0 s (+14%) |');
		expect(text).toContain(
			'| Bare store (primary key only) | `id` | autoIncrement | 0 | 4.0 s | 6.0 s | −2.0 s (−33%) |'
		);
		expect(text).toContain(
			"| The app's users schema (1 index) | all of the app’s | – | 0.5 | 5.0 s | 8.0 s | −3.0 s (−38%) |"
		);
	});

	it('does not divide a file of another size by a floor', () => {
		const million = { ...pageImport('1,000,000-row CSV', 900_000), rows: 1_000_000 };
		const text = renderImportSection(results({ csv: million, floor }));
		expect(text).not.toContain('÷ lean floor |');
	});
});

describe('the CSV runs', () => {
	const run = (totalMs: number, leanMs: number[]) => ({
		imp: pageImport('100,000-row CSV', totalMs),
		leanMs
	});

	it('divides each run by the mean of the lean floor runs around it', () => {
		expect(csvRunRatio(run(15_000, [8000, 12_000]))).toBe(1.5);
		expect(csvRunRatio(run(15_000, [10_000]))).toBe(1.5);
		expect(csvRunRatio(run(15_000, []))).toBeUndefined();
	});

	it('takes the median ratio, the higher middle one of an even number', () => {
		const runs = [run(15_000, [10_000]), run(12_000, [10_000]), run(20_000, [10_000])];
		expect(medianRun(runs)?.ratio).toBe(1.5);
		expect(medianRun(runs)?.run).toBe(runs[0]);
		expect(medianRun(runs.slice(0, 2))?.ratio).toBe(1.5);
		expect(medianRun([run(9000, [])])).toBeUndefined();
	});

	it('reports every run with its own floor and the median against the target', () => {
		const runs = [run(17_000, [10_000]), run(12_000, [10_000, 12_000]), run(13_000, [12_000, 8000])];
		const text = renderImportSection(results({ csv: runs[2]!.imp, csvRuns: runs, floor }));
		expect(text).toContain('| 100,000-row CSV, run 2 of 3 (lean floor around it 10.0 s, 12.0 s) |');
		expect(text).toContain('| 1.09× |');
		// Ratios 1.70, 1.09 and 1.30: the median is the third run's.
		expect(text).toContain(
			'| 100,000-row CSV, chosen → committed, ÷ lean floor around it (median of 3 runs) | 1.30× | ≤ 1.5× (stretch ≤ 1.2×) | **met**, stretch **NOT met** |'
		);
	});
});

describe('withEarlierCases', () => {
	let dir: string | undefined;
	afterEach(() => {
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	it('takes an earlier CSV case with its lean floor, but not a floor of the shape before it', () => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'import-report-'));
		const store = path.join(dir, 'results.json');
		writeFileSync(store, JSON.stringify(results({ csv: pageImport('100,000-row CSV', 9000), floor })));
		expect(withEarlierCases(results(), store).floor).toEqual(floor);

		writeFileSync(
			store,
			JSON.stringify({
				...results({ csv: pageImport('100,000-row CSV', 9000) }),
				floor: { ms: 47_800, count: 100_000, indexes: 11 }
			})
		);
		const merged = withEarlierCases(results(), store);
		expect(merged.csv?.earlier).toBe('2026-12-07T21:00Z, load 1.5');
		expect(merged.floor).toBeUndefined();
		expect(JSON.parse(readFileSync(store, 'utf8'))).not.toHaveProperty('floor');
	});
});
