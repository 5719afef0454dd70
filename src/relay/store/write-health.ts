// Whether the relay can write to its database. A full disk, a file system remounted read-only or a lock
// held too long is not a bug: the relay keeps running, refuses what needs a write (503 with Retry-After),
// holds deliveries, and probes until a write works again.
import type { DatabaseSync } from 'node:sqlite';
import { silentLogger, type Logger } from '../log.ts';
import { BUSY_TIMEOUT_MS, transaction } from './database.ts';

/** SQLite's primary result codes that mean "cannot write now", with what they mean for an operator. */
const CANNOT_WRITE: ReadonlyMap<number, string> = new Map([
	[5, 'the database stayed locked by another process'], // SQLITE_BUSY, after the busy timeout
	[8, 'the database is read-only'], // SQLITE_READONLY
	[10, 'the disk reported an I/O error'], // SQLITE_IOERR_*
	[13, 'the disk is full'], // SQLITE_FULL
	[14, 'the database file cannot be opened'] // SQLITE_CANTOPEN
]);

/** Big enough to need fresh pages (and a WAL append) whenever the database has no room left. */
const PROBE_BYTES = 16 * 1024;

/** What stops SQLite writing, in plain words, when `error` is such a failure; undefined for anything else. */
export function writeProblem(error: unknown): string | undefined {
	const code = (error as { errcode?: unknown } | null)?.errcode;
	return typeof code === 'number' ? CANNOT_WRITE.get(code & 0xff) : undefined;
}

export interface WriteHealthOptions {
	readonly log?: Logger;
	/** How often a real write is tried: at most this often for /health, and this often while writes fail. */
	readonly probeIntervalMs?: number;
}

export class WriteHealth {
	readonly #db: DatabaseSync;
	readonly #log: Logger;
	readonly #probeIntervalMs: number;
	#problem: string | undefined;
	#probedAt = Number.NEGATIVE_INFINITY;
	#timer: NodeJS.Timeout | undefined;
	readonly #onRecovered = new Set<() => void>();

	constructor(db: DatabaseSync, options: WriteHealthOptions = {}) {
		this.#db = db;
		this.#log = options.log ?? silentLogger;
		this.#probeIntervalMs = options.probeIntervalMs ?? 5_000;
	}

	get isWritable(): boolean {
		return this.#problem === undefined;
	}

	/** Why writes fail, in plain words; undefined while they work. */
	get problem(): string | undefined {
		return this.#problem;
	}

	/** What a refused client is told to wait: the next probe, at least a second. */
	get retryAfterSeconds(): number {
		return Math.max(1, Math.ceil(this.#probeIntervalMs / 1000));
	}

	/**
	 * Takes note of `error` when it is SQLite unable to write (true), and from then on probes until a write
	 * works. Anything else is not a write failure (false) and is the caller's to handle.
	 */
	noteFailure(error: unknown): boolean {
		const problem = writeProblem(error);
		if (!problem) return false;
		this.#cannotWrite(problem, error);
		return true;
	}

	/** Ready to write? A real write at most once per probe interval; in between, the last answer. */
	check(): boolean {
		if (performance.now() - this.#probedAt >= this.#probeIntervalMs) this.#probe();
		return this.isWritable;
	}

	/** Calls `listener` each time writes work again after failing. */
	onRecovered(listener: () => void): void {
		this.#onRecovered.add(listener);
	}

	close(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#onRecovered.clear();
	}

	#cannotWrite(problem: string, error: unknown): void {
		if (this.#problem === undefined) {
			// Once per outage, not once per refused request or delivery.
			this.#log.error(
				'cannot-write',
				`The relay cannot write to its database: ${problem}. It answers 503 to anything that needs a write and holds deliveries until it can write again.`,
				{ detail: error instanceof Error ? error.message : String(error) }
			);
		}
		this.#problem = problem;
		if (!this.#timer) {
			this.#timer = setTimeout(() => {
				this.#timer = undefined;
				this.#probe();
			}, this.#probeIntervalMs);
			// The server keeps the process alive; a probe alone should not.
			this.#timer.unref();
		}
	}

	/** A row written and removed in one committed transaction: a real write that leaves nothing behind. */
	#probe(): void {
		this.#probedAt = performance.now();
		// node:sqlite waits for a lock on the event loop itself: a probe must not wait behind another
		// process's write (that would stall every request for the busy timeout), so it asks once and goes.
		this.#db.exec('PRAGMA busy_timeout = 0');
		try {
			transaction(this.#db, () => {
				this.#db.prepare('INSERT INTO write_probe (data) VALUES (zeroblob(?))').run(PROBE_BYTES);
				this.#db.prepare('DELETE FROM write_probe').run();
			});
		} catch (error) {
			this.#cannotWrite(writeProblem(error) ?? 'an unexpected database error', error);
			return;
		} finally {
			this.#db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
		}
		if (this.#problem === undefined) return;
		this.#problem = undefined;
		this.#log.info(
			'can-write-again',
			'The relay can write to its database again: it accepts requests and resumes deliveries.'
		);
		for (const listener of this.#onRecovered) listener();
	}
}
