import { expect, test, type Page } from '@playwright/test';
import { ImportPage } from './pages/import-page';
import { activateWithCli, LicenseSection } from './pages/license-section';
import { LicensesSection } from './pages/licenses-section';
import { OutboxPage } from './pages/outbox-page';
import { mailFor, pairThroughSettings } from './pages/relay-side';
import { waitForServiceWorker } from './pages/service-worker';
import { SettingsPage } from './pages/settings-page';
import { UsersPage } from './pages/users-page';

// DESIGN.md workflow A end to end, across the app and the real relay: a pool of 3 Desktop seats; a file of
// 4 licensed users is refused whole; a file of 3 is imported with their welcome mails, which the relay's
// mailbox shows carrying each user's own key; one key activates two computers, a third is refused, one is
// deactivated from the user's page and the third then takes its slot.

test.use({ locale: 'en-GB', timezoneId: 'UTC' });
test.describe.configure({ timeout: 180_000 });

/** A CSV of `count` people licensed for Desktop, with addresses no other run of this relay has seen. */
function desktopFile(name: string, count: number, run: string) {
	const emails = Array.from({ length: count }, (_, i) => `portal${i + 1}.${run}@example.com`);
	const rows = emails.map((email, i) => `Person${i + 1},Portal,${email},Desktop`);
	const file = {
		name,
		mimeType: 'text/csv',
		buffer: Buffer.from(['First name,Last name,Email,Licenses', ...rows].join('\r\n'), 'utf-8')
	};
	return { file, emails };
}

async function openUser(page: Page, name: string): Promise<LicenseSection> {
	const users = new UsersPage(page);
	await users.goto();
	await users.row(name).getByRole('link', { name }).click();
	return new LicenseSection(page);
}

test('workflow A: seats refuse a file too big, keys go out in the welcome mails, two computers per key', async ({
	page,
	request
}) => {
	const run = `${Date.now().toString(36)}${test.info().retry}`;
	await page.goto('/');
	await waitForServiceWorker(page);
	await pairThroughSettings(page, 'Portal desk');
	const settings = new SettingsPage(page);
	await settings.goto();
	await settings.choosePreset('Customer portal');
	const seats = new LicensesSection(page);
	await seats.setSeats('Desktop', 3);

	// Four users with Desktop for three seats: refused before Complete, and nothing is stored.
	const importPage = new ImportPage(page);
	await importPage.goto();
	const four = desktopFile('four.csv', 4, `${run}x`);
	await importPage.choose(four.file);
	await expect(importPage.verify('four.csv')).toBeVisible();
	await expect(importPage.complete).toBeDisabled();
	await expect(importPage.complete).toHaveAccessibleDescription(/1 seat is missing/u);
	await seats.goto();
	await expect(seats.use('Desktop')).toHaveText('0 of 3 used, 3 free');

	// Three fit: imported with the send switch on, each gets the welcome mail carrying their own key.
	await importPage.goto();
	const three = desktopFile('three.csv', 3, run);
	await importPage.choose(three.file);
	await expect(importPage.verify('three.csv')).toBeVisible();
	await page.getByRole('checkbox', { name: 'Send activation email to new users' }).check();
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('3 users created');
	await expect(new OutboxPage(page).indicator).toHaveAccessibleName('Outbox: All sent', { timeout: 60_000 });
	await seats.goto();
	await expect(seats.use('Desktop')).toHaveText('3 of 3 used, 0 free');

	const mails = await mailFor(request, three.emails);
	const keys: string[] = [];
	for (const [i, email] of three.emails.entries()) {
		const key = await (await openUser(page, `Person${i + 1} Portal`)).keyText();
		keys.push(key);
		const [mail] = mails.get(email)!;
		expect(mail!.text).toContain(key);
		for (const other of three.emails.filter((address) => address !== email)) {
			expect(mail!.text).not.toContain(other);
		}
	}
	expect(new Set(keys).size).toBe(3);

	// One key, two computers; the third is refused until the admin frees a slot.
	const [email] = three.emails;
	const key = keys[0]!;
	expect((await activateWithCli(email!, key, 'Office PC')).status).toBe(0);
	expect((await activateWithCli(email!, key, 'Laptop')).status).toBe(0);
	const third = await activateWithCli(email!, key, 'Home PC');
	expect(third.status).toBe(1);
	expect(third.out).toContain('already activated on 2 computers');

	const license = await openUser(page, 'Person1 Portal');
	await page.reload();
	await license.expectComputers(['Office PC', 'Laptop']);
	await license.deactivate('Office PC').click();
	await license.expectComputers(['Laptop']);
	await expect
		.poll(async () => (await activateWithCli(email!, key, 'Home PC')).status, { timeout: 30_000 })
		.toBe(0);
	await page.reload();
	await license.expectComputers(['Laptop', 'Home PC']);
});
