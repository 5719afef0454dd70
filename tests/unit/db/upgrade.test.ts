import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { createDb } from '$lib/db/database';
import { DuplicateError } from '$lib/db/errors';
import { usersStore } from '$lib/db/users';
import { emailKey } from '$lib/domain/email';
import { licenseEntry, uniqueEntry, userKeys, type UserFields } from '$lib/domain/user';
import { freshName, person, query, track } from './helpers';

type V1Row = Record<string, unknown>;

/** Creates a database exactly as version 1 of Rollcall did, with the given rows; returns their ids. */
async function createV1(name: string, rows: V1Row[], deleteIndex?: number): Promise<number[]> {
	const v1 = new Dexie(name);
	v1.version(1).stores({ users: '++id, &emailKey, status' });
	const ids = (await v1.table('users').bulkAdd(rows, { allKeys: true })) as number[];
	if (deleteIndex !== undefined) await v1.table('users').delete(ids[deleteIndex]!);
	v1.close();
	return ids;
}

const v1 = (row: V1Row & { email: string }): V1Row => ({ ...row, emailKey: emailKey(row.email) });

/** The v1 rows: some without site or user type, one accented name, one extra row deleted so ids have a gap. */
const v1Rows: V1Row[] = [
	v1({
		firstName: 'Zoë',
		lastName: 'Adams',
		email: 'zoe@example.com',
		userType: 'Privileged',
		site: 'Paris',
		status: 'Active',
		hasPassword: true,
		createdAt: 1_000,
		updatedAt: 2_000,
		activatedAt: 1_500,
		inGlobalAddressBook: true
	}),
	v1({
		firstName: 'Deleted',
		lastName: 'Before',
		email: 'gone@example.com',
		status: 'Pending',
		createdAt: 1_100
	}),
	v1({
		firstName: 'Élodie',
		lastName: 'Martin',
		email: 'elodie@example.com',
		status: 'Pending',
		createdAt: 1_200
	}),
	v1({
		firstName: 'Eddie',
		lastName: 'Brown',
		email: 'eddie@example.com',
		username: 'EBrown',
		customerCode: '00123',
		mobilePhone: '+447400123456',
		site: 'Leeds',
		status: 'Suspended',
		createdAt: 1_300,
		updatedAt: 1_350
	}),
	v1({
		firstName: 'Emma',
		lastName: 'Stone',
		email: 'Emma.Stone@Example.com',
		userType: 'Standard',
		status: 'Pending',
		createdAt: 1_400
	}),
	v1({
		firstName: 'Ann',
		lastName: 'Smith',
		displayName: 'Ann Smith',
		email: 'ann@example.com',
		site: '',
		status: 'Active',
		activatedAt: 1_600,
		createdAt: 1_500
	})
];

const FIELD_KEYS = [
	'firstName',
	'lastName',
	'displayName',
	'email',
	'username',
	'mobilePhone',
	'customerCode',
	'status',
	'hasPassword',
	'createdAt',
	'activatedAt',
	'inGlobalAddressBook'
] as const;

