import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { fields, type FieldContext } from '../../src/lib/domain/fields';
import type { CountryCode } from '../../src/lib/domain/phone';
import { presets, type FieldPolicy } from '../../src/lib/domain/policy';
import { passwordStatus } from '../../src/lib/domain/passwords';
import { nameOf } from '../../src/lib/domain/user';
import { vendorFiles, type ExpectedUser, type VendorFile } from '../fixtures/vendor-users';
import { ImportPage } from './pages/import-page';
import { SettingsPage } from './pages/settings-page';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

/**
 * The files admins bring from other systems (tests/fixtures/vendor-fixtures.ts), each chosen on the
 * Import page and completed with no mapping or any other step, then every user read back on their own
 * page, field by field, as tests/fixtures/vendor-users.ts says: every file, each under the preset it is
 * for (about 5 s a file here). The unit test (tests/unit/import/vendor-files.test.ts) checks the same
 * files under a policy that shows every field too; here the Okta file does so once.
 */

const FOLDER = path.join(import.meta.dirname, '..', 'fixtures', 'import', 'vendors');

// The organisation is British: phones typed without +code are read as British unless the row's own
// country column says otherwise. An import, Settings and a user's page each: more than 30 s on 2 busy cores.
test.use({ locale: 'en-GB' });
test.describe.configure({ timeout: 120_000 });

const GB: FieldContext = { defaultCountry: 'GB' };

const vendorFile = (name: string): VendorFile => {
	const found = vendorFiles.find((file) => file.file === name);
	if (!found) throw new Error(`no vendor fixture ${name}`);
	return found;
};

const presetOf = (id: VendorFile['preset']) => presets.find((p) => p.id === id)!;

/**
 * What a user's page shows for each field the policy shows, '—' when empty: phones in the national form
 * of the person's own country (stored only when the policy shows Country), else of the organisation's.
 */
function shownValues(user: ExpectedUser, policy: FieldPolicy): Record<string, string> {
	const country = policy.country !== 'hidden' ? user.country : undefined;
	const context = country ? { defaultCountry: country as CountryCode } : GB;
	const shown: Record<string, string> = {};
	for (const def of fields) {
		// The license key is Rollcall's to give (a new one for each user), not the file's.
		if (policy[def.key] === 'hidden' || def.isGenerated) continue;
		const value = user[def.key as keyof ExpectedUser] ?? def.defaultValue;
		// No SMS carries a file's password here: Rollcall keeps none, and the page says so.
		shown[def.label] = def.isSensitive
			? passwordStatus({ status: 'Pending', hasPassword: false })
			: value === undefined || value === ''
				? '—'
				: def.format(value, context);
	}
	return shown;
}

/** The rows of a file whose values the policy keeps as typed, with a warning. */
const rowsWithWarnings = (file: VendorFile, policy: FieldPolicy) =>
	new Set((file.warnings ?? []).filter(([, key]) => policy[key] !== 'hidden').map(([row]) => row)).size;

/** Chooses the file and checks the preview: its shape named, no error, only the warnings expected. */
async function importWithNoStep(page: Page, file: VendorFile, policy: FieldPolicy): Promise<ImportPage> {
	const importing = new ImportPage(page);
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import' }).click();
	await expect(importing.heading).toBeVisible();
	await importing.choose(path.join(FOLDER, file.file));
	const verify = importing.verify(file.file);
	await expect(verify).toBeVisible();
	if (file.shape) await expect(verify).toContainText(`Recognised: ${file.shape}`);
	await expect(importing.count('new')).toHaveText(new RegExp(`^\\s*${file.users.length} new\\s*$`));
	await expect(importing.count('with errors')).toHaveText(/^\s*0 with errors\s*$/);
	const warned = rowsWithWarnings(file, policy);
	await expect(importing.count('with warnings')).toHaveText(new RegExp(`^\\s*${warned} with warnings\\s*$`));
	await expect(importing.complete).toBeEnabled();
	return importing;
}

async function complete(importing: ImportPage, file: VendorFile): Promise<void> {
	await importing.complete.click();
	const created = file.users.length === 1 ? '1 user' : `${file.users.length} users`;
	await expect(importing.summary).toContainText(`${file.file}: ${created} created`);
}

