import { createRequire } from 'node:module';
import { expect, test, type Page } from '@playwright/test';
import { ImportPage } from './pages/import-page';
import { inspect } from './pages/inspect';
import { UsersPage } from './pages/users-page';

// A full-page photograph and an axe scan per state, and an import: more than 30 s on a busy 2-core machine.
test.describe.configure({ timeout: 90_000 });
test.use({ locale: 'en-US', timezoneId: 'UTC' });

const viewports = [
	{ width: 1280, height: 800 },
	{ width: 820, height: 1180 }
];

/** Three people whose sites, departments, email domains and usernames differ. */
const CSV = [
	'First name,Last name,Email,Username,Site,Department',
	'Ann,Jones,ann@example.net,ajones,Leeds,Finance',
	'Bo,Chen,bo@example.com,jsmith,HQ,Sales',
	'Cy,Dee,cy@corp.org,cdee,Paris,Finance'
].join('\r\n');

/** Imports the three people through the Import page, then opens the Users list. */
async function importPeople(page: Page): Promise<UsersPage> {
	const importer = new ImportPage(page);
	await importer.goto();
	await importer.choose({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf-8') });
	await expect(importer.verify('people.csv')).toBeVisible();
	await importer.complete.click();
	await expect(importer.summary).toContainText('3 users created');
	const list = new UsersPage(page);
	await list.goto();
	await list.expectNames(['Ann Jones', 'Bo Chen', 'Cy Dee']);
	return list;
}

for (const viewport of viewports) {
	const size = `${viewport.width}x${viewport.height}`;

	test.describe(`at ${size}`, () => {
		test.use({ viewport });

		test('an empty directory welcomes the admin with the ways in, each reachable by keyboard', async ({
			page
		}) => {
			const list = new UsersPage(page);
			await list.goto();
			await expect(list.welcome).toBeVisible();
			await expect(list.welcome.getByRole('link', { name: 'Add a user' })).toHaveAttribute(
				'href',
				'/users/new'
			);
			await expect(list.welcome.getByRole('link', { name: 'Import a file' })).toHaveAttribute(
				'href',
				'/import'
			);
			await inspect(page, `first-run-${size}`);

			// The template is the Import page's own: the file of the current field policy.
			const excel = list.welcome.getByRole('button', { name: 'Excel template' });
			await excel.focus();
			const [xlsx] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
			expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
			const [csv] = await Promise.all([
				page.waitForEvent('download'),
				list.welcome.getByRole('button', { name: 'CSV template' }).click()
			]);
			expect(csv.suggestedFilename()).toMatch(/\.csv$/);

			// Restore a backup lands on Settings' restore control, ready for the keyboard.
			await list.welcome.getByRole('link', { name: 'Restore a backup' }).focus();
			await page.keyboard.press('Enter');
			await expect(page).toHaveURL(/\/settings#restore$/);
			await expect(page.getByLabel('Restore from a backup…')).toBeFocused();
		});

		test('search finds inside names and usernames, by email domain, site and department; no match offers to clear', async ({
			page
		}) => {
			const list = await importPeople(page);
			await expect(list.welcome).toBeHidden();
			await expect(list.search).toHaveAccessibleDescription(
				/^Finds name, email \(or its domain, whole or from any dot but the last\), username, .*site.* and department\. From 3 letters, also inside/
			);

			await list.search.focus();
			await page.keyboard.type('ones');
			await list.expectNames(['Ann Jones']);
			await list.search.fill('smith');
			await list.expectNames(['Bo Chen']);
			await list.search.fill('example.net');
			await list.expectNames(['Ann Jones']);
			await list.search.fill('paris');
			await list.expectNames(['Cy Dee']);
			await list.search.fill('Finance');
			await list.expectNames(['Ann Jones', 'Cy Dee']);
			await inspect(page, `search-department-${size}`);

			// Nothing matches: not the welcome (the directory is not empty) but a way back.
			await list.search.fill('example.de');
			await expect(list.rows).toHaveCount(0);
			await expect(list.noMatches).toHaveText('No users match “example.de”.');
			await expect(list.welcome).toBeHidden();
			await inspect(page, `search-no-match-${size}`);
			await page.getByRole('button', { name: 'Clear search' }).focus();
			await page.keyboard.press('Enter');
			await expect(list.search).toHaveValue('');
			await list.expectNames(['Ann Jones', 'Bo Chen', 'Cy Dee']);

			await list.search.fill('leeds');
			await list.statusFilter.selectOption('Active');
			await expect(list.noMatches).toHaveText('No users match “leeds” with these filters.');
			await page.getByRole('button', { name: 'Clear search and filters' }).click();
			await expect(list.statusFilter).toHaveValue('');
			await list.expectNames(['Ann Jones', 'Bo Chen', 'Cy Dee']);
		});
	});
}

test('the notice after a delete names who was deleted, and its Undo brings them back', async ({ page }) => {
	const list = await importPeople(page);
	await list.checkbox('Ann Jones').click();
	await list.checkbox('Cy Dee').click();
	const dialog = await list.openAction('Delete…');
	await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
	await list.expectNames(['Bo Chen']);
	await expect(list.notice).toContainText('Deleted Ann Jones and Cy Dee.');
	await list.notice.getByRole('button', { name: 'Undo' }).click();
	await expect(list.notice).toContainText('Restored Ann Jones and Cy Dee.');
	await list.expectNames(['Ann Jones', 'Bo Chen', 'Cy Dee']);

	// Everyone deleted: the notice names them over the welcome, and Undo still works from there.
	await list.selectAll.click();
	const all = await list.openAction('Delete…');
	await all.getByRole('button', { name: 'Delete', exact: true }).click();
	await expect(list.notice).toContainText('Deleted Ann Jones, Bo Chen and Cy Dee.');
	await expect(list.welcome).toBeVisible();
	await list.notice.getByRole('button', { name: 'Undo' }).click();
	await list.expectNames(['Ann Jones', 'Bo Chen', 'Cy Dee']);
	await expect(list.welcome).toBeHidden();
});

test('a directory kept by the version before search looked inside words is found by the new search once opened', async ({
	browser
}) => {
	// robots.txt's Content-Security-Policy forbids any script: this test's own script needs to run there.
	const context = await browser.newContext({ bypassCSP: true });
	const page = await context.newPage();
	// A page of the origin that does not open the database, where Dexie (the same release) writes it as
	// Rollcall's schema version 6 did: search words were the starts of names, the email and the username.
	await page.goto('/robots.txt');
	await page.addScriptTag({ path: createRequire(import.meta.url).resolve('dexie/dist/dexie.js') });
	await page.evaluate(async () => {
		const { Dexie } = window as unknown as { Dexie: typeof import('dexie').Dexie };
		const v6 = new Dexie('rollcall');
		v6.version(1).stores({ users: '++id, &emailKey, status' });
		v6.version(2).stores({
			users:
				'++id, &emailKey, &usernameKey, &customerCodeKey, nameKey, site, *searchWords, ' +
				'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
			settings: 'key',
			trash: '++id, batch, deletedAt'
		});
		v6.version(3).stores({ imports: '++id, at', importChanges: '++id, importId' });
		v6.version(4).stores({ outbox: 'key, [state+nextAttemptAt], createdAt, userId', relay: 'key' });
		v6.version(5).stores({ lists: 'key, builtAt, generation' });
		v6.version(6).stores({ commands: '++seq, &key, state' });
		const stored = (first: string, last: string, email: string, username: string, site: string) => ({
			firstName: first,
			lastName: last,
			email,
			username,
			userType: 'Standard',
			site,
			inGlobalAddressBook: false,
			nameKey: `${first} ${last}`.toLowerCase() + '\u0000' + email,
			emailKey: email,
			usernameKey: username,
			searchWords: [first.toLowerCase(), last.toLowerCase(), email, email.split('@')[0], username],
			status: 'Pending',
			hasPassword: false,
			createdAt: 1,
			updatedAt: 1,
			activatedAt: null,
			lastLoginAt: 0
		});
		await v6
			.table('users')
			.bulkAdd([
				stored('Ann', 'Jones', 'ann@example.net', 'ajones', 'Leeds'),
				stored('Bo', 'Chen', 'bo@example.com', 'jsmith', 'HQ')
			]);
		v6.close();
	});

	const list = new UsersPage(page);
	await list.goto();
	await list.expectNames(['Ann Jones', 'Bo Chen']);
	await list.search.fill('ones');
	await list.expectNames(['Ann Jones']);
	await list.search.fill('smith');
	await list.expectNames(['Bo Chen']);
	await list.search.fill('example.net leeds');
	await list.expectNames(['Ann Jones']);
	await context.close();
});
