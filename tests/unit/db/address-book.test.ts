import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { addressBookStore } from '$lib/db/address-book';
import { usersStore } from '$lib/db/users';
import { defaultPolicy } from '$lib/domain/policy';
import { inAddressBook } from '$lib/export/vcard';
import { freshDb, person } from './helpers';

describe('the address book in the database', () => {
	it('lists the customer’s users in the book, by name, and no one else', async () => {
		const db = freshDb('address-book');
		const users = usersStore(db);
		await users.add(person({ firstName: 'Zoe', email: 'zoe@example.com', inGlobalAddressBook: true }));
		await users.add(person({ firstName: 'Al', email: 'al@example.com', inGlobalAddressBook: true }));
		await users.add(person({ firstName: 'Hid', email: 'hid@example.com' }));
		await users.add(person({ firstName: 'Other', email: 'o@example.com', inGlobalAddressBook: true }), {
			customerId: 2
		});
		const book = addressBookStore(db);
		const policy = { ...defaultPolicy, inGlobalAddressBook: 'optional' } as const;
		const listed = await book.list(1, inAddressBook(policy));
		expect(listed.map((user) => user.firstName)).toEqual(['Al', 'Zoe']);
		expect((await book.list(2, inAddressBook(policy))).map((user) => user.firstName)).toEqual(['Other']);
	});
});
