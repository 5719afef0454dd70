import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { AddressBookPage } from './pages/address-book-page';
import { ImportPage } from './pages/import-page';
import { inspectAtBothSizes } from './pages/inspect';
import { UsersPage } from './pages/users-page';

/** Three people in the address book (one of them named by the search below), one left out of it. */
const CSV = [
	'First name,Last name,Email,Mobile phone,Job title,Department,Site,In global address book',
	'Ann,Archer,ann@example.com,+44 7700 900123,Nurse,Ward 4,Leeds,yes',
	'Bob,Lee,bob@example.com,,Porter,Estates,York,yes',
	'Cy,Young,cy@example.com,,Surgeon,Theatres,Leeds,yes',
	'Dee,Hidden,dee@example.com,,Consultant,Board,Leeds,no'
].join('\r\n');

// An import, then the list and the address book: more than 30 s on a busy 2-core machine.
test.describe.configure({ timeout: 90_000 });

test('the address book lists the people in it, searches them and exports them as vCard', async ({ page }) => {
	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
	// The default policy hides the flag: the file's column turns it on.
	await page.getByRole('button', { name: 'Turn on In global address book' }).click();
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('4 users created');

	const list = new UsersPage(page);
	await list.goto();
	await inspectAtBothSizes(page, 'users-with-address-book');
	await page.getByRole('link', { name: 'Address book' }).click();
	const book = new AddressBookPage(page);
	await expect(book.heading).toBeVisible();
	await expect(book.count).toHaveText('3 people');
	await book.expectNames(['Ann Archer', 'Bob Lee', 'Cy Young']);
	const ann = book.entry('Ann Archer');
	await expect(ann).toContainText('Nurse');
	await expect(ann).toContainText('Ward 4');
	await expect(ann).toContainText('+44 7700 900123');
	await expect(ann).toContainText('ann@example.com');
	await inspectAtBothSizes(page, 'address-book');

	await book.search.fill('leeds');
	await book.expectNames(['Ann Archer', 'Cy Young']);
	await expect(book.count).toHaveText('2 matches of 3 people');

	const downloading = page.waitForEvent('download');
	await book.exportButton.click();
	const file = await downloading;
	expect(file.suggestedFilename()).toMatch(/^address-book-\d{4}-\d{2}-\d{2}\.vcf$/u);
	const text = await readFile(await file.path(), 'utf-8');
	expect(text.match(/^BEGIN:VCARD$/gmu)).toHaveLength(2);
	expect(text).toContain('VERSION:4.0');
	expect(text).toContain('FN:Ann Archer');
	expect(text).toContain('FN:Cy Young');
	expect(text).not.toContain('Bob Lee');
	expect(text).not.toContain('Dee');

	await book.search.fill('nobody-here');
	await expect(page.getByText('No one in the address book matches “nobody-here”.')).toBeVisible();
	await expect(book.exportButton).toBeDisabled();
});
