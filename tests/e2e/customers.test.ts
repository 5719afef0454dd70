import { expect, test, type Page } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { Customers } from './pages/customers';
import { ImportPage } from './pages/import-page';
import { inspectAtBothSizes } from './pages/inspect';
import { SettingsPage } from './pages/settings-page';
import { UsersPage } from './pages/users-page';

// Workflow C with two customers: several imports, forms and reloads in one story.
test.describe.configure({ timeout: 120_000 });

/** The same staff file, uploaded into each customer ("pick the customer, then upload"). */
const FILE = {
	name: 'staff.csv',
	mimeType: 'text/csv',
	buffer: Buffer.from(
		[
			'First name,Last name,Email,User type,Site',
			'Ann,Archer,info@example.com,Privileged,',
			'Bob,Lee,bob@example.com,,HQ',
			'Cy,Young,cy@example.com,Standard,'
		].join('\r\n'),
		'utf-8'
	)
};

async function importInto(page: Page, customer: string, expectedNew: number): Promise<void> {
	const importPage = new ImportPage(page);
	await importPage.goto();
	await expect(page.getByText(`Into ${customer}:`)).toBeVisible();
	await importPage.choose(FILE);
	await expect(importPage.verify(FILE.name)).toBeVisible();
	await expect(importPage.count('new')).toHaveText(`${expectedNew} new`);
	await importPage.complete.click();
	await expect(importPage.summary).toContainText(`${expectedNew} users created`);
	await expect(importPage.history.getByRole('row').filter({ hasText: FILE.name })).toHaveCount(1);
}

test('two customers: the same file imported into each, each sees only its own users', async ({ page }) => {
	const customers = new Customers(page);
	const users = new UsersPage(page);
	await users.goto();
	// A single-company admin never meets customers.
	await expect(customers.switcher).toHaveCount(0);

	await customers.open();
	await customers.create('Contoso');
	await expect(customers.switcher).toBeVisible();
	await expect(customers.switcher.locator('option:checked')).toHaveText('My organisation');

	await importInto(page, 'My organisation', 3);
	await customers.switchTo('Contoso');
	// The same addresses are new in Contoso: each customer has its own users.
	await importInto(page, 'Contoso', 3);

	// A user only Contoso has, added by hand; the live check names the customer.
	const form = new AddUserPage(page);
	await form.goto();
	await form.field('Email').fill('info@example.com');
	await form.field('Email').blur();
	await expect(await form.mark('Email')).toHaveText(
		/Error: This email is already taken in Contoso by Ann Archer\.$/
	);
	await form.field('Email').fill('dee@example.com');
	await form.field('Email').blur();
	await expect(await form.mark('Email')).toHaveText(/Email is available in Contoso\.$/);
	await form.fill({ firstName: 'Dee', lastName: 'Ray' });
	await form.submit.click();
	await expect(form.added).toBeVisible();

	await users.goto();
	await expect(users.count).toHaveText('4 users');
	await users.expectNames(['Ann Archer', 'Bob Lee', 'Cy Young', 'Dee Ray']);

	// The choice is this device's: a reload stays in Contoso.
	await page.reload();
	await expect(customers.switcher.locator('option:checked')).toHaveText('Contoso');
	await expect(users.count).toHaveText('4 users');

	await customers.switchTo('My organisation');
	await expect(users.count).toHaveText('3 users');
	await users.expectNames(['Ann Archer', 'Bob Lee', 'Cy Young']);
	await users.search.fill('dee');
	await expect(users.noMatches).toBeVisible();

	// Used in another customer: allowed, and said.
	await form.goto();
	await form.field('Email').fill('dee@example.com');
	await form.field('Email').blur();
	await expect(await form.mark('Email')).toHaveText(
		/Email is available in My organisation\. Also used in Contoso \(not a problem: each customer has its own\)\.$/
	);

	// A user's page opened from elsewhere (a bookmark, Back) works in the user's own customer.
	await customers.switchTo('Contoso');
	await users.goto();
	await users.row('Dee Ray').getByRole('link', { name: 'Dee Ray' }).click();
	// The click navigates on its own time: the address is read once it is the user's page.
	await expect(page.getByRole('heading', { name: 'Dee Ray' })).toBeVisible();
	const deePage = page.url();
	await customers.switchTo('My organisation');
	await page.goto(deePage);
	await expect(page.getByRole('heading', { name: 'Dee Ray' })).toBeVisible();
	await expect(customers.switcher.locator('option:checked')).toHaveText('Contoso');
});

