import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { createDb } from '$lib/db/database';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import type { User } from '$lib/domain/user';
import { allHoldOwnLicenseEntry, freshName, keysBeforeV9, person, track, upgradedToV9 } from './helpers';

/** Creates a database exactly as version 3 of Rollcall left it, with users and an import. */
async function createV3(name: string) {
	const v3 = new Dexie(name);
	v3.version(1).stores({ users: '++id, &emailKey, status' });
	v3.version(2).stores({
		users:
			'++id, &emailKey, &usernameKey, &customerCodeKey, nameKey, site, *searchWords, ' +
			'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
		settings: 'key',
		trash: '++id, batch, deletedAt'
	});
	v3.version(3).stores({ imports: '++id, at', importChanges: '++id, importId' });
	const users = ['ann', 'bob', 'cy'].map((name) => {
		const fields = person({ firstName: name, email: `${name}@example.com` });
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
	await v3.table('users').bulkAdd(users);
	await v3.table('imports').add({
		fileName: 'f.csv',
		at: 1,
		mode: 'all-or-nothing',
		updateExisting: false,
		counts: {},
		status: 'done'
	});
	const snapshot = {
		users: await v3.table('users').toArray(),
		imports: (await v3.table('imports').toArray()) as object[]
	};
	v3.close();
	return snapshot;
}

describe('upgrade from version 3 to 4', () => {
	it('keeps every user and import, and adds an empty outbox that takes messages for them', async () => {
		const name = freshName('upgrade-v4');
		const before = await createV3(name);
		const db = track(createDb(name));
		await db.open();
		expect(db.verno).toBeGreaterThanOrEqual(4);
		expect(await db.users.toArray()).toEqual(before.users.map(upgradedToV9));
		expect(allHoldOwnLicenseEntry(await db.users.toArray())).toBe(true);
		expect(await db.imports.toArray()).toEqual(before.imports.map((row) => ({ ...row, customerId: 1 })));
		expect(await db.outbox.count()).toBe(0);
		const relay = relayStore(db);
		const outbox = outboxStore(db, relay);
		const ids = before.users.map((u) => (u as User).id);
		expect(await outbox.queueFor(ids, 'activation')).toEqual({ queued: 3, skipped: 0, reasons: {} });
		expect(await db.users.toArray()).toEqual(before.users.map(upgradedToV9));
	});
});
