import { expect, test } from '@playwright/test';
import { ImportPage } from './pages/import-page';
import { SettingsPage } from './pages/settings-page';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

/**
 * Phones as admins' files hold them: a national number beside the row's country, an international number
 * whose + Excel dropped, and an optional number that is no number, which is kept as typed with a warning.
 */
const CSV = [
	'First name,Last name,Email,Mobile phone,Business phone,Country',
	'Olivia,Nguyen,olivia@example.com,0425 555 010,,Australia',
	'Marc,Dubois,marc@example.com,33612345678,,',
	'Ann,Lee,ann@example.com,07400 123456,12345,'
].join('\r\n');

// A British organisation: its default country (from the browser's locale) reads numbers without +code.
test.use({ locale: 'en-GB', timezoneId: 'UTC' });

// An axe scan, a full-page photograph, an import and three users' pages: more than 30 s on a busy 2-core machine.
test.describe.configure({ timeout: 90_000 });

test('phones read as the file holds them; an optional phone that is no number is kept, with a warning', async ({
	page
}) => {
	const importing = new ImportPage(page);
	await importing.goto();
	await importing.choose({ name: 'phones.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf-8') });
	const verify = importing.verify('phones.csv');
	await expect(verify).toBeVisible();
	// The default policy hides Country: turned on, the row's country reads its phones and is kept.
	await verify.getByRole('button', { name: 'Turn on Country' }).click();
	await expect(verify.getByLabel('Country', { exact: true })).toHaveValue('country');

	await expect(importing.count('new')).toHaveText(/3 new/);
	await expect(importing.count('with errors')).toHaveText(/0 with errors/);
	await expect(importing.count('with warnings')).toHaveText(/1 with warnings/);
	await expect(importing.warnings.getByRole('row').filter({ hasText: 'Business phone' })).toHaveText(
		/^4\s*Business phone\s*\(E\)\s*Business phone "12345" is not a phone number Rollcall can read: kept as typed\.$/u
	);
	await expect(page.getByRole('region', { name: /^Errors/ })).toHaveCount(0);

	// In the preview the kept value is marked, and its warning shows when it has the keyboard's focus.
	const kept = importing.markedValue('12345');
	const warning = 'Business phone "12345" is not a phone number Rollcall can read: kept as typed.';
	await expect(importing.markedValue('07400')).toHaveCount(0);
	await expect(kept).toHaveText('12345⚠(warning)');
	await expect(kept).toHaveAccessibleDescription(warning);
	await expect(importing.preview.getByText(warning)).toBeHidden();
	await kept.focus();
	await expect(importing.preview.getByText(warning)).toBeVisible();
	await importing.inspect('import-warnings');

	// A warning never blocks: all or nothing imports every row.
	await expect(importing.complete).toBeEnabled();
	await importing.complete.click();
	await expect(importing.summary).toContainText('phones.csv: 3 users created');

	const list = new UsersPage(page);
	const user = new UserPage(page);
	const open = async (name: string) => {
		await list.goto();
		await list.row(name).getByRole('link', { name }).click();
		await user.expectLoaded(name);
	};
	// Read in the person's own country, shown as Australia writes it.
	await open('Olivia Nguyen');
	await expect(user.detail('Country')).toHaveText('Australia');
	await expect(user.detail('Mobile phone')).toHaveText('0425 555 010');
	// Digits whose + Excel dropped: a French mobile, shown abroad in its international form.
	await open('Marc Dubois');
	await expect(user.detail('Mobile phone')).toHaveText('+33 6 12 34 56 78');
	// Kept as typed, beside a mobile read in the organisation's country.
	await open('Ann Lee');
	await expect(user.detail('Business phone')).toHaveText('12345');
	await expect(user.detail('Mobile phone')).toHaveText('07400 123456');
});

test("'Send login details by SMS' makes a new user's unreadable mobile an error, and only then", async ({
	page
}) => {
	const settings = new SettingsPage(page);
	await settings.goto();
	await settings.setRequirement('Password', 'optional');

	const importing = new ImportPage(page);
	await importing.goto();
	const file = [
		'First name,Last name,Email,Mobile phone,Password',
		'Ann,Lee,ann@example.com,12345,correct horse battery',
		'Bob,Hale,bob@example.com,07400 123456,correct horse staple'
	].join('\r\n');
	await importing.choose({ name: 'sms.csv', mimeType: 'text/csv', buffer: Buffer.from(file, 'utf-8') });
	await expect(importing.verify('sms.csv')).toBeVisible();
	await expect(importing.count('with warnings')).toHaveText(/1 with warnings/);

	const sms = page.getByRole('checkbox', { name: /^Send login details by SMS/ });
	await expect(sms).toHaveAccessibleDescription(/with SMS on, a mobile phone kept as typed is an error/u);
	await sms.check();
	await expect(importing.count('with errors')).toHaveText(/1 with errors/);
	await expect(importing.count('with warnings')).toHaveText(/0 with warnings/);
	await expect(page.getByRole('region', { name: /^Errors/ })).toContainText(
		`Mobile phone "12345" is not a phone number Rollcall can read, and this new user's login details go to it by SMS: correct it, or turn off 'Send login details by SMS'.`
	);
	await expect(importing.complete).toBeDisabled();

	await sms.uncheck();
	await expect(importing.count('with warnings')).toHaveText(/1 with warnings/);
	await expect(importing.count('with errors')).toHaveText(/0 with errors/);
	await expect(importing.complete).toBeEnabled();
});
