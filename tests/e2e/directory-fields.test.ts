import path from 'node:path';
import { expect, test } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { ImportPage } from './pages/import-page';
import { SettingsPage } from './pages/settings-page';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'import');

// An import, a page of Settings and two users' pages: more than 30 s on a busy 2-core machine.
test.describe.configure({ timeout: 90_000 });

test("a Microsoft 365 file's address columns: turned on with one click, imported, shown on the user's page", async ({
	page
}) => {
	const importing = new ImportPage(page);
	await importing.goto();
	await importing.choose(path.join(FIXTURES, 'microsoft-365-add-users.csv'));
	const verify = importing.verify('microsoft-365-add-users.csv');
	await expect(verify).toBeVisible();
	// Microsoft 365's 'User Name' is the sign-in address.
	await verify.getByLabel('User Name', { exact: true }).selectOption({ label: 'Email' });

	// The default policy hides the address fields: their columns are ignored until the admin says otherwise.
	const city = verify.getByLabel('City', { exact: true });
	await expect(city).toHaveValue('ignored');
	await expect(verify.getByRole('button', { name: 'Turn on City' })).toBeVisible();
	await importing.inspect('import-turn-on-fields');
	await verify.getByRole('button', { name: 'Turn on all 6 fields' }).click();
	await expect(city).toHaveValue('city');
	await expect(verify.getByLabel('Country or Region', { exact: true })).toHaveValue('country');
	await expect(verify.getByRole('button', { name: /^Turn on/ })).toHaveCount(0);
	await expect(importing.count('new')).toHaveText(/4 new/);

	// One row names a country that does not exist: it is skipped, the others go in.
	await expect(page.getByRole('region', { name: /Errors/ })).toContainText(
		'Country "Atlantis" is not a country'
	);
	await page.getByLabel('Import the valid rows and skip the rest').check();
	await importing.complete.click();
	await expect(importing.summary).toContainText('microsoft-365-add-users.csv: 4 users created');

	const list = new UsersPage(page);
	await list.goto();
	await list.row('Jean Dupont').getByRole('link', { name: 'Jean Dupont' }).click();
	const user = new UserPage(page);
	await user.expectLoaded('Jean Dupont');
	await expect(user.detail('City')).toHaveText('Nice');
	await expect(user.detail('Country')).toHaveText('France');
	await expect(user.detail('Postal code')).toHaveText('06000');
	// A French mobile typed without +33, read in the person's own country and shown as France writes it.
	await expect(user.detail('Mobile phone')).toHaveText('06 12 34 56 78');

	// The policy now shows the fields the admin turned on, in their group.
	const settings = new SettingsPage(page);
	await settings.goto();
	const address = page.getByRole('table', { name: /^Address/ });
	await expect(address.getByRole('combobox', { name: 'City', exact: true })).toHaveValue('optional');
	await expect(address.getByRole('combobox', { name: 'Country', exact: true })).toHaveValue('optional');
});

test('add a user with a country typed as a name in their language', async ({ page }) => {
	const settings = new SettingsPage(page);
	await settings.goto();
	await settings.requirement('Country').selectOption('optional');
	await expect(settings.saved('Field policy saved.')).toBeVisible();

	const form = new AddUserPage(page);
	await form.goto();
	await form.fill({ firstName: 'Klaus', lastName: 'Müller', email: 'klaus@example.de' });
	const country = form.field('Country');
	await expect(country).toHaveAttribute('autocomplete', 'country-name');
	await country.fill('Deutschland');
	await expect(await form.mark('Country')).toContainText('Will be saved as Germany.');
	await form.field('Mobile phone').fill('0151 23456789');
	await expect(await form.mark('Mobile phone')).toContainText('Will be saved as 01512 3456789.');
	await form.submit.click();
	await expect(form.added).toContainText('Klaus Müller was added as Pending.');

	const list = new UsersPage(page);
	await list.goto();
	await list.row('Klaus Müller').getByRole('link', { name: 'Klaus Müller' }).click();
	const user = new UserPage(page);
	await user.expectLoaded('Klaus Müller');
	await expect(user.detail('Country')).toHaveText('Germany');
	await expect(user.detail('Mobile phone')).toHaveText('01512 3456789');

	// An unknown country is refused with its name in the message.
	await user.edit.click();
	await expect(user.field('Country')).toHaveValue('Germany');
	await user.field('Country').fill('Atlantis');
	await user.save.click();
	await expect(page.getByRole('alert')).toContainText('Country "Atlantis" is not a country Rollcall knows');
});
