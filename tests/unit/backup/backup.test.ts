import 'fake-indexeddb/auto';
import './node-self';
import { Dexie } from 'dexie';
import { exportDB, importInto } from 'dexie-export-import';
import { describe, expect, it } from 'vitest';
import { BACKUP_VERSION, sealBackup, type DexieExport } from '$lib/backup/format';
import { createBackupWorkerApi } from '$lib/backup/worker-api';
import { catalogOf, type CatalogRow } from '$lib/db/catalog';
import type { CommandRow, RollcallDb } from '$lib/db/database';
import { customersStore } from '$lib/db/customers';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { settingsStore } from '$lib/db/settings';
import { usersStore } from '$lib/db/users';
import { localUserId } from '$lib/domain/outbox';
import { defaultPolicy } from '$lib/domain/policy';
import type { User } from '$lib/domain/user';
import { freshDb, freshName, person, query, track, unstamped } from '../db/helpers';

const TOKEN = 'device-token-7f3a9c1e5b2d4f6a8c0e';
const PASSWORD = 'Sunny-Otter-42-Lamp';

/** A device with something in every table: users (one with a custom attribute), settings, trash, an
 * import, messages (one carrying an SMS password), an account command, and a paired relay. */
async function populated(): Promise<RollcallDb> {
	const db = freshDb('backup-source');
	const users = usersStore(db);
	const relay = relayStore(db);
	const outbox = outboxStore(db, relay);
	await relay.paired(TOKEN, 'device-1', 'Front desk', 1_000);
	await relay.setCursor('42');
	const ann = await users.add(
		person({ firstName: 'Ann', email: 'ann@example.com', mobilePhone: '+447700900123' })
	);
	const bob = await users.add(
		person({ firstName: 'Bob', lastName: 'O’Brien, "Jr"', email: 'bob@example.com' })
	);
	const cat = await users.add(person({ firstName: 'Cat', email: 'cat@example.com' }));
	const gone = await users.add(person({ firstName: 'Gone', email: 'gone@example.com' }));
	await users.update(bob.id, { 'custom:Badge': '0042' });
	await settingsStore(db).write({
		defaultCountry: 'GB',
		policy: { ...defaultPolicy, 'custom:Badge': 'optional' }
	});
	// A setting a later Rollcall may write: a restore keeps it as it is.
	await db.settings.put({ key: 'laterSetting', value: [{ kept: true }] });
	await db.imports.put({
		id: 1,
		customerId: 1,
		fileName: 'staff.csv',
		at: 2_000,
		mode: 'all-or-nothing',
		updateExisting: false,
		counts: { created: 1, updated: 0, unchanged: 0, skipped: 0, errors: 0 },
		status: 'done'
	});
	await db.importChanges.put({ id: 1, importId: 1, created: [cat.id, cat.id] });
	await users.remove([gone.id], 3_000);
	await outbox.queueFor([bob.id, cat.id], 'activation', { now: 4_000 });
	await outbox.queueFor([ann.id], 'sms-login', { values: () => ({ password: PASSWORD }), now: 4_000 });
	await users.setSuspended([cat.id], true, 5_000);
	return db;
}

const tablesOf = (db: RollcallDb) =>
	db.tables.map((table) => table.name).filter((name) => name !== 'lists' && name !== 'relay');

async function snapshot(db: RollcallDb) {
	const out: Record<string, unknown[]> = {};
	for (const name of [...tablesOf(db), 'relay']) out[name] = await db.table(name).toArray();
	return out;
}

async function made(db: RollcallDb) {
	const api = createBackupWorkerApi(() => db);
	const backup = await api.backup(undefined, Date.UTC(2026, 11, 7, 9));
	return { ...backup, bytes: new Uint8Array(await backup.file.arrayBuffer()) };
}

async function restoreInto(target: RollcallDb, name: string, bytes: Uint8Array) {
	const api = createBackupWorkerApi(() => target);
	const opened = await api.open({ name, bytes });
	if (!opened.ok) return opened;
	return api.restore();
}

