import { expect, test } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { inspectAtBothSizes } from './pages/inspect';
import { OutboxPage } from './pages/outbox-page';
import { nameOf, people } from './pages/people';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

const DAY = 86_400_000;

test.use({ locale: 'en-US', timezoneId: 'UTC' });
test.describe.configure({ timeout: 90_000 });

test('Clear delivered takes messages off the Outbox list only: the user page still offers Resend, and a suspension still waits for the relay', async ({
	page
}) => {
	const form = new AddUserPage(page);
	await form.goto();
	await form.sendActivation.check();
	await form.add(people.ann);

	const outbox = new OutboxPage(page);
	await outbox.open();
	await expect(outbox.rows).toHaveCount(1);
	await outbox.deliverAll(Date.now() - 2 * DAY);
	await expect(outbox.row(people.ann.email)).toContainText('Delivered');
	await expect(outbox.indicator).toHaveAccessibleName('Outbox: Not paired');

	// By keyboard: the question says where the messages go.
	await outbox.clearAge.focus();
	await outbox.clearAge.selectOption('0');
	await page.keyboard.press('Tab');
	await expect(outbox.clearButton).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(outbox.clearDialog).toContainText(
		'Clear every delivered message (1 message) from the Outbox list? Each stays in its user’s message history, on the user’s page; the users and their accounts are not changed.'
	);
	await inspectAtBothSizes(page, 'outbox-clear-history');
	await outbox.clearDialog.getByRole('button', { name: 'Clear' }).click();
	await expect(page.getByRole('main').getByRole('status').filter({ hasText: 'Cleared' })).toContainText(
		'Cleared 1 message delivered so far.'
	);
	await expect(outbox.rows).toHaveCount(0);

	// Ann's page still knows the email went out and was delivered.
	const list = new UsersPage(page);
	await list.goto();
	await list.row(nameOf(people.ann)).getByRole('link').click();
	const user = new UserPage(page);
	await user.expectLoaded(nameOf(people.ann));
	const messages = page.getByRole('region', { name: 'Activation' });
	await expect(messages.getByRole('button', { name: 'Resend activation email' })).toBeVisible();
	await expect(messages).toContainText('Delivered');
	await expect(messages).not.toContainText('Never sent');
	await inspectAtBothSizes(page, 'user-page-after-clear');

	// The relay knows Ann: suspending her queues the change for it, as before the clearing.
	await page.getByRole('button', { name: 'Suspend' }).click();
	await page
		.getByRole('dialog', { name: 'Suspend user' })
		.getByRole('button', { name: 'Suspend', exact: true })
		.click();
	await expect(page.getByRole('main').getByRole('status').filter({ hasText: 'Suspended.' })).toBeVisible();
	await expect(outbox.indicator).toHaveAccessibleName('Outbox: 1 waiting: not paired');
});
