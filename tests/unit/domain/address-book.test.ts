import { describe, expect, it } from 'vitest';
import { addressBookFields, entryOf, searchAddressBook } from '$lib/domain/address-book';
import { fields } from '$lib/domain/fields';
import { defaultPolicy, type FieldPolicy } from '$lib/domain/policy';
import { userKeys, type User, type UserFields } from '$lib/domain/user';

const stored = (id: number, given: Omit<UserFields, 'userType'>): User => {
	const values: UserFields = { userType: 'Standard', ...given };
	return { ...values, ...userKeys(values, 1), id, customerId: 1 } as User;
};

const ann = stored(1, {
	firstName: 'Ann',
	lastName: 'Archer',
	email: 'ann@example.com',
	mobilePhone: '+447700900123',
	jobTitle: 'Nurse',
	department: 'Ward 4',
	site: 'Leeds',
	udid: '00008030-001A2D3E0C38802E',
	inGlobalAddressBook: true
});
const bob = stored(2, {
	firstName: 'Bob',
	lastName: 'Lee',
	email: 'bob@example.com',
	site: 'York',
	inGlobalAddressBook: true
});

describe('the global address book', () => {
	it('shows the registry’s contact fields the policy shows, in the registry’s order', () => {
		const keys = addressBookFields(defaultPolicy).map((def) => def.key);
		expect(keys).toEqual(
			fields.filter((def) => def.isContact && defaultPolicy[def.key] !== 'hidden').map((def) => def.key)
		);
		expect(keys).toEqual(
			expect.arrayContaining(['email', 'mobilePhone', 'businessPhone', 'jobTitle', 'department', 'site'])
		);
		// Not how colleagues reach someone: a device id, an account's username, a password.
		const everything = Object.fromEntries(fields.map((def) => [def.key, 'optional'])) as FieldPolicy;
		const all = addressBookFields(everything).map((def) => def.key);
		expect(all).toEqual(expect.arrayContaining(['city', 'country', 'office', 'manager']));
		expect(all).not.toContain('udid');
		expect(all).not.toContain('username');
		expect(all).not.toContain('password');
		// A field the policy hides is not shown.
		expect(addressBookFields({ ...defaultPolicy, department: 'hidden' }).map((d) => d.key)).not.toContain(
			'department'
		);
	});

	it('gives an entry its name and the fields with a value, formatted as the admin reads them', () => {
		const entry = entryOf(ann, addressBookFields(defaultPolicy), { defaultCountry: 'GB' });
		expect(entry.name).toBe('Ann Archer');
		expect(entry.lines).toContainEqual({ label: 'Mobile phone', value: '+44 7700 900123' });
		expect(entry.lines).toContainEqual({ label: 'Job title', value: 'Nurse' });
		expect(entry.lines.map((line) => line.label)).not.toContain('Business phone');
		expect(entry.lines.map((line) => line.label)).not.toContain('UDID');
	});

	it('searches as the Users list does: names, email and the searched fields', () => {
		expect(searchAddressBook([ann, bob], '')).toEqual([ann, bob]);
		expect(searchAddressBook([ann, bob], 'york')).toEqual([bob]);
		expect(searchAddressBook([ann, bob], 'arch nurse')).toEqual([ann]);
		expect(searchAddressBook([ann, bob], 'example.com')).toEqual([ann, bob]);
		expect(searchAddressBook([ann, bob], 'zed')).toEqual([]);
	});
});
