import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { createDb } from '$lib/db/database';
import { importsStore } from '$lib/db/imports';
import { usersStore } from '$lib/db/users';
import type { User, UserFields } from '$lib/domain/user';
import { allHoldOwnLicenseEntry, freshName, keysBeforeV9, person, track, upgradedToV9 } from './helpers';
import { check } from './import-helpers';

/** A user record as version 2 stores it. */
function stored(fields: UserFields, rest: Partial<User> = {}): Record<string, unknown> {
	return {
		...fields,
		...keysBeforeV9(fields),
		customerId: 1,
		status: 'Pending',
		hasPassword: false,
		createdAt: 1_000,
		updatedAt: 1_000,
		activatedAt: null,
		lastLoginAt: 0,
		...rest
	};
}

/** Creates a database exactly as version 2 of Rollcall left it: users, settings and a trash. */
async function createV2(name: string) {
	const v2 = new Dexie(name);
	v2.version(1).stores({ users: '++id, &emailKey, status' });
	v2.version(2).stores({
		users:
			'++id, &emailKey, &usernameKey, &customerCodeKey, nameKey, site, *searchWords, ' +
			'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
		settings: 'key',
		trash: '++id, batch, deletedAt'
	});
	const users = [
		stored(person({ firstName: 'Zoë', lastName: 'Adams', email: 'zoe@example.com', username: 'zoe' }), {
			status: 'Active',
			activatedAt: 1_100,
			lastLoginAt: 1_200
		}),
		stored(person({ firstName: 'Eddie', email: 'eddie@example.com', customerCode: '00123', site: 'Leeds' })),
		...Array.from({ length: 500 }, (_, i) =>
			stored(person({ firstName: `P${i}`, email: `p${i}@example.com` }))
		)
	];
	await v2.table('users').bulkAdd(users);
	await v2.table('settings').bulkPut([{ key: 'defaultCountry', value: 'FR' }]);
	const gone = stored(person({ firstName: 'Gone', email: 'gone@example.com' }));
	await v2.table('trash').add({ batch: 'b1', deletedAt: 2_000, user: { ...gone, id: 999 } });
	const snapshot = {
		users: await v2.table('users').toArray(),
		settings: await v2.table('settings').toArray(),
		trash: (await v2.table('trash').toArray()) as { user: object }[]
	};
	v2.close();
	return snapshot;
}

describe('upgrade from version 2 to 3', () => {
	it('keeps every user, setting and deleted user, and adds an empty import history', async () => {
		const name = freshName('upgrade-v3');
		const before = await createV2(name);
		const db = track(createDb(name));
		await db.open();
		expect(db.verno).toBeGreaterThanOrEqual(3);
		expect(await db.users.toArray()).toEqual(before.users.map(upgradedToV9));
		expect(allHoldOwnLicenseEntry(await db.users.toArray())).toBe(true);
		expect(await db.settings.toArray()).toEqual(before.settings);
		expect(await db.trash.toArray()).toEqual(
			before.trash.map((row) => ({ ...row, user: upgradedToV9(row.user) }))
		);
		expect(await db.imports.count()).toBe(0);
		expect(await db.importChanges.count()).toBe(0);

		// The upgraded directory takes an import, with its unique checks, and gives it back.
		const imports = importsStore(db);
		const checked = await check(db, [
			['Email', 'Username'],
			['new@example.com', 'newbie'],
			['zoe@example.com', 'zoe']
		]);
		expect(checked.rows.map((r) => r.status)).toEqual(['new', 'unchanged']);
		const summary = await imports.commit(checked.rows, {
			fileName: 'f.csv',
			mode: 'all-or-nothing',
			updateExisting: false
		});
		expect(await usersStore(db).count()).toBe(before.users.length + 1);
		await imports.undo(summary.id);
		expect(await db.users.toArray()).toEqual(before.users.map(upgradedToV9));
	}, 60_000);
});
