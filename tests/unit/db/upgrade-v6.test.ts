import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { commandsStore } from '$lib/db/commands';
import { createDb } from '$lib/db/database';
import { LISTS_TABLE } from '$lib/db/lists';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { allHoldOwnLicenseEntry, freshName, keysBeforeV9, person, track, upgradedToV9 } from './helpers';

/** Creates a database exactly as version 5 of Rollcall left it: users, one sent message, a pairing. */
async function createV5(name: string) {
	const v5 = new Dexie(name);
	v5.version(1).stores({ users: '++id, &emailKey, status' });
	v5.version(2).stores({
		users:
			'++id, &emailKey, &usernameKey, &customerCodeKey, nameKey, site, *searchWords, ' +
			'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
		settings: 'key',
		trash: '++id, batch, deletedAt'
	});
	v5.version(3).stores({ imports: '++id, at', importChanges: '++id, importId' });
	v5.version(4).stores({ outbox: 'key, [state+nextAttemptAt], createdAt, userId', relay: 'key' });
	v5.version(5).stores({ [LISTS_TABLE]: 'key, builtAt, generation' });
	const users = ['ann', 'bob'].map((first) => {
		const fields = person({ firstName: first, email: `${first}@example.com` });
		return {
			...fields,
			...keysBeforeV9(fields),
			customerId: 1,
			status: 'Pending',
			hasPassword: false,
			createdAt: 1,
			updatedAt: 1,
			activatedAt: null,
			lastLoginAt: 0
		};
	});
	const ids = (await v5.table('users').bulkAdd(users, { allKeys: true })) as number[];
	await v5.table('relay').put({
		key: 'relay',
		directoryId: '6f1c1b7e-3c1d-4a2b-9c3d-5e6f7a8b9c0d',
		token: 'device-token',
		deviceId: 'd1'
	});
	await v5.table('outbox').add({
		key: 'k-ann-activation',
		template: 'activation',
		to: 'ann@example.com',
		userId: ids[0],
		user: { id: '6f1c1b7e-3c1d-4a2b-9c3d-000000000001' },
		state: 'sent',
		attempts: 0,
		nextAttemptAt: 1,
		createdAt: 1
	});
	const snapshot = {
		ids,
		users: await v5.table('users').toArray(),
		outbox: await v5.table('outbox').toArray(),
		relay: await v5.table('relay').toArray()
	};
	v5.close();
	return snapshot;
}

describe('upgrade from version 5 to 6', () => {
	it('keeps every user, message and the pairing, and adds an empty command queue that the next suspension fills', async () => {
		const name = freshName('upgrade-v6');
		const before = await createV5(name);
		const db = track(createDb(name));
		await db.open();
		expect(db.verno).toBeGreaterThanOrEqual(6);
		expect(await db.users.toArray()).toEqual(before.users.map(upgradedToV9));
		expect(allHoldOwnLicenseEntry(await db.users.toArray())).toBe(true);
		expect(await db.outbox.toArray()).toEqual(before.outbox);
		expect(await db.relay.toArray()).toEqual(before.relay);
		const commands = commandsStore(db);
		expect(await commands.list()).toEqual([]);

		// Only Ann was ever sent a message: only her suspension reaches the relay.
		await usersStore(db).setSuspended(before.ids, true);
		expect((await commands.list()).map((row) => [row.type, row.userId])).toEqual([
			['suspend', before.ids[0]]
		]);
		expect(await outboxStore(db, relayStore(db)).counts()).toMatchObject({ sent: 1, queued: 0 });
	});
});
