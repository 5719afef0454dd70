// What the import benchmark installs in the page (an init script, so it runs before the app) and runs
// there. Everything here runs in the browser: it must not use anything imported (types aside).
import type { IndexSpec } from './index-costs';

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

/** SheetJS as its page script (dist/xlsx.full.min.js) defines it: the part the XLSX floor reads with. */
interface SheetJS {
	read(
		data: Uint8Array,
		options: Record<string, unknown>
	): { SheetNames: string[]; Sheets: Record<string, { '!data'?: unknown[] } | undefined> };
}

declare global {
	interface Window {
		__importBench?: { chosen: number; longTasks: { start: number; duration: number }[] };
		__storedUsers?: StoredUsers;
		XLSX?: SheetJS;
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

/** What readStoredUsers keeps in the page for the floors: the records and the store's indexes. */
interface StoredUsers {
	users: unknown[];
	indexes: IndexSpec[];
}

/**
 * In the page: the app's users store, read back whole and kept in the page for the floors (untimed
 * set-up), and its indexes as the database describes them (so the floors follow the schema as it is).
 */
export async function readStoredUsers(): Promise<{ count: number; indexes: StoredUsers['indexes'] }> {
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
			// A compound key path comes as an array (of strings): copied, so it leaves the page as one.
			const keyPath = typeof index.keyPath === 'string' ? index.keyPath : [...index.keyPath];
			return { name, keyPath, unique: index.unique, multiEntry: index.multiEntry };
		});
		window.__storedUsers = { users, indexes };
		return { count: users.length, indexes };
	} finally {
		db.close();
	}
}

/** In the page: the records readStoredUsers kept (for a JSHandle: they never leave the page). */
export function storedUsers(): unknown[] {
	const stored = window.__storedUsers;
	if (!stored) throw new Error('readStoredUsers did not run');
	return stored.users;
}

/** In the page: lets go of what readStoredUsers kept. */
export function forgetStoredUsers(): void {
	window.__storedUsers = undefined;
}

/**
 * In the page: one floor. The records readStoredUsers kept, put() one by one in one transaction (strict
 * durability, as Rollcall's database uses) into a fresh database `name` whose users store has the app's
 * key (an autoIncrement id) and only `indexes`; deleted again after. The time runs from the first put()
 * to the transaction's complete event.
 */
export async function putStoredUsers(args: { name: string; indexes: IndexSpec[] }): Promise<number> {
	const users = window.__storedUsers?.users;
	if (!users) throw new Error('readStoredUsers did not run');
	const remove = () =>
		new Promise<void>((resolve, reject) => {
			const request = indexedDB.deleteDatabase(args.name);
			request.onsuccess = () => resolve();
			request.onerror = () => reject(request.error ?? new Error('Deleting failed'));
		});
	await remove();
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open(args.name, 1);
		request.onupgradeneeded = () => {
			const store = request.result.createObjectStore('users', { keyPath: 'id', autoIncrement: true });
			for (const index of args.indexes)
				store.createIndex(index.name, index.keyPath, { unique: index.unique, multiEntry: index.multiEntry });
		};
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error ?? new Error('Opening failed'));
	});
	try {
		const started = performance.now();
		const tx = db.transaction('users', 'readwrite', { durability: 'strict' });
		const store = tx.objectStore('users');
		for (const user of users) store.put(user);
		await new Promise<void>((resolve, reject) => {
			tx.oncomplete = () => resolve();
			tx.onerror = () => reject(tx.error ?? new Error('Writing failed'));
			tx.onabort = () => reject(tx.error ?? new Error('Aborted'));
		});
		return performance.now() - started;
	} finally {
		db.close();
		await remove().catch(() => undefined);
	}
}

/**
 * In the page, with SheetJS loaded and the workbook chosen on the file input `inputId`: SheetJS's read
 * of it, with the options Rollcall's import worker passes (src/lib/import/xlsx.ts), from the file's bytes
 * being read to the workbook built. Gives the time and the rows of its first sheet (a check that it read).
 */
export async function readWithSheetJS(args: {
	inputId: string;
	options: Record<string, unknown>;
}): Promise<{ ms: number; rows: number }> {
	const xlsx = window.XLSX;
	const file = (document.getElementById(args.inputId) as HTMLInputElement | null)?.files?.[0];
	if (!xlsx || !file) throw new Error('SheetJS is not loaded or no file was chosen');
	const started = performance.now();
	const workbook = xlsx.read(new Uint8Array(await file.arrayBuffer()), args.options);
	const ms = performance.now() - started;
	const first = workbook.SheetNames[0];
	return { ms, rows: (first === undefined ? undefined : workbook.Sheets[first]?.['!data']?.length) ?? 0 };
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
