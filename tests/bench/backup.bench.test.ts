// `npm run bench:backup`: backup and restore of 100,000 users (issue 11, Speed), each as a ratio to the raw
// IndexedDB work it cannot avoid, measured in the same run on the same records: the backup against one
// getAll of every table it holds, the restore against put() of the same records into the same stores (one
// transaction, strict durability as the app's). The app is driven as an admin drives it: Settings ->
// Download backup (timed to the browser's download and the "Backup saved" line), then Restore from a backup
// (timed from choosing the file to the dialog, and from Replace to "Restored"). Long main-thread tasks are
// read from a PerformanceObserver during each. The figures go to the "Backup and restore" section of
// BENCHMARKS.md; it checks that the backup holds every user and the restore gives them back, but asserts no
// timing. BENCH_BACKUP_USERS=20000 runs a smaller directory while working on it.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../scripts/chromium';
import { describeMachine, type Machine } from './machine';
import { People } from './people';
import { seedUsers, type SeedResult } from './seed';
import { replaceSection } from './section';
import { startServer, type RunningServer } from './server';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REPORT = `${ROOT}BENCHMARKS.md`;
const USERS = Number(process.env.BENCH_BACKUP_USERS ?? 100_000);
const VIEWPORT = { width: 1280, height: 800 };
const START_MARKER = '<!-- backup-bench:start (written by `npm run bench:backup`) -->';
const END_MARKER = '<!-- backup-bench:end -->';
const LONG_TASK_TARGET_MS = 50;
/** Raw getAll and backup alternate this many times (each a few seconds): the report gives the medians. */
const BACKUP_ROUNDS = Number(process.env.BENCH_BACKUP_ROUNDS ?? 3);
/** Generous: a busy 2-core machine may take minutes; the figures, not this, are the result. */
const STEP_TIMEOUT_MS = 10 * 60_000;

declare global {
	interface Window {
		__longTasks?: { start: number; duration: number }[];
		/** The long tasks so far, those the observer has not delivered yet included. */
		__takeLongTasks?: () => { start: number; duration: number }[];
	}
}

/** The init script: every long task of the page, with its start on the page's clock. */
function installLongTaskProbe(): void {
	if (window.__longTasks) return;
	const tasks: { start: number; duration: number }[] = [];
	window.__longTasks = tasks;
	const keep = (entries: PerformanceEntryList) => {
		for (const entry of entries) tasks.push({ start: entry.startTime, duration: entry.duration });
	};
	try {
		const observer = new PerformanceObserver((list) => keep(list.getEntries()));
		observer.observe({ type: 'longtask', buffered: true });
		window.__takeLongTasks = () => {
			keep(observer.takeRecords());
			return tasks;
		};
	} catch {
		// No long-task support: the report says none were seen, which the browser line explains.
	}
}

/** The stores a backup holds (every one but the lists cache). */
const STORES = ['users', 'settings', 'trash', 'imports', 'importChanges', 'outbox', 'relay', 'commands'];

/** In the page: one getAll of each store in one transaction, timed to the last result. */
async function rawGetAll(stores: string[]): Promise<{ ms: number; records: number }> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open('rollcall');
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error ?? new Error('open failed'));
	});
	const started = performance.now();
	const tx = db.transaction(stores, 'readonly');
	const all = await Promise.all(
		stores.map(
			(name) =>
				new Promise<unknown[]>((resolve, reject) => {
					const request = tx.objectStore(name).getAll();
					request.onsuccess = () => resolve(request.result as unknown[]);
					request.onerror = () => reject(request.error ?? new Error('getAll failed'));
				})
		)
	);
	const ms = performance.now() - started;
	db.close();
	return { ms, records: all.reduce((sum, rows) => sum + rows.length, 0) };
}

/**
 * In the page: reads every record of the stores, then times clearing them and putting the same records
 * back in one transaction with the app's strict durability: the writes a restore cannot avoid.
 */
