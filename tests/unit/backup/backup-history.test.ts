import 'fake-indexeddb/auto';
import './node-self';
import { describe, expect, it } from 'vitest';
import { sealBackup, type DexieExport } from '$lib/backup/format';
import { createBackupWorkerApi } from '$lib/backup/worker-api';
import { commandsStore } from '$lib/db/commands';
import type { RollcallDb } from '$lib/db/database';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { freshDb, person } from '../db/helpers';

const NOW = 50 * 86_400_000;

/** A device that sent Ann and Bob an activation email, both delivered, then cleared from the Outbox list. */
async function cleared(): Promise<{ db: RollcallDb; ann: number; bob: number }> {
	const db = freshDb('history-source');
	const users = usersStore(db);
	const outbox = outboxStore(db, relayStore(db));
	const ann = (await users.add(person({ firstName: 'Ann', email: 'ann@example.com' }))).id;
	const bob = (await users.add(person({ firstName: 'Bob', email: 'bob@example.com' }))).id;
	await outbox.queueFor([ann, bob], 'activation', { now: NOW - 2_000 });
	await db.outbox
		.toCollection()
		.modify({ state: 'sent', sentAt: NOW - 1_000, delivery: 'delivered', deliveredAt: NOW - 500 });
	expect(await outbox.clearDelivered(NOW)).toBe(2);
	return { db, ann, bob };
}

async function backupOf(db: RollcallDb) {
	const backup = await createBackupWorkerApi(() => db).backup(undefined, NOW);
	return { meta: backup.meta, bytes: new Uint8Array(await backup.file.arrayBuffer()) };
}

async function restoreInto(target: RollcallDb, name: string, bytes: Uint8Array) {
	const api = createBackupWorkerApi(() => target);
	const opened = await api.open({ name, bytes });
	return opened.ok ? api.restore() : opened;
}

/** The file's Dexie export, changed by `change`, sealed again with a right checksum (as a crafted file is). */
async function resealed(bytes: Uint8Array, change: (exported: DexieExport) => void): Promise<Uint8Array> {
	const { rollcall, ...exported } = JSON.parse(new TextDecoder().decode(bytes)) as DexieExport & {
		rollcall: { meta: Parameters<typeof sealBackup>[1] };
	};
	change(exported);
	const parts = await sealBackup(new TextEncoder().encode(JSON.stringify(exported)), rollcall.meta);
	return new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}

const historyIn = (exported: DexieExport) =>
	exported.data.data.find((table) => table.tableName === 'messageHistory')!;

