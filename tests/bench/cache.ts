// Seeded browser profiles kept between runs. Writing 1,000,000 users through IndexedDB takes many minutes
// here, so once a directory has been written its Chromium
// profile is copied to node_modules/.cache/rollcall-bench/ and later runs start from a copy of it. A copy is
// used only by a run that would write exactly the same data: same generator, same schema and domain code,
// same Chromium, and the same origin (IndexedDB belongs to an origin, and the relay's port is part of it).
// BENCH_CACHE=0 turns this off.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SeedResult } from './seed';

export interface CachedDirectory {
	users: number;
	/** The relay's port when it was written: the origin of its database. */
	port: number;
	/** How many users each search prefix finds. */
	counts: Record<string, number>;
	seededAt: string;
	seed: SeedResult;
}

/** A hash of everything that decides what the seeded database holds. */
export function cacheKey(root: string, files: string[], extra: string): string {
	const hash = createHash('sha256').update(extra);
	for (const file of files) hash.update(file).update(readFileSync(path.join(root, file)));
	return hash.digest('hex').slice(0, 16);
}

export class ProfileCache {
	readonly #dir: string;
	readonly #enabled: boolean;

	get enabled(): boolean {
		return this.#enabled;
	}

	constructor(root: string, key: string, enabled: boolean) {
		this.#dir = path.join(root, 'node_modules/.cache/rollcall-bench', key);
		this.#enabled = enabled;
		// Caches of other keys are out of date: keep only this one.
		if (enabled) {
			const parent = path.dirname(this.#dir);
			if (existsSync(parent)) {
				for (const entry of readdirNames(parent))
					if (entry !== key) rmSync(path.join(parent, entry), { recursive: true, force: true });
			}
		}
	}

	/** The port the cached directories were written on, if any. */
	port(): number | undefined {
		if (!this.#enabled) return undefined;
		for (const entry of readdirNames(this.#dir)) {
			const meta = this.#meta(Number(entry));
			if (meta) return meta.port;
		}
		return undefined;
	}

	#meta(users: number): CachedDirectory | undefined {
		const file = path.join(this.#dir, String(users), 'meta.json');
		if (!existsSync(file)) return undefined;
		try {
			return JSON.parse(readFileSync(file, 'utf8')) as CachedDirectory;
		} catch {
			return undefined;
		}
	}

	/** The cached directory of `users` written on `port`, if there is one. */
	find(users: number, port: number): CachedDirectory | undefined {
		if (!this.#enabled) return undefined;
		const meta = this.#meta(users);
		return meta?.port === port && existsSync(path.join(this.#dir, String(users), 'profile'))
			? meta
			: undefined;
	}

	/** Replaces the profile at `into` with the cached one of `users`. */
	restore(users: number, into: string): void {
		rmSync(into, { recursive: true, force: true });
		cpSync(path.join(this.#dir, String(users), 'profile'), into, { recursive: true });
	}

	/** Keeps a copy of the (closed) profile at `from` as the directory of `users`. */
	store(from: string, meta: CachedDirectory): void {
		if (!this.#enabled) return;
		const target = path.join(this.#dir, String(meta.users));
		rmSync(target, { recursive: true, force: true });
		mkdirSync(target, { recursive: true });
		cpSync(from, path.join(target, 'profile'), { recursive: true });
		writeFileSync(path.join(target, 'meta.json'), JSON.stringify(meta, null, '\t'));
	}
}

function readdirNames(dir: string): string[] {
	try {
		return existsSync(dir) ? readdirSync(dir) : [];
	} catch {
		return [];
	}
}