async function rawPut(stores: string[]): Promise<{ ms: number; records: number }> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open('rollcall');
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error ?? new Error('open failed'));
	});
	const read = db.transaction(stores, 'readonly');
	const rows = await Promise.all(
		stores.map(
			(name) =>
				new Promise<unknown[]>((resolve, reject) => {
					const request = read.objectStore(name).getAll();
					request.onsuccess = () => resolve(request.result as unknown[]);
					request.onerror = () => reject(request.error ?? new Error('getAll failed'));
				})
		)
	);
	const started = performance.now();
	const tx = db.transaction(stores, 'readwrite', { durability: 'strict' });
	stores.forEach((name, i) => {
		const store = tx.objectStore(name);
		store.clear();
		for (const row of rows[i]!) store.put(row);
	});
	await new Promise<void>((resolve, reject) => {
		tx.oncomplete = () => resolve();
		tx.onabort = () => reject(tx.error ?? new Error('put aborted'));
	});
	const ms = performance.now() - started;
	db.close();
	return { ms, records: rows.reduce((sum, list) => sum + list.length, 0) };
}

interface Phase {
	ms: number;
	longestTaskMs: number;
	longTasks: number;
}

interface BackupResults {
	machine?: Machine;
	seed?: SeedResult;
	fileBytes?: number;
	getAll?: { ms: number; records: number };
	backup?: Phase;
	/** Every round's raw getAll and backup times (ms), in order: the figures above are their medians. */
	rounds: { getAll: number; backup: number }[];
	put?: { ms: number; records: number };
	/** Choosing the file -> the confirmation (read, checksum, parse and check in the worker). */
	restoreCheck?: Phase;
	/** Replace -> "Restored" (the one transaction). */
	restoreWrite?: Phase;
	loadAverage: { at: string; value: number }[];
	error?: string;
}

const results: BackupResults = { loadAverage: [], rounds: [] };
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const noteLoad = (at: string) => results.loadAverage.push({ at, value: os.loadavg()[0]! });

let server: RunningServer;
let browser: Browser;
let dir: string;

/**
 * In the page: the long tasks that started in [from, to). Long-task entries reach the observer some time
 * after their task, in order: a marker task of its own (70 ms, after `to`) is run and waited for, so every
 * task before it has been reported. Throws if the marker is never seen (the probe would then prove nothing).
 */
async function longTasksBetween(range: {
	from: number;
	to: number;
}): Promise<{ start: number; duration: number }[]> {
	await new Promise<void>((resolve) =>
		setTimeout(() => {
			const until = performance.now() + 70;
			while (performance.now() < until);
			resolve();
		}, 0)
	);
	const giveUp = performance.now() + 30_000;
	for (;;) {
		const tasks = window.__takeLongTasks?.() ?? [];
		if (tasks.some((t) => t.start >= range.to))
			return tasks.filter((t) => t.start >= range.from && t.start < range.to);
		if (performance.now() > giveUp)
			throw new Error('The long-task probe saw no long task, not even its own marker.');
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/** Runs `act` and reports its wall time and the long tasks the page had meanwhile. */
async function timed(page: Page, act: () => Promise<void>): Promise<Phase> {
	const from = await page.evaluate(() => performance.now());
	const started = Date.now();
	await act();
	const ms = Date.now() - started;
	const to = await page.evaluate(() => performance.now());
	const tasks = await page.evaluate(longTasksBetween, { from, to });
	return {
		ms,
		longestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)),
		longTasks: tasks.filter((t) => t.duration > LONG_TASK_TARGET_MS).length
	};
}

describe('Backup and restore', () => {
	beforeAll(async () => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'rollcall-backup-bench-'));
		server = await startServer(undefined, { RELAY_DATA_DIR: path.join(dir, 'relay') });
		browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
		results.machine = describeMachine(browser.version());
	});

	afterAll(async () => {
		noteLoad('end');
		writeSection(REPORT, results);
		await browser?.close();
		await server?.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	test(`${USERS.toLocaleString('en')} users backed up and restored`, async () => {
		try {
			await run();
		} catch (error) {
			results.error = error instanceof Error ? error.message : String(error);
			throw error;
		}
	});
});

