import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import type { MessageBatch, MessageResult } from '../../src/lib/domain/relay-protocol';
import { AddUserPage } from './pages/add-user-page';
import { seriousViolations } from './pages/inspect';
import { nameOf, people } from './pages/people';
import { OutboxPage } from './pages/outbox-page';
import { waitForServiceWorker } from './pages/service-worker';
import { UsersPage } from './pages/users-page';

const SCREENSHOTS = path.join(import.meta.dirname, 'screenshots');
const trio = [people.ann, people.eddie, people.zack];

test.use({ locale: 'en-US', timezoneId: 'UTC' });
test.describe.configure({ timeout: 90_000 });

/** Offline: add three users, select them all, Action -> Send activation email, confirm. */
async function queueThreeOffline(page: Page): Promise<void> {
	const form = new AddUserPage(page);
	await form.goto();
	await waitForServiceWorker(page);
	await form.goto();
	await page.context().setOffline(true);
	await form.addAll(trio);
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
	const list = new UsersPage(page);
	await expect(list.count).toHaveText('3 users');
	await list.selectAll.check();
	const dialog = await list.openAction('Send activation email…');
	await expect(dialog).toContainText(
		'Send an activation email to 3 users: Ann Archer, Eddie Brown, Zack Young?'
	);
	await dialog.getByRole('button', { name: 'Send' }).click();
	await expect(list.notice).toContainText('3 activation emails queued in the Outbox.');
}

test('offline, activation emails wait in the Outbox; a waiting one can be cancelled', async ({ page }) => {
	await queueThreeOffline(page);
	const outbox = new OutboxPage(page);
	await expect(outbox.indicator).toHaveAccessibleName('Outbox: 3 waiting (offline)');

	await outbox.open();
	await expect(outbox.rows).toHaveCount(3);
	for (const person of trio) {
		const row = outbox.row(person.email);
		await expect(row).toContainText(nameOf(person));
		await expect(row).toContainText('Activation email');
		await expect(row).toContainText('Waiting');
	}
	await expect(page.getByText('This device is not paired with a relay yet.')).toBeVisible();

	for (const size of [
		{ width: 1280, height: 800 },
		{ width: 820, height: 1180 }
	]) {
		await page.setViewportSize(size);
		expect(await seriousViolations(page)).toEqual([]);
		await page.screenshot({
			path: path.join(SCREENSHOTS, `outbox-${size.width}x${size.height}.png`),
			fullPage: true
		});
	}

	await outbox
		.row(people.zack.email)
		.getByRole('button', { name: /^Cancel/ })
		.click();
	await expect(outbox.row(people.zack.email)).toContainText('Cancelled');
	await expect(page.getByRole('status').filter({ hasText: 'Cancelled: nothing will be sent' })).toBeVisible();
	await expect(outbox.indicator).toHaveAccessibleName('Outbox: 2 waiting (offline)');
});

test('paired and online, the messages go; one the relay refuses fails with its reason and can be retried', async ({
	page
}) => {
	// A stand-in for the relay's API that follows the protocol (the real relay's own end-to-end test comes with
	// it): it pairs with one code, refuses Eddie's address once, accepts everything else.
	const seen: string[] = [];
	let isEddieRefused = true;
	await page
		.context()
		.route('**/api/pair', (route) =>
			route.fulfill({ json: { token: 'device-token-0123456789', deviceId: 'd1', protocol: 1 } })
		);
	await page
		.context()
		.route('**/api/events**', (route) =>
			route.fulfill({ json: { events: [], cursor: '0', hasMore: false } })
		);
	await page.context().route('**/api/messages', async (route) => {
		const batch = route.request().postDataJSON() as MessageBatch;
		const results = batch.messages.map((message, i): MessageResult => {
			seen.push(message.idempotencyKey);
			if (message.to === people.eddie.email && isEddieRefused) {
				isEddieRefused = false;
				return {
					idempotencyKey: message.idempotencyKey,
					status: 'rejected',
					code: 'recipient-refused',
					reason: 'The mail server refused this address.'
				};
			}
			return {
				idempotencyKey: message.idempotencyKey,
				status: 'accepted',
				messageId: `m${seen.length}-${i}`,
				replayed: false
			};
		});
		await route.fulfill({ json: { results } });
	});

	await queueThreeOffline(page);
	await page.context().setOffline(false);
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
	const relay = page.getByRole('region', { name: 'Relay' });
	await relay.getByLabel('Pairing code').fill('abcd-efgh');
	await relay.getByLabel('Device name').fill('Front desk laptop');
	await relay.getByRole('button', { name: 'Pair' }).click();
	await expect(relay.getByRole('status')).toContainText('Paired as “Front desk laptop”.');
	await expect(relay).toContainText('Paired as Front desk laptop');
	await relay.screenshot({ path: path.join(SCREENSHOTS, 'settings-relay-paired.png') });

	const outbox = new OutboxPage(page);
	await expect(outbox.indicator).toHaveAccessibleName('Outbox: 1 failed');
	await outbox.open();
	await expect(outbox.row(people.ann.email)).toContainText('Sent');
	await expect(outbox.row(people.eddie.email)).toContainText('Failed');
	await expect(outbox.row(people.eddie.email)).toContainText('The mail server refused this address.');
	await outbox
		.row(people.eddie.email)
		.getByRole('button', { name: /^Retry/ })
		.click();
	await expect(outbox.row(people.eddie.email)).toContainText('Sent');
	await expect(outbox.indicator).toHaveAccessibleName('Outbox: All sent');
	// Three messages, four sends: the retry went under Eddie's key again, no other message twice.
	expect(seen).toHaveLength(4);
	expect(new Set(seen).size).toBe(3);
});
