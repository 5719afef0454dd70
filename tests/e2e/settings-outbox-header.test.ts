import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AddUserPage } from './pages/add-user-page';
import { OutboxPage } from './pages/outbox-page';
import { people } from './pages/people';
import { SettingsPage } from './pages/settings-page';

const SCREENSHOTS = path.join(import.meta.dirname, 'screenshots');
const DAY = 86_400_000;
const viewports = [
	{ width: 1280, height: 800 },
	{ width: 820, height: 1180 }
];

test.use({ locale: 'en-US', timezoneId: 'UTC' });
test.describe.configure({ timeout: 90_000 });

/** Photographs the page (tests/e2e/screenshots/<name>.png) and returns axe's serious and critical findings. */
async function inspect(page: Page, name: string): Promise<string[]> {
	mkdirSync(SCREENSHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true, caret: 'hide' });
	const { violations } = await new AxeBuilder({ page })
		.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
		.analyze();
	return violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${name}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** How far apart two elements' tops are, in CSS pixels: a confirmation belongs beside what it confirms. */
async function distance(a: Locator, b: Locator): Promise<number> {
	const [boxA, boxB] = await Promise.all([a.boundingBox(), b.boundingBox()]);
	if (!boxA || !boxB) return Infinity;
	return Math.abs(boxA.y - boxB.y);
}

/** A stored outbox message as the app writes it, with the changes given. */
function message(key: string, changes: Record<string, unknown>): Record<string, unknown> {
	return {
		key,
		template: 'activation',
		to: `${key}@example.com`,
		userId: 999,
		user: { id: '00000000-0000-4000-8000-0000000003e7', displayName: key },
		state: 'sent',
		attempts: 0,
		nextAttemptAt: 0,
		createdAt: Date.now() - 60 * DAY,
		...changes
	};
}

