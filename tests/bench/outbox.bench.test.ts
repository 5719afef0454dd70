// `npm run bench:outbox`: 10,000 queued activation emails flushed to the real relay on loopback (issue 4,
// Speed). The relay serves build/ with a fresh database and its built-in mailbox; headless Chromium opens the
// app, 10,000 users are seeded (seed.ts), the app is paired through Settings, and, offline, an admin selects
// every user and sends them an activation email. Then the browser goes online and the flush is timed until the
// header says "Outbox: All sent"; the relay's mailbox is followed until it holds every mail. The figures go to
// the "Outbox flush" section of BENCHMARKS.md. It checks that everything was sent and delivered exactly once,
// but asserts no timing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
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
const NODE = existsSync(`${ROOT}node_modules/.bin/node`) ? `${ROOT}node_modules/.bin/node` : process.execPath;
const MESSAGES = Number(process.env.BENCH_OUTBOX_MESSAGES ?? 10_000);
const VIEWPORT = { width: 1280, height: 800 };
const DEVICE = 'Bench laptop';
/** Generous: a busy 2-core machine may take minutes; the figures, not this, are the result. */
const FLUSH_TIMEOUT_MS = 15 * 60_000;
const START_MARKER = '<!-- outbox-bench:start (written by `npm run bench:outbox`) -->';
const END_MARKER = '<!-- outbox-bench:end -->';

/** What the page records about the flush (see installFlushProbe). */
interface FlushProbe {
	onlineAt: number;
	allSentAt: number;
	/** The indicator's words each time they changed after going online, with when. */
	indicator: { at: number; text: string }[];
	longTasks: { start: number; duration: number }[];
	posts: { start: number; end: number }[];
	/** IndexedDB transactions on the outbox: mode, stores, created -> complete. */
	transactions: { mode: string; stores: string; start: number; end: number }[];
}

declare global {
	interface Window {
		__flush?: {
			probe: FlushProbe;
			arm(): void;
			allSent: Promise<void>;
		};
	}
}

/** The init script: long tasks, the 'online' event, the indicator's words and the POSTs' resource timing. */
function installFlushProbe(): void {
	if (window.__flush) return;
	const probe: FlushProbe = {
		onlineAt: NaN,
		allSentAt: NaN,
		indicator: [],
		longTasks: [],
		posts: [],
		transactions: []
	};
	// Every transaction on the outbox once online: how long each took, from creation to its commit.
	const proto = IDBDatabase.prototype as unknown as Record<string, unknown>;
	const open = proto.transaction as (this: IDBDatabase, ...args: unknown[]) => IDBTransaction;
	proto.transaction = function (this: IDBDatabase, ...args: unknown[]) {
		const tx = open.apply(this, args);
		const stores = [...tx.objectStoreNames].join('+');
		if (stores.includes('outbox') && !Number.isNaN(probe.onlineAt)) {
			const entry = { mode: tx.mode, stores, start: performance.now(), end: NaN };
			probe.transactions.push(entry);
			const end = () => (entry.end = performance.now());
			tx.addEventListener('complete', end);
			tx.addEventListener('abort', end);
		}
		return tx;
	};
	let done = () => {};
	const allSent = new Promise<void>((resolve) => (done = resolve));
	try {
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries())
				probe.longTasks.push({ start: entry.startTime, duration: entry.duration });
		}).observe({ type: 'longtask', buffered: true });
	} catch {
		// No long-task support.
	}
	performance.setResourceTimingBufferSize(100_000);
	new PerformanceObserver((list) => {
		for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
			if (entry.name.endsWith('/api/messages') && entry.initiatorType === 'fetch')
				probe.posts.push({ start: entry.startTime, end: entry.responseEnd });
		}
	}).observe({ type: 'resource', buffered: true });
	window.addEventListener('online', (event) => (probe.onlineAt = event.timeStamp));
	const arm = () => {
		const link = document.querySelector<HTMLButtonElement>('header button[aria-label^="Outbox:"]');
		if (!link) throw new Error('The header has no Outbox indicator.');
		const check = () => {
			const text = link.getAttribute('aria-label') ?? '';
			if (probe.indicator.at(-1)?.text !== text) probe.indicator.push({ at: performance.now(), text });
			if (text === 'Outbox: All sent' && Number.isNaN(probe.allSentAt) && !Number.isNaN(probe.onlineAt)) {
				probe.allSentAt = performance.now();
				done();
			}
		};
		new MutationObserver(check).observe(link, { attributes: true, attributeFilter: ['aria-label'] });
		check();
	};
	window.__flush = { probe, arm, allSent };
}

