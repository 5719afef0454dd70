// The import benchmark (issue 3, Speed; issue 15): Rollcall's whole import of realistic files through the
// real Import page, against the lean floor of raw IndexedDB puts of the same records (and, for XLSX,
// SheetJS's read of the file), in the same run; and what each of the app's indexes adds to that floor.
// Runs on its own: `npm run bench:import` (`npm run bench` does not run it). BENCH_IMPORT
// picks the cases (default 'csv,xlsx,preview,million', run in that order). Asserts that each import really
// happened, never a timing.
import os from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { cacheKey } from './cache';
import { importFile, type ImportFile } from './import-files';
import { sampleMemory } from './import-memory';
import {
	completeImport,
	countUsers,
	forgetStoredUsers,
	installImportProbes,
	putStoredUsers,
	readStoredUsers,
	readWithSheetJS,
	storedUsers
} from './import-probes';
import {
	medianRun,
	renderImportSection,
	withEarlierCases,
	writeImportSection,
	type CsvRun,
	type ImportResults,
	type PageImport,
	type XlsxFloor
} from './import-report';
import {
	countIndexEntries,
	indexVariants,
	LEAN_INDEXES,
	type IndexCosts,
	type VariantRun
} from './index-costs';
import { CHROMIUM, CHROMIUM_FLAGS } from './lighthouse';
import { describeMachine } from './machine';
import { section as timedSection } from './section';
import { startServer, type RunningServer } from './server';
import { traced } from './trace';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REPORT = `${ROOT}BENCHMARKS.md`;
const FILES = `${ROOT}node_modules/.cache/rollcall-bench-import`;
const CASES = new Set((process.env.BENCH_IMPORT ?? 'csv,xlsx,preview,million').split(','));
const VIEWPORT = { width: 1280, height: 800 };
/** Rows of the CSV and XLSX cases; smaller while working on the bench (BENCH_IMPORT_ROWS=2000). */
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const rowsName = `${ROWS.toLocaleString('en')}-row`;
/** Runs of the CSV case, each between lean floor runs: the target takes their median ratio (CsvRun). */
const CSV_RUNS = Math.max(1, Number(process.env.BENCH_IMPORT_CSV_RUNS ?? 3));
/** Same generator, same files: regenerated when people.ts or this file's generator changes. */
const FILE_KEY = cacheKey(ROOT, ['tests/bench/people.ts', 'tests/bench/import-files.ts'], 'import-files');
/** SheetJS as a page script, from the package the app bundles (the same version). */
const SHEETJS = `${ROOT}node_modules/@e965/xlsx/dist/xlsx.full.min.js`;
/** The options Rollcall's import worker gives SheetJS's read (readSheet in src/lib/import/xlsx.ts). */
const SHEETJS_OPTIONS = {
	type: 'array',
	dense: true,
	cellFormula: false,
	cellHTML: false,
	cellDates: false,
	cellStyles: false,
	cellText: true,
	sheetStubs: false,
	bookVBA: false
};

const results: ImportResults = { startedAt: Date.now(), load: [], errors: [] };
let server: RunningServer;

const section = <T>(name: string, run: () => Promise<T>): Promise<T> => timedSection(results, name, run);

/** A fresh on-disk profile (a big import outgrows an incognito one's quota) on the Import page. */
async function withImportPage<T>(run: (page: Page) => Promise<T>): Promise<T> {
	const work = mkdtempSync(path.join(os.tmpdir(), 'rollcall-import-bench-'));
	const context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
		executablePath: CHROMIUM,
		args: CHROMIUM_FLAGS,
		viewport: VIEWPORT,
		// A British admin: the generated national phone numbers (07400 ...) are British.
		locale: 'en-GB',
		serviceWorkers: 'block'
	});
	try {
		await context.addInitScript(installImportProbes);
		const page = context.pages()[0] ?? (await context.newPage());
		return await run(page);
	} finally {
		await context.close();
		rmSync(work, { recursive: true, force: true });
	}
}

/** Raises the file-size limit (Settings) when a file is over the default 100 MB. */
async function allowFile(page: Page, file: ImportFile): Promise<void> {
	const mb = Math.ceil(file.bytes / 2 ** 20);
	if (mb <= 100) return;
	await page.goto(`${server.url}/settings`);
	const input = page.getByLabel('Largest file (MB)');
	await input.fill(String(mb));
	await input.press('Tab');
	// Saved when the page, loaded again, shows it (the confirmation text may come and go unseen).
	await expect
		.poll(
			async () => {
				await page.goto(`${server.url}/settings`);
				return input.inputValue();
			},
			{ timeout: 60_000 }
		)
		.toBe(String(mb));
}

