import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { createDb, DEFAULT_CUSTOMER_NAME } from '$lib/db/database';
import { customersStore } from '$lib/db/customers';
import { importsStore } from '$lib/db/imports';
import { LISTS_TABLE } from '$lib/db/lists';
import { usersStore } from '$lib/db/users';
import { readLicenseKey } from '$lib/domain/license-key';
import { DEFAULT_CUSTOMER_ID, type UserFields } from '$lib/domain/user';
import {
	allHoldOwnLicenseEntry,
	freshName,
	keysBeforeV9,
	person,
	query,
	track,
	upgradedToV9
} from './helpers';

const COUNT = 1_200;

/** A user as version 7 of Rollcall stored them: no customer, no license key, no group/role/license keys. */
function v7User(fields: UserFields, createdAt: number) {
	const keys = keysBeforeV9(fields, DEFAULT_CUSTOMER_ID);
	delete keys.groupKeys;
	delete keys.roleKeys;
	delete keys.entitlementKeys;
	return {
		...fields,
		...keys,
		// Its inner suffixes (any: v9 drops them).
		searchSuffixes: [String(fields.lastName).slice(1)],
		status: 'Pending',
		hasPassword: false,
		createdAt,
		updatedAt: createdAt,
		activatedAt: null,
		lastLoginAt: 0
	};
}

const personAt = (i: number) =>
	person({
		firstName: `First${i}`,
		lastName: `Last${i % 97}`,
		email: `person${i}@example.com`,
		username: `user${i}`,
		...(i % 10 === 0 ? { customerCode: `C${i}` } : {})
	});

/** Creates a database as version 7 of Rollcall left it: 1,200 users, a deleted one, an import and a message. */
async function createV7(name: string) {
	const v7 = new Dexie(name);
	v7.version(7).stores({
		users:
			'++id, &emailKey, &usernameKey, &customerCodeKey, nameKey, site, *searchWords, *searchSuffixes, ' +
			'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
		settings: 'key',
		trash: '++id, batch, deletedAt',
		imports: '++id, at',
		importChanges: '++id, importId',
		outbox: 'key, [state+nextAttemptAt], createdAt, userId',
		relay: 'key',
		[LISTS_TABLE]: 'key, builtAt, generation',
		commands: '++seq, &key, state',
		messageHistory: 'key, userId'
	});
	const rows = Array.from({ length: COUNT }, (_, i) => v7User(personAt(i), 1_000 + i));
	const ids = (await v7.table('users').bulkAdd(rows, { allKeys: true })) as number[];
	await v7.table('trash').add({
		batch: 'b1',
		deletedAt: 9,
		user: { ...v7User(personAt(COUNT), 5), id: COUNT + 10 }
	});
	await v7.table('imports').add({
		fileName: 'staff.csv',
		at: 2_000,
		mode: 'all-or-nothing',
		updateExisting: false,
		counts: { created: 3, updated: 0, unchanged: 0, skipped: 0, errors: 0 },
		status: 'done'
	});
	await v7.table('outbox').add({
		key: 'm1',
		userId: ids[0],
		template: 'activation',
		to: 'person0@example.com',
		state: 'queued',
		nextAttemptAt: 0,
		attempts: 0,
		createdAt: 3_000,
		values: {}
	});
	await v7.table('settings').put({ key: 'defaultCountry', value: 'FR' });
	v7.close();
	return { ids, rows };
}

describe('upgrade from version 7 to 8', () => {
	it('keeps every user, in the default customer, each with a unique license key', async () => {
		const name = freshName('upgrade-v8');
		const before = await createV7(name);
		const db = track(createDb(name));
		await db.open();
		expect(db.verno).toBeGreaterThanOrEqual(8);

		const stored = await db.users.toArray();
		expect(stored.map((user) => user.id)).toEqual(before.ids);
		for (const [i, user] of stored.entries()) {
			// Every value as it was, and the customer and keys v8 adds (and v9's keys for the search words).
			expect(user).toMatchObject(upgradedToV9(before.rows[i]!));
			expect(user).not.toHaveProperty('searchWords');
			expect(user).not.toHaveProperty('searchSuffixes');
			expect(readLicenseKey(user.licenseKey!).ok).toBe(true);
		}
		expect(new Set(stored.map((user) => user.licenseKey)).size).toBe(COUNT);
		expect(allHoldOwnLicenseEntry(stored)).toBe(true);
		const deleted = await db.trash.toArray();
		expect(deleted).toHaveLength(1);
		expect(deleted[0]!.user).toMatchObject({ id: COUNT + 10, customerId: DEFAULT_CUSTOMER_ID });
		expect(await db.outbox.count()).toBe(1);
		expect((await db.settings.get('defaultCountry'))?.value).toBe('FR');

		const customers = customersStore(db);
		expect(await customers.list()).toMatchObject([{ id: DEFAULT_CUSTOMER_ID, name: DEFAULT_CUSTOMER_NAME }]);
		expect((await importsStore(db).history()).map((row) => row.fileName)).toEqual(['staff.csv']);

		// The list, search and uniqueness work on the upgraded users, within the default customer.
		const users = usersStore(db);
		expect(await users.count()).toBe(COUNT);
		expect(await users.listIds(query({ search: 'person1199' }))).toEqual([before.ids[1199]]);
		expect((await users.whoHas('email', 'PERSON7@example.com'))?.id).toBe(before.ids[7]);
		expect((await users.whoHas('customerCode', 'c10'))?.id).toBe(before.ids[10]);
		await expect(users.add(person({ email: 'person3@example.com' }))).rejects.toThrow('already taken');
		// A second customer may have the same addresses.
		const contoso = await customers.create('Contoso');
		await users.add(person({ email: 'person3@example.com', username: 'user3' }), { customerId: contoso.id });
		expect(await users.count()).toBe(COUNT);
		expect(await users.count(contoso.id)).toBe(1);
	}, 120_000);
});
