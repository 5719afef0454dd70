// The list's measurements, driven from Node through Playwright; the clocks are the page's own
// (performance.now(), keydown timeStamps), read by the probes in probes.ts. Checks happen once per
// animation frame, so a latency is known to within one frame (~17 ms).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { IdbRequestLog, LongTask, MonitorResult } from './probes';

export interface FirstScreen {
	/** Navigation start -> first row's name cell has its text in the DOM. */
	firstRow: number;
	/** ... -> the next animation frame (painted then). */
	firstRowPainted: number;
	/** ... -> the count text shows the number of users. */
	countShown: number;
	gridShown: number;
	domContentLoaded: number;
	firstContentfulPaint?: number;
	/** The largest IndexedDB reads before the first row (the list's ordered keys, the rows...). */
	reads: IdbRequestLog[];
	/** Long tasks before the first row. */
	longTasks: LongTask[];
}

/**
 * Waits until the page has kept the name order of every user on disk (src/lib/db/lists.ts): the list's
 * whole order read. Returns when it was seen, in ms from the page's navigation start.
 */
export async function waitForKeptOrder(page: Page, timeoutMs = 600_000): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const keptAt = await page.evaluate(async () => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open('rollcall');
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error ?? new Error('Opening the database failed'));
			});
			try {
				if (!db.objectStoreNames.contains('lists')) return null;
				const store = db.transaction('lists').objectStore('lists');
				const get = (key: string) =>
					new Promise<{ generation?: string; ids?: unknown } | undefined>((resolve, reject) => {
						const request = store.get(key);
						request.onsuccess = () => resolve(request.result as never);
						request.onerror = () => reject(request.error ?? new Error('Reading failed'));
					});
				const [list, current] = await Promise.all([
					get(JSON.stringify(['users', 'name', '', '', '', ''])),
					get('generation')
				]);
				const isKept = list?.ids !== undefined && list.generation === (current?.generation ?? '');
				return isKept ? performance.now() : null;
			} finally {
				db.close();
			}
		});
		if (keptAt !== null) return keptAt;
		if (Date.now() > deadline) throw new Error(`The list's order was not kept within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** Removes every list the app kept (lists.ts), as a write through the app would: after raw writes. */
export async function forgetKeptLists(page: Page): Promise<void> {
	await page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('rollcall');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error ?? new Error('Opening the database failed'));
		});
		try {
			if (!db.objectStoreNames.contains('lists')) return;
			const tx = db.transaction('lists', 'readwrite');
			tx.objectStore('lists').clear();
			await new Promise<void>((resolve, reject) => {
				tx.oncomplete = () => resolve();
				tx.onerror = () => reject(tx.error ?? new Error('Clearing failed'));
			});
		} finally {
			db.close();
		}
	});
}

/** Loads `url` in `page` and waits for the first screen of the Users list. */
export async function firstScreen(page: Page, url: string, timeoutMs = 120_000): Promise<FirstScreen> {
	await page.goto(url, { waitUntil: 'commit' });
	await page.waitForFunction(() => window.__bench?.marks.firstRowFrame !== undefined, null, {
		timeout: timeoutMs,
		polling: 50
	});
	return page.evaluate(() => {
		const probe = window.__bench!;
		const marks = probe.marks;
		const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
		const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
		const firstRow = marks.firstRow!;
		return {
			firstRow,
			firstRowPainted: marks.firstRowFrame!,
			countShown: marks.count ?? NaN,
			gridShown: marks.grid ?? NaN,
			domContentLoaded: nav?.domContentLoadedEventEnd ?? NaN,
			firstContentfulPaint: fcp,
			reads: [
				...probe.idb.filter(
					(r) => r.op !== 'store.get' && r.start <= firstRow && (r.size > 1000 || r.end - r.start > 20)
				),
				// The rows on screen come one get() each (Dexie's bulkGet): one line for all of them.
				...[probe.idb.filter((r) => r.op === 'store.get' && r.start <= firstRow)]
					.filter((gets) => gets.length > 0)
					.map((gets) => ({
						op: `store.get × ${gets.length}`,
						source: gets[0]!.source,
						start: Math.min(...gets.map((r) => r.start)),
						end: Math.max(...gets.map((r) => r.end)),
						size: gets.reduce((n, r) => n + r.size, 0)
					}))
			].sort((a, b) => a.start - b.start),
			longTasks: probe.longTasks.filter((t) => t.start <= firstRow)
		};
	});
}

/** The page's live JavaScript heap: garbage collected first, so what the app keeps. */
export async function liveHeap(page: Page): Promise<number> {
	const cdp = await page.context().newCDPSession(page);
	try {
		await cdp.send('HeapProfiler.collectGarbage');
		return (await cdp.send('Runtime.getHeapUsage')).usedSize;
	} finally {
		await cdp.detach();
	}
}

/** Presses one key in the focused search box; resolves with keydown -> the list shows `expected` users, rows drawn. */
export async function searchKeystroke(
	page: Page,
	key: string,
	expected: number,
	timeoutMs = 120_000
): Promise<{ ms: number; firstMs: number }> {
	await page.keyboard.press(key);
	return page.evaluate(
		async ([expected, timeoutMs]) => {
			const probe = window.__bench!;
			const isDone = () => probe.count() === expected && probe.isFilled();
			// A short search in a big directory first shows its first matches ('Searching…').
			const first = await probe.waitFor(
				() => isDone() || (probe.isSearching() && probe.hasRows()),
				timeoutMs,
				`the first matches of the search`
			);
			const done = await probe.waitFor(isDone, timeoutMs, `the list to show ${expected} users`);
			return { ms: done - probe.keyAt, firstMs: Math.min(first, done) - probe.keyAt };
		},
		[expected, timeoutMs] as const
	);
}

/** Waits until the list shows `expected` users with their rows drawn. */
export async function waitForList(page: Page, expected: number, timeoutMs = 120_000): Promise<void> {
	await page.evaluate(
		async ([expected, timeoutMs]) => {
			const probe = window.__bench!;
			await probe.waitFor(
				() => probe.count() === expected && probe.isFilled(),
				timeoutMs,
				`${expected} users`
			);
		},
		[expected, timeoutMs] as const
	);
}

export interface ScrollRun {
	monitor: MonitorResult;
	/** Per step: scrollTop set -> the rows in view drawn with their text. */
	fills: number[];
	/** The highest aria-rowindex drawn at the end (count + 1 when the bottom was reached). */
	lastRowIndex: number;
}

/** Scrolls the grid's scroller from the top to the bottom in `steps` equal steps, waiting for the rows each time. */
export async function scrollThrough(page: Page, steps: number, timeoutMs = 30_000): Promise<ScrollRun> {
	return page.evaluate(
		async ([steps, timeoutMs]) => {
			const probe = window.__bench!;
			const box = probe.scroller();
			if (!box) throw new Error('No scroller in the grid');
			box.scrollTop = 0;
			await probe.waitFor(() => probe.isFilled(), timeoutMs, 'the top rows');
			const fills: number[] = [];
			probe.startMonitor();
			for (let step = 1; step <= steps; step++) {
				const target = Math.round(((box.scrollHeight - box.clientHeight) * step) / steps);
				const started = performance.now();
				box.scrollTop = target;
				const done = await probe.waitFor(
					() => probe.isFilled(),
					timeoutMs,
					`the rows at scrollTop ${target}`
				);
				fills.push(done - started);
			}
			const monitor = probe.stopMonitor();
			const indexes = [...box.querySelectorAll('[role="row"][aria-rowindex]')].map((row) =>
				Number(row.getAttribute('aria-rowindex'))
			);
			return { monitor, fills, lastRowIndex: Math.max(0, ...indexes) };
		},
		[steps, timeoutMs] as const
	);
}

export interface KeyRun {
	monitor: MonitorResult;
	/** Per press: keydown -> the active row and the rows in view drawn with their text. */
	latencies: number[];
	/** aria-rowindex of the active row at the end. */
	activeRowIndex: number;
	/** The most pixels of the active row that were outside the scroller's view after a press (0 = always whole). */
	worstHiddenPx: number;
}

/**
 * In the page: waits until the row `rowSelector()` names is drawn with its text and at least partly in the
 * scroller's view, and the rows in view are drawn; resolves with keydown -> then, and how much of the row
 * lies outside the view.
 */
async function waitForRow([rowSelector, timeoutMs]: readonly [string, number]): Promise<{
	latency: number;
	hiddenPx: number;
}> {
	const probe = window.__bench!;
	const find = () => {
		const id = document.querySelector('[role="grid"]')?.getAttribute('aria-activedescendant');
		return rowSelector === 'active'
			? id
				? document.getElementById(id)
				: null
			: document.querySelector(rowSelector);
	};
	let hiddenPx = 0;
	const shown = () => {
		const row = find();
		const view = probe.rowsView();
		if (!row || !view) return false;
		const rect = row.getBoundingClientRect();
		const name = row.querySelectorAll('[role="gridcell"]')[1]?.textContent?.trim();
		if (!name || rect.bottom <= view.top || rect.top >= view.bottom) return false;
		hiddenPx = Math.max(0, view.top - rect.top) + Math.max(0, rect.bottom - view.bottom);
		return true;
	};
	const done = await probe.waitFor(() => shown() && probe.isFilled(), timeoutMs, `the row ${rowSelector}`);
	return { latency: done - probe.keyAt, hiddenPx };
}

/** Presses `key` `presses` times on the focused grid, waiting each time for the active row and the rows in view. */
export async function pressOnGrid(
	page: Page,
	key: string,
	presses: number,
	timeoutMs = 60_000
): Promise<KeyRun> {
	const grid = page.getByRole('grid', { name: 'Users' });
	await grid.focus();
	await page.evaluate(() => window.__bench!.startMonitor());
	const latencies: number[] = [];
	let worstHiddenPx = 0;
	for (let i = 0; i < presses; i++) {
		await page.keyboard.press(key);
		const { latency, hiddenPx } = await page.evaluate(waitForRow, ['active', timeoutMs] as const);
		latencies.push(latency);
		worstHiddenPx = Math.max(worstHiddenPx, hiddenPx);
	}
	const monitor = await page.evaluate(() => window.__bench!.stopMonitor());
	const activeRowIndex = await page.evaluate(() => {
		const id = document.querySelector('[role="grid"]')?.getAttribute('aria-activedescendant');
		return Number((id ? document.getElementById(id) : null)?.getAttribute('aria-rowindex') ?? NaN);
	});
	return { monitor, latencies, activeRowIndex, worstHiddenPx };
}

export interface EndRun {
	/** keydown -> the last row (aria-rowindex = count + 1) drawn with its text. */
	latency: number;
	monitor: MonitorResult;
	/** Pixels of the last row outside the scroller's view once drawn. */
	hiddenPx: number;
}

/** End on the focused grid: keydown -> the last row drawn. */
export async function jumpToEnd(page: Page, count: number, timeoutMs = 60_000): Promise<EndRun> {
	const grid = page.getByRole('grid', { name: 'Users' });
	await grid.focus();
	await page.evaluate(() => window.__bench!.startMonitor());
	await page.keyboard.press('End');
	const { latency, hiddenPx } = await page.evaluate(waitForRow, [
		`[role="row"][aria-rowindex="${count + 1}"]`,
		timeoutMs
	] as const);
	const monitor = await page.evaluate(() => window.__bench!.stopMonitor());
	return { latency, monitor, hiddenPx };
}

export interface ProfileEntry {
	/** Function name (minified in the build), file:line:column, and the code it starts with. */
	label: string;
	selfMs: number;
	totalMs: number;
}

export interface CpuProfile {
	totalMs: number;
	/** Where the main thread spent its time, by self time. */
	bySelf: ProfileEntry[];
	/** ... and by inclusive time (children included). */
	byTotal: ProfileEntry[];
}

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
	children?: number[];
}

/** The first characters of the code at a function's start, so a minified function can be recognised. */
function codeAt(buildDir: string, url: string, line: number, column: number): string {
	try {
		const file = path.join(buildDir, new URL(url).pathname);
		if (!file.startsWith(buildDir)) return '';
		const text = readFileSync(file, 'utf8').split('\n')[line] ?? '';
		return text.slice(column, column + 90).replace(/\s+/g, ' ');
	} catch {
		return '';
	}
}

/** Runs `run` under the V8 sampling profiler of the page and sums the samples per function. */
export async function profileCpu<T>(
	page: Page,
	buildDir: string,
	run: () => Promise<T>,
	top = 12
): Promise<{ result: T; profile: CpuProfile }> {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Profiler.enable');
	await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
	await cdp.send('Profiler.start');
	const result = await run();
	const { profile } = await cdp.send('Profiler.stop');
	await cdp.detach();

	const nodes = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n as ProfileNode]));
	const self = new Map<number, number>();
	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	for (let i = 0; i < samples.length; i++)
		self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i] ?? 0) / 1000);

	const keyOf = (node: ProfileNode) => {
		const { functionName, url, lineNumber, columnNumber } = node.callFrame;
		return `${functionName}|${url}|${lineNumber}|${columnNumber}`;
	};
	const entries = new Map<string, { node: ProfileNode; selfMs: number; totalMs: number }>();
	const entryOf = (node: ProfileNode) => {
		const key = keyOf(node);
		let entry = entries.get(key);
		if (!entry) entries.set(key, (entry = { node, selfMs: 0, totalMs: 0 }));
		return entry;
	};
	// Inclusive time per function, counted once per stack even when the function recurses.
	const onStack = new Map<string, number>();
	const visit = (id: number): number => {
		const node = nodes.get(id)!;
		const key = keyOf(node);
		const entry = entryOf(node);
		const own = self.get(id) ?? 0;
		entry.selfMs += own;
		onStack.set(key, (onStack.get(key) ?? 0) + 1);
		let total = own;
		for (const child of node.children ?? []) total += visit(child);
		onStack.set(key, onStack.get(key)! - 1);
		if (onStack.get(key) === 0) entry.totalMs += total;
		return total;
	};
	const root = profile.nodes[0]!.id;
	const totalMs = visit(root);

	const label = ({ callFrame }: ProfileNode) => {
		const { functionName, url, lineNumber, columnNumber } = callFrame;
		if (!url) return functionName || '(anonymous)';
		const where = `${path.basename(new URL(url).pathname)}:${lineNumber + 1}:${columnNumber + 1}`;
		const code = url.includes('/_app/') ? codeAt(buildDir, url, lineNumber, columnNumber) : '';
		return `${functionName || '(anonymous)'} ${where}${code ? ` \`${code.replace(/`/g, "'")}\`` : ''}`;
	};
	const list = [...entries.values()].filter((e) => e.node.callFrame.functionName !== '(root)');
	const pick = (by: 'selfMs' | 'totalMs') =>
		[...list]
			.sort((a, b) => b[by] - a[by])
			.slice(0, top)
			.map((e) => ({ label: label(e.node), selfMs: e.selfMs, totalMs: e.totalMs }));
	return { result, profile: { totalMs, bySelf: pick('selfMs'), byTotal: pick('totalMs') } };
}