interface OutboxResults {
	machine?: Machine;
	seed?: SeedResult;
	queueMs?: number;
	flush?: FlushProbe;
	/** Node's clock: setOffline(false) -> the page said All sent. */
	flushWallMs?: number;
	/** Node's clock: setOffline(false) -> the relay's mailbox held every mail. */
	deliveredMs?: number;
	postsSeen: number;
	postStatuses: Record<string, number>;
	relay?: { accepted: number; mailbox: number; recipients: number; states: Record<string, number> };
	loadAverage: { at: string; value: number }[];
	error?: string;
}

const results: OutboxResults = { postsSeen: 0, postStatuses: {}, loadAverage: [] };
const noteLoad = (at: string) => results.loadAverage.push({ at, value: os.loadavg()[0]! });

let server: RunningServer;
let browser: Browser;
let dataDir: string;

/** A one-time pairing code from the relay's own CLI, written to the running relay's database. */
function pairingCode(): string {
	const output = execFileSync(NODE, ['src/relay/cli.ts', 'pair'], {
		cwd: ROOT,
		env: { ...process.env, PORT: String(server.port), RELAY_DATA_DIR: dataDir },
		encoding: 'utf8'
	});
	const code = /Pairing code: (\S+)/.exec(output)?.[1];
	if (!code) throw new Error(`The relay CLI printed no pairing code:\n${output}`);
	return code;
}

const nav = (page: Page, name: string) =>
	page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

async function pairThroughSettings(page: Page): Promise<void> {
	await nav(page, 'Settings');
	const relay = page.getByRole('region', { name: 'Relay' });
	await relay.getByLabel('Pairing code').fill(pairingCode());
	await relay.getByLabel('Device name').fill(DEVICE);
	await relay.getByRole('button', { name: 'Pair' }).click();
	await relay.getByText(`Paired as ${DEVICE}`).waitFor({ timeout: 30_000 });
}

/** The relay's database, read-only: what it accepted and what its mailbox holds. */
function relayCounts(): NonNullable<OutboxResults['relay']> {
	const db = new DatabaseSync(path.join(dataDir, 'relay.sqlite'), { readOnly: true });
	try {
		const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
		const states = Object.fromEntries(
			(
				db.prepare('SELECT state, count(*) AS n FROM messages GROUP BY state').all() as {
					state: string;
					n: number;
				}[]
			).map((row) => [row.state, row.n])
		);
		return {
			accepted: one('SELECT count(*) AS n FROM messages'),
			mailbox: one("SELECT count(*) AS n FROM mailbox WHERE kind = 'mail'"),
			recipients: one("SELECT count(DISTINCT lower(recipient)) AS n FROM mailbox WHERE kind = 'mail'"),
			states
		};
	} finally {
		db.close();
	}
}

describe('Outbox flush', () => {
	beforeAll(async () => {
		dataDir = mkdtempSync(path.join(os.tmpdir(), 'rollcall-outbox-bench-'));
		// The bench times the flush, not the relay's sending caps (1,000 an hour by default would hold
		// the rest of the 10,000 for hours).
		server = await startServer(undefined, {
			RELAY_DATA_DIR: dataDir,
			RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR: '1000000',
			RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY: '10000000'
		});
		browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
		results.machine = describeMachine(browser.version());
	});

	afterAll(async () => {
		noteLoad('end');
		writeSection(REPORT, results);
		console.log(`Wrote the outbox section of ${REPORT}`);
		await browser?.close();
		await server?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	});

	test(`${MESSAGES.toLocaleString('en')} activation emails queued offline, flushed online`, async () => {
		try {
			await run();
		} catch (error) {
			results.error = error instanceof Error ? error.message : String(error);
			console.error(server.output().slice(-4000));
			throw error;
		}
	});
});

