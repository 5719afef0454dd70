import { expect, test, type Page } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { activateWithCli, LicenseSection } from './pages/license-section';
import { LicensesSection } from './pages/licenses-section';
import { OutboxPage } from './pages/outbox-page';
import { nameOf, type Person } from './pages/people';
import { pairThroughSettings } from './pages/relay-side';
import { waitForServiceWorker } from './pages/service-worker';
import { SettingsPage } from './pages/settings-page';

// Desktop activations against the real relay (issue 14, workflow A): the desktop program is the relay's
// own CLI. Two computers take the license, a third is refused; the admin frees one (queued while offline,
// sent when online) and a new computer takes its slot.

test.use({ locale: 'en-GB', timezoneId: 'UTC' });
test.describe.configure({ timeout: 120_000 });

const nav = (page: Page, name: string) =>
	page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

/** A person with an address no other run of this relay has seen, added with a Desktop license. */
async function addLicensedUser(page: Page): Promise<Person> {
	const person = {
		firstName: 'Desk',
		lastName: 'Topper',
		email: `desk.${Date.now().toString(36)}${test.info().retry}@example.com`
	};
	const settings = new SettingsPage(page);
	await settings.goto();
	await settings.setRequirement('Licenses', 'optional');
	await new LicensesSection(page).setSeats('Desktop', 5);
	await nav(page, 'Add user');
	const form = new AddUserPage(page);
	await form.fill(person);
	await page.getByRole('group', { name: 'Licenses' }).getByRole('checkbox', { name: 'Desktop' }).check();
	// The activation email tells the relay who they are and their license.
	await form.sendActivation.check();
	await form.submit.click();
	await expect(form.added).toBeVisible();
	await expect(new OutboxPage(page).indicator).toHaveAccessibleName('Outbox: All sent', { timeout: 60_000 });
	return person;
}

test('two computers activate, a third is refused; deactivating one (queued offline) frees its slot', async ({
	page,
	context
}) => {
	await page.goto('/');
	await waitForServiceWorker(page);
	await pairThroughSettings(page, 'Licence desk');
	const person = await addLicensedUser(page);
	await nav(page, 'Users');
	await page.getByRole('link', { name: nameOf(person), exact: true }).click();
	const license = new LicenseSection(page);
	const key = await license.keyText();
	await license.expectComputers([]);

	expect(await activateWithCli(person.email, key, 'Office PC')).toEqual({
		status: 0,
		out: 'Activated on "Office PC".\n'
	});
	expect((await activateWithCli(person.email, key, 'Laptop')).status).toBe(0);
	const third = await activateWithCli(person.email, key, 'Home PC');
	expect(third.status).toBe(1);
	expect(third.out).toContain('already activated on 2 computers');
	expect(third.out).toContain('"Office PC"');
	expect(third.out).toContain('"Laptop"');

	// A reload syncs: the activations arrive as events.
	await page.reload();
	await license.expectComputers(['Office PC', 'Laptop']);
	await expect(license.region).toContainText('(2 of 2)');

	await context.setOffline(true);
	await license.deactivate('Office PC').click();
	await expect(license.computer('Office PC')).toContainText('Deactivation queued');
	await expect(license.deactivate('Office PC')).toHaveCount(0);
	// Not at the relay yet: the slot is still taken.
	expect((await activateWithCli(person.email, key, 'Home PC')).status).toBe(1);

	await context.setOffline(false);
	await license.expectComputers(['Laptop']);
	expect((await activateWithCli(person.email, key, 'Home PC')).status).toBe(0);
	await page.reload();
	await license.expectComputers(['Laptop', 'Home PC']);

	// A new key: once the relay has it (the command leaves at once, online), the old one activates nothing.
	const renewed = await license.regenerateKey();
	expect(renewed).not.toBe(key);
	await expect
		.poll(async () => (await activateWithCli(person.email, renewed, 'Laptop')).status, { timeout: 30_000 })
		.toBe(0);
	const old = await activateWithCli(person.email, key, 'Laptop');
	expect(old.status).toBe(1);
	expect(old.out).toContain('do not go together');
});
