import { expect, test, type Page } from '@playwright/test';

interface ManifestIcon {
	src: string;
	sizes: string;
	type: string;
	purpose?: string;
}

declare global {
	interface Window {
		/** Content-Security-Policy violations seen by the page (filled by an init script). */
		cspViolations?: string[];
	}
}

async function recordCspViolations(page: Page): Promise<void> {
	await page.addInitScript(() => {
		window.cspViolations = [];
		document.addEventListener('securitypolicyviolation', (event) => {
			window.cspViolations?.push(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}`);
		});
	});
}

async function expectNoCspViolations(page: Page): Promise<void> {
	expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): string {
	expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
	return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

test('the app loads, installs its service worker, and opens again with no network', async ({
	page,
	context,
	request
}) => {
	await recordCspViolations(page);
	await page.goto('/');
	await expect(page).toHaveTitle(/Rollcall/);
	await expect(page.getByRole('main')).toBeVisible();
	await expectNoCspViolations(page);

	// The manifest is linked, valid, and every icon it names loads with the size it claims.
	const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
	expect(manifestHref).toBeTruthy();
	const manifestResponse = await request.get(manifestHref ?? '');
	expect(manifestResponse.ok()).toBe(true);
	expect(manifestResponse.headers()['content-type']).toContain('application/manifest+json');
	const manifest = (await manifestResponse.json()) as {
		name: string;
		start_url: string;
		display: string;
		icons: ManifestIcon[];
	};
	expect(manifest).toMatchObject({ name: 'Rollcall', start_url: '/', display: 'standalone' });
	expect(manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose ?? 'any'}`)).toEqual(
		expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable'])
	);
	for (const icon of manifest.icons) {
		const iconResponse = await request.get(icon.src);
		expect(iconResponse.ok(), icon.src).toBe(true);
		expect(iconResponse.headers()['content-type']).toBe(icon.type);
		if (icon.type === 'image/png') expect(pngSize(await iconResponse.body())).toBe(icon.sizes);
	}

	// The service worker becomes active only once its install (the precache) has succeeded.
	await expect
		.poll(
			() =>
				page.evaluate(async () => {
					const registration = await navigator.serviceWorker.getRegistration();
					return registration?.active
						? `${registration.active.scriptURL} ${registration.active.state}`
						: 'none';
				}),
			{ message: 'the root layout registers /service-worker.js (appUpdate.start())', timeout: 15_000 }
		)
		.toMatch(/\/service-worker\.js activated$/);
	const precached = await page.evaluate(async () => {
		const names = (await caches.keys()).filter((name) => name.includes('precache'));
		const urls: string[] = [];
		for (const name of names) {
			const requests = await (await caches.open(name)).keys();
			urls.push(...requests.map((cached) => new URL(cached.url).pathname));
		}
		return { names, urls };
	});
	expect(precached.names).toHaveLength(1);
	expect(precached.urls).toEqual(
		expect.arrayContaining(['/index.html', '/manifest.webmanifest', '/icons/icon-192.png'])
	);
	expect(precached.urls.some((url) => url.startsWith('/_app/immutable/') && url.endsWith('.js'))).toBe(true);
	await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

	await context.setOffline(true);
	expect(await page.evaluate(() => navigator.onLine)).toBe(false);

	const reloaded = await page.reload();
	expect(reloaded?.fromServiceWorker()).toBe(true);
	await expect(page).toHaveTitle(/Rollcall/);
	await expect(page.getByRole('main')).toBeVisible();
	await expectNoCspViolations(page);

	// Any deep link opens offline too: the service worker answers every navigation with the app, whose
	// router then renders the route (here one that does not exist, so the app's own "not found").
	const deepLink = await page.goto('/a/link/from/an/old/bookmark');
	expect(deepLink?.status()).toBe(200);
	expect(deepLink?.fromServiceWorker()).toBe(true);
	await expect(page.getByRole('main')).toBeVisible();
	await expectNoCspViolations(page);
});
