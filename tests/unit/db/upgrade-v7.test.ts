import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { createDb } from '$lib/db/database';
import { LISTS_TABLE } from '$lib/db/lists';
import { usersStore } from '$lib/db/users';
import type { UserFields } from '$lib/domain/user';
import {
	allHoldOwnLicenseEntry,
	freshName,
	keysBeforeV9,
	person,
	query,
	track,
	upgradedToV9
} from './helpers';

/** A user as version 6 of Rollcall stored them: search words were the starts of names, email and username only. */
function v6User(fields: UserFields, searchWords: string[]) {
	return {
		...fields,
		...keysBeforeV9(fields),
		searchWords,
		status: 'Active',
		hasPassword: true,
		createdAt: 5,
		updatedAt: 6,
		activatedAt: 7,
		lastLoginAt: 8
	};
}

const ann = person({
	firstName: 'Ann',
	lastName: 'Jones',
	email: 'ann@example.net',
	username: 'ajones',
	site: 'Leeds',
	department: 'Finance'
});
const bo = person({ firstName: 'Bo', lastName: 'Chen', email: 'bo@example.com', username: 'jsmith' });

/** Creates a database exactly as version 6 of Rollcall left it, with two users and one deleted user in the trash. */
async function createV6(name: string) {
	const v6 = new Dexie(name);
	v6.version(1).stores({ users: '++id, &emailKey, status' });
	v6.version(2).stores({
		users:
			'++id, &emailKey, &usernameKey, &customerCodeKey, nameKey, site, *searchWords, ' +
			'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
		settings: 'key',
		trash: '++id, batch, deletedAt'
	});
	v6.version(3).stores({ imports: '++id, at', importChanges: '++id, importId' });
	v6.version(4).stores({ outbox: 'key, [state+nextAttemptAt], createdAt, userId', relay: 'key' });
	v6.version(5).stores({ [LISTS_TABLE]: 'key, builtAt, generation' });
	v6.version(6).stores({ commands: '++seq, &key, state' });
	const ids = (await v6
		.table('users')
		.bulkAdd([v6User(ann, ['ann', 'jones', 'ann@example.net', 'ajones'])], { allKeys: true })) as number[];
	await v6.table('trash').add({
		batch: 'b1',
		deletedAt: 9,
		user: { ...v6User(bo, ['bo', 'chen', 'bo@example.com', 'jsmith']), id: 40 }
	});
	// A damaged record (no email, a name that is not text) must not stop the upgrade: the database would
	// never open again.
	await v6.table('trash').add({ batch: 'b2', deletedAt: 9, user: { id: 41, firstName: 7 } });
	const stored = await v6.table('users').toArray();
	v6.close();
	return { ids, stored };
}

describe('upgrade from version 6 to 7', () => {
	it('computes every stored and deleted user’s search keys again, leaving the rest of them as they were', async () => {
		const name = freshName('upgrade-v7');
		const before = await createV6(name);
		const db = track(createDb(name));
		await db.open();
		expect(db.verno).toBeGreaterThanOrEqual(7);
		const users = usersStore(db);
		// Only the search keys change (v9's search text now), and hasPassword: no SMS carried Ann's password
		// (see below).
		expect(await db.users.toArray()).toEqual([upgradedToV9({ ...before.stored[0], hasPassword: false })]);
		expect(allHoldOwnLicenseEntry(await db.users.toArray())).toBe(true);

		for (const search of ['ones', 'example.net', 'leeds', 'finance']) {
			expect(await users.listIds(query({ search })), search).toEqual(before.ids);
		}
		// The deleted user comes back with keys of this version too.
		await users.undoRemove('b1');
		expect(await users.listIds(query({ search: 'smith' }))).toEqual([40]);
		expect(await users.listIds(query({ search: 'example.com' }))).toEqual([40]);
	});
});

describe('upgrade from version 6 to 7: initial passwords', () => {
	it('keeps hasPassword only for users SMS login details carry one to: earlier versions set it for any typed password', async () => {
		const name = freshName('upgrade-v7-passwords');
		await createV6(name);
		// Opened with no schema: Dexie takes the stored one (version 6) as it is.
		const v6: Dexie = await new Dexie(name).open();
		const pending = (fields: UserFields) => ({ ...v6User(fields, []), status: 'Pending', hasPassword: true });
		const [typed, sent, cancelled, waiting] = (await v6.table('users').bulkAdd(
			['typed', 'sent', 'cancelled', 'waiting'].map((who) =>
				pending(person({ firstName: who, email: `${who}@example.com` }))
			),
			{ allKeys: true }
		)) as number[];
		const sms = (userId: number, state: string, template = 'sms-login') => ({
			key: `${userId}-${state}-${template}`,
			template,
			userId,
			state,
			createdAt: 1,
			nextAttemptAt: 1
		});
		await v6
			.table('outbox')
			.bulkAdd([
				sms(typed!, 'queued', 'activation'),
				sms(sent!, 'sent'),
				sms(cancelled!, 'cancelled'),
				sms(waiting!, 'queued')
			]);
		v6.close();
		const db = track(createDb(name));
		const flags: Record<string, boolean> = {};
		for (const user of await db.users.toArray()) flags[String(user.firstName)] = user.hasPassword;
		expect(flags).toMatchObject({ typed: false, sent: true, cancelled: false, waiting: true });
	});
});