/** The file's Dexie export, changed by `change`, sealed again with a right checksum. */
async function resealed(bytes: Uint8Array, change: (exported: DexieExport) => void): Promise<Uint8Array> {
	const { rollcall, ...exported } = JSON.parse(new TextDecoder().decode(bytes)) as DexieExport & {
		rollcall: {
			meta: { createdAt: number; counts: Record<string, number>; passwordMessagesLeftOut: number };
		};
	};
	change(exported);
	const parts = await sealBackup(new TextEncoder().encode(JSON.stringify(exported)), rollcall.meta);
	return new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}

describe('backup', () => {
	it('is one JSON file with the format version, a SHA-256 and the counts in its first line', async () => {
		const { bytes, name, meta } = await made(await populated());
		expect(name).toBe('rollcall-backup-2026-12-07.json');
		const text = new TextDecoder().decode(bytes);
		const header = JSON.parse(`${text.slice(0, text.indexOf('\n') - 1)}}`) as {
			rollcall: Record<string, unknown>;
		};
		expect(header.rollcall).toMatchObject({ format: 'rollcall-backup', formatVersion: BACKUP_VERSION });
		expect(header.rollcall.sha256).toMatch(/^[0-9a-f]{64}$/);
		const whole = JSON.parse(text) as DexieExport;
		expect(whole.formatName).toBe('dexie');
		expect(whole.data.data.map((table) => table.tableName)).not.toContain('lists');
		expect(meta.counts).toMatchObject({
			users: 3,
			trash: 1,
			imports: 1,
			importChanges: 1,
			outbox: 2,
			commands: 1
		});
	});

	it('holds no token, device id or password, and counts the message it left out for its password', async () => {
		const { bytes, meta } = await made(await populated());
		const text = new TextDecoder().decode(bytes);
		expect(text).not.toContain(TOKEN);
		expect(text).not.toContain('device-1');
		expect(text).not.toContain('Front desk');
		expect(text).not.toContain(PASSWORD);
		expect(text).not.toMatch(/"token"|"cursor"/u);
		// The policy names the password field; no record holds a password value.
		expect(text).not.toMatch(/"password":(?!"(?:required|optional|hidden)")/u);
		expect(meta.passwordMessagesLeftOut).toBe(1);
		expect(meta.counts.outbox).toBe(2);
	});

	it('restores into a fresh database table for table, custom attributes and unknown settings included', async () => {
		const source = await populated();
		const before = await snapshot(source);
		const { bytes, meta } = await made(source);
		const target = freshDb('backup-target');
		expect(await restoreInto(target, 'b.json', bytes)).toEqual({ ok: true, value: { users: 3 } });
		const after = await snapshot(target);
		for (const name of tablesOf(source)) {
			if (name === 'outbox') {
				const kept = (before.outbox as { values?: { password?: string } }[]).filter(
					(m) => !m.values?.password
				);
				expect(after.outbox).toEqual(kept);
			} else if (name === 'users') {
				// Ann's initial password was only in the SMS left out: restored, no SMS carries one.
				const ann = (user: unknown) => (user as User).firstName === 'Ann';
				expect((before.users as User[]).find(ann)?.hasPassword).toBe(true);
				expect(after.users).toEqual(
					before.users!.map((user) => (ann(user) ? { ...(user as User), hasPassword: false } : user))
				);
			} else if (name === 'settings') {
				const byKey = (rows: unknown[]) =>
					[...rows].sort((a, b) =>
						String((a as { key: string }).key).localeCompare(String((b as { key: string }).key))
					);
				expect(byKey(after.settings!)).toEqual(
					byKey([...before.settings!, { key: 'lastBackupAt', value: meta.createdAt }])
				);
			} else if (name === 'commands') {
				// Then the relay hears again the license of each user it may know (Bob and Cat were messaged).
				const restored = (after.commands as CommandRow[]).slice(before.commands!.length);
				expect(after.commands!.slice(0, before.commands!.length)).toEqual(before.commands);
				const names = new Map((before.users as User[]).map((user) => [user.id, user.firstName]));
				expect(restored.map((row) => [row.type, names.get(row.userId)])).toEqual([
					['license', 'Bob'],
					['license', 'Cat']
				]);
			} else if (name === 'catalog') {
				// Not in the backup: made again from the restored users, as the middleware made it from the first.
				const rows = (table: unknown[] | undefined) => unstamped(table as CatalogRow[]);
				expect(rows(after.catalog)).toEqual(rows(before.catalog));
				expect(rows(after.catalog)).toEqual(rows(catalogOf(after.users as User[])));
			} else expect(after[name], name).toEqual(before[name]);
		}
		expect((after.users as Record<string, unknown>[]).find((u) => u.firstName === 'Bob')).toMatchObject({
			'custom:Badge': '0042',
			lastName: 'O’Brien, "Jr"'
		});
	});

	it('is a Dexie export: dexie-export-import reads the users back from it', async () => {
		const source = await populated();
		const text = new TextDecoder().decode((await made(source)).bytes);
		const target = freshDb('backup-dexie');
		// The target starts with its own default customer, as every new database does: the backup's replaces it.
		await importInto(target, new Blob([`{${text.slice(text.indexOf('\n') + 1)}`]), {
			acceptNameDiff: true,
			overwriteValues: true
		});
		// As kept, but for the initial password only the left-out SMS carried (see the restore test).
		const kept = (await source.users.toArray()).map((user) => ({ ...user, hasPassword: false }));
		expect(await target.users.toArray()).toEqual(kept);
	});

	it('on another device keeps that device’s pairing and takes the directory id, so relay ids stay right', async () => {
		const source = await populated();
		const sourceRelay = await relayStore(source).read();
		const { bytes } = await made(source);
		const other = freshDb('backup-other');
		await relayStore(other).paired('other-token', 'device-2', 'Back office', 9_000);
		await relayStore(other).setCursor('77');
		expect((await restoreInto(other, 'b.json', bytes)).ok).toBe(true);
		const relay = await relayStore(other).read();
		expect(relay).toMatchObject({
			directoryId: sourceRelay.directoryId,
			token: 'other-token',
			deviceId: 'device-2'
		});
		expect(relay.cursor).toBeUndefined();
		const [message] = await outboxStore(other, relayStore(other)).list();
		expect(localUserId(relay.directoryId, message!.user.id)).toBe(message!.userId);
	});

	it('shows the restored users in the Users list, not the kept list of the users it replaced', async () => {
		const target = freshDb('backup-lists');
		const users = usersStore(target);
		await users.add(person({ firstName: 'Old', email: 'old@example.com' }));
		expect(await users.listIds(query())).toHaveLength(1);
		const { bytes } = await made(await populated());
		expect((await restoreInto(target, 'b.json', bytes)).ok).toBe(true);
		const ids = await users.listIds(query());
		expect(ids).toHaveLength(3);
		expect((await target.users.bulkGet(ids)).map((u) => u?.firstName).sort()).toEqual(['Ann', 'Bob', 'Cat']);
	});
});

