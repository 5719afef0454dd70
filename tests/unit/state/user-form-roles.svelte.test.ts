import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { users } from '$lib/db';
import { defaultPolicy } from '$lib/domain/policy';
import { settings } from '$lib/state/settings.svelte';
import { UserForm } from '$lib/state/user-form.svelte';

describe("the form's Roles", () => {
	it('names only the customer’s roles, and saves them in each role’s own spelling', async () => {
		settings.applied({ policy: { ...defaultPolicy, roles: 'optional' } });
		const form = new UserForm();
		form.roleNames = ['Admin', 'Équipe'];
		form.input('firstName', 'Ann');
		form.input('lastName', 'Lee');
		form.input('email', 'ann.roles@example.com');
		form.input('roles', 'admin; Admins');
		expect(form.errorOf('roles')).toBe('There is no role Admins yet: add it under Roles & profiles first.');
		expect(await form.save()).toBeNull();
		expect(form.problems.map((problem) => problem.key)).toEqual(['roles']);
		form.input('roles', 'admin; equipe');
		expect(form.errorOf('roles')).toBeUndefined();
		const saved = await form.save();
		expect(saved?.roles).toBe('Admin; Équipe');
		expect((await users.get(saved!.id))?.roles).toBe('Admin; Équipe');
	});

	it('does not judge the value before the names are read', () => {
		settings.applied({ policy: { ...defaultPolicy, roles: 'optional' } });
		const form = new UserForm();
		form.input('roles', 'Anything');
		expect(form.errorOf('roles')).toBeUndefined();
	});
});
