import { readFile } from 'node:fs/promises';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { ExportDialog } from './pages/export-dialog';
import { ImportPage, type ChosenFile } from './pages/import-page';
import { SettingsPage } from './pages/settings-page';
import { UsersPage } from './pages/users-page';

// An import, an export and an import into a second browser context per test: more than 30 s on a busy machine.
test.describe.configure({ timeout: 120_000 });
test.use({ locale: 'en-US', timezoneId: 'UTC' });

/**
 * The awkward directory every format must carry back: quotes, commas, emoji, a line break, right-to-left
 * text and a combining mark in names, leading-zero customer codes, cells starting with '=', '+' and '@'.
 * Everyone is in the global address book, so vCard (which holds only them) carries everyone too.
 */
const SOURCE = [
	[
		'First name',
		'Last name',
		'Email',
		'Display name',
		'Job title',
		'Company',
		'Customer code',
		'In global address book'
	],
	['Ann "The Ace"', 'Archer, Jr.', 'ann@example.com', 'Ann 😀 Archer', '=1+1', 'Acme, Inc.', '00042', 'Yes'],
	['Élodie', 'Martin', 'elodie@example.fr', 'e\u0301lodie', '+33 chef', '@home; "quoted"', '0007', 'Yes'],
	['زينب', 'Haddad', 'zainab@example.com', 'زينب حداد', 'Line one\nline two', '', '0000123', 'Yes']
];

const csvOf = (rows: string[][]) =>
	rows.map((row) => row.map((cell) => `"${cell.replace(/"/gu, '""')}"`).join(',')).join('\r\n');

/**
 * Fields the admin's file cannot carry back: the ids and clocks of the directory that stored them, and the
 * license key, which these policies keep out of files (it is a credential) and each directory gives anew.
 */
const LOCAL = [
	'id',
	'createdAt',
	'updatedAt',
	'status',
	'activatedAt',
	'lastLoginAt',
	'hasPassword',
	'licenseKey'
];

/** Every stored user, as the database holds them (keys and all), less LOCAL, by email. */
async function storedUsers(page: Page): Promise<Record<string, unknown>[]> {
	const rows = await page.evaluate(
		() =>
			new Promise<Record<string, unknown>[]>((resolve, reject) => {
				const open = indexedDB.open('rollcall');
				open.onerror = () => reject(new Error(open.error?.message));
				open.onsuccess = () => {
					const request = open.result.transaction('users').objectStore('users').getAll();
					request.onerror = () => reject(new Error(request.error?.message));
					request.onsuccess = () => {
						open.result.close();
						resolve(request.result as Record<string, unknown>[]);
					};
				};
			})
	);
	// The license key is the device's (LOCAL), and so is its entry among the unique keys.
	const withoutLicense = (row: Record<string, unknown>) =>
		Array.isArray(row.uniqueKeys)
			? { ...row, uniqueKeys: (row.uniqueKeys as string[]).filter((entry) => !entry.startsWith('k:')) }
			: row;
	return rows
		.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !LOCAL.includes(key))))
		.map(withoutLicense)
		.sort((a, b) => String(a.email).localeCompare(String(b.email)));
}

/** The Rollcall default policy plus the fields SOURCE has beyond it. */
async function showSourceFields(page: Page): Promise<void> {
	const settings = new SettingsPage(page);
	await settings.goto();
	for (const label of ['Customer code', 'In global address book']) {
		await settings.setRequirement(label, 'optional');
	}
}

/** Imports a file through the Import page, all of it, and waits for the summary. */
async function importAll(page: Page, file: ChosenFile, users: number): Promise<void> {
	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose(file);
	await expect(importPage.complete).toBeEnabled();
	await importPage.complete.click();
	await expect(importPage.summary).toContainText(`${users} users created`);
}

/** A directory holding SOURCE, on the Users page. */
async function sourceDirectory(page: Page): Promise<UsersPage> {
	await showSourceFields(page);
	const csv = Buffer.from(`\uFEFF${csvOf(SOURCE)}`, 'utf-8');
	await importAll(page, { name: 'source.csv', mimeType: 'text/csv', buffer: csv }, SOURCE.length - 1);
	const list = new UsersPage(page);
	await list.goto();
	await expect(list.count).toHaveText(`${SOURCE.length - 1} users`);
	return list;
}

/** Imports `file` into an empty directory in a new browser context and gives back what it stored. */
async function importIntoEmpty(browser: Browser, file: string, users: number) {
	const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
	try {
		const page = await context.newPage();
		await showSourceFields(page);
		expect(await storedUsers(page)).toEqual([]);
		await importAll(page, file, users);
		return await storedUsers(page);
	} finally {
		await context.close();
	}
}

const formats = [
	{ label: 'CSV', extension: '.csv' },
	{ label: 'Excel (.xlsx)', extension: '.xlsx' },
	{ label: 'SCIM 2.0 JSON', extension: '.json' },
	{ label: 'vCard (.vcf), people in the address book', extension: '.vcf' }
];

for (const { label, extension } of formats) {
	test(`export ${label}, import it into an empty directory: the same users, field for field`, async ({
		page,
		browser
	}) => {
		await sourceDirectory(page);
		const before = await storedUsers(page);
		const dialog = new ExportDialog(page);
		await dialog.open();
		await expect(dialog.who('Everyone')).toBeChecked();
		await dialog.choose(label);
		const download = await dialog.download();
		expect(download.suggestedFilename()).toMatch(
			new RegExp(`^rollcall-users-\\d{4}-\\d\\d-\\d\\d\\${extension}$`)
		);
		await expect(dialog.outcome).toHaveText(
			`Saved ${before.length} users to ${download.suggestedFilename()}.`
		);
		const saved = test.info().outputPath(download.suggestedFilename());
		await download.saveAs(saved);

		expect(await importIntoEmpty(browser, saved, before.length)).toEqual(before);
	});
}