describe('restore refuses, and changes nothing', () => {
	async function refused(name: string, bytes: Uint8Array): Promise<string> {
		const target = freshDb('backup-refuse');
		await usersStore(target).add(person({ firstName: 'Kept', email: 'kept@example.com' }));
		await relayStore(target).paired('kept-token', 'device-9', 'Kept', 1);
		const before = await snapshot(target);
		const result = await restoreInto(target, name, bytes);
		expect(result.ok).toBe(false);
		expect(await snapshot(target)).toEqual(before);
		return result.ok ? '' : result.message;
	}
	const bytesOf = (text: string) => new TextEncoder().encode(text);

	it('an empty file', async () => {
		expect(await refused('empty.json', new Uint8Array())).toMatch(/^“empty\.json” is empty/u);
	});

	it('a CSV renamed .json', async () => {
		const message = await refused('users.json', bytesOf('email,firstName\nann@example.com,Ann\n'));
		expect(message).toMatch(/^“users\.json” looks like a spreadsheet \(CSV\) file, not a Rollcall backup/u);
	});

	it('another app’s JSON', async () => {
		const message = await refused(
			'package.json',
			bytesOf('{\n  "name": "something",\n  "version": "1.0.0"\n}\n')
		);
		expect(message).toMatch(/^“package\.json” is a JSON file from another app/u);
	});

	it('a Dexie export of another database', async () => {
		const other = track(new Dexie(freshName('notes')));
		other.version(1).stores({ notes: '++id' });
		await other.table('notes').add({ text: 'hello' });
		const exported = new Uint8Array(await (await exportDB(other)).arrayBuffer());
		const message = await refused('notes.json', exported);
		expect(message).toMatch(/^“notes\.json” is a database export from another app \(“rollcall-notes-/u);
	});

	it('random bytes', async () => {
		expect(await refused('x.json', new Uint8Array([0xff, 0xfe, 0x00, 0x81, 0x0a]))).toMatch(
			/is not a Rollcall backup: it is not text/u
		);
	});

	it('a file of a newer backup format', async () => {
		const { bytes } = await made(await populated());
		const text = new TextDecoder()
			.decode(bytes)
			.replace(`"formatVersion":${BACKUP_VERSION},"sha256"`, '"formatVersion":2,"sha256"');
		expect(await refused('new.json', bytesOf(text))).toMatch(
			/^“new\.json” was made by a newer version of Rollcall \(backup format 2/u
		);
	});

	it('a file of a newer database schema', async () => {
		const { bytes } = await made(await populated());
		const newer = await resealed(bytes, (exported) => (exported.data.databaseVersion = 99));
		expect(await refused('newer.json', newer)).toMatch(
			/was made by a newer version of Rollcall \(database version 99/u
		);
	});

	it('a truncated file', async () => {
		const { bytes } = await made(await populated());
		const message = await refused('cut.json', bytes.subarray(0, bytes.length - 100));
		expect(message).toMatch(/^“cut\.json” is incomplete: it holds [\d,]+ of its [\d,]+ bytes/u);
	});

	it('a damaged file (one byte changed)', async () => {
		const { bytes } = await made(await populated());
		const damaged = bytes.slice();
		const at = new TextDecoder().decode(bytes).lastIndexOf('bob@example.com');
		damaged[at] = 'c'.charCodeAt(0);
		expect(await refused('bad.json', damaged)).toMatch(
			/^“bad\.json” is damaged: its contents do not match the checksum/u
		);
	});

	it('a damaged record, naming the table and record', async () => {
		const { bytes } = await made(await populated());
		const bad = await resealed(bytes, (exported) => {
			const users = exported.data.data.find((t) => t.tableName === 'users')!;
			(users.rows[1] as { id: unknown }).id = 'two';
		});
		expect(await refused('rec.json', bad)).toBe(
			'“rec.json” cannot be restored: record 2 of its users is damaged.'
		);
	});

	it('a write failing half-way (a table after the users cannot be written) leaves the old data', async () => {
		const { bytes } = await made(await populated());
		const twice = await resealed(bytes, (exported) => {
			const outbox = exported.data.data.find((t) => t.tableName === 'outbox')!;
			outbox.rows.push(outbox.rows[0]);
		});
		const message = await refused('twice.json', twice);
		expect(message).toMatch(
			/^“twice\.json” could not be restored, and nothing on this device was changed: /u
		);
	});
});

describe('restore refuses a crafted file before asking (a right checksum is easy to compute)', () => {
	async function openedMessage(name: string, bytes: Uint8Array): Promise<string> {
		const target = freshDb('backup-crafted');
		const opened = await createBackupWorkerApi(() => target).open({ name, bytes });
		expect(opened.ok).toBe(false);
		return opened.ok ? '' : opened.message;
	}
	const usersOf = (exported: DexieExport) =>
		exported.data.data.find((t) => t.tableName === 'users')!.rows as Record<string, unknown>[];

	it('two users with one email in other letters, naming both records and the email', async () => {
		const { bytes } = await made(await populated());
		const crafted = await resealed(bytes, (exported) => {
			usersOf(exported)[2]!.email = 'ANN@Example.com';
		});
		expect(await openedMessage('dup.json', crafted)).toBe(
			'“dup.json” cannot be restored: records 1 and 3 of its users have the same email (ann@example.com).'
		);
	});

	it('users of a customer the file does not have; one email in two customers is fine', async () => {
		const db = await populated();
		const contoso = await customersStore(db).create('Contoso');
		await usersStore(db).add(person({ firstName: 'Ann', email: 'ann@example.com' }), {
			customerId: contoso.id
		});
		const { bytes } = await made(db);
		// Two customers, each with an ann@example.com: the file opens.
		expect(
			(await createBackupWorkerApi(() => freshDb('backup-two')).open({ name: 'two.json', bytes })).ok
		).toBe(true);
		const crafted = await resealed(bytes, (exported) => {
			usersOf(exported).at(-1)!.customerId = 77;
		});
		expect(await openedMessage('lost.json', crafted)).toMatch(
			/^“lost\.json” cannot be restored: record \d+ of its users belongs to customer 77, which the file does not have\.$/u
		);
	});

	it('two users with one id', async () => {
		const { bytes } = await made(await populated());
		const crafted = await resealed(bytes, (exported) => {
			usersOf(exported)[1]!.id = usersOf(exported)[0]!.id;
		});
		expect(await openedMessage('ids.json', crafted)).toBe(
			'“ids.json” cannot be restored: records 1 and 2 of its users have the same id (1).'
		);
	});

	it('an import history entry without its counts, which the Import page would fail to show', async () => {
		const { bytes } = await made(await populated());
		const crafted = await resealed(bytes, (exported) => {
			const imports = exported.data.data.find((t) => t.tableName === 'imports')!;
			imports.rows.push({ id: 2, at: 3_000, fileName: 'x.csv', status: 'done' });
		});
		expect(await openedMessage('history.json', crafted)).toBe(
			'“history.json” cannot be restored: record 2 of its imports is damaged.'
		);
	});

	it('a deleted user with the id of a user, whose undo could then never put it back', async () => {
		const { bytes } = await made(await populated());
		const crafted = await resealed(bytes, (exported) => {
			const trash = exported.data.data.find((t) => t.tableName === 'trash')!;
			(trash.rows[0] as { user: { id: unknown } }).user.id = usersOf(exported)[1]!.id;
		});
		expect(await openedMessage('trash.json', crafted)).toBe(
			'“trash.json” cannot be restored: record 1 of its trash is a deleted user with the id of record 2 of its users (2).'
		);
	});

	it('a user without an email', async () => {
		const { bytes } = await made(await populated());
		const crafted = await resealed(bytes, (exported) => {
			delete usersOf(exported)[1]!.email;
		});
		expect(await openedMessage('none.json', crafted)).toBe(
			'“none.json” cannot be restored: record 2 of its users is damaged.'
		);
	});
});

describe('restore of an import’s undo record from a crafted file', () => {
	it('keeps users as restoreUser makes them and only field values in what the import wrote', async () => {
		const { bytes } = await made(await populated());
		const crafted = await resealed(bytes, (exported) => {
			const users = exported.data.data.find((t) => t.tableName === 'users')!.rows;
			const bob = users[1] as Record<string, unknown>;
			const changes = exported.data.data.find((t) => t.tableName === 'importChanges')!;
			changes.rows.push(
				JSON.parse(
					JSON.stringify({
						id: 2,
						importId: 1,
						updated: [
							{
								before: { ...bob, firstName: 42, password: PASSWORD, status: 'Owner' },
								wrote: { firstName: 'Bob', id: bob.id, status: 'Pending', hasPassword: false }
							}
						]
					}).replace('"wrote":{', '"wrote":{"__proto__":{"polluted":true},')
				)
			);
		});
		const target = freshDb('backup-undo-record');
		expect(await restoreInto(target, 'crafted.json', crafted)).toMatchObject({ ok: true });
		const [entry] = (await target.importChanges.get(2))!.updated!;
		expect(entry!.before).not.toHaveProperty('password');
		expect(entry!.before).toMatchObject({ status: 'Pending' });
		expect(entry!.before.firstName).toBeUndefined();
		expect(Object.keys(entry!.wrote)).toEqual(['firstName', 'hasPassword']);
	});
});