for (const viewport of viewports) {
	const size = `${viewport.width}x${viewport.height}`;

	test.describe(`at ${size}`, () => {
		test.use({ viewport });

		test(`the header's states say their word and explain themselves on hover and keyboard focus (${size})`, async ({
			page
		}) => {
			await page.goto('/');
			const banner = page.getByRole('banner');
			const online = banner.getByRole('button', { name: 'Online', exact: true });
			await expect(online).toBeVisible();
			// The word itself shows, not only an icon with the word clipped away for screen readers.
			const word = online.getByText('Online');
			expect((await word.boundingBox())?.width ?? 0).toBeGreaterThan(20);

			const indicator = new OutboxPage(page).indicator;
			await expect(indicator).toHaveAccessibleName('Outbox: Not paired');
			await expect(indicator).toHaveAttribute('aria-expanded', 'false');
			const explanation = banner.getByText(/not paired with the relay, your organisation’s small server/);
			await expect(explanation).toBeHidden();

			// Hover: the explanation and a way to act on it; it goes when the pointer leaves.
			await indicator.hover();
			await expect(explanation).toBeVisible();
			await expect(indicator).toHaveAttribute('aria-expanded', 'true');
			const pairLink = banner.getByRole('link', { name: 'Pair this device in Settings' });
			await expect(pairLink).toBeVisible();
			// The pointer can travel onto the panel (to click its link) without it closing.
			await pairLink.hover();
			await expect(explanation).toBeVisible();
			const findings = await inspect(page, `header-not-paired-${size}`);
			await page.mouse.move(5, viewport.height - 5);
			await expect(explanation).toBeHidden();

			await online.hover();
			await expect(banner.getByText(/This device is online, but not paired/)).toBeVisible();
			await page.mouse.move(5, viewport.height - 5);

			// Keyboard: Tab from the last menu link onto the indicator opens it, Tab reaches its link, Escape closes.
			await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).focus();
			await page.keyboard.press('Tab');
			await expect(indicator).toBeFocused();
			await expect(explanation).toBeVisible();
			await page.keyboard.press('Tab');
			await expect(pairLink).toBeFocused();
			await page.keyboard.press('Escape');
			await expect(explanation).toBeHidden();
			await expect(indicator).toBeFocused();
			await page.keyboard.press('Enter');
			await expect(explanation).toBeVisible();
			await page.keyboard.press('Tab');
			await page.keyboard.press('Enter');
			await expect(page).toHaveURL(/\/settings#relay$/);
			await expect(explanation).toBeHidden();

			// Where it leads: pairing explained on one screen, the command for whoever runs the relay.
			const relay = page.getByRole('region', { name: 'Relay' });
			await expect(relay).toContainText('Not paired.');
			await expect(relay).toContainText('Ask whoever runs the relay for a pairing code');
			await expect(relay.getByText('npm run relay -- pair')).toBeVisible();
			await expect(relay.getByRole('textbox', { name: 'Pairing code' })).toBeVisible();
			await relay.scrollIntoViewIfNeeded();
			findings.push(...(await inspect(page, `settings-relay-${size}`)));
			expect(findings).toEqual([]);
		});

		test(`Settings confirm a change beside its control and undo a typed number in one step (${size})`, async ({
			page
		}) => {
			const settings = new SettingsPage(page);
			await settings.goto();
			const phones = page.getByRole('region', { name: 'Phone numbers' });
			await settings.defaultCountry.selectOption('FR');
			const countrySaved = phones.getByRole('status');
			await expect(countrySaved).toContainText('Default country set to France.');
			expect(await distance(countrySaved, settings.defaultCountry)).toBeLessThan(80);
			await phones.getByRole('button', { name: 'Undo' }).click();
			await expect(countrySaved).toContainText('Undone: back to what it was.');
			await expect(settings.defaultCountry).toHaveValue('US');
			await expect(phones.getByRole('button', { name: 'Undo' })).toHaveCount(0);

			// Typed digit by digit, each stored as it comes; one Undo puts back the value before the typing.
			const limits = page.getByRole('region', { name: 'Import limits' });
			const rows = limits.getByRole('spinbutton', { name: 'Most rows per file' });
			await rows.selectText();
			await rows.pressSequentially('500');
			const rowsSaved = limits.getByRole('status').filter({ hasText: 'Import limits' });
			await expect(rowsSaved).toContainText('Import limits: 100 MB and 500 rows per file.');
			expect(await distance(rowsSaved, rows)).toBeLessThan(80);
			const findings = await inspect(page, `settings-saved-${size}`);
			// The keyboard reaches Undo straight from the field.
			await page.keyboard.press('Tab');
			await expect(limits.getByRole('button', { name: 'Undo' })).toBeFocused();
			await page.keyboard.press('Enter');
			await expect(rows).toHaveValue('1000000');
			await expect(limits.getByRole('status').filter({ hasText: 'Undone' })).toBeVisible();
			await page.reload();
			await expect(rows).toHaveValue('1000000');

			// A number out of range is said beside the field and not stored.
			await rows.fill('0');
			await expect(rows).toHaveAccessibleDescription('A whole number from 1 to 5,000,000.');
			await page.reload();
			await expect(rows).toHaveValue('1000000');
			expect(findings).toEqual([]);
		});

		test(`the Outbox: Send now says why it cannot, a filter by state, and Clear delivered with a count (${size})`, async ({
			page
		}) => {
			const outbox = new OutboxPage(page);
			await page.goto('/outbox');
			await expect(outbox.heading).toBeVisible();
			await expect(outbox.sendNow).toBeDisabled();
			await expect(outbox.sendNow).toHaveAccessibleDescription('Nothing is waiting to be sent.');

			await outbox.seed([
				message('old-delivered', {
					sentAt: Date.now() - 41 * DAY,
					delivery: 'delivered',
					deliveredAt: Date.now() - 40 * DAY
				}),
				message('recent-delivered', {
					createdAt: Date.now() - 3 * DAY,
					sentAt: Date.now() - 3 * DAY,
					delivery: 'delivered',
					deliveredAt: Date.now() - 2 * DAY
				}),
				message('refused', { state: 'failed', reason: 'The relay refused it.' }),
				message('waiting', { state: 'queued', createdAt: Date.now() - DAY })
			]);
			await expect(outbox.rows).toHaveCount(4);
			await expect(outbox.sendNow).toBeDisabled();
			await expect(outbox.sendNow).toHaveAccessibleDescription(
				'This device is not paired with the relay yet.'
			);

			// The filter, by keyboard.
			await outbox.filter.focus();
			await outbox.filter.selectOption('Delivered');
			await expect(outbox.rows).toHaveCount(2);
			await expect(outbox.row('old-delivered@example.com')).toContainText('Delivered');
			await outbox.filter.selectOption('Failed');
			await expect(outbox.rows).toHaveCount(1);
			await expect(outbox.row('refused@example.com')).toContainText('The relay refused it.');
			await outbox.filter.selectOption('Sending');
			await expect(page.getByText('No message is shown under “Sending”.')).toBeVisible();
			await page.getByRole('button', { name: 'Show all messages' }).click();
			await expect(outbox.filter).toHaveValue('All');
			await expect(outbox.rows).toHaveCount(4);

			const findings = await inspect(page, `outbox-${size}`);
			await outbox.clearAge.selectOption('30');
			await outbox.clearButton.focus();
			await page.keyboard.press('Enter');
			await expect(outbox.clearDialog).toContainText(
				'Clear 1 message delivered more than 30 days ago from the Outbox list?'
			);
			findings.push(...(await inspect(page, `outbox-clear-${size}`)));
			// Cancel keeps everything.
			await page.keyboard.press('Escape');
			await expect(outbox.clearDialog).toBeHidden();
			await expect(outbox.rows).toHaveCount(4);

			await outbox.clearButton.click();
			await outbox.clearDialog.getByRole('button', { name: 'Clear' }).click();
			await expect(page.getByRole('main').getByRole('status').filter({ hasText: 'Cleared' })).toContainText(
				'Cleared 1 message delivered more than 30 days ago.'
			);
			await expect(outbox.rows).toHaveCount(3);
			await expect(outbox.row('old-delivered@example.com')).toHaveCount(0);
			await expect(outbox.row('recent-delivered@example.com')).toHaveCount(1);

			await outbox.clearAge.selectOption('0');
			await outbox.clearButton.click();
			await expect(outbox.clearDialog).toContainText(
				'Clear every delivered message (1 message) from the Outbox list?'
			);
			await outbox.clearDialog.getByRole('button', { name: 'Clear' }).click();
			await expect(outbox.rows).toHaveCount(2);
			expect(findings).toEqual([]);
		});
	});
}

