import { expect, test } from '@playwright/test';
import { ImportPage, type ChosenFile } from './pages/import-page';
import { SettingsPage } from './pages/settings-page';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

/**
 * A file made for another workflow: Users & Groups' (B) user type, first name and email, and no last
 * name, which Rollcall's default policy requires. The preview names the preset it fits and offers its
 * rules for this import, or a switch of the field policy.
 */

test.describe.configure({ timeout: 90_000 });

const csv = (name: string, lines: string[]): ChosenFile => ({
	name,
	mimeType: 'text/csv',
	buffer: Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf-8')
});

const GROUPS = [
	'User type,First name,Email',
	'Privileged,Ada,ada@example.com',
	'Standard,Grace,grace@example.com'
];

const FITS =
	'groups.csv does not meet the field policy, but fits the preset Users & Groups: first name, email and user type required.';

test('a file that fits a preset: each blocker says what to do; imported under the preset’s rules for this import only', async ({
	page
}) => {
	const importPage = new ImportPage(page);
	await importPage.goto();

	// A column to choose first: no preset can help with that, so none is offered yet.
	await importPage.choose(
		csv('groups.csv', [`${GROUPS[0]},Shoe size`, `${GROUPS[1]},38`, `${GROUPS[2]},40`])
	);
	const verify = importPage.verify('groups.csv');
	await expect(verify.getByLabel('Shoe size')).toBeVisible();
	await expect(importPage.presetOffer).toHaveCount(0);
	await expect(importPage.complete).toBeDisabled();
	await expect(importPage.complete).toHaveAccessibleDescription(
		'Column D ("Shoe size") needs a choice: pick its field under Columns, or Ignore it. No column gives last name, which the field policy requires: map a column to it, or make it optional in Settings → Field policy.'
	);

	await verify.getByLabel('Shoe size').selectOption('ignored');
	await expect(importPage.presetOffer).toHaveAccessibleDescription(FITS);
	await expect(importPage.complete).toHaveAccessibleDescription(
		'No column gives last name, which the field policy requires: map a column to it, or make it optional in Settings → Field policy, or import the file under the rules of Users & Groups (above).'
	);
	// The missing column is said once, by the header; the rows are not each wrong for it.
	await expect(
		verify.getByText(/^No column for Last name, which is required: map a column to it/)
	).toBeVisible();
	await expect(page.getByRole('region', { name: /^Errors/ })).toHaveCount(0);
	await expect(importPage.count('new')).toHaveText(/^\s*2 new\s*$/);
	await expect(importPage.presetOffer).toContainText(
		'Users imported this way may have no last name, although the field policy requires it: the form asks for it when one of them is edited.'
	);
	await importPage.inspect('import-preset-offer');

	await importPage.presetOffer.getByRole('button', { name: 'Import this file under these rules' }).click();
	await expect(importPage.presetOffer).toHaveAccessibleDescription(
		'groups.csv is checked under the rules of the preset Users & Groups, for this import only: first name, email and user type required.'
	);
	await expect(
		importPage.presetOffer.getByRole('button', { name: 'Check it under the field policy again' })
	).toBeVisible();
	await expect(verify.getByText(/^No column for Last name/)).toHaveCount(0);
	await expect(importPage.complete).toBeEnabled();
	await importPage.inspect('import-preset-rules');
	await importPage.complete.click();
	await expect(importPage.summary).toHaveText(
		'groups.csv: 2 users created, 0 updated, 0 unchanged, 0 skipped.'
	);
	await expect(
		page.getByText('Checked under the rules of Users & Groups, for this import only.')
	).toBeVisible();

	// The field policy is as it was.
	const settings = new SettingsPage(page);
	await settings.goto();
	await expect(settings.preset).toHaveValue('rollcall');

	// The users as checked: no last name, their user types from the file.
	const list = new UsersPage(page);
	await list.goto();
	await list.expectNames(['Ada', 'Grace']);
	await list.row('Ada').getByRole('link', { name: 'Ada', exact: true }).click();
	const ada = new UserPage(page);
	await ada.expectLoaded('Ada');
	await expect(ada.detail('Email')).toHaveText('ada@example.com');
	await expect(ada.detail('User type')).toHaveText('Privileged');
	// The form asks for the last name the field policy requires.
	await ada.edit.click();
	await ada.save.click();
	await expect(ada.editForm.getByText('Last name is required.').first()).toBeVisible();
});

test('a file that fits a preset: the field policy switched to it, the file checked again, then switched back', async ({
	page
}) => {
	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose(csv('groups.csv', GROUPS));
	await expect(importPage.presetOffer).toHaveAccessibleDescription(FITS);
	await expect(importPage.presetOffer).toContainText(
		'For the add-user form, the templates and every later import too; your custom attributes are kept.'
	);

	await importPage.presetOffer.getByRole('button', { name: 'Switch the policy to Users & Groups' }).click();
	await expect(importPage.presetOffer).toHaveAccessibleDescription(
		'The field policy is now Users & Groups, your custom attributes kept, and groups.csv was checked again under it. Switch back here, or later in Settings → Field policy.'
	);
	await expect(importPage.complete).toBeEnabled();
	await importPage.inspect('import-preset-switched');

	// Taken back: the offer is there again, and the file cannot be completed under the default.
	await importPage.presetOffer.getByRole('button', { name: 'Switch back to Rollcall default' }).click();
	await expect(importPage.presetOffer).toHaveAccessibleDescription(FITS);
	await expect(importPage.complete).toBeDisabled();

	await importPage.presetOffer.getByRole('button', { name: 'Switch the policy to Users & Groups' }).click();
	await expect(importPage.complete).toBeEnabled();
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('groups.csv: 2 users created');

	const settings = new SettingsPage(page);
	await settings.goto();
	await expect(settings.preset).toHaveValue('groups');
	await expect(settings.requirement('Last name')).toHaveValue('optional');
	await expect(settings.requirement('User type')).toHaveValue('required');
});