/** Opens each user's page from the list and reads every field the policy shows. */
async function expectUsers(page: Page, file: VendorFile, policy: FieldPolicy): Promise<void> {
	const list = new UsersPage(page);
	const userPage = new UserPage(page);
	for (const user of file.users) {
		const name = nameOf(user);
		await list.goto();
		await list.row(name).getByRole('link', { name, exact: true }).click();
		await userPage.expectLoaded(name);
		await expect
			.poll(() => userPage.shownValues(), { message: name })
			.toMatchObject(shownValues(user, policy));
	}
}

/**
 * Opens Settings and waits for the stored settings to show (the default country from the en-GB locale),
 * takes the preset the file is for, and only then goes to Import by the menu, as an admin does.
 */
async function settle(page: Page, id?: VendorFile['preset']): Promise<SettingsPage> {
	const settings = new SettingsPage(page);
	await settings.goto();
	await expect(settings.defaultCountry).toHaveValue('GB');
	// Fresh storage holds Rollcall's default policy.
	if (id && id !== 'rollcall') await settings.choosePreset(presetOf(id).name);
	return settings;
}

test('a Microsoft 365 template: recognised, national phones read in their own country, a note kept as a warning', async ({
	page
}) => {
	const file = vendorFile('microsoft-365-add-users.csv');
	await settle(page, file.preset);
	const policy = presetOf(file.preset).policy;
	// 'ext. 12 at reception' is no phone number: kept as typed, flagged, never blocking.
	expect(rowsWithWarnings(file, policy)).toBe(1);
	const importing = await importWithNoStep(page, file, policy);
	await importing.inspect('import-vendor-recognised');
	await complete(importing, file);
	await expectUsers(page, file, policy);
});

// The Microsoft 365 template has its own test above, with its warning and an accessibility check.
for (const file of vendorFiles.filter((f) => f.file !== 'microsoft-365-add-users.csv')) {
	test(`${file.file}: imported with no manual step, every user as the file says`, async ({ page }) => {
		await settle(page, file.preset);
		const policy = presetOf(file.preset).policy;
		const importing = await importWithNoStep(page, file, policy);
		await complete(importing, file);
		await expectUsers(page, file, policy);
	});
}

test('an Okta import with every field shown: address, organisation, language and time zone as the file says', async ({
	page
}) => {
	const file = vendorFile('okta-import.csv');
	const settings = await settle(page);
	await settings.showEveryField();
	const policy = (await settings.storedPolicy()) as FieldPolicy;
	const importing = await importWithNoStep(page, file, policy);
	await complete(importing, file);
	await expectUsers(page, file, policy);
});

test("a vendor file's columns Rollcall has no use for are folded away, each with its reason a keypress away", async ({
	page
}) => {
	const file = vendorFile('google-workspace-download.csv');
	await settle(page, file.preset);
	const importing = await importWithNoStep(page, file, presetOf(file.preset).policy);
	const verify = importing.verify(file.file);
	// The columns that map, or that a hidden field could take, stay in view.
	await expect(verify.getByLabel('Email Address [Required]', { exact: true })).toHaveValue('email');
	await expect(verify.getByRole('button', { name: 'Turn on Employee number' })).toBeVisible();
	const unused = verify.locator('details.unused');
	const summary = unused.locator('summary');
	await expect(summary).toHaveText(
		// A string: compared with its white space collapsed, as the page shows it.
		'24 Google Workspace columns that Rollcall has no use for are ignored: show them, with why'
	);
	const orgUnit = verify.getByLabel('Org Unit Path [Required]', { exact: true });
	await expect(orgUnit).toBeHidden();
	await summary.focus();
	await page.keyboard.press('Enter');
	await expect(orgUnit).toHaveValue('ignored');
	await expect(
		unused.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Org Unit Path [Required]' }) })
	).toContainText("Google Workspace's organisational unit (/Sales)");
	await importing.inspect('import-vendor-folded');
	// Still the admin's to change: a folded column can be kept as a new field.
	await orgUnit.selectOption({ label: 'Keep as a new field' });
	await expect(verify.getByLabel('Org Unit Path [Required]', { exact: true })).toHaveValue(
		'custom:Org Unit Path'
	);
});