test.describe('on a touch screen', () => {
	test.use({ viewport: { width: 820, height: 1180 }, hasTouch: true, isMobile: true });

	test('a tap opens a header state’s explanation, a second tap closes it, and its link leads to the fix', async ({
		page
	}) => {
		await page.goto('/');
		const indicator = new OutboxPage(page).indicator;
		const explanation = page.getByRole('banner').getByText(/not paired with the relay, your organisation’s/);
		await indicator.tap();
		await expect(explanation).toBeVisible();
		await indicator.tap();
		await expect(explanation).toBeHidden();
		await indicator.tap();
		// A tap elsewhere closes it too.
		await page.getByRole('main').tap({ position: { x: 10, y: 300 } });
		await expect(explanation).toBeHidden();
		await indicator.tap();
		await page.getByRole('banner').getByRole('link', { name: 'Pair this device in Settings' }).tap();
		await expect(page).toHaveURL(/\/settings#relay$/);
		await expect(page.getByRole('region', { name: 'Relay' })).toContainText('Not paired.');
	});
});

test.describe('persistent storage', () => {
	test.use({ viewport: { width: 820, height: 1180 } });

	test('is asked for when the first user is added and when Rollcall is installed, not at start or per user', async ({
		page
	}) => {
		// The browser's own persist(), counted: what it answers is the real answer of this Chromium.
		await page.addInitScript(() => {
			const real = navigator.storage.persist.bind(navigator.storage);
			const answers: boolean[] = [];
			Object.assign(window, { __persistAnswers: answers });
			navigator.storage.persist = async () => {
				const answer = await real();
				answers.push(answer);
				return answer;
			};
		});
		const answers = () =>
			page.evaluate(() => (window as unknown as { __persistAnswers: boolean[] }).__persistAnswers);
		const storage = page.getByRole('region', { name: 'Storage on this device' });

		await page.goto('/settings');
		await expect(storage).toContainText(/used/);
		// An empty directory has nothing worth keeping yet: no question at start.
		await expect(storage).toContainText('Rollcall asks the browser when the first users are added');
		expect(await answers()).toEqual([]);

		const form = new AddUserPage(page);
		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Add user' }).click();
		await form.add(people.ann);
		await expect.poll(answers).toHaveLength(1);
		await form.add(people.eddie);
		const [first] = await answers();
		console.log(`headless Chromium answers persist() with ${String(first)}`);

		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
		await expect(storage).toContainText(first ? 'Persistent:' : 'Not persistent:');
		// The second user asked nothing more: only the first users make the directory worth keeping.
		expect(await answers()).toHaveLength(1);
		await page.evaluate(() => window.dispatchEvent(new Event('appinstalled')));
		// Installed: asked again, unless the browser keeps the data already.
		await expect.poll(answers).toHaveLength(first ? 1 : 2);
		if (!first) {
			await expect(storage).toContainText('may delete Rollcall’s data');
			await expect(storage.getByRole('button', { name: 'Ask the browser to keep the data' })).toBeVisible();
		}
		const findings = await inspect(page, 'settings-storage-820x1180');
		expect(findings).toEqual([]);
		expect(await answers()).toHaveLength(first ? 1 : 2);
	});
});