async function run(): Promise<void> {
	// Service workers blocked: nothing here loads a page offline, and every request is then the page's own.
	const context = await browser.newContext({
		viewport: VIEWPORT,
		locale: 'en-GB',
		timezoneId: 'UTC',
		serviceWorkers: 'block'
	});
	await context.addInitScript(installFlushProbe);
	const page = await context.newPage();
	page.on('request', (request) => {
		if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/messages')
			results.postsSeen++;
	});
	page.on('response', (response) => {
		const request = response.request();
		if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/messages') {
			const status = String(response.status());
			results.postStatuses[status] = (results.postStatuses[status] ?? 0) + 1;
		}
	});
	const count = page.getByRole('main').getByText(/^[\d,]+ users?(, [\d,]+ selected)?$/);
	const total = `${MESSAGES.toLocaleString('en')} users`;

	console.log('[bench] seeding…');
	noteLoad('seeding');
	await page.goto(`${server.url}/`);
	await count.filter({ hasText: /^0 users$/ }).waitFor();
	await page.goto(`${server.url}/favicon.svg`);
	// No Suspended users: a message to one is stopped by the relay (the user is suspended), and this bench
	// times a flush that delivers every message.
	results.seed = await seedUsers(page, new People(0, undefined, { hasSuspended: false }), MESSAGES, () => {});
	await page.goto(`${server.url}/`);
	await count.filter({ hasText: total }).waitFor({ timeout: 120_000 });

	console.log('[bench] pairing…');
	await pairThroughSettings(page);
	await nav(page, 'Users');
	await count.filter({ hasText: total }).waitFor({ timeout: 120_000 });

	console.log('[bench] queueing offline…');
	noteLoad('queueing');
	await context.setOffline(true);
	const indicator = page.getByRole('banner').getByRole('button', { name: /^Outbox:/ });
	await page.getByRole('grid', { name: 'Users' }).getByRole('columnheader').getByRole('checkbox').check();
	await count.filter({ hasText: `${total}, ${MESSAGES.toLocaleString('en')} selected` }).waitFor();
	await page.getByRole('button', { name: 'Action' }).click();
	await page.getByRole('menuitem', { name: 'Send activation email…' }).click();
	const dialog = page.getByRole('dialog');
	await dialog.waitFor({ timeout: 60_000 });
	const queueStarted = Date.now();
	await dialog.getByRole('button', { name: 'Send' }).click();
	const waiting = `Outbox: ${MESSAGES.toLocaleString('en')} waiting (offline)`;
	await page
		.getByRole('main')
		.getByText(`${MESSAGES.toLocaleString('en')} activation emails queued in the Outbox.`)
		.waitFor({ timeout: 120_000 });
	await indicator.filter({ hasText: `${MESSAGES.toLocaleString('en')} waiting` }).waitFor();
	results.queueMs = Date.now() - queueStarted;
	expect(await indicator.getAttribute('aria-label')).toBe(waiting);
	expect(results.postsSeen).toBe(0);

	console.log('[bench] online: flushing…');
	noteLoad('flush');
	await page.evaluate(() => window.__flush!.arm());
	const online = Date.now();
	await context.setOffline(false);
	// The relay's mailbox, followed from Node while the page flushes.
	const delivered = (async () => {
		for (;;) {
			if (relayCounts().mailbox >= MESSAGES) return Date.now() - online;
			if (Date.now() - online > FLUSH_TIMEOUT_MS) throw new Error('The mailbox did not fill in time.');
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	})();
	await page.evaluate(
		(timeout) =>
			Promise.race([
				window.__flush!.allSent,
				new Promise((_, reject) => setTimeout(() => reject(new Error('Not all sent in time')), timeout))
			]),
		FLUSH_TIMEOUT_MS
	);
	results.flushWallMs = Date.now() - online;
	results.flush = await page.evaluate(() => window.__flush!.probe);
	if (process.env.BENCH_OUTBOX_DUMP)
		writeFileSync(process.env.BENCH_OUTBOX_DUMP, JSON.stringify(results.flush));
	console.log(`[bench] all sent after ${results.flushWallMs} ms; waiting for the mailbox…`);
	noteLoad('delivery');
	results.deliveredMs = await delivered;
	// Exactly once: as many accepted messages and mails as were queued, one per person.
	await new Promise((resolve) => setTimeout(resolve, 1000));
	results.relay = relayCounts();
	expect(results.relay).toMatchObject({ accepted: MESSAGES, mailbox: MESSAGES, recipients: MESSAGES });
	// The mailbox as a person on the relay's machine reads it (its newest 500).
	const mailbox = (await (await fetch(`${server.url}/mailbox/messages.json`)).json()) as { to: string }[];
	expect(mailbox.length).toBe(Math.min(500, MESSAGES));
	expect(results.postsSeen).toBe(results.flush.posts.length);
	await context.close();
}

