// What the import benchmark installs in the page (an init script, so it runs before the app) and runs
// there. Everything here runs in the browser: it must not use anything imported.

export interface ImportRun {
	/** performance.now() when the file input's change event fired: the file was chosen. */
	chosen: number;
	/** The preview (its heading) first in the DOM. */
	preview: number;
	/** The Complete button enabled: the analysis is done, the admin can commit. */
	ready: number;
	/** The summary ('Import complete') in the DOM: the users are committed. */
	done: number;
	/** The summary's text. */
	summary: string;
	/** Long tasks (> 50 ms) on the main thread from the file chosen to the summary. */
	longTasks: { start: number; duration: number }[];
}

declare global {
	interface Window {
		__importBench?: { chosen: number; longTasks: { start: number; duration: number }[] };
	}
}

/** Init script: records when a file is chosen and every long task. */
export function installImportProbes(): void {
	const probe = { chosen: 0, longTasks: [] as { start: number; duration: number }[] };
	window.__importBench = probe;
	try {
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries())
				probe.longTasks.push({ start: entry.startTime, duration: entry.duration });
		}).observe({ type: 'longtask', buffered: true });
	} catch {
		// No long-task support: the report says none were seen.
	}
	document.addEventListener(
		'change',
		(event) => {
			if ((event.target as HTMLInputElement | null)?.type === 'file') probe.chosen = performance.now();
		},
		true
	);
}

/**
 * In the page, after the file was set on the input: waits (a check per animation frame) for the preview,
 * then for Complete to be enabled, clicks it at once, and waits for the summary. With `stopAtPreview`, it
 * returns as soon as the preview shows (ready and done are then 0).
 */
export async function completeImport(args: {
	timeoutMs: number;
	stopAtPreview: boolean;
}): Promise<ImportRun> {
	const probe = window.__importBench!;
	const deadline = performance.now() + args.timeoutMs;
	const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
	const until = async (what: string, test: () => boolean): Promise<number> => {
		for (;;) {
			if (test()) return performance.now();
			const alert = document.querySelector('[role="alert"]')?.textContent?.trim();
			if (alert) throw new Error(`Waiting for ${what}, the page says: ${alert}`);
			if (performance.now() > deadline) {
				const why = document.getElementById('complete-why')?.textContent?.trim();
				throw new Error(`${what} did not happen in ${args.timeoutMs} ms${why ? `: ${why}` : ''}`);
			}
			await frame();
		}
	};
	const completeButton = () =>
		[...document.querySelectorAll<HTMLButtonElement>('button.primary')].find(
			(b) => b.textContent?.trim() === 'Complete'
		);
	const preview = await until('the preview', () => document.getElementById('preview-title') !== null);
	if (args.stopAtPreview)
		return { chosen: probe.chosen, preview, ready: 0, done: 0, summary: '', longTasks: probe.longTasks };
	const ready = await until('Complete to be enabled', () => completeButton()?.disabled === false);
	completeButton()!.click();
	const done = await until('the summary', () => document.getElementById('done-title') !== null);
	const summary = document.querySelector('[aria-labelledby="done-title"] [role="status"]')?.textContent ?? '';
	const longTasks = probe.longTasks.filter((t) => t.start + t.duration >= probe.chosen && t.start <= done);
	return {
		chosen: probe.chosen,
		preview,
		ready,
		done,
		summary: summary.replace(/\s+/gu, ' ').trim(),
		longTasks
	};
}

/** In the page: the app's users store, read back whole, and its indexes (untimed set-up for the floor). */
export async function readStoredUsers(): Promise<{ count: number }> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open('rollcall');
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error ?? new Error('Opening the database failed'));
	});
	try {
		const store = db.transaction('users').objectStore('users');
		const users = await new Promise<unknown[]>((resolve, reject) => {
			const request = store.getAll();
			request.onsuccess = () => resolve(request.result as unknown[]);
			request.onerror = () => reject(request.error ?? new Error('Reading failed'));
		});
		const indexes = [...store.indexNames].map((name) => {
			const index = store.index(name);
			return { name, keyPath: index.keyPath, unique: index.unique, multiEntry: index.multiEntry };
		});
		const floor = window as unknown as { __floor?: { users: unknown[]; indexes: typeof indexes } };
		floor.__floor = { users, indexes };
		return { count: users.length };
	} finally {
		db.close();
	}
}

export interface FloorRun {
	/** First put() to the transaction's complete event. */
	ms: number;
	count: number;
	indexes: number;
}

/**
 * In the page: the floor. The records read by readStoredUsers, put() one by one in one transaction (strict
 * durability, as Rollcall's database uses) into a fresh database whose users store has the same key and
 * indexes as Rollcall's.
 */
export async function putFloor(name: string): Promise<FloorRun> {
	const floor = (window as unknown as { __floor: { users: unknown[]; indexes: IndexSpec[] } }).__floor;
	interface IndexSpec {
		name: string;
		keyPath: string | string[];
		unique: boolean;
		multiEntry: boolean;
	}
	await new Promise<void>((resolve, reject) => {
		const request = indexedDB.deleteDatabase(name);
		request.onsuccess = () => resolve();
		request.onerror = () => reject(request.error ?? new Error('Deleting failed'));
	});
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open(name, 1);
		request.onupgradeneeded = () => {
			const store = request.result.createObjectStore('users', { keyPath: 'id', autoIncrement: true });
			for (const index of floor.indexes)
				store.createIndex(index.name, index.keyPath, { unique: index.unique, multiEntry: index.multiEntry });
		};
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error ?? new Error('Opening failed'));
	});
	try {
		const started = performance.now();
		const tx = db.transaction('users', 'readwrite', { durability: 'strict' });
		const store = tx.objectStore('users');
		for (const user of floor.users) store.put(user);
		await new Promise<void>((resolve, reject) => {
			tx.oncomplete = () => resolve();
			tx.onerror = () => reject(tx.error ?? new Error('Writing failed'));
			tx.onabort = () => reject(tx.error ?? new Error('Aborted'));
		});
		const ms = performance.now() - started;
		return { ms, count: floor.users.length, indexes: floor.indexes.length };
	} finally {
		db.close();
		await new Promise<void>((resolve) => {
			const request = indexedDB.deleteDatabase(name);
			request.onsuccess = request.onerror = () => resolve();
		});
		(window as unknown as { __floor?: unknown }).__floor = undefined;
	}
}

/** In the page: how many users Rollcall's database holds. */
export async function countUsers(): Promise<number> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open('rollcall');
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error ?? new Error('Opening the database failed'));
	});
	try {
		return await new Promise<number>((resolve, reject) => {
			const request = db.transaction('users').objectStore('users').count();
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error ?? new Error('Counting failed'));
		});
	} finally {
		db.close();
	}
}