async function run(): Promise<void> {
	const context = await browser.newContext({
		viewport: VIEWPORT,
		locale: 'en-GB',
		timezoneId: 'UTC',
		serviceWorkers: 'block',
		acceptDownloads: true
	});
	await context.addInitScript(installLongTaskProbe);
	const page = await context.newPage();
	const count = page.getByRole('main').getByText(/^[\d,]+ users?$/);
	const total = `${USERS.toLocaleString('en')} users`;

	console.log('[bench] seeding…');
	noteLoad('seeding');
	await page.goto(`${server.url}/`);
	await count.filter({ hasText: /^0 users$/ }).waitFor();
	await page.goto(`${server.url}/favicon.svg`);
	results.seed = await seedUsers(page, new People(), USERS, () => {});

	const section = page.getByRole('region', { name: 'Backup and restore' });
	await page.goto(`${server.url}/settings`);
	await section
		.getByText('No backup has been made on this device yet.')
		.waitFor({ timeout: STEP_TIMEOUT_MS });

	const file = path.join(dir, 'backup.json');
	const backups: Phase[] = [];
	for (let round = 1; round <= BACKUP_ROUNDS; round++) {
		console.log(`[bench] raw getAll and backup, round ${round}…`);
		noteLoad(`getAll ${round}`);
		const getAll = await page.evaluate(rawGetAll, STORES);
		results.getAll ??= getAll;
		noteLoad(`backup ${round}`);
		await page.goto(`${server.url}/settings`);
		await section.getByText(/^(No backup has been made|Last backup:)/).waitFor({ timeout: STEP_TIMEOUT_MS });
		const downloading = page.waitForEvent('download', { timeout: STEP_TIMEOUT_MS });
		const backup = await timed(page, async () => {
			await section.getByRole('button', { name: 'Download backup' }).click();
			// Said once the browser has the file (download() was called): copying it to disk is the browser's.
			await section.getByRole('status').getByText('Backup saved as').waitFor({ timeout: STEP_TIMEOUT_MS });
		});
		await (await downloading).saveAs(file);
		expect(await section.getByRole('status').textContent()).toContain(`with ${total}.`);
		backups.push(backup);
		results.rounds.push({ getAll: getAll.ms, backup: backup.ms });
	}
	results.fileBytes = statSync(file).size;
	results.getAll = { ...results.getAll!, ms: median(results.rounds.map((r) => r.getAll)) };
	results.backup = {
		ms: median(results.rounds.map((r) => r.backup)),
		longestTaskMs: Math.max(...backups.map((b) => b.longestTaskMs)),
		longTasks: backups.reduce((sum, b) => sum + b.longTasks, 0)
	};

	console.log('[bench] raw put…');
	noteLoad('put');
	results.put = await page.evaluate(rawPut, STORES);
	// The backup added one settings record (when it was made).
	expect(results.put.records).toBe(results.getAll.records + 1);

	console.log('[bench] restore…');
	noteLoad('restore');
	await page.goto(`${server.url}/settings`);
	await section.getByText(/^Last backup:/).waitFor();
	const dialog = page.getByRole('dialog', { name: 'Replace the data on this device?' });
	results.restoreCheck = await timed(page, async () => {
		await section.getByLabel('Restore from a backup…').setInputFiles(file);
		await dialog.waitFor({ timeout: STEP_TIMEOUT_MS });
	});
	results.restoreWrite = await timed(page, async () => {
		await dialog.getByRole('button', { name: 'Replace with the backup' }).click();
		await section.getByRole('status').getByText(`Restored ${total}`).waitFor({ timeout: STEP_TIMEOUT_MS });
	});
	await page.goto(`${server.url}/`);
	await count.filter({ hasText: total }).waitFor({ timeout: STEP_TIMEOUT_MS });
	await context.close();
}