test('an archived customer leaves the switcher, its users kept', async ({ page }) => {
	const customers = new Customers(page);
	const users = new UsersPage(page);
	await customers.open();
	await customers.create('Fabrikam');
	await customers.switchTo('Fabrikam');
	await importInto(page, 'Fabrikam', 3);

	await customers.open();
	await customers.archive('Fabrikam');
	// One active customer again: no switcher, and the tab is back in the default customer.
	await expect(customers.switcher).toHaveCount(0);
	await users.goto();
	await expect(users.welcome).toBeVisible();

	await customers.open();
	await customers.restore('Fabrikam');
	await customers.switchTo('Fabrikam');
	await users.goto();
	await expect(users.count).toHaveText('3 users');
});

test("sites: chosen in the form, offered for a file's new sites to create or refuse", async ({ page }) => {
	const customers = new Customers(page);
	await customers.open();
	await customers.create('Northwind');
	await customers.switchTo('Northwind');
	await customers.addSite('Leeds');
	await inspectAtBothSizes(page, 'customers-settings');

	// The form's Site is a choice of the customer's sites.
	const form = new AddUserPage(page);
	await form.goto();
	const site = form.field('Site');
	await expect(site.locator('option')).toHaveText(['HQ', 'Leeds']);
	await form.fill({ firstName: 'Eve', lastName: 'Stone', email: 'eve@example.com' });
	await site.selectOption('Leeds');
	await form.submit.click();
	await expect(form.added).toBeVisible();

	// A file naming a site Northwind does not have: the admin chooses.
	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose({
		name: 'sites.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(
			[
				'First name,Last name,Email,Site',
				'Fay,Hill,fay@example.com,leeds',
				'Gus,Ray,gus@example.com,York'
			].join('\r\n'),
			'utf-8'
		)
	});
	const choice = page.getByRole('group', { name: 'Sites Northwind does not have: York' });
	await expect(choice).toBeVisible();
	await inspectAtBothSizes(page, 'customers-import-sites');
	await choice.getByRole('radio', { name: /Treat them as errors/ }).check();
	await expect(importPage.count('with errors')).toHaveText('1 with errors');
	await expect(importPage.complete).toBeDisabled();
	await choice.getByRole('radio', { name: /Create them/ }).check();
	await expect(importPage.count('new')).toHaveText('2 new');
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('2 users created');

	await customers.open();
	await expect(customers.sites.getByRole('list', { name: 'Sites' }).getByRole('listitem')).toHaveText([
		/HQ/,
		/Leeds/,
		/York/
	]);
	const users = new UsersPage(page);
	await users.goto();
	await expect(await users.cell('Fay Hill', 'Site')).toHaveText('Leeds');
	await expect(await users.cell('Gus Ray', 'Site')).toHaveText('York');
	await inspectAtBothSizes(page, 'customers-users');
});

test('each customer has its own field policy; a new one starts from the first customer’s', async ({
	page
}) => {
	const customers = new Customers(page);
	const settings = new SettingsPage(page);
	await customers.open();
	await customers.create('Tailspin');
	await customers.switchTo('Tailspin');
	await expect(page.getByRole('heading', { name: 'Field policy of Tailspin' })).toBeVisible();
	await expect(settings.requirement('Company')).toHaveValue('optional');
	await settings.requirement('Company').selectOption('required');
	// Stored once its note offers Undo.
	await expect(page.getByRole('button', { name: 'Undo' })).toBeVisible();

	await page.reload();
	await expect(settings.requirement('Company')).toHaveValue('required');
	await customers.switchTo('My organisation');
	await expect(page.getByRole('heading', { name: 'Field policy of My organisation' })).toBeVisible();
	await expect(settings.requirement('Company')).toHaveValue('optional');
});
