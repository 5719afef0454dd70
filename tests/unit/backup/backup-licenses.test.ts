// A restore and the relay's license state (issue 14): the restored users keep the ids the relay knows them
// by, so each one the relay may know hears their license again; the relay would otherwise keep the key,
// products and web access it last heard, which the backup's users need not have.
import 'fake-indexeddb/auto';
import './node-self';
import { describe, expect, it } from 'vitest';
import { createBackupWorkerApi } from '$lib/backup/worker-api';
import { commandsStore } from '$lib/db/commands';
import { computersStore } from '$lib/db/computers';
import type { RollcallDb } from '$lib/db/database';
import { licensesStore } from '$lib/db/licenses';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { products } from '$lib/domain/fields';
import { relayUserId } from '$lib/domain/outbox';
import { DEFAULT_CUSTOMER_ID } from '$lib/domain/user';
import { freshDb, person } from '../db/helpers';

async function made(db: RollcallDb): Promise<Uint8Array> {
	const backup = await createBackupWorkerApi(() => db).backup(undefined, Date.UTC(2026, 11, 7, 9));
	return new Uint8Array(await backup.file.arrayBuffer());
}

async function restoreInto(target: RollcallDb, bytes: Uint8Array) {
	const api = createBackupWorkerApi(() => target);
	expect((await api.open({ name: 'b.json', bytes })).ok).toBe(true);
	expect((await api.restore()).ok).toBe(true);
}

/** A paired device: Lee (Desktop, messaged), Nia (no product, not messaged yet), Sam (never messaged). */
async function device() {
	const db = freshDb('backup-licenses');
	const users = usersStore(db);
	const relay = relayStore(db);
	await relay.paired('token-backup-licenses', 'device-1', 'Front desk', 1_000);
	for (const product of products) await licensesStore(db).setSeats(DEFAULT_CUSTOMER_ID, product, 10);
	const lee = await users.add(
		person({ firstName: 'Lee', email: 'lee@example.com', entitlements: 'Desktop' })
	);
	const nia = await users.add(person({ firstName: 'Nia', email: 'nia@example.com' }));
	const sam = await users.add(person({ firstName: 'Sam', email: 'sam@example.com' }));
	await outboxStore(db, relay).queueFor([lee.id], 'activation', { now: 2_000 });
	return { db, users, relay, lee, nia, sam };
}

describe('a restore tells the relay the restored licenses', () => {
	it('on this device: each user the relay may know, also one first messaged after the backup', async () => {
		const { db, users, relay, lee, nia, sam } = await device();
		const bytes = await made(db);
		// After the backup: Lee loses Desktop and gets a new key, Nia is messaged and given Web access, and
		// the relay hears it all (the commands were sent).
		await users.update(lee.id, { entitlements: '' });
		await computersStore(db).regenerateKey(lee.id);
		await outboxStore(db, relay).queueFor([nia.id], 'activation', { now: 3_000 });
		await users.update(nia.id, { webAccess: true });
		await db.commands.clear();

		await restoreInto(db, bytes);
		const { directoryId } = await relay.read();
		const sent = (await commandsStore(db).list()).map((row) => [row.type, row.relayUserId, row.license]);
		expect(sent).toEqual([
			[
				'license',
				relayUserId(directoryId, lee.id),
				{ licenseKey: lee.licenseKey, entitlements: ['Desktop'], webAccess: false }
			],
			['license', relayUserId(directoryId, nia.id), { licenseKey: nia.licenseKey, entitlements: [] }]
		]);
		// Sam was never messaged: the relay does not know him, and learns his license with his first message.
		expect(sent.some(([, id]) => id === relayUserId(directoryId, sam.id))).toBe(false);
	});

	it('on another device: the users the backup says were messaged, after the commands it holds', async () => {
		const { db, users, lee } = await device();
		await users.setSuspended([lee.id], true);
		const bytes = await made(db);
		const other = freshDb('backup-licenses-other');
		await relayStore(other).paired('other-token', 'device-2', 'Back office', 9_000);
		await restoreInto(other, bytes);
		expect((await commandsStore(other).list()).map((row) => [row.type, row.userId, row.license])).toEqual([
			['suspend', lee.id, undefined],
			['license', lee.id, { licenseKey: lee.licenseKey, entitlements: ['Desktop'], webAccess: false }]
		]);
	});
});
