import { read, type CellObject } from '@e965/xlsx';
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AddUserPage } from './pages/add-user-page';
import { ImportPage } from './pages/import-page';
import { UsersPage } from './pages/users-page';

const fixture = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', 'import', name);

test.describe.configure({ timeout: 90_000 });
// The workbook's phone numbers are British, some typed without +44: the default country follows the locale.
test.use({ locale: 'en-GB' });

test('an Excel workbook: another sheet chosen, its errors file as .xlsx, then the first sheet imported', async ({
	page
}) => {
	// Linus is in the directory already: his row in the second sheet is an error.
	const addUser = new AddUserPage(page);
	await addUser.goto();
	await addUser.add({ firstName: 'Linus', lastName: 'Torvalds', email: 'linus@example.org' });
	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose(fixture('workbook.xlsx'));
	const verify = importPage.verify('workbook.xlsx');
	await expect(verify.getByLabel('Sheet')).toHaveValue('Users');

	// The second sheet starts on row 3, in column B, and has no Last name column: said once, by the header,
	// not in every row.
	await verify.getByLabel('Sheet').selectOption('Other site');
	await expect(verify.getByLabel('Sheet')).toHaveValue('Other site');
	await expect(verify.getByText(/^No column for Last name, which is required/)).toBeVisible();
	await expect(importPage.count('with errors')).toHaveText(/^\s*1 with errors\s*$/);
	const preview = page.getByRole('region', { name: 'Rows as they will be stored' });
	await expect(preview.getByRole('row').filter({ hasText: 'linus@example.org' })).toContainText('Helsinki');
	const errors = page.getByRole('region', { name: 'Errors in workbook.xlsx (1)' });
	await expect(errors.getByRole('row').filter({ hasText: 'already in the directory' })).toHaveCount(1);
	await importPage.inspect('import-workbook-second-sheet');

	// The errors file comes back in the upload's own format: an .xlsx with the sheet as it was.
	const downloading = page.waitForEvent('download');
	await verify.getByRole('button', { name: 'Download the errors file' }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toBe('workbook (errors).xlsx');
	const book = read(await readFile(await download.path()), { type: 'array', cellNF: true, cellHTML: false });
	expect(book.SheetNames).toEqual(['Other site']);
	const sheet = book.Sheets['Other site']!;
	expect(sheet['!ref']).toBe('A3:E6');
	const text = (value: string): CellObject => ({ t: 's', v: value, w: value, z: '@' });
	const cells = Object.fromEntries(Object.entries(sheet).filter(([ref]) => !ref.startsWith('!')));
	expect(cells).toEqual({
		B3: text('Email'),
		C3: text('First name'),
		D3: text('Site'),
		E3: text('Errors'),
		B4: text('linus@example.org'),
		C4: text('Linus'),
		D4: text('Helsinki'),
		E4: text(
			"Email: A user with this email is already in the directory: turn on 'Update existing users' to update them, or remove this row."
		),
		B6: text('margaret@example.org'),
		C6: text('Margaret'),
		D6: text('Boston')
	});

	// Back to the users' sheet: its unknown column ignored, the valid rows imported.
	await verify.getByLabel('Sheet').selectOption('Users');
	await importPage.verify('workbook.xlsx').getByLabel('Start date').selectOption('ignored');
	await expect(importPage.count('new')).toHaveText(/^\s*2 new\s*$/);
	await page.getByLabel('Import the valid rows and skip the rest').check();
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('workbook.xlsx: 2 users created');
	const list = new UsersPage(page);
	await list.goto();
	await list.expectNames(['Ada Lovelace', 'Grace Hopper', 'Linus Torvalds']);
});

test("a file of users already there: 'unchanged' rows are told from updates, and not written", async ({
	page
}) => {
	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose(fixture('workflow-a.csv'));
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('workflow-a.csv: 2 users created');
	await page.getByRole('button', { name: 'Import another file' }).click();

	const csv = [
		'First name,Last name,Email',
		// Ada exactly as stored (her email in other case), Grace with a new last name, Linus new.
		'Ada,Lovelace,ADA@example.com',
		'Grace,Murray Hopper,grace@example.com',
		'Linus,Torvalds,linus@example.org'
	].join('\r\n');
	await importPage.choose({ name: 'again.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
	await expect(importPage.count('new')).toHaveText(/^\s*1 new\s*$/);
	await expect(importPage.count('unchanged')).toHaveText(/^\s*1 unchanged\s*$/);
	// Switch off, a changed row for a user already there is an error; an unchanged one is not.
	await expect(importPage.count('with errors')).toHaveText(/^\s*1 with errors\s*$/);
	await page.getByRole('checkbox', { name: /^Update existing users/ }).check();
	await expect(importPage.count('would update')).toHaveText(/^\s*1 would update\s*$/);
	await expect(importPage.count('with errors')).toHaveText(/^\s*0 with errors\s*$/);
	const preview = page.getByRole('region', { name: 'Rows as they will be stored' });
	const willBe = (email: string) =>
		preview.getByRole('row').filter({ hasText: email }).getByRole('cell').nth(1);
	await expect(willBe('ada@example.com')).toHaveText('Unchanged');
	await expect(willBe('grace@example.com')).toHaveText('Update');
	await expect(willBe('linus@example.org')).toHaveText('New');
	await importPage.inspect('import-unchanged-and-update');

	await importPage.complete.click();
	await expect(importPage.summary).toHaveText(
		'again.csv: 1 user created, 1 updated, 1 unchanged, 0 skipped.'
	);
	const list = new UsersPage(page);
	await list.goto();
	await list.expectNames(['Ada Lovelace', 'Grace Murray Hopper', 'Linus Torvalds']);
});
