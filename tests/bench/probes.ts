// What the benchmarks install in the page (as an init script, so it is there from the first byte of every
// document): long-task and frame-gap monitors, a keystroke clock, a log of IndexedDB requests, marks for the
// first screen of the Users list, and waits that read the list the way a person sees it (rows with text
// covering the scroller). Everything here runs in the browser: it must not use anything imported.

export interface LongTask {
	start: number;
	duration: number;
}

export interface IdbRequestLog {
	/** 'index.getAllKeys', 'store.get'... */
	op: string;
	/** Store or index name. */
	source: string;
	start: number;
	/** When the first success event came (0 while pending). */
	end: number;
	/** How many results (array length), for getAll / getAllKeys. */
	size: number;
}

export interface FirstScreenMarks {
	/** The grid element exists. */
	grid?: number;
	/** The count text shows a number ('100,000 users'). */
	count?: number;
	/** The first row's name cell has its text (DOM updated). */
	firstRow?: number;
	/** The first animation frame after that: the row is painted then. */
	firstRowFrame?: number;
}

export interface MonitorResult {
	/** Long tasks (> 50 ms, as Chromium reports them) that started while monitoring. */
	longTasks: LongTask[];
	/** Longest gap between two animation frames. */
	maxFrameGap: number;
	frames: number;
	/** Frame gaps over 50 ms. */
	gapsOver50: number;
	duration: number;
}

export interface BenchProbe {
	longTasks: LongTask[];
	marks: FirstScreenMarks;
	idb: IdbRequestLog[];
	/** `timeStamp` of the latest keydown anywhere in the page. */
	keyAt: number;
	/** The number in the count text ('100,000 users' -> 100000), or undefined while loading. */
	count(): number | undefined;
	/** Whether the rows in the scroller's view all show their text and cover it. */
	isFilled(): boolean;
	/** Whether the count says a search is still reading its matches (its first ones are shown). */
	isSearching(): boolean;
	/** Whether at least one row shows its name. */
	hasRows(): boolean;
	/** The scrollable element of the grid. */
	scroller(): HTMLElement | null;
	/** The part of the scroller the rows show in: below its sticky header row. */
	rowsView(): { top: number; bottom: number } | null;
	/** Resolves with performance.now() once `condition` holds (checked every frame), after one frame at least. */
	waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<number>;
	startMonitor(): void;
	stopMonitor(): MonitorResult;
}

declare global {
	interface Window {
		__bench?: BenchProbe;
	}
}

