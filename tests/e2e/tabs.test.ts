import { expect, test, type Page } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { people } from './pages/people';
import { SettingsPage } from './pages/settings-page';
import { UsersPage } from './pages/users-page';

declare global {
	interface Window {
		/** Set by the test: still there means the page was not reloaded. */
		notReloaded?: boolean;
	}
}

async function markAsNotReloaded(page: Page): Promise<void> {
	await page.evaluate(() => (window.notReloaded = true));
}

async function expectNotReloaded(page: Page): Promise<void> {
	expect(await page.evaluate(() => window.notReloaded)).toBe(true);
}

test('two tabs stay in step: an added user, a deletion and a policy change show in the other tab at once', async ({
	context
}) => {
	const one = await context.newPage();
	const two = await context.newPage();
	const listOne = new UsersPage(one);
	const listTwo = new UsersPage(two);
	await listOne.goto();
	await listTwo.goto();
	await expect(listTwo.count).toHaveText('0 users');
	await markAsNotReloaded(two);

	// Added through the form in one tab: listed in the other.
	await one.getByRole('main').getByRole('link', { name: 'Add user' }).click();
	const formOne = new AddUserPage(one);
	await expect(formOne.heading).toBeVisible();
	await formOne.add(people.ann);
	await formOne.add(people.emma);
	await listTwo.expectNames(['Ann Archer', 'Emma Stone']);
	await expect(listTwo.count).toHaveText('2 users');

	// Deleted in one tab: gone from the other.
	await one.getByRole('link', { name: 'Back to users' }).click();
	await listOne.expectNames(['Ann Archer', 'Emma Stone']);
	await listOne.checkbox('Ann Archer').click();
	await (await listOne.openAction('Delete…')).getByRole('button', { name: 'Delete', exact: true }).click();
	await listOne.expectNames(['Emma Stone']);
	await listTwo.expectNames(['Emma Stone']);
	await expect(listTwo.count).toHaveText('1 user');
	await expectNotReloaded(two);

	// The policy changed in Settings in one tab: the other tab's open form follows.
	const settings = new SettingsPage(one);
	await one.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
	await expect(settings.preset).toHaveValue('rollcall');
	await two.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Add user' }).click();
	const formTwo = new AddUserPage(two);
	await expect(formTwo.field('Display name')).toBeVisible();
	await expect(two.getByLabel('User type')).toBeVisible();
	await expect(formTwo.field('Last name')).toHaveAccessibleName('Last name (required)');

	await settings.choosePreset('Users & Groups');
	await expect(settings.requirement('Last name')).toHaveValue('optional');
	await expect(settings.requirement('Display name')).toHaveValue('hidden');
	await expect(two.getByLabel('Display name')).toHaveCount(0);
	await expect(two.getByRole('combobox', { name: 'User type (required)' })).toBeVisible();
	await expect(formTwo.field('Last name')).toHaveAccessibleName('Last name');
	await expect(formTwo.field('First name')).toHaveAccessibleName('First name (required)');

	await settings.choosePreset('Customer portal');
	await expect(two.getByLabel('User type')).toHaveCount(0);
	await expect(formTwo.field('Company')).toBeVisible();
	await expect(formTwo.field('Last name')).toHaveAccessibleName('Last name (required)');
	await expectNotReloaded(two);
});
