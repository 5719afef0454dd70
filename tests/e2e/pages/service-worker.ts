import { expect, type Page } from '@playwright/test';

/** Waits until the service worker controls the page, so the app's files come from its precache offline. */
export async function waitForServiceWorker(page: Page): Promise<void> {
	await expect
		.poll(
			() => page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.active)),
			{
				message: 'the app registers a service worker and it activates (its precache is complete)',
				timeout: 15_000
			}
		)
		.toBe(true);
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) await page.reload();
	await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}