/** The init script. */
export function installProbes(): void {
	if (window.__bench) return;
	const longTasks: LongTask[] = [];
	const idb: IdbRequestLog[] = [];
	const marks: FirstScreenMarks = {};
	let monitor: {
		from: number;
		last: number;
		maxGap: number;
		frames: number;
		over50: number;
		on: boolean;
	} | null = null;

	try {
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries())
				longTasks.push({ start: entry.startTime, duration: entry.duration });
		}).observe({ type: 'longtask', buffered: true });
	} catch {
		// No long-task support: the frame gaps still tell.
	}

	// IndexedDB reads, timed from the call to the first success event.
	const wrap = (proto: object, names: string[], kind: string) => {
		const target = proto as Record<string, unknown>;
		for (const name of names) {
			const original = target[name];
			if (typeof original !== 'function') continue;
			target[name] = function (this: IDBIndex | IDBObjectStore, ...args: unknown[]) {
				const request = (original as (...a: unknown[]) => IDBRequest).apply(this, args);
				if (idb.length < 20_000) {
					const entry: IdbRequestLog = {
						op: `${kind}.${name}`,
						source: this.name,
						start: performance.now(),
						end: 0,
						size: 0
					};
					idb.push(entry);
					request.addEventListener('success', () => {
						if (entry.end) return;
						entry.end = performance.now();
						const result: unknown = request.result;
						entry.size = Array.isArray(result) ? result.length : result === undefined ? 0 : 1;
					});
				}
				return request;
			};
		}
	};
	const reads = ['get', 'getAll', 'getAllKeys', 'getAllRecords', 'count', 'openCursor', 'openKeyCursor'];
	wrap(IDBObjectStore.prototype, reads, 'store');
	wrap(IDBIndex.prototype, reads, 'index');

	addEventListener('keydown', (event) => (probe.keyAt = event.timeStamp), true);

	const grid = () => document.querySelector<HTMLElement>('[role="grid"]');

	function count(): number | undefined {
		for (const element of document.querySelectorAll('main p, main [aria-live]')) {
			const match = /^\s*([\d.,\s\u00a0\u202f]+)\s+users?\b/u.exec(element.textContent ?? '');
			if (match) return Number(match[1]!.replace(/\D/gu, ''));
		}
		return undefined;
	}

	let found: HTMLElement | null = null;
	function scroller(): HTMLElement | null {
		if (found?.isConnected) return found;
		found = null;
		const root = grid();
		if (!root) return null;
		// The grid is its own scroller (a tab stop that scrolls); an older one scrolled an element inside.
		for (const element of [root, ...root.querySelectorAll<HTMLElement>('*')]) {
			const overflow = getComputedStyle(element).overflowY;
			if (overflow === 'auto' || overflow === 'scroll') return (found = element);
		}
		return null;
	}

	function rowsView(): { top: number; bottom: number } | null {
		const box = scroller();
		if (!box) return null;
		const view = box.getBoundingClientRect();
		const header = box.querySelector('[role="row"][aria-rowindex="1"]')?.getBoundingClientRect();
		return { top: Math.max(view.top, header?.bottom ?? view.top), bottom: view.bottom };
	}

	const nameText = (row: Element) => row.querySelectorAll('[role="gridcell"]')[1]?.textContent?.trim() ?? '';

	function isFilled(): boolean {
		const box = scroller();
		const total = count();
		if (!box || total === undefined) return false;
		const rows = [...box.querySelectorAll('[role="row"][id^="user-row-"]')];
		if (total === 0) return rows.length === 0;
		const view = rowsView()!;
		let top = Infinity;
		let bottom = -Infinity;
		let first = Infinity;
		let last = -Infinity;
		let seen = 0;
		for (const row of rows) {
			const rect = row.getBoundingClientRect();
			if (rect.bottom <= view.top || rect.top >= view.bottom) continue;
			if (!nameText(row)) return false;
			seen++;
			top = Math.min(top, rect.top);
			bottom = Math.max(bottom, rect.bottom);
			const index = Number(row.getAttribute('aria-rowindex'));
			first = Math.min(first, index);
			last = Math.max(last, index);
		}
		if (seen === 0) return false;
		// The rows must cover the view, unless the list starts or ends inside it.
		return (top <= view.top + 1 || first === 2) && (bottom >= view.bottom - 1 || last === total + 1);
	}

	// No layout here: it runs on every DOM change while the page loads, and must not force any.
	function firstRowShown(): boolean {
		const row = document.getElementById('user-row-0');
		return row !== null && nameText(row) !== '';
	}

	function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
		const started = performance.now();
		return new Promise((resolve, reject) => {
			const tick = () => {
				if (condition()) return resolve(performance.now());
				if (performance.now() - started > timeoutMs)
					return reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
				requestAnimationFrame(tick);
			};
			requestAnimationFrame(tick);
		});
	}

	function frame(now: number) {
		if (!monitor?.on) return;
		const gap = now - monitor.last;
		monitor.maxGap = Math.max(monitor.maxGap, gap);
		if (gap > 50) monitor.over50++;
		monitor.frames++;
		monitor.last = now;
		requestAnimationFrame(frame);
	}

	const probe: BenchProbe = {
		longTasks,
		marks,
		idb,
		keyAt: 0,
		count,
		isFilled,
		isSearching: () =>
			[...document.querySelectorAll('main [aria-live]')].some((e) =>
				(e.textContent ?? '').trim().startsWith('Searching')
			),
		hasRows: () =>
			[...(scroller()?.querySelectorAll('[role="row"][id^="user-row-"]') ?? [])].some(
				(row) => nameText(row) !== ''
			),
		scroller,
		rowsView,
		waitFor,
		startMonitor() {
			const now = performance.now();
			monitor = { from: now, last: now, maxGap: 0, frames: 0, over50: 0, on: true };
			requestAnimationFrame(frame);
		},
		stopMonitor() {
			const now = performance.now();
			const m = monitor ?? { from: now, last: now, maxGap: 0, frames: 0, over50: 0, on: false };
			m.on = false;
			// The frame that would have come now counts too: a stall at the very end is a gap as well.
			const tail = now - m.last;
			return {
				longTasks: longTasks.filter((task) => task.start >= m.from),
				maxFrameGap: Math.max(m.maxGap, tail),
				frames: m.frames,
				gapsOver50: m.over50 + (tail > 50 ? 1 : 0),
				duration: now - m.from
			};
		}
	};
	window.__bench = probe;

	// The first screen of the list, marked as the DOM changes.
	const observer = new MutationObserver(() => {
		const now = performance.now();
		if (marks.grid === undefined && grid()) marks.grid = now;
		if (marks.count === undefined && count() !== undefined) marks.count = now;
		if (marks.firstRow === undefined && firstRowShown()) {
			marks.firstRow = now;
			requestAnimationFrame(() => (marks.firstRowFrame = performance.now()));
			observer.disconnect();
		}
	});
	observer.observe(document, { childList: true, subtree: true, characterData: true });
}
