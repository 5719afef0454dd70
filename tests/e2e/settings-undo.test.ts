import { expect, test } from '@playwright/test';
import { CustomAttributesSection } from './pages/custom-attributes-section';
import { inspectAtBothSizes } from './pages/inspect';
import { SettingsPage } from './pages/settings-page';

test.use({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 800 } });
test.describe.configure({ timeout: 90_000 });

test('Undo puts back only the field it changed: a custom attribute added since stays', async ({ page }) => {
	const settings = new SettingsPage(page);
	const attributes = new CustomAttributesSection(page);
	await settings.goto();
	const company = settings.requirement('Company');
	const companyRow = page.getByRole('row', { name: /^Company/ });
	await settings.setRequirement('Company', 'required');
	await expect(companyRow.getByRole('status')).toContainText('Field policy saved.');

	await attributes.addAttribute('Badge');
	await attributes.rename('Badge', 'Badge colour');
	// The Undo still beside Company, reached from its select by the keyboard.
	await company.focus();
	await page.keyboard.press('Tab');
	await expect(companyRow.getByRole('button', { name: 'Undo' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(companyRow.getByRole('status')).toContainText('Undone: back to what it was.');
	await expect(company).toHaveValue('optional');
	await expect(attributes.names).toHaveText([/Badge colour/]);
	await expect
		.poll(() => settings.storedPolicy())
		.toMatchObject({
			company: 'optional',
			'custom:Badge colour': 'optional'
		});
	await inspectAtBothSizes(page, 'settings-undo-one-field');
	await page.reload();
	await expect(attributes.names).toHaveText([/Badge colour/]);
	await expect(settings.requirement('Badge colour')).toHaveValue('optional');
});

test('Undo goes once the setting is changed in another tab, and never writes over that change', async ({
	page,
	context
}) => {
	const settings = new SettingsPage(page);
	await settings.goto();
	const phones = page.getByRole('region', { name: 'Phone numbers' });
	await settings.defaultCountry.selectOption('FR');
	await expect(phones.getByRole('status')).toContainText('Default country set to France.');
	await expect(phones.getByRole('button', { name: 'Undo' })).toBeVisible();

	const other = new SettingsPage(await context.newPage());
	await other.goto();
	await other.defaultCountry.selectOption('DE');
	await expect(other.page.getByRole('region', { name: 'Phone numbers' }).getByRole('status')).toContainText(
		'Default country set to Germany.'
	);
	// This tab hears of it: the country shown is the other tab's, and its Undo would now write over it.
	await expect(settings.defaultCountry).toHaveValue('DE');
	await expect(phones.getByRole('button', { name: 'Undo' })).toHaveCount(0);
	await expect(phones.getByRole('status')).toContainText('Default country set to France.');
});

test('a setting changed quickly, step after step, is never set back under the admin’s fingers', async ({
	page
}) => {
	const settings = new SettingsPage(page);
	await settings.goto();
	const select = settings.defaultCountry;
	const options = await select
		.locator('option')
		.evaluateAll((all) => all.map((option) => (option as HTMLOptionElement).value));
	const expected = options[options.indexOf('US') + 6]!;
	await select.focus();
	// Six steps down the list as a fast typist on a busy tablet makes them: each the moment the page has
	// taken the last, each stored as it comes. A step taken from a select set back a step lands short.
	await select.evaluate(async (element: HTMLSelectElement) => {
		for (let step = 0; step < 6; step++) {
			element.selectedIndex += 1;
			element.dispatchEvent(new Event('change', { bubbles: true }));
			await new Promise((resolve) => setTimeout(resolve, 0));
		}
	});
	await expect(select).toHaveValue(expected);
	await expect.poll(() => storedCountry(settings)).toBe(expected);
	await page.keyboard.press('Tab');
	const phones = page.getByRole('region', { name: 'Phone numbers' });
	await expect(phones.getByRole('status')).toContainText('Default country set to');
	await expect(select).toHaveValue(expected);
	// The steps were one edit: one Undo puts back the country before them.
	await phones.getByRole('button', { name: 'Undo' }).click();
	await expect(select).toHaveValue('US');
	await expect.poll(() => storedCountry(settings)).toBe('US');
});

test('Storage: when the browser declines, the advice points to the install steps where they are', async ({
	page
}) => {
	// This Chromium's own answer varies with how it is run: the refusal is what is tested here.
	await page.addInitScript(() => {
		navigator.storage.persist = () => Promise.resolve(false);
		navigator.storage.persisted = () => Promise.resolve(false);
	});
	await page.goto('/settings');
	const storage = page.getByRole('region', { name: 'Storage on this device' });
	await expect(storage).toContainText('Not persistent:');
	await storage.getByRole('button', { name: 'Ask the browser to keep the data' }).click();
	const answer = storage.getByRole('status');
	await expect(answer).toHaveText(
		'The browser declined for now. Install Rollcall as said above, open it from there, and try again.'
	);
	const steps = storage.getByRole('listitem').filter({ hasText: 'Install Rollcall:' });
	const [stepsBox, answerBox] = await Promise.all([steps.boundingBox(), answer.boundingBox()]);
	expect(stepsBox!.y + stepsBox!.height).toBeLessThanOrEqual(answerBox!.y);
	await storage.scrollIntoViewIfNeeded();
	await inspectAtBothSizes(page, 'settings-storage-declined');
});

test('a refused pairing code is said in the admin’s words, with what to ask, never the relay’s command', async ({
	page
}) => {
	// The relay's own answer to an expired code (src/relay/api.ts), word for word: a real relay allows only
	// a few pairing attempts per address, which the other browser tests need.
	await page.route('**/api/pair', (route) =>
		route.fulfill({
			status: 401,
			json: {
				error: {
					code: 'pairing-code-expired',
					message:
						'This pairing code has expired (codes last 15 minutes). Print a new one with `npm run relay -- pair`.'
				}
			}
		})
	);
	await page.goto('/settings#relay');
	const relay = page.getByRole('region', { name: 'Relay' });
	// By keyboard, as on a tablet with a keyboard case: code, name, Enter.
	await relay.getByLabel('Pairing code').focus();
	await page.keyboard.type('K7QD-M2XP');
	await page.keyboard.press('Tab');
	await page.keyboard.type('Front desk iPad');
	await page.keyboard.press('Enter');
	const refusal = relay.getByRole('alert');
	await expect(refusal).toHaveText(
		'This code has expired: a code works for 15 minutes after it is made. Ask whoever runs the relay for a new pairing code, and type it here.'
	);
	// The command is there once, in the explanation for whoever runs the relay.
	await expect(relay.getByText('npm run relay -- pair')).toHaveCount(1);
	await expect(refusal).not.toContainText('npm');
	await refusal.scrollIntoViewIfNeeded();
	await inspectAtBothSizes(page, 'settings-pairing-refused');
});

/** The default country as IndexedDB holds it now. */
function storedCountry(settings: SettingsPage): Promise<unknown> {
	return settings.page.evaluate(
		() =>
			new Promise<unknown>((resolve, reject) => {
				const open = indexedDB.open('rollcall');
				open.onerror = () => reject(new Error(open.error?.message));
				open.onsuccess = () => {
					const request = open.result.transaction('settings').objectStore('settings').get('defaultCountry');
					request.onerror = () => reject(new Error(request.error?.message));
					request.onsuccess = () => {
						open.result.close();
						resolve((request.result as { value?: unknown } | undefined)?.value);
					};
				};
			})
	);
}