describe("a backup of the users' message history", () => {
	it('carries it, so the restored device still shows it and still tells the relay of a suspension', async () => {
		const { db, ann, bob } = await cleared();
		const { meta, bytes } = await backupOf(db);
		expect(meta.counts.messageHistory).toBe(2);
		expect(meta.counts.outbox ?? 0).toBe(0);

		const target = freshDb('history-target');
		expect(await restoreInto(target, 'history.json', bytes)).toEqual({ ok: true, value: { users: 2 } });
		expect(await target.messageHistory.toArray()).toEqual(await db.messageHistory.toArray());
		const outbox = outboxStore(target, relayStore(target));
		expect(await outbox.forUser(ann)).toEqual([
			expect.objectContaining({ template: 'activation', state: 'sent', delivery: 'delivered' })
		]);
		await usersStore(target).setSuspended([bob], true, NOW);
		// The restore told the relay both licenses again (the history says it knows them); then the suspension.
		expect((await commandsStore(target).list()).map((row) => [row.type, row.userId])).toEqual([
			['license', ann],
			['license', bob],
			['suspend', bob]
		]);
	});

	it('made before there was one (database version 6) still restores, with an empty history', async () => {
		const { db } = await cleared();
		const { bytes } = await backupOf(db);
		const older = await resealed(bytes, (exported) => {
			exported.data.databaseVersion = 6;
			exported.data.tables = exported.data.tables.filter((table) => table.name !== 'messageHistory');
			exported.data.data = exported.data.data.filter((table) => table.tableName !== 'messageHistory');
		});
		const target = freshDb('history-older');
		await target.messageHistory.put({ key: 'here-before', template: 'activation', userId: 9, createdAt: 1 });
		expect(await restoreInto(target, 'older.json', older)).toEqual({ ok: true, value: { users: 2 } });
		expect(await target.messageHistory.count()).toBe(0);
		expect(await target.users.count()).toBe(2);
	});

	it('keeps only what a history holds from a crafted file: never a password', async () => {
		const { db, ann } = await cleared();
		const { bytes } = await backupOf(db);
		const crafted = await resealed(bytes, (exported) => {
			const row = historyIn(exported).rows[0] as Record<string, unknown>;
			Object.assign(row, { values: { password: 'Crafted-Secret-9' }, state: 'queued', nextAttemptAt: 0 });
		});
		const target = freshDb('history-crafted');
		expect(await restoreInto(target, 'crafted.json', crafted)).toMatchObject({ ok: true });
		const stored = await target.messageHistory.where('userId').equals(ann).toArray();
		expect(stored).toHaveLength(1);
		expect(Object.keys(stored[0]!).sort()).toEqual(
			['createdAt', 'deliveredAt', 'delivery', 'key', 'sentAt', 'template', 'to', 'userId'].sort()
		);
		expect(JSON.stringify(await target.messageHistory.toArray())).not.toContain('Crafted-Secret-9');
	});

	it('refuses a history record without its user, naming the record', async () => {
		const { db } = await cleared();
		const { bytes } = await backupOf(db);
		const damaged = await resealed(bytes, (exported) => {
			delete (historyIn(exported).rows[1] as Record<string, unknown>).userId;
		});
		const target = freshDb('history-damaged');
		expect(await restoreInto(target, 'damaged.json', damaged)).toEqual({
			ok: false,
			message: '“damaged.json” cannot be restored: record 2 of its messageHistory is damaged.'
		});
	});
});

describe('an initial password whose SMS was delivered and cleared from the Outbox list', () => {
	it('is still the user’s after a backup that leaves out a later waiting SMS: the history travels too', async () => {
		const db = freshDb('history-password-source');
		const users = usersStore(db);
		const ann = (
			await users.add(person({ firstName: 'Ann', email: 'ann@example.com', mobilePhone: '+33612345678' }))
		).id;
		const outbox = outboxStore(db, relayStore(db));
		await outbox.queueFor([ann], 'sms-login', {
			values: () => ({ password: 'Correct-Horse-Battery-9' }),
			now: NOW - 2_000
		});
		await db.outbox.toCollection().modify({ state: 'sent', delivery: 'delivered', deliveredAt: NOW - 500 });
		expect(await outbox.clearDelivered(NOW)).toBe(1);
		// A second one waits with its password: the backup leaves it out, but not what the first one gave.
		await outbox.queueFor([ann], 'sms-login', {
			values: () => ({ password: 'Another-Horse-Battery-7' }),
			now: NOW
		});
		const { bytes } = await backupOf(db);
		const target = freshDb('history-password-target');
		expect(await restoreInto(target, 'backup.rollcall', bytes)).toMatchObject({ ok: true });
		expect((await target.users.get(ann))?.hasPassword).toBe(true);
	});
});

describe('a restored user’s initial password', () => {
	it('is claimed only where the backup’s messages carry one: an older backup’s untrue flag is put right', async () => {
		const { db, ann, bob } = await cleared();
		const { bytes } = await backupOf(db);
		// As an older Rollcall wrote it: a password typed without the SMS still marked the user as having one.
		const older = await resealed(bytes, (exported) => {
			const users = exported.data.data.find((table) => table.tableName === 'users')!;
			for (const row of users.rows as { hasPassword: boolean }[]) row.hasPassword = true;
		});
		const target = freshDb('history-password-older');
		expect(await restoreInto(target, 'older.rollcall', older)).toMatchObject({ ok: true });
		expect((await target.users.bulkGet([ann, bob])).map((user) => user?.hasPassword)).toEqual([false, false]);
	});
});