async function openImport(page: Page): Promise<void> {
	await page.goto(`${server.url}/import`);
	await page.getByRole('heading', { name: 'Import users' }).waitFor();
	// Settings and the directory are read on load: let that finish before the clock starts.
	await page.evaluate(() => new Promise((done) => requestIdleCallback(() => done(null), { timeout: 5000 })));
}

/** Chooses `file` on the Import page, completes the import as soon as Rollcall allows, checks the users. */
async function importThroughPage(
	page: Page,
	label: string,
	file: ImportFile,
	options: { trace?: boolean; memory?: boolean; timeoutMs: number }
): Promise<PageImport> {
	await allowFile(page, file);
	await openImport(page);
	const stopMemory = options.memory ? await sampleMemory(page) : undefined;
	const go = async () => {
		await page.locator('input[type="file"]').setInputFiles(file.path);
		return page.evaluate(completeImport, { timeoutMs: options.timeoutMs, stopAtPreview: false });
	};
	let imp: PageImport;
	if (options.trace) {
		const { result, tasks } = await traced(page, go);
		imp = { label, rows: file.rows, bytes: file.bytes, run: result, usersAfter: 0, tasks };
	} else {
		imp = { label, rows: file.rows, bytes: file.bytes, run: await go(), usersAfter: 0 };
	}
	if (stopMemory) imp.memory = await stopMemory();
	imp.usersAfter = await page.evaluate(countUsers);
	expect(imp.usersAfter).toBe(file.rows);
	expect(imp.run.summary).toContain(`${file.rows.toLocaleString('en')} users created`);
	return imp;
}

/** The database each floor's store is made in (a fresh one each time: putStoredUsers deletes it around). */
const FLOOR_DB = 'rollcall-floor';

/**
 * After an import, on its page: the records Rollcall stored, read back, put into the lean floor, the bare
 * store, the lean floor plus each of the app's other indexes, the app's whole schema, and the lean floor
 * again, one after the other; and the index entries the records give each index.
 */
async function measureIndexCosts(page: Page, rows: number): Promise<IndexCosts> {
	const stored = await page.evaluate(readStoredUsers);
	expect(stored.count).toBe(rows);
	const users = await page.evaluateHandle(storedUsers);
	const entries = await page.evaluate(countIndexEntries, {
		users,
		indexes: [...LEAN_INDEXES, ...stored.indexes]
	});
	await users.dispose();
	const runs: VariantRun[] = [];
	for (const variant of indexVariants(stored.indexes)) {
		const ms = await page.evaluate(putStoredUsers, { name: FLOOR_DB, indexes: variant.indexes });
		console.log(
			`[bench]   ${variant.kind}${variant.added ? ` ${variant.added.name}` : ''}: ${(ms / 1000).toFixed(1)} s`
		);
		runs.push({ kind: variant.kind, indexes: variant.indexes.length, added: variant.added, ms });
	}
	await page.evaluate(forgetStoredUsers);
	return { count: stored.count, app: stored.indexes, entries, runs };
}

/** After an import, on its page: one lean floor run of the records it stored. */
async function leanFloorOnce(page: Page, rows: number): Promise<number> {
	const stored = await page.evaluate(readStoredUsers);
	expect(stored.count).toBe(rows);
	const ms = await page.evaluate(putStoredUsers, { name: FLOOR_DB, indexes: [...LEAN_INDEXES] });
	await page.evaluate(forgetStoredUsers);
	console.log(`[bench]   lean: ${(ms / 1000).toFixed(1)} s`);
	return ms;
}

/**
 * After an XLSX import, on its page: the lean floor of the records it stored, SheetJS's read of the same
 * file (loaded into the page, the file chosen on an input of the bench's own), then the lean floor again.
 */
async function measureXlsxFloor(page: Page, file: ImportFile): Promise<XlsxFloor> {
	const stored = await page.evaluate(readStoredUsers);
	expect(stored.count).toBe(file.rows);
	const lean = () => page.evaluate(putStoredUsers, { name: FLOOR_DB, indexes: [...LEAN_INDEXES] });
	const first = await lean();
	// Evaluated through the DevTools protocol, so the page's Content-Security-Policy does not apply; the
	// script defines window.XLSX (its completion value, the library, is not sent back).
	await page.evaluate(`${readFileSync(SHEETJS, 'utf8')};\nundefined`);
	await page.evaluate(() => {
		const input = Object.assign(document.createElement('input'), {
			type: 'file',
			id: 'bench-sheetjs',
			hidden: true
		});
		document.body.append(input);
	});
	await page.locator('#bench-sheetjs').setInputFiles(file.path);
	const read = await page.evaluate(readWithSheetJS, { inputId: 'bench-sheetjs', options: SHEETJS_OPTIONS });
	// The header row and one row per user: SheetJS read the whole sheet.
	expect(read.rows).toBe(file.rows + 1);
	const last = await lean();
	await page.evaluate(forgetStoredUsers);
	return { count: stored.count, sheetjsMs: read.ms, leanMs: [first, last] };
}

