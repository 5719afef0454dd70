import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from './migrations.ts';

/** How long a write waits for another process's lock (the CLI's, a backup's) before it counts as failed. */
export const BUSY_TIMEOUT_MS = 5000;

/** The relay's one SQLite file inside `dataDir`. */
export const DATABASE_FILE = 'relay.sqlite';

/**
 * Opens (creating if needed) the relay's database and brings its schema up to date. WAL lets the CLI and
 * the running relay share the file; synchronous=FULL because WAL with NORMAL can lose a committed
 * transaction on power loss, and "accepted" promises the message is on disk.
 */
export function openDatabase(dataDir: string, migrations: readonly string[] = MIGRATIONS): DatabaseSync {
	mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	const db = new DatabaseSync(path.join(dataDir, DATABASE_FILE), { timeout: BUSY_TIMEOUT_MS });
	db.exec('PRAGMA journal_mode = WAL');
	db.exec('PRAGMA synchronous = FULL');
	db.exec('PRAGMA foreign_keys = ON');
	try {
		migrate(db, migrations);
	} catch (error) {
		db.close();
		throw error;
	}
	return db;
}

/** Applies every migration past the file's user_version, each with its version bump in one transaction. */
export function migrate(db: DatabaseSync, migrations: readonly string[]): void {
	const current = schemaVersion(db);
	if (current > migrations.length) {
		throw new Error(
			`The relay's database is at schema version ${current}, newer than this relay knows (${migrations.length}). Run the newer relay, or restore a backup.`
		);
	}
	for (let version = current + 1; version <= migrations.length; version++) {
		transaction(db, () => {
			db.exec(migrations[version - 1] ?? '');
			db.exec(`PRAGMA user_version = ${version}`);
		});
	}
}

export function schemaVersion(db: DatabaseSync): number {
	const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined;
	return row?.user_version ?? 0;
}

/**
 * Runs `work` in one write transaction (BEGIN IMMEDIATE takes the write lock at once, so two writers
 * never interleave their reads and writes). Throwing rolls everything back.
 */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
	db.exec('BEGIN IMMEDIATE');
	try {
		const result = work();
		db.exec('COMMIT');
		return result;
	} catch (error) {
		if (db.isTransaction) db.exec('ROLLBACK');
		throw error;
	}
}
