import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { field } from '$lib/domain/fields';
import { UserForm } from '$lib/state/user-form.svelte';

const groups = field('groups');
const licenses = field('entitlements');

describe("the form's 'list' fields", () => {
	it('offer the registry’s choices (the products) without being told', () => {
		expect(new UserForm().choicesOf(licenses)).toEqual(['Desktop', 'Web', 'Mobile']);
	});

	it('offer the names a page gives (a customer’s groups), and none before: then the field is typed', () => {
		const form = new UserForm();
		expect(form.choicesOf(groups)).toEqual([]);
		form.setChoices('groups', ['Research', 'Sales']);
		expect(form.choicesOf(groups)).toEqual(['Research', 'Sales']);
	});

	it('keep offering a name the user holds that the page no longer has, so saving never drops it unseen', () => {
		const form = new UserForm();
		form.input('groups', 'Sales; Old team');
		form.setChoices('groups', ['Research', 'sales']);
		expect(form.choicesOf(groups)).toEqual(['Research', 'sales', 'Old team']);
	});
});