const int = (n: number) => Math.round(n).toLocaleString('en');
const seconds = (ms: number | undefined) =>
	ms === undefined || Number.isNaN(ms) ? '–' : `${(ms / 1000).toFixed(1)} s`;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function section(r: OutboxResults): string {
	const m = r.machine;
	const f = r.flush;
	const flushMs = f ? f.allSentAt - f.onlineAt : undefined;
	const during = f ? f.longTasks.filter((t) => t.start >= f.onlineAt && t.start <= f.allSentAt) : [];
	const inRequests = f ? f.posts.reduce((sum, p) => sum + (p.end - p.start), 0) : NaN;
	const firstPost = f?.posts[0];
	const gaps = f ? f.posts.slice(1).map((p, i) => p.start - f.posts[i]!.end) : [];
	const txLine = (mode: IDBTransactionMode) => {
		const txs = f?.transactions.filter((t) => t.mode === mode && t.start <= f.allSentAt) ?? [];
		const took = txs.map((t) => t.end - t.start);
		return txs.length
			? `${int(txs.length)}, median ${int(median(took))} ms, ${seconds(took.reduce((a, b) => a + b, 0))} in all`
			: 'none';
	};
	const lines = [
		START_MARKER,
		'## Outbox flush',
		'',
		'`npm run bench:outbox` (tests/bench/outbox.bench.test.ts): the relay (`node src/relay/main.ts`, serving',
		'build/, a fresh database, its built-in mailbox, default rate limits) on a loopback port; headless Chromium',
		`with ${int(MESSAGES)} users seeded (seed.ts), paired through Settings. Offline, the Users list: select all,`,
		'Action → Send activation email…, Send. Then `context.setOffline(false)`: the flush is timed on the page’s',
		'clock from the `online` event to the header indicator reading “Outbox: All sent”; the mailbox from Node,',
		'reading the relay’s database (`/mailbox/messages.json` shows only the newest 500). Service workers blocked.',
		'',
		'|  |  |',
		'| --- | --- |',
		`| Date | ${m?.date ?? '–'} |`,
		`| CPU | ${m ? `${m.cpuModel}, ${m.cpus} cores` : '–'} |`,
		`| Memory | ${m?.memory ?? '–'} |`,
		`| Node / Chromium | ${m ? `${m.node} / ${m.chromium}` : '–'} |`,
		`| Load average (1 min) | ${r.loadAverage.map((l) => `${l.value.toFixed(1)} (${l.at})`).join(', ')} |`,
		''
	];
	if (r.error) lines.push(`**The run failed:** ${r.error.split('\n')[0]}`, '');
	lines.push(
		'| Figure | Value |',
		'| --- | --- |',
		`| Messages | ${int(MESSAGES)} activation emails, queued in ${seconds(r.queueMs)} (Send → notice and indicator) |`,
		`| Online → “Outbox: All sent” | ${seconds(flushMs)} (${seconds(r.flushWallMs)} on Node’s clock) |`,
		`| Messages per second | ${flushMs ? int(MESSAGES / (flushMs / 1000)) : '–'} |`,
		`| Batches posted (POST /api/messages) | ${r.postsSeen} (${Object.entries(r.postStatuses)
			.map(([status, n]) => `${n} × ${status}`)
			.join(', ')}) |`,
		`| Time inside those requests | ${seconds(inRequests)} (median ${int(median(f?.posts.map((p) => p.end - p.start) ?? []))} ms per batch); the rest is the app |`,
		`| App time between one batch’s answer and the next POST | median ${int(median(gaps))} ms, longest ${gaps.length ? int(Math.max(...gaps)) : '–'} ms |`,
		`| IndexedDB transactions on the outbox during the flush: read-write | ${txLine('readwrite')} |`,
		`| … read-only (the header’s counts, the due messages) | ${txLine('readonly')} |`,
		`| Online → first POST | ${f && firstPost ? `${int(firstPost.start - f.onlineAt)} ms` : '–'} |`,
		`| Main-thread long tasks during the flush | ${
			during.length
				? `${during.length}, longest ${int(Math.max(...during.map((t) => t.duration)))} ms, ${int(during.reduce((s, t) => s + t.duration, 0))} ms in all`
				: 'none'
		} |`,
		`| Online → every mail in the relay’s mailbox | ${seconds(r.deliveredMs)} (${r.deliveredMs ? int(MESSAGES / (r.deliveredMs / 1000)) : '–'} mails/s) |`,
		`| Relay at the end | ${
			r.relay
				? `${int(r.relay.accepted)} messages accepted (${Object.entries(r.relay.states)
						.map(([s, n]) => `${int(n)} ${s}`)
						.join(', ')}), ${int(r.relay.mailbox)} mails for ${int(r.relay.recipients)} addresses`
				: '–'
		} |`,
		'',
		`Seeding: ${r.seed ? `${int(r.seed.count)} users in ${r.seed.seconds.toFixed(1)} s` : '–'} (not part of the figures).`,
		END_MARKER
	);
	return lines.join('\n');
}

/** Replaces this bench's section of BENCHMARKS.md (between its markers), or appends it. */
function writeSection(file: string, r: OutboxResults): void {
	const text = section(r);
	replaceSection(file, 'outbox-bench', text);
}