describe('Import benchmarks', () => {
	beforeAll(async () => {
		server = await startServer();
		const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
		results.machine = describeMachine(browser.version());
		await browser.close();
	});

	// After each case too: a long run stopped part way still reports what it measured.
	afterEach(() => {
		results.finishedAt = Date.now();
		writeImportSection(REPORT, renderImportSection(withEarlierCases(results, `${FILES}/results.json`)));
	});

	afterAll(async () => {
		results.finishedAt = Date.now();
		results.load.push({ section: 'end', loadAverage: os.loadavg()[0]! });
		writeImportSection(REPORT, renderImportSection(withEarlierCases(results, `${FILES}/results.json`)));
		console.log(`Wrote the Import section of ${REPORT}`);
		await server?.stop();
	});

	test.runIf(CASES.has('csv'))(
		`(a, b) a ${rowsName} CSV through the page, its floor and each index's cost`,
		async () => {
			const file = await section(`import files: ${rowsName} CSV`, () =>
				Promise.resolve(importFile(FILES, FILE_KEY, 'csv', ROWS))
			);
			// Each run in a fresh profile, followed in its page by a lean floor run; the last one's page measures
			// every index's cost, which begins with a lean floor run.
			const runs: CsvRun[] = [];
			let leanBefore: number | undefined;
			for (let i = 1; i <= CSV_RUNS; i++) {
				const name = `${rowsName} CSV${CSV_RUNS > 1 ? `, run ${i} of ${CSV_RUNS}` : ''}`;
				await withImportPage(async (page) => {
					const imp = await section(`import: ${name}`, () =>
						importThroughPage(page, `${rowsName} CSV`, file, { trace: true, timeoutMs: 15 * 60_000 })
					);
					let leanAfter: number;
					if (i < CSV_RUNS) {
						leanAfter = await section(`floor: lean after run ${i}`, () => leanFloorOnce(page, ROWS));
					} else {
						results.floor = await section(
							`floors: ${ROWS.toLocaleString('en')} put(), the cost of each index`,
							() => measureIndexCosts(page, ROWS)
						);
						leanAfter = results.floor.runs[0]!.ms;
					}
					runs.push({ imp, leanMs: leanBefore === undefined ? [leanAfter] : [leanBefore, leanAfter] });
					leanBefore = leanAfter;
				});
				results.csvRuns = runs;
				results.csv = medianRun(runs)?.run.imp ?? runs[0]?.imp;
			}
		}
	);

	test.runIf(CASES.has('xlsx'))(`(c) a ${rowsName} XLSX through the page, and its floor`, async () => {
		const file = await section(`import files: ${rowsName} XLSX`, () =>
			Promise.resolve(importFile(FILES, FILE_KEY, 'xlsx', ROWS))
		);
		await withImportPage(async (page) => {
			results.xlsx = await section(`import: ${rowsName} XLSX`, () =>
				importThroughPage(page, `${rowsName} XLSX`, file, { trace: true, timeoutMs: 15 * 60_000 })
			);
			results.xlsxFloor = await section(`floor: SheetJS read + ${ROWS.toLocaleString('en')} put()`, () =>
				measureXlsxFloor(page, file)
			);
		});
	});

	test.runIf(CASES.has('preview'))('(e) the preview of a 100 MB file', async () => {
		const file = await section('import files: 1,000,000-row CSV', () =>
			Promise.resolve(importFile(FILES, FILE_KEY, 'csv', 1_000_000))
		);
		results.preview = [];
		await section('preview: 1,000,000-row CSV', () =>
			withImportPage(async (page) => {
				await allowFile(page, file);
				for (let i = 0; i < 3; i++) {
					await openImport(page);
					await page.locator('input[type="file"]').setInputFiles(file.path);
					const run = await page.evaluate(completeImport, { timeoutMs: 10 * 60_000, stopAtPreview: true });
					results.preview!.push({ bytes: file.bytes, rows: file.rows, ms: run.preview - run.chosen });
				}
			})
		);
	});
	test.runIf(CASES.has('million'))('(d) a 1,000,000-row CSV through the page, with memory', async () => {
		const file = await section('import files: 1,000,000-row CSV', () =>
			Promise.resolve(importFile(FILES, FILE_KEY, 'csv', 1_000_000))
		);
		results.million = await section('import: 1,000,000-row CSV', () =>
			withImportPage((page) =>
				importThroughPage(page, '1,000,000-row CSV', file, { memory: true, timeoutMs: 90 * 60_000 })
			)
		);
	});
});
