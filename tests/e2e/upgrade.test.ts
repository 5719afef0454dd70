import { expect, test } from '@playwright/test';

// A newer Rollcall deployed while an old tab is open upgrades the database schema. The old tab must
// let go at once (so the new one never waits) and tell the admin to reload, instead of hanging.
test('a schema upgrade from another tab is never blocked by an open tab', async ({ context }) => {
	const oldTab = await context.newPage();
	await oldTab.goto('/');
	await expect(oldTab.getByRole('grid', { name: 'Users' })).toBeVisible();
	await expect(oldTab.getByText('0 users', { exact: true })).toBeVisible();

	const newTab = await context.newPage();
	await newTab.goto('/robots.txt').catch(() => undefined);
	const outcome = await newTab.evaluate(async () => {
		const current = await new Promise<number>((resolve, reject) => {
			const probe = indexedDB.open('rollcall');
			probe.onsuccess = () => {
				resolve(probe.result.version);
				probe.result.close();
			};
			probe.onerror = () => reject(new Error(String(probe.error)));
		});
		return new Promise<string>((resolve) => {
			const request = indexedDB.open('rollcall', current + 10);
			let wasBlocked = false;
			request.onblocked = () => (wasBlocked = true);
			request.onupgradeneeded = () => undefined;
			request.onsuccess = () => {
				request.result.close();
				resolve(wasBlocked ? 'opened after being blocked' : 'opened');
			};
			request.onerror = () => resolve(`failed: ${String(request.error)}`);
		});
	});
	expect(outcome).toBe('opened');

	const banner = oldTab.getByRole('alert').filter({ hasText: 'A newer version of Rollcall' });
	await expect(banner).toBeVisible();
	await expect(banner.getByRole('button', { name: 'Reload' })).toBeVisible();
});
