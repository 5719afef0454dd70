import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { usersStore } from '$lib/db/users';
import { presets } from '$lib/domain/policy';
import { validateUser, type UserFields } from '$lib/domain/user';
import { freshDb, query } from './helpers';

const portal = presets.find((p) => p.id === 'portal')!.policy;

describe('a user added while the policy hides fields that have defaults', () => {
	it('still gets site HQ and user type Standard, so no sort or filter loses them', async () => {
		const users = usersStore(freshDb('hidden'));
		const checked = validateUser({ firstName: 'Ann', lastName: 'Archer', email: 'ann@example.com' }, portal, {
			defaultCountry: 'GB'
		});
		expect(checked.values.site).toBeUndefined();
		const ann = await users.add(checked.values as UserFields);
		expect(ann.site).toBe('HQ');
		expect(ann.userType).toBe('Standard');
		expect(ann.inGlobalAddressBook).toBe(false);
		for (const sort of ['name', 'site', 'userType'] as const) {
			expect(await users.listIds(query({ sort }))).toEqual([ann.id]);
		}
		expect(await users.listIds(query({ site: 'HQ' }))).toEqual([ann.id]);
	});
});
