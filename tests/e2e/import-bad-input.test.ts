import { expect, test } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImportPage } from './pages/import-page';
import { SettingsPage } from './pages/settings-page';
import { UsersPage } from './pages/users-page';

/**
 * Files an admin should never have to debug: each is refused with a message saying what is wrong and
 * what to do, the page stays usable, and nothing is stored.
 */

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'import');
const fixture = (name: string) => path.join(fixtures, name);

test.describe.configure({ timeout: 90_000 });

/** A folder for the big files generated at test time (too big to commit). */
const generated = mkdtempSync(path.join(tmpdir(), 'rollcall-e2e-import-'));

/** A CSV of `rows` users, written to the temp folder. */
function peopleCsv(name: string, rows: number): string {
	const lines = ['First name,Last name,Email'];
	for (let i = 0; i < rows; i++) lines.push(`First${i},Last${i},person${i}@example.com`);
	const file = path.join(generated, name);
	writeFileSync(file, lines.join('\r\n') + '\r\n');
	return file;
}

/** Nothing was stored: no users, no import in the history. */
async function expectNothingStored(importPage: ImportPage) {
	await expect(importPage.history.getByText('No imports yet.')).toBeVisible();
	const list = new UsersPage(importPage.page);
	await list.goto();
	await expect(list.count).toHaveText('0 users');
}

test('every kind of bad file gets its own clear message naming it; the page then imports a good file', async ({
	page
}) => {
	const importPage = new ImportPage(page);
	await importPage.goto();

	const refusals: [string, string | RegExp][] = [
		['empty.csv', 'empty.csv is empty (0 bytes): choose the file that holds the users.'],
		['headers-only.csv', 'headers-only.csv has a header row but no users under it: add them, one per row.'],
		[
			'headers-only.xlsx',
			'The sheet "Sheet1" in headers-only.xlsx has a header row but no users under it: add them, one per row.'
		],
		[
			'not-text.csv',
			/^not-text\.csv is not a spreadsheet: it holds binary data, not text\. Choose a CSV, TSV or Excel file\.$/
		],
		[
			'random-bytes.xlsx',
			/^random-bytes\.xlsx is not a spreadsheet: it is neither an Excel or OpenDocument workbook/
		],
		[
			'web-page.xls',
			/^web-page\.xls is a web page \(HTML or XML\) with a spreadsheet's name, not a workbook\./
		],
		[
			'password-protected.xlsx',
			/^password-protected\.xlsx is password-protected, so Rollcall cannot read it\./
		],
		['truncated.xlsx', /^truncated\.xlsx is damaged or incomplete \(was a download or copy cut short\?\)/],
		[
			'unterminated-quote.csv',
			/^Row \d+ of unterminated-quote\.csv \(line \d+\) opens a quoted value that is never closed/
		],
		[
			'zip-bomb.xlsx',
			/^zip-bomb\.xlsx would unpack to 400 MB from 406 KB .* \(a 'zip bomb'\), so Rollcall did not open it\.$/
		],
		[
			'huge-range.xlsx',
			/^The sheet "Users" in huge-range\.xlsx reaches cell XFD1048576 \(1,048,576 rows by 16,384 columns\), more than Rollcall can read safely/
		]
	];
	for (const [name, message] of refusals) {
		await test.step(name, () => importPage.expectRefused(fixture(name), message));
	}
	await importPage.inspect('import-refused');
	await expectNothingStored(importPage);

	// The app is still usable: a good file is read, previewed and imported.
	await importPage.goto();
	await importPage.choose(fixture('workflow-a.csv'));
	await expect(importPage.refusal).toHaveCount(0);
	await expect(importPage.count('new')).toHaveText(/^\s*2 new\s*$/);
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('workflow-a.csv: 2 users created');
});

test('the limits set in Settings refuse a file before reading it, and nothing is stored', async ({
	page
}) => {
	const settings = new SettingsPage(page);
	await settings.goto();
	await page.getByLabel('Largest file (MB)').fill('1');
	await page.getByLabel('Largest file (MB)').press('Tab');
	await expect(settings.saved('Import limits: 1 MB')).toBeVisible();
	await page.getByLabel('Most rows per file').fill('500');
	await page.getByLabel('Most rows per file').press('Tab');
	await expect(settings.saved('Import limits: 1 MB and 500 rows per file.')).toBeVisible();

	const importPage = new ImportPage(page);
	await importPage.goto();
	const big = peopleCsv('two-megabytes.csv', 40_000);
	await importPage.expectRefused(
		big,
		/^two-megabytes\.csv is [\d.]+ MB; the limit is 1 MB \(Settings → Import limits\)\. Split the file, or raise the limit\.$/
	);
	await importPage.expectRefused(
		peopleCsv('501-users.csv', 501),
		'501-users.csv has 501 rows of users; one import takes at most 500. Split it, or raise the limit (Settings → Import limits).'
	);
	await importPage.choose(peopleCsv('500-users.csv', 500));
	await expect(importPage.count('new')).toHaveText(/^\s*500 new\s*$/);
	await importPage.page.reload();
	await expectNothingStored(importPage);
});

test.describe('Cancel', () => {
	// The import worker's script is held below, which a service worker answering from its cache would skip.
	test.use({ serviceWorkers: 'block' });

	test('Cancel during a long read returns to a usable page with nothing stored', async ({ page }) => {
		// The worker that reads the file is held before it starts until Cancel has been pressed: the read
		// cannot end first, however fast the machine (a big file only made that likely). Workers started
		// after it load as usual.
		let cancelled!: () => void;
		let held!: () => void;
		const isCancelled = new Promise<void>((resolve) => (cancelled = resolve));
		const isHeld = new Promise<void>((resolve) => (held = resolve));
		let workers = 0;
		await page.route('**/_app/immutable/workers/**', async (route) => {
			if (++workers > 1) return route.continue();
			held();
			await isCancelled;
			await route.abort().catch(() => undefined);
		});
		const importPage = new ImportPage(page);
		await importPage.goto();
		await importPage.choose(peopleCsv('long.csv', 20_000));
		await isHeld;
		await expect(importPage.reading).toBeVisible();
		await importPage.inspect('import-reading');
		await importPage.cancel.click();
		cancelled();
		await expect(importPage.reading).toHaveCount(0);
		await expect(importPage.chooseFile).toBeEnabled();
		await expect(importPage.refusal).toHaveCount(0);
		await expect(page.getByRole('region', { name: /^2\. Verify/ })).toHaveCount(0);
		await expectNothingStored(importPage);

		// Another file can be chosen and imported at once.
		await importPage.goto();
		await importPage.choose(fixture('workflow-a.csv'));
		await importPage.complete.click();
		await expect(importPage.summary).toContainText('workflow-a.csv: 2 users created');
	});
});
