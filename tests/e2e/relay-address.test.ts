import { expect, test, type Page } from '@playwright/test';
import { newPairingCode } from './pages/relay-side';
import { PORT } from './relay-env';

// The relay under its other name: the app opened at http://127.0.0.1:PORT pairs with the address the
// terminal may print, http://localhost:PORT; and an address this app may not reach says so, never
// "cannot be reached".

/** Settings > Relay: the address, a fresh code, a name, then Pair (the app is at playwright's baseURL, 127.0.0.1). */
async function pairWith(page: Page, address: string, deviceName: string) {
	await page.goto('/settings');
	const relay = page.getByRole('region', { name: 'Relay' });
	await relay.getByLabel('Relay address').fill(address);
	await relay.getByLabel('Pairing code').fill(newPairingCode());
	await relay.getByLabel('Device name').fill(deviceName);
	await relay.getByRole('button', { name: 'Pair' }).click();
	return relay;
}

test('the app at 127.0.0.1 pairs with the same relay at localhost', async ({ page }) => {
	const relay = await pairWith(page, `http://localhost:${PORT}`, 'Loopback laptop');
	await expect(relay).toContainText('Paired as Loopback laptop');
	await page.reload();
	await expect(relay.getByLabel('Relay address')).toHaveValue(`http://localhost:${PORT}`);
	await relay.getByRole('button', { name: 'Unpair' }).click();
});

test('an address the app may not connect to is named as such, not as unreachable', async ({ page }) => {
	const elsewhere = `http://127.0.0.1:${PORT + 7}`;
	const relay = await pairWith(page, elsewhere, 'Other laptop');
	const alert = relay.getByRole('alert');
	await expect(alert).toContainText(`may only connect to the addresses of the relay that serves it`);
	await expect(alert).not.toContainText('cannot be reached');
});
