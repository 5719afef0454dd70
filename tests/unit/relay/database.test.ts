import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../../src/relay/store/database.ts';
import { MIGRATIONS } from '../../../src/relay/store/migrations.ts';

let dir = '';
afterEach(async () => {
	if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the relay database', () => {
	it('is in WAL mode with synchronous=FULL and the latest schema', async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'rollcall-db-'));
		const db = openDatabase(dir);
		expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
		expect(db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
		expect(schemaVersion(db)).toBe(MIGRATIONS.length);
		db.close();
	});

	it('upgrades a version 1 database, keeping its data', async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'rollcall-db-'));
		const old = openDatabase(dir, MIGRATIONS.slice(0, 1));
		expect(schemaVersion(old)).toBe(1);
		old
			.prepare("INSERT INTO devices (id, name, token_hash, created_at) VALUES ('d1', 'Old tablet', 'h', 1)")
			.run();
		old.prepare("INSERT INTO events (type, user_id, at) VALUES ('activated', 'u1', 2)").run();
		old.close();

		const db = openDatabase(dir);
		expect(schemaVersion(db)).toBe(MIGRATIONS.length);
		expect(db.prepare('SELECT id, name, last_seen_at FROM devices').all()).toEqual([
			{ id: 'd1', name: 'Old tablet', last_seen_at: null }
		]);
		expect(db.prepare('SELECT type, user_id FROM events').all()).toEqual([
			{ type: 'activated', user_id: 'u1' }
		]);
		db.prepare("INSERT INTO accounts (user_id, updated_at) VALUES ('u1', 3)").run();
		db.close();
	});

	it('refuses a database newer than this relay', async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'rollcall-db-'));
		openDatabase(dir).close();
		expect(() => openDatabase(dir, MIGRATIONS.slice(0, 1))).toThrow(/newer than this relay knows/);
	});
});
