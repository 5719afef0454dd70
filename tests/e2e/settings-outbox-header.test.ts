import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { OutboxPage } from './pages/outbox-page';

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
				'Remove 1 message delivered more than 30 days ago from this device?'
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
				'Remove every delivered message (1 message) from this device?'
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