describe('upgrade from version 1', () => {
	it('keeps every user with its id and fields, fills defaults and derives the v2 keys', async () => {
		const name = freshName('upgrade');
		const ids = await createV1(name, v1Rows, 1);
		const kept = v1Rows
			.map((row, i): V1Row & { id: number } => ({ ...row, id: ids[i]! }))
			.filter((_, i) => i !== 1);

		const db = track(createDb(name));
		await db.open();
		expect(db.verno).toBeGreaterThanOrEqual(3);
		const users = usersStore(db);
		expect(await users.count()).toBe(kept.length);

		for (const old of kept) {
			const user = await users.get(old.id);
			expect(user, `user ${String(old.email)}`).toBeDefined();
			for (const key of FIELD_KEYS) {
				// hasPassword is false: no SMS login details carried a password (v7 computes it from them).
				const expected =
					key === 'hasPassword' ? false : key === 'inGlobalAddressBook' ? (old[key] ?? false) : old[key];
				const fallback = key === 'activatedAt' ? null : undefined;
				expect(user![key], `${key} of ${String(old.email)}`).toEqual(expected ?? fallback);
			}
			expect(user!.site).toBe(typeof old.site === 'string' && old.site !== '' ? old.site : 'HQ');
			expect(user!.userType).toBe(old.userType ?? 'Standard');
			expect(user!.lastLoginAt).toBe(0);
			expect(user!.updatedAt).toBe(old.updatedAt ?? old.createdAt);
			const keys = userKeys(user! satisfies UserFields, 1);
			expect(user!.nameKey).toBe(keys.nameKey);
			expect(user!.emailKey).toBe(keys.emailKey);
			expect(user!.searchText).toBe(keys.searchText);
			// v8 gave each a license key; v9 keeps it unique with the email, username and code.
			expect(user!.uniqueKeys).toEqual(keys.uniqueKeys);
			expect(user!.uniqueKeys).toContain(licenseEntry(user!.licenseKey!));
			expect(user).not.toHaveProperty('searchWords');
			expect(user!.usernameKey).toBe(keys.usernameKey);
			expect(user!.customerCodeKey).toBe(keys.customerCodeKey);
		}
		const eddie = await users.get(ids[3]!);
		expect(eddie!.usernameKey).toBe('ebrown');
		expect(eddie!.customerCodeKey).toBe('00123');
		expect((await users.get(ids[2]!))!.nameKey.startsWith('elodie martin\u0000')).toBe(true);
	});

	it('answers the v2 queries (name order, search, filters, unique checks) on upgraded users', async () => {
		const name = freshName('upgrade-queries');
		const ids = await createV1(name, v1Rows, 1);
		const db = track(createDb(name));
		const users = usersStore(db);
		const [zoe, , elodie, eddie, emma, ann] = ids;

		expect(await users.listIds(query())).toEqual([ann, eddie, elodie, emma, zoe]);
		expect(await users.listIds(query({ isDescending: true }))).toEqual([zoe, emma, elodie, eddie, ann]);
		expect(await users.listIds(query({ search: 'elo' }))).toEqual([elodie]);
		expect(await users.listIds(query({ search: 'ÉLODIE' }))).toEqual([elodie]);
		expect(await users.listIds(query({ search: 'zoe' }))).toEqual([zoe]);
		expect(await users.listIds(query({ search: 'ebrown' }))).toEqual([eddie]);
		expect(await users.listIds(query({ search: 'ed' }))).toEqual([eddie]);
		// Every address is at example.com: its domain is searched too.
		expect(await users.listIds(query({ search: 'e' }))).toEqual([ann, eddie, elodie, emma, zoe]);
		expect(await users.listIds(query({ site: 'HQ' }))).toEqual([ann, elodie, emma]);
		expect(await users.listIds(query({ status: 'Pending' }))).toEqual([elodie, emma]);
		expect(await users.listIds(query({ userType: 'Privileged' }))).toEqual([zoe]);
		expect(await users.listIds(query({ sort: 'createdAt' }))).toEqual([zoe, elodie, eddie, emma, ann]);
		expect(await users.sites()).toEqual(['HQ', 'Leeds', 'Paris']);

		expect((await users.whoHas('email', 'emma.stone@EXAMPLE.com'))?.id).toBe(emma);
		expect((await users.whoHas('username', 'ebrown'))?.id).toBe(eddie);
		expect((await users.whoHas('customerCode', '00123'))?.id).toBe(eddie);
		await expect(users.add(person({ email: 'ZOE@example.com' }))).rejects.toBeInstanceOf(DuplicateError);

		// A new user gets a fresh id, after every old one (the deleted one's id is not reused).
		const added = await users.add(person({ firstName: 'Bea', email: 'bea@example.com' }));
		expect(added.id).toBeGreaterThan(Math.max(...ids));
		expect(await users.listIds(query())).toEqual([ann, added.id, eddie, elodie, emma, zoe]);
	});

	it('restores damaged v1 values (unknown status and user type, wrong types) instead of failing', async () => {
		const name = freshName('upgrade-damaged');
		const [id] = await createV1(name, [
			v1({
				email: 'odd@example.com',
				firstName: 42,
				userType: 'Admin',
				status: 'Deleted',
				createdAt: 'yesterday',
				lastLoginAt: 77
			})
		]);
		const db = track(createDb(name));
		const before = Date.now();
		const user = await usersStore(db).get(id!);
		expect(user).toMatchObject({
			email: 'odd@example.com',
			userType: 'Standard',
			status: 'Pending',
			lastLoginAt: 77,
			hasPassword: false,
			activatedAt: null
		});
		expect(user!.firstName).toBeUndefined();
		expect(user!.createdAt).toBeGreaterThanOrEqual(before);
		expect(user!.nameKey).toBe('odd@example.com\u0000odd@example.com');
	});

	it('opens with every user intact even when v1 held usernames or customer codes that v2 treats as one', async () => {
		// v1 had no unique index on usernames or customer codes: 'JSmith' and 'jsmith' could both exist.
		const name = freshName('upgrade-dupes');
		const ids = await createV1(name, [
			v1({
				firstName: 'John',
				lastName: 'Smith',
				email: 'john@example.com',
				username: 'jsmith',
				customerCode: 'C-1',
				status: 'Active'
			}),
			v1({
				firstName: 'Jane',
				lastName: 'Smith',
				email: 'jane@example.com',
				username: 'JSmith',
				customerCode: 'c-1 ',
				status: 'Pending'
			}),
			v1({
				firstName: 'Jim',
				lastName: 'Other',
				email: 'jim@example.com',
				username: 'jother',
				status: 'Pending'
			})
		]);
		const db = track(createDb(name));
		await db.open();
		const users = usersStore(db);
		const [john, jane, jim] = await Promise.all(ids.map((id) => users.get(id)));
		expect(john).toMatchObject({
			username: 'jsmith',
			usernameKey: 'jsmith',
			customerCode: 'C-1',
			customerCodeKey: 'c-1'
		});
		// The second keeps what the admin typed; only the unique key is left to the first one.
		expect(jane).toMatchObject({ username: 'JSmith', customerCode: 'c-1 ' });
		expect(jane!.usernameKey).toBeUndefined();
		expect(jane!.customerCodeKey).toBeUndefined();
		expect(jim!.usernameKey).toBe('jother');
		// Nor is it among her unique entries: the first one holds it there.
		expect(jane!.uniqueKeys).toEqual([
			uniqueEntry('email', 'jane@example.com', 1),
			licenseEntry(jane!.licenseKey!)
		]);
		expect((await users.whoHas('username', 'JSMITH'))?.id).toBe(john!.id);
		expect(await users.listIds(query())).toEqual([jane!.id, jim!.id, john!.id]);

		// The clash surfaces when the second is next edited, so the admin can resolve it.
		const clash = await users.update(jane!.id, { jobTitle: 'Nurse' }).catch((e: unknown) => e);
		expect(clash).toBeInstanceOf(DuplicateError);
		expect((clash as DuplicateError).field).toBe('username');
		const fixed = await users.update(jane!.id, { username: 'jane.smith', customerCode: 'C-2' });
		expect(fixed).toMatchObject({ usernameKey: 'jane.smith', customerCodeKey: 'c-2' });
	});
});