test('export the selection from the Action menu, semicolon-separated', async ({ page }) => {
	const list = await sourceDirectory(page);
	await list.checkbox('\u00e9lodie').check();
	await list.checkbox('Ann 😀 Archer').check();
	const dialog = new ExportDialog(page);
	await dialog.openForSelection();
	await expect(dialog.who('The selection')).toBeChecked();
	await expect(dialog.who('The selection')).toHaveAccessibleName('The selection (2 users)');
	await dialog.separator.selectOption({ label: 'Semicolon (European Excel)' });
	const download = await dialog.download();
	const text = await readFile(await download.path(), 'utf-8');
	expect(text.startsWith('\uFEFF')).toBe(true);
	const lines = text.slice(1).trim().split('\r\n');
	expect(lines[0]).toMatch(/^First name;Last name;/u);
	expect(lines.slice(1).map((line) => line.match(/[\w.]+@[\w.]+/u)?.[0])).toEqual([
		'ann@example.com',
		'elodie@example.fr'
	]);
	await page.keyboard.press('Escape');
	await expect(dialog.dialog).toBeHidden();
});

/**
 * Holds a read-write transaction on the users in this page until `release`: an export's reads wait behind
 * it, so the test sees the export running without racing it.
 */
async function holdUsers(page: Page): Promise<{ release: () => Promise<void> }> {
	await page.evaluate(
		() =>
			new Promise<void>((resolve, reject) => {
				const open = indexedDB.open('rollcall');
				open.onerror = () => reject(new Error(open.error?.message));
				open.onsuccess = () => {
					const store = open.result.transaction('users', 'readwrite').objectStore('users');
					const state = { isHeld: true };
					(window as unknown as { releaseUsers: () => void }).releaseUsers = () => (state.isHeld = false);
					const spin = () => {
						if (state.isHeld) store.count().onsuccess = spin;
						else open.result.close();
					};
					spin();
					resolve();
				};
			})
	);
	return {
		release: () => page.evaluate(() => (window as unknown as { releaseUsers: () => void }).releaseUsers())
	};
}

test('cancel an export while it runs: nothing is downloaded, and the next export works', async ({ page }) => {
	await sourceDirectory(page);
	const dialog = new ExportDialog(page);
	await dialog.open();
	let downloads = 0;
	page.on('download', () => downloads++);
	const hold = await holdUsers(page);
	await dialog.exportButton.click();
	await expect(dialog.progress).toBeVisible();
	await expect(dialog.dialog).toContainText('Exporting 0 users of 3');
	await dialog.cancel.click();
	await expect(dialog.outcome).toHaveText('The export was cancelled: nothing was saved.');
	await hold.release();
	await expect(dialog.exportButton).toBeEnabled();
	const download = await dialog.download();
	expect(download.suggestedFilename()).toMatch(/\.csv$/u);
	expect(downloads).toBe(1);
});

/** A save picker answered with a file of the origin's private file system (headless Chromium has no dialog). */
async function answerSavePicker(page: Page): Promise<void> {
	await page.addInitScript(() => {
		Object.assign(window, {
			showSaveFilePicker: async ({ suggestedName }: { suggestedName: string }) =>
				(await navigator.storage.getDirectory()).getFileHandle(suggestedName, { create: true })
		});
	});
}

/** The names of the files in the origin's private file system, and the text of the one named. */
async function privateFiles(page: Page, name?: string) {
	return page.evaluate(async (name) => {
		const root = await navigator.storage.getDirectory();
		const names: string[] = [];
		for await (const key of (root as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(key);
		const text = name ? await (await (await root.getFileHandle(name)).getFile()).text() : undefined;
		return { names, text };
	}, name);
}

test('write straight into a chosen file from the worker; a cancelled one is removed', async ({ page }) => {
	await answerSavePicker(page);
	await sourceDirectory(page);
	const dialog = new ExportDialog(page);
	await dialog.open();
	const toFile = dialog.dialog.getByRole('checkbox', { name: /^Choose where to save it/ });
	await toFile.check();
	await dialog.exportButton.click();
	await expect(dialog.outcome).toHaveText(/^Saved 3 users to rollcall-users-[\d-]+\.csv\.$/u);
	const name = (await dialog.outcome.textContent())!.match(/rollcall-users-[\d-]+\.csv/u)![0];
	const { names, text } = await privateFiles(page, name);
	expect(names).toEqual([name]);
	expect(text).toContain('zainab@example.com');
	expect(text!.trim().split('\r\n')).toHaveLength(1 + 3);

	await dialog.dialog.getByRole('button', { name: 'Export again…' }).click();
	await dialog.shape.selectOption({ label: 'Okta' });
	const hold = await holdUsers(page);
	await dialog.exportButton.click();
	await expect(dialog.progress).toBeVisible();
	// The file being written is there (its swap file, Chromium's, may or may not be yet).
	await expect
		.poll(async () => (await privateFiles(page)).names.filter((file) => !file.endsWith('.crswap')))
		.toHaveLength(2);
	await dialog.cancel.click();
	await expect(dialog.outcome).toHaveText('The export was cancelled: nothing was saved.');
	// Said once the worker let go of the file and the file was removed: no swap file or lock outlives it.
	expect((await privateFiles(page)).names).toEqual([name]);
	await hold.release();
});
