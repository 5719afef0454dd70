import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { users } from '$lib/db';
import { defaultPolicy } from '$lib/domain/policy';
import { settings } from '$lib/state/settings.svelte';
import { UserForm } from '$lib/state/user-form.svelte';

describe("the form's Groups", () => {
	it('names only the customer’s groups, and saves them in each group’s own spelling', async () => {
		settings.applied({ policy: { ...defaultPolicy, groups: 'optional' } });
		const form = new UserForm();
		form.groupNames = ['Sales', 'Équipe'];
		form.input('firstName', 'Ann');
		form.input('lastName', 'Lee');
		form.input('email', 'ann.groups@example.com');
		form.input('groups', 'sales; Ops');
		expect(form.errorOf('groups')).toBe('There is no group Ops yet: create it on the Groups page first.');
		expect(await form.save()).toBeNull();
		expect(form.problems.map((problem) => problem.key)).toEqual(['groups']);
		form.input('groups', 'sales; equipe');
		expect(form.errorOf('groups')).toBeUndefined();
		const saved = await form.save();
		expect(saved?.groups).toBe('Sales; Équipe');
		expect((await users.get(saved!.id))?.groupKeys).toEqual(['1:sales', '1:equipe']);
	});

	it('does not judge the value before the names are read', () => {
		settings.applied({ policy: { ...defaultPolicy, groups: 'optional' } });
		const form = new UserForm();
		form.input('groups', 'Anything');
		expect(form.errorOf('groups')).toBeUndefined();
	});
});
