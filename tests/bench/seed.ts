// Fills the app's own database with generated users: raw IndexedDB puts into the 'users' store of the
// 'rollcall' database the app created, 20,000 per transaction, with their ids given here, and the users'
// catalogue (src/lib/db/catalog.ts) that the app's middleware would have written with them: its records are
// made in Node (catalogOf) and merged in the page with those a previous chunk began. Node makes the next
// chunk while the page writes the current one.
import type { Page } from '@playwright/test';
import { catalogOf } from '$lib/db/catalog';
import type { People, SeedUser } from './people';

declare global {
	interface Window {
		__seedDb?: IDBDatabase;
	}
}

/** In the page: opens the existing database (never creates or upgrades it) and writes one chunk. */
async function writeChunk(json: string): Promise<{ count: number; ms: number }> {
	type Row = {
		chunk: number;
		ids?: number[];
		chunks?: Record<number, { stamp: string; counts: Record<number, number> }>;
	} & Record<string, unknown>;
	const db =
		window.__seedDb ??
		(await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('rollcall');
			request.onupgradeneeded = () => {
				request.transaction?.abort();
				reject(new Error('There is no Rollcall database yet: open the app first.'));
			};
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error ?? new Error('Opening the database failed'));
		}));
	window.__seedDb = db;
	const { users, catalog } = JSON.parse(json) as { users: object[]; catalog: Row[] };
	const started = performance.now();
	const tx = db.transaction(['users', 'catalog'], 'readwrite', { durability: 'relaxed' });
	const store = tx.objectStore('users');
	for (const user of users) store.put(user);
	// Each catalogue record joins the one a previous chunk began (its ids come first); the census adds up.
	const rows = tx.objectStore('catalog');
	for (const row of catalog) {
		const request = rows.get(row.chunk);
		request.onsuccess = () => {
			const before = request.result as Row | undefined;
			if (!before) {
				rows.put(row);
			} else if (row.chunks) {
				for (const [chunk, summary] of Object.entries(row.chunks)) {
					const had = before.chunks![Number(chunk)];
					if (had) {
						for (const [customer, count] of Object.entries(had.counts)) {
							summary.counts[Number(customer)] = (summary.counts[Number(customer)] ?? 0) + count;
						}
					}
				}
				rows.put({ ...row, chunks: { ...before.chunks, ...row.chunks } });
			} else {
				const merged: Row = { ...row };
				for (const [column, values] of Object.entries(row)) {
					if (Array.isArray(values))
						merged[column] = [...(before[column] as unknown[]), ...(values as unknown[])];
				}
				rows.put(merged);
			}
		};
	}
	await new Promise<void>((resolve, reject) => {
		tx.oncomplete = () => resolve();
		tx.onerror = () => reject(tx.error ?? new Error('Writing users failed'));
		tx.onabort = () => reject(tx.error ?? new Error('Writing users was aborted'));
	});
	return { count: users.length, ms: performance.now() - started };
}

/** In the page: the database's version, its users store's indexes and how many users it holds. */
async function describeStore(): Promise<{ version: number; indexes: string[]; count: number }> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open('rollcall');
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error ?? new Error('Opening the database failed'));
	});
	try {
		const store = db.transaction('users').objectStore('users');
		const count = await new Promise<number>((resolve, reject) => {
			const request = store.count();
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error ?? new Error('Counting failed'));
		});
		return { version: db.version, indexes: [...store.indexNames], count };
	} finally {
		db.close();
	}
}

export interface SeedResult {
	count: number;
	seconds: number;
	usersPerSecond: number;
	/** Time inside the IndexedDB transactions (put to complete), summed. */
	writeSeconds: number;
	/** Time Node spent making the users (overlapping the writes). */
	generateSeconds: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes `count` more users from `people` through `page`, which must be a document of the app's origin that
 * runs no app code (the app then cannot react to the writes). `observe` sees every user written.
 */
export async function seedUsers(
	page: Page,
	people: People,
	count: number,
	observe: (user: SeedUser) => void,
	progress: (written: number) => void = () => {},
	firstId = 1,
	chunkSize = 20_000
): Promise<SeedResult> {
	let nextId = firstId;
	const started = performance.now();
	let pending: Promise<{ count: number; ms: number }> | undefined;
	let written = 0;
	let writeMs = 0;
	let generateMs = 0;
	const settle = async () => {
		if (!pending) return;
		const { count, ms } = await pending;
		written += count;
		writeMs += ms;
		progress(written);
	};
	for (let done = 0; done < count;) {
		const size = Math.min(chunkSize, count - done);
		const made = performance.now();
		const chunk: (SeedUser & { id: number })[] = [];
		for (let i = 0; i < size; i++) {
			const user = { ...people.person().user, id: nextId++ };
			observe(user);
			chunk.push(user);
			// Let Playwright's messages (the chunk being written) go out while this one is made.
			if (i % 2000 === 1999) await nextTurn();
		}
		const json = JSON.stringify({ users: chunk, catalog: catalogOf(chunk) });
		generateMs += performance.now() - made;
		await settle();
		pending = page.evaluate(writeChunk, json);
		done += size;
	}
	await settle();
	await page.evaluate(() => {
		window.__seedDb?.close();
		window.__seedDb = undefined;
	});
	const seconds = (performance.now() - started) / 1000;
	return {
		count: written,
		seconds,
		usersPerSecond: written / seconds,
		writeSeconds: writeMs / 1000,
		generateSeconds: generateMs / 1000
	};
}

export { describeStore };
