import { readFile } from 'node:fs/promises';
import { expect, test, type Download, type Page } from '@playwright/test';
import { UsersPage } from './pages/users-page';

// A file of more rows than the page takes (bridge.ts WHOLE_ROWS, 20,000): its rows stay in the import
// worker. The preview, the errors (listed and as a file, before and after Complete) and the commit are
// the same as for a small file.
test.describe.configure({ timeout: 240_000 });

const ROWS = 20_010;
/** The rows (0-based) whose address is not one: the first and one far past the preview. */
const WRONG = new Set([1, 20_005]);
const CSV = [
	'First name,Last name,Email',
	...Array.from({ length: ROWS }, (_, i) =>
		[`Ann${i}`, `Lee${i}`, WRONG.has(i) ? `ann${i}.example.com` : `ann${i}@example.com`].join(',')
	)
].join('\r\n');

async function errorsFileLines(page: Page, click: () => Promise<void>): Promise<string[]> {
	const downloading: Promise<Download> = page.waitForEvent('download');
	await click();
	const file = await downloading;
	expect(file.suggestedFilename()).toBe('big (errors).csv');
	return (await readFile(await file.path(), 'utf-8'))
		.replace(/^\uFEFF/u, '')
		.trim()
		.split(/\r\n/u);
}

test('a file of 20,010 rows: preview, errors and errors file, Complete with the valid rows', async ({
	page
}) => {
	await page.goto('/import');
	await page.getByLabel('Choose a file…').setInputFiles({
		name: 'big.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(CSV, 'utf-8')
	});
	const verify = page.getByRole('region', { name: 'Verify big.csv' });
	await expect(verify).toBeVisible({ timeout: 120_000 });
	await expect(verify.getByText('The first 50 of 20,010 rows; Ann0 Lee0 first.')).toBeVisible();
	await expect(verify.getByRole('heading', { name: 'Errors in big.csv (2)' })).toBeVisible();
	const errors = verify.getByRole('region', { name: 'Each error, by row' });
	await expect(errors.getByRole('cell', { name: '3', exact: true })).toBeVisible();
	await expect(errors.getByRole('cell', { name: '20007', exact: true })).toBeVisible();

	const before = await errorsFileLines(page, () =>
		verify.getByRole('button', { name: 'Download the errors file' }).click()
	);
	expect(before).toHaveLength(ROWS + 1);
	expect(before[0]).toBe('First name,Last name,Email,Errors');
	expect(before[1]).toBe('Ann0,Lee0,ann0@example.com,');
	expect(before[20_006]).toMatch(/^Ann20005,Lee20005,ann20005\.example\.com,.*email/iu);

	await page.getByLabel('Import the valid rows and skip the rest').check();
	await page.getByRole('button', { name: 'Complete' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'big.csv: 20,008 users created' })).toBeVisible({
		timeout: 180_000
	});
	// Made before the worker let the rows go: the same file after Complete.
	const after = await errorsFileLines(page, () =>
		page.getByRole('button', { name: 'Download the errors file' }).click()
	);
	expect(after).toEqual(before);

	const list = new UsersPage(page);
	await list.goto();
	await expect(list.count).toHaveText('20,008 users');
});
