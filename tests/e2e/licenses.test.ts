import { expect, test, type Page } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { ImportPage } from './pages/import-page';
import { inspectAtBothSizes } from './pages/inspect';
import { LicensesDialog } from './pages/licenses-dialog';
import { LicensesSection } from './pages/licenses-section';
import { SettingsPage } from './pages/settings-page';
import { UsersPage } from './pages/users-page';

// Settings, two imports, a form and a dialog, with axe at two sizes: more than 30 s on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 });

/** A CSV of `count` people licensed for Desktop. */
function desktopFile(name: string, count: number) {
	const rows = Array.from(
		{ length: count },
		(_, i) => `Person${i + 1},Lee,person${i + 1}@example.com,Desktop`
	);
	return {
		name,
		mimeType: 'text/csv',
		buffer: Buffer.from(['First name,Last name,Email,Licenses', ...rows].join('\r\n'), 'utf-8')
	};
}

const missingOne = (free: string) =>
	`${free} free; this gives Desktop to 4 users: 1 seat is missing. Add seats in Settings → Licenses or give Desktop to fewer users.`;

async function portalWithDesktopSeats(page: Page, seats: number) {
	const settings = new SettingsPage(page);
	await settings.goto();
	await settings.choosePreset('Customer portal');
	const licenses = new LicensesSection(page);
	await expect(licenses.use('Desktop')).toHaveText('No seats yet');
	await licenses.setSeats('Desktop', seats);
	await expect(licenses.use('Desktop')).toHaveText(`0 of ${seats} used, ${seats} free`);
	return licenses;
}

test('seats: a file needing more Desktop seats than are free is refused whole; one that fits takes them; bulk asks for one more', async ({
	page
}) => {
	const licenses = await portalWithDesktopSeats(page, 3);
	// Below what is used is refused later; here the section itself is checked by axe at both sizes.
	await inspectAtBothSizes(page, 'licenses-settings');

	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose(desktopFile('four.csv', 4));
	await expect(importPage.verify('four.csv')).toBeVisible();
	await expect(importPage.complete).toBeDisabled();
	await expect(importPage.complete).toHaveAccessibleDescription(missingOne('3 Desktop seats are'));

	await importPage.choose(desktopFile('three.csv', 3));
	await expect(importPage.verify('three.csv')).toBeVisible();
	await expect(importPage.complete).toBeEnabled();
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('3 users created');

	await licenses.goto();
	await expect(licenses.use('Desktop')).toHaveText('3 of 3 used, 0 free');
	// Fewer seats than users holding Desktop: refused, saying why.
	await licenses.typeSeats('Desktop', 2);
	await expect(licenses.problem).toHaveText(
		'3 users hold Desktop, so it needs at least 3 seats: take Desktop from 1 user first (Users → Action → Licenses…).'
	);

	// By hand: ticking Desktop for a fourth person is refused; without it they are added.
	const form = new AddUserPage(page);
	await form.goto();
	await form.fill({ firstName: 'Zoe', lastName: 'Park', email: 'zoe@example.com' });
	const licensesBox = page.getByRole('group', { name: 'Licenses' });
	await licensesBox.getByRole('checkbox', { name: 'Desktop' }).check();
	await form.submit.click();
	await inspectAtBothSizes(page, 'licenses-form');
	await expect(form.problems).toContainText(
		'The user was not saved: No Desktop seats are free; this gives Desktop to 1 user: 1 seat is missing.'
	);
	await licensesBox.getByRole('checkbox', { name: 'Desktop' }).uncheck();
	await form.submit.click();
	await expect(form.added).toBeVisible();

	const users = new UsersPage(page);
	await users.goto();
	await expect(await users.cell('Person1 Lee', 'Licenses')).toHaveText('Desktop');
	await users.row('Person1 Lee').getByRole('link', { name: 'Person1 Lee' }).click();
	const details = page.getByRole('region', { name: 'Details' });
	await expect(details.getByRole('definition').filter({ hasText: /^Desktop$/ })).toBeVisible();
	await users.goto();
	await users.checkbox('Zoe Park').check();
	const dialog = new LicensesDialog(page);
	await dialog.open(users);
	await dialog.choose('Desktop', 'Give');
	await dialog.apply.click();
	await expect(dialog.refusal).toHaveText(
		'Nothing was changed: No Desktop seats are free; this gives Desktop to 1 user: 1 seat is missing. Add seats in Settings → Licenses or give Desktop to fewer users.'
	);
	await inspectAtBothSizes(page, 'licenses-dialog');
	// Web access goes through with no seats to count.
	await dialog.choose('Web access', 'Turn on');
	await dialog.apply.click();
	await expect(dialog.dialog).toBeHidden();
	await expect(users.notice).toContainText('Web access turned on for 1 user.');
	await expect(await users.cell('Zoe Park', 'Licenses')).toHaveText('');

	await licenses.goto();
	await expect(licenses.use('Desktop')).toHaveText('3 of 3 used, 0 free');
});