const seconds = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);
const ratio = (a: number | undefined, b: number | undefined) =>
	a === undefined || !b ? '–' : `${(a / b).toFixed(2)}x`;

function section(r: BackupResults): string {
	const m = r.machine;
	const restoreMs = r.restoreCheck && r.restoreWrite ? r.restoreCheck.ms + r.restoreWrite.ms : undefined;
	const longest = (phase: Phase | undefined) =>
		phase ? `${Math.round(phase.longestTaskMs)} ms (${phase.longTasks} over ${LONG_TASK_TARGET_MS} ms)` : '–';
	const lines = [
		START_MARKER,
		'## Backup and restore',
		'',
		`${USERS.toLocaleString('en')} users seeded (tests/bench/people.ts), driven through Settings in headless Chromium.`,
		m
			? `Measured ${m.date} on ${m.cpus} × ${m.cpuModel}, ${m.memory}, ${m.os}, Node ${m.node}, Chromium ${m.chromium}.`
			: '',
		`Load average (1 min) at each step: ${r.loadAverage.map((l) => `${l.at} ${l.value.toFixed(2)}`).join(', ')}.`,
		r.fileBytes ? `Backup file: ${(r.fileBytes / 2 ** 20).toFixed(1)} MiB.` : '',
		r.rounds.length
			? `Raw getAll and backup alternated ${r.rounds.length} times (medians below; the longest task of all rounds); each round's backup/getAll: ${r.rounds.map((x) => (x.backup / x.getAll).toFixed(2) + 'x').join(', ')}.`
			: '',
		'',
		'| what | time | ratio | target | longest main-thread task |',
		'| --- | --- | --- | --- | --- |',
		`| raw getAll of every backed-up store (${r.getAll?.records.toLocaleString('en') ?? '–'} records) | ${seconds(r.getAll?.ms)} | 1x | | |`,
		`| backup: click -> the file handed to the browser ("Backup saved") | ${seconds(r.backup?.ms)} | ${ratio(r.backup?.ms, r.getAll?.ms)} | <= 1.5x | ${longest(r.backup)} |`,
		`| raw clear + put() of the same records, one transaction, strict | ${seconds(r.put?.ms)} | 1x | | |`,
		`| restore: file chosen -> confirmation (read, checksum, parse, check) | ${seconds(r.restoreCheck?.ms)} | | | ${longest(r.restoreCheck)} |`,
		`| restore: Replace -> "Restored" (one transaction) | ${seconds(r.restoreWrite?.ms)} | ${ratio(r.restoreWrite?.ms, r.put?.ms)} | | ${longest(r.restoreWrite)} |`,
		`| restore, both steps | ${seconds(restoreMs)} | ${ratio(restoreMs, r.put?.ms)} | <= 1.3x | |`,
		'',
		"How: the raw figures run on the page's main thread (a getAll per store in one read transaction; a clear and a",
		'put per record in one read-write transaction with strict durability, as the app writes). The backup runs in the',
		'backup worker (started when the Backup section shows): every table but the lists cache read in 10,000-row',
		'chunks in one read transaction, written as JSON (Blob per chunk), SHA-256, handed to the browser. The restore',
		'reads the file on the page, hands it to the worker, checks header, length and SHA-256, parses it and runs every',
		'record through the restore functions the tables use on read (restoreUser works out the search and sort keys',
		'again: most of the check step), then, after Replace, clears and writes every table in one transaction. The',
		'ratios compare figures of the same run; the machine is shared (see the load averages), so absolute times vary.',
		'dexie-export-import (4.4.0) is not used: its importInto clears each table in a transaction of its own before',
		'importing (not atomic), and its exportDB adds typeson annotations that only its importInto reads back; the',
		'backup keeps its file format (a unit test imports a backup with its importInto).',
		r.error ? `\n**The run failed:** ${r.error}` : '',
		END_MARKER
	];
	return lines.filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n');
}

function writeSection(file: string, r: BackupResults): void {
	const text = section(r);
	replaceSection(file, 'backup-bench', text);
}
