import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ImportPage } from './pages/import-page';
import { UsersPage } from './pages/users-page';

/** An admin's semicolon file (European Excel), with an unknown column and one wrong row. */
const CSV = [
	'First name;Last name;E-mail address *;Office;Shoe size',
	'Ann;Archer;ann@example.com;Paris;38',
	'Élodie;Martin;elodie@example.fr;;40',
	'Bob;Lee;not-an-email;HQ;44',
	'Zack;Young;zack@example.com;Lyon;45'
].join('\r\n');

// Two axe scans, a full-page photograph, a download, an import and its undo: more work than 30 s covers on
// a busy 2-core machine (32 s with two suites running there), as in the other files that inspect pages.
test.describe.configure({ timeout: 90_000 });

async function upload(page: Page, name: string, content: string) {
	await page.getByLabel('Choose a file…').setInputFiles({
		name,
		mimeType: 'text/csv',
		buffer: Buffer.from(`\uFEFF${content}`, 'utf-8')
	});
}

test('import a spreadsheet: preview, fix a mapping, errors file, Complete, undo', async ({ page }) => {
	await page.goto('/import');
	await expect(page.getByRole('heading', { level: 1, name: 'Import users' })).toBeVisible();
	await upload(page, 'staff.csv', CSV);

	const verify = page.getByRole('region', { name: 'Verify staff.csv' });
	await expect(verify).toBeVisible();
	const { violations } = await new AxeBuilder({ page })
		.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
		.analyze();
	const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
	await expect(verify.getByLabel('Delimiter')).toHaveValue(';');

	// An unknown column must be mapped or ignored by choice before Complete.
	const complete = page.getByRole('button', { name: 'Complete' });
	await expect(complete).toBeDisabled();
	await verify.getByLabel('Shoe size').selectOption('ignored');
	await expect(verify.getByLabel('Shoe size')).toHaveValue('ignored');

	// The wrong row is listed by row, column and reason; all-or-nothing refuses to import.
	const errors = page.getByRole('region', { name: /Errors/ });
	await expect(
		errors.getByRole('row').filter({ hasText: 'not-an-email' }).or(errors.getByText(/email/i).first())
	).toBeVisible();
	await expect(errors.getByRole('cell', { name: '4', exact: true })).toBeVisible();
	await expect(complete).toBeDisabled();

	// The errors file: the admin's rows as given plus an Errors column.
	const downloading = page.waitForEvent('download');
	await verify.getByRole('button', { name: 'Download the errors file' }).click();
	const file = await downloading;
	expect(file.suggestedFilename()).toBe('staff (errors).csv');
	const text = (await readFile(await file.path(), 'utf-8')).replace(/^\uFEFF/u, '');
	const lines = text.trim().split(/\r\n/u);
	expect(lines[0]).toBe('First name;Last name;E-mail address *;Office;Shoe size;Errors');
	expect(lines[1]).toBe('Ann;Archer;ann@example.com;Paris;38;');
	expect(lines[3]).toMatch(/^Bob;Lee;not-an-email;HQ;44;.*email/iu);

	await page.getByLabel('Import the valid rows and skip the rest').check();
	await expect(complete).toBeEnabled();
	await complete.click();
	await expect(page.getByRole('status').filter({ hasText: 'staff.csv: 3 users created' })).toBeVisible();

	const list = new UsersPage(page);
	await list.goto();
	await list.expectNames(['Ann Archer', 'Élodie Martin', 'Zack Young']);

	// Undo the import from the history: the users it created are gone, atomically.
	await page.goto('/import');
	const history = page.getByRole('region', { name: 'Import history' });
	await history.getByRole('button', { name: 'Undo import of staff.csv' }).click();
	const dialog = page.getByRole('dialog', { name: 'Undo import' });
	await expect(dialog.locator('p')).toHaveText(
		/^Undo the import of staff\.csv\? The 3 users it created will be removed\.$/
	);
	await new ImportPage(page).inspect('import-undo-confirm');
	await dialog.getByRole('button', { name: 'Undo import' }).click();
	await expect(history.getByText('Import undone: 3 users removed')).toBeVisible();
	await list.goto();
	await expect(list.count).toHaveText('0 users');
});

test('an empty file gets a clear message and nothing is imported', async ({ page }) => {
	await page.goto('/import');
	await upload(page, 'empty.csv', '');
	await expect(page.getByRole('alert')).toContainText(/empty/i);
});
