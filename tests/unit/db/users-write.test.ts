import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DuplicateError, storageErrorMessage } from '$lib/db/errors';
import { usersStore } from '$lib/db/users';
import { defaultPolicy } from '$lib/domain/policy';
import { licenseEntry, matchesSearch, uniqueEntry, validateUser, type UserFields } from '$lib/domain/user';
import { freshDb, person, query } from './helpers';

function setup() {
	const db = freshDb('write');
	return { db, users: usersStore(db) };
}

/** The rejection of a promise that must fail. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		() => expect.fail('expected the write to be refused'),
		(error: unknown) => error
	);
}

const ann = person({
	firstName: 'Ann',
	lastName: 'Smith',
	displayName: 'Ann Smith',
	email: 'ann.smith@bücher.de',
	username: 'asmith',
	customerCode: '00042'
});

describe('add', () => {
	it('stores a new user as Pending with its timestamps and derived keys', async () => {
		const { users } = setup();
		const added = await users.add(ann, { now: 1_700_000_000_000 });
		expect(added).toMatchObject({
			...ann,
			status: 'Pending',
			// Only SMS login details give a password (outbox.queueFor).
			hasPassword: false,
			createdAt: 1_700_000_000_000,
			updatedAt: 1_700_000_000_000,
			activatedAt: null,
			lastLoginAt: 0,
			emailKey: 'ann.smith@xn--bcher-kva.de',
			usernameKey: 'asmith',
			customerCodeKey: '00042'
		});
		expect(typeof added.id).toBe('number');
		expect(await users.get(added.id)).toEqual(added);
		expect(await users.count()).toBe(1);
	});

	it('defaults hasPassword to false and the time to now', async () => {
		const { users } = setup();
		const before = Date.now();
		const added = await users.add(person({ email: 'b@example.com' }));
		expect(added.hasPassword).toBe(false);
		expect(added.createdAt).toBeGreaterThanOrEqual(before);
		expect(added.createdAt).toBeLessThanOrEqual(Date.now());
	});

	it('stores users without username or customer code side by side (no false unique clash)', async () => {
		const { users } = setup();
		// validateUser gives an emptied optional field as present and undefined: the form passes that on.
		const validated = validateUser(
			{ firstName: 'Cy', lastName: 'Young', email: 'cy@example.com', username: '', customerCode: '' },
			{ ...defaultPolicy, customerCode: 'optional' },
			{ defaultCountry: 'GB' }
		);
		expect(validated.isValid).toBe(true);
		expect('username' in validated.values).toBe(true);
		await users.add(validated.values as UserFields);
		await users.add(person({ email: 'dee@example.com' }));
		await users.add(person({ email: 'eve@example.com', username: undefined, customerCode: undefined }));
		expect(await users.count()).toBe(3);
	});

	it.each([
		['another case', 'ANN.Smith@BÜCHER.de'],
		['surrounding spaces', '  ann.smith@bücher.de  '],
		['NFD form', 'ann.smith@bu\u0308cher.de'],
		['the punycode domain', 'ann.smith@xn--bcher-kva.de'],
		['a trailing dot on the domain', 'ann.smith@bücher.de.']
	])('refuses the same email written in %s', async (_, email) => {
		const { users } = setup();
		const first = await users.add(ann);
		const error = await rejection(users.add(person({ firstName: 'Other', email })));
		expect(error).toBeInstanceOf(DuplicateError);
		expect((error as DuplicateError).field).toBe('email');
		expect((error as DuplicateError).message).toBe('This email is already taken by Ann Smith.');
		expect(storageErrorMessage(error)).toBe('This email is already taken by Ann Smith.');
		expect(await users.count()).toBe(1);
		expect(await users.get(first.id)).toEqual(first);
	});

	it('names the holder by email when the holder has no display name', async () => {
		const { users } = setup();
		await users.add(person({ firstName: 'No', lastName: 'Display', email: 'nd@example.com' }));
		const error = await rejection(users.add(person({ email: 'ND@example.com' })));
		expect((error as Error).message).toBe('This email is already taken by nd@example.com.');
	});

	it('refuses a username taken in another case, and a customer code taken with other case or spaces', async () => {
		const { users } = setup();
		await users.add(ann);
		const byUsername = await rejection(users.add(person({ email: 'x@example.com', username: 'ASmith' })));
		expect(byUsername).toBeInstanceOf(DuplicateError);
		expect((byUsername as DuplicateError).field).toBe('username');
		expect((byUsername as Error).message).toBe('This username is already taken by Ann Smith.');

		const byCode = await rejection(users.add(person({ email: 'y@example.com', customerCode: ' 00042 ' })));
		expect(byCode).toBeInstanceOf(DuplicateError);
		expect((byCode as DuplicateError).field).toBe('customerCode');
		expect((byCode as Error).message).toBe('This customer code is already taken by Ann Smith.');

		// Leading zeros matter: 42 is another code.
		await users.add(person({ email: 'z@example.com', customerCode: '42' }));
		expect(await users.count()).toBe(2);
		expect(await users.listIds(query({ search: 'x@' }))).toEqual([]);
	});

	it('refuses with the first clash found and writes nothing when several fields clash', async () => {
		const { users } = setup();
		await users.add(ann);
		const error = await rejection(
			users.add(person({ email: 'ANN.SMITH@bücher.de', username: 'asmith', customerCode: '00042' }))
		);
		expect((error as DuplicateError).field).toBe('email');
		expect(await users.count()).toBe(1);
	});
});

describe('update', () => {
	it('changes fields, recomputes the keys and bumps updatedAt only', async () => {
		const { users } = setup();
		const added = await users.add(ann, { now: 1_000 });
		const updated = await users.update(
			added.id,
			{ firstName: 'Hannah', displayName: 'Hannah Jones', lastName: 'Jones', email: 'hannah@example.com' },
			5_000
		);
		expect(updated).toMatchObject({
			firstName: 'Hannah',
			lastName: 'Jones',
			email: 'hannah@example.com',
			emailKey: 'hannah@example.com',
			createdAt: 1_000,
			updatedAt: 5_000,
			status: 'Pending'
		});
		expect(updated.nameKey.startsWith('hannah jones\u0000')).toBe(true);
		expect(await users.get(added.id)).toEqual(updated);
		expect(await users.listIds(query({ search: 'hannah' }))).toEqual([added.id]);
		expect(await users.listIds(query({ search: 'jon' }))).toEqual([added.id]);
		expect(await users.listIds(query({ search: 'bücher' }))).toEqual([]);
		expect(await users.listIds(query({ search: 'ann.smith' }))).toEqual([]);
		// The username was not changed: it is still found inside.
		expect(await users.listIds(query({ search: 'smith' }))).toEqual([added.id]);
		// The old email is free again.
		expect(await users.whoHas('email', 'ann.smith@bücher.de')).toBeUndefined();
		await users.add(person({ email: 'ann.smith@bücher.de' }));
	});

	it('removes an optional field set to undefined, with its unique key and search word', async () => {
		const { users } = setup();
		const added = await users.add(ann);
		const updated = await users.update(added.id, {
			username: undefined,
			customerCode: undefined,
			displayName: undefined
		});
		for (const key of ['username', 'usernameKey', 'customerCode', 'customerCodeKey', 'displayName']) {
			expect(key in updated, key).toBe(false);
		}
		const stored = (await users.get(added.id))!;
		expect(Object.keys(stored).sort()).toEqual(Object.keys(updated).sort());
		expect(matchesSearch(stored, ['asmith'])).toBe(false);
		expect(stored.uniqueKeys).toEqual([
			uniqueEntry('email', stored.emailKey, 1),
			licenseEntry(stored.licenseKey!)
		]);
		expect(await users.listIds(query({ search: 'asmith' }))).toEqual([]);
		// Username and code are free for someone else now.
		await users.add(person({ email: 'other@example.com', username: 'ASMITH', customerCode: '00042' }));
		expect(await users.count()).toBe(2);
	});

	it("cannot take another user's email, username or customer code, and leaves both unchanged", async () => {
		const { users } = setup();
		const first = await users.add(ann);
		const second = await users.add(person({ firstName: 'Bob', email: 'bob@example.com', username: 'bob' }));
		for (const [field, changes] of [
			['email', { email: 'Ann.Smith@XN--BCHER-KVA.DE' }],
			['username', { username: 'ASmith' }],
			['customerCode', { customerCode: '00042' }]
		] as const) {
			const error = await rejection(users.update(second.id, changes));
			expect(error).toBeInstanceOf(DuplicateError);
			expect((error as DuplicateError).field).toBe(field);
		}
		expect(await users.get(first.id)).toEqual(first);
		expect(await users.get(second.id)).toEqual(second);
	});

	it('keeps its own email, username and code (in another spelling) without a clash', async () => {
		const { users } = setup();
		const added = await users.add(ann, { now: 1 });
		const updated = await users.update(
			added.id,
			{ email: 'ANN.SMITH@xn--bcher-kva.de', username: 'ASMITH', customerCode: '00042', jobTitle: 'Nurse' },
			2
		);
		expect(updated).toMatchObject({ email: 'ANN.SMITH@xn--bcher-kva.de', jobTitle: 'Nurse', updatedAt: 2 });
		expect(updated.emailKey).toBe(added.emailKey);
		expect(await users.count()).toBe(1);
	});

	it('says so when the user no longer exists', async () => {
		const { users } = setup();
		const added = await users.add(ann);
		await users.remove([added.id]);
		await expect(users.update(added.id, { firstName: 'X' })).rejects.toThrow(/no longer exists/);
		expect(await users.count()).toBe(0);
	});
});

describe('whoHas', () => {
	it('finds the holder of an email, username or customer code however it is typed', async () => {
		const { users } = setup();
		const added = await users.add(ann);
		await users.add(person({ email: 'bob@example.com' }));
		expect((await users.whoHas('email', ' ANN.smith@bu\u0308cher.de '))?.id).toBe(added.id);
		expect((await users.whoHas('email', 'ann.smith@xn--bcher-kva.de'))?.id).toBe(added.id);
		expect((await users.whoHas('username', 'ASMITH'))?.id).toBe(added.id);
		expect((await users.whoHas('customerCode', ' 00042 '))?.id).toBe(added.id);
		expect(await users.whoHas('customerCode', '42')).toBeUndefined();
		expect(await users.whoHas('email', 'ann.smith@bucher.de')).toBeUndefined();
		expect(await users.whoHas('username', 'bob')).toBeUndefined();
		expect(await users.whoHas('email', '')).toBeUndefined();
		expect(await users.whoHas('customerCode', '   ')).toBeUndefined();
	});

	it('ignores the user being edited (exceptId) but not anyone else', async () => {
		const { users } = setup();
		const added = await users.add(ann);
		const bob = await users.add(person({ email: 'bob@example.com' }));
		expect(await users.whoHas('email', 'ann.smith@bücher.de', added.id)).toBeUndefined();
		expect(await users.whoHas('username', 'asmith', added.id)).toBeUndefined();
		expect(await users.whoHas('customerCode', '00042', added.id)).toBeUndefined();
		expect((await users.whoHas('email', 'ann.smith@bücher.de', bob.id))?.id).toBe(added.id);
		expect((await users.whoHas('username', 'asmith', bob.id))?.id).toBe(added.id);
	});
});

describe('byEmailKeys', () => {
	it('finds the stored users among many keys, across lookup chunks, and nothing else', async () => {
		const db = freshDb('by-email');
		const users = usersStore(db);
		const ada = await users.add(person({ firstName: 'Ada', email: 'ada@example.com' }));
		const zoe = await users.add(
			person({ firstName: 'Zoe', email: 'zoe@example.com', mobilePhone: '+447400123456' })
		);
		await users.add(person({ firstName: 'Bob', email: 'bob@example.com' }));
		// 12,000 keys not stored, around the stored ones and in more than one chunk, with a repeat.
		const keys = Array.from({ length: 12_000 }, (_, i) => `user${i}@example.com`);
		keys.splice(7_000, 0, 'zoe@example.com', 'ada@example.com', 'zoe@example.com');
		const found = await users.byEmailKeys(keys);
		expect([...found.keys()].sort()).toEqual(['ada@example.com', 'zoe@example.com']);
		expect(found.get('ada@example.com')).toEqual({ id: ada.id, values: ada });
		expect(found.get('zoe@example.com')?.values).toMatchObject({ id: zoe.id, mobilePhone: '+447400123456' });
		expect(await users.byEmailKeys([])).toEqual(new Map());
	});
});
