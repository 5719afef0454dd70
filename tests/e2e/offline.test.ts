import { expect, test } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { people } from './pages/people';
import { waitForServiceWorker } from './pages/service-worker';
import { SettingsPage } from './pages/settings-page';
import { UsersPage } from './pages/users-page';

test('offline: the app reopens, adds a user, keeps it across reloads, and opens any route', async ({
	page,
	context
}) => {
	const list = new UsersPage(page);
	await list.goto();
	await waitForServiceWorker(page);

	// The header says whether the device is online, and follows the network without a reload.
	const connectivity = page.getByRole('banner').getByRole('button', { name: /^(Online|Offline)$/ });
	await expect(connectivity).toHaveText('Online');
	await context.setOffline(true);
	await expect(connectivity).toHaveText('Offline');
	const reloaded = await page.reload();
	expect(reloaded?.fromServiceWorker()).toBe(true);
	await expect(connectivity).toHaveText('Offline');
	await expect(list.welcome).toBeVisible();
	await expect(list.count).toHaveText('0 users');

	await page.getByRole('main').getByRole('link', { name: 'Add user' }).click();
	const form = new AddUserPage(page);
	await expect(form.heading).toBeVisible();
	await form.add(people.elodie);

	await page.reload();
	await expect(form.heading).toBeVisible();
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
	await list.expectNames(['Élodie Martin']);
	await page.reload();
	await list.expectNames(['Élodie Martin']);
	await expect(list.row('Élodie Martin')).toContainText('Pending');

	// Opened directly (a bookmark, a typed address) with no network: the service worker's app shell.
	const settings = new SettingsPage(page);
	const settingsResponse = await page.goto('/settings');
	expect(settingsResponse?.fromServiceWorker()).toBe(true);
	await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
	await expect(settings.preset).toHaveValue('rollcall');

	const formResponse = await page.goto('/users/new');
	expect(formResponse?.fromServiceWorker()).toBe(true);
	await expect(form.heading).toBeVisible();
	await expect(form.field('Email')).toBeVisible();

	await page.goto('/');
	await list.row('Élodie Martin').getByRole('link', { name: 'Élodie Martin' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Élodie Martin' })).toBeVisible();
	await page.reload();
	await expect(page.getByRole('heading', { level: 1, name: 'Élodie Martin' })).toBeVisible();

	await context.setOffline(false);
	await expect(connectivity).toHaveText('Online');
});
