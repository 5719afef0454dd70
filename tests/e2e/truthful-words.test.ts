import { expect, test, type Page } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { ImportPage } from './pages/import-page';
import { inspectAtBothSizes } from './pages/inspect';
import { OutboxPage } from './pages/outbox-page';
import { SMS_PASSWORD } from './pages/people';
import { SettingsPage } from './pages/settings-page';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

// Issue 13's review: a page claims only what is true. An initial password lasts only while SMS login details
// carry it; an Active user is offered no SMS that would replace their own password; an import says which
// passwords go nowhere; the activation email is named only when one is on its way; search finds an email by
// the end of its domain.

test.use({ locale: 'en-GB', timezoneId: 'UTC' });
test.describe.configure({ timeout: 120_000 });

const nav = (page: Page, name: string) =>
	page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

/** Adds a field-heavy user; with a password, ticking 'Send login details by SMS' to carry it. */
async function addUser(
	page: Page,
	who: { first: string; last: string; username: string; phone: string },
	password?: string
) {
	await nav(page, 'Add user');
	const form = new AddUserPage(page);
	await form.fill({ firstName: who.first, lastName: who.last, email: `${who.username}@mail.example.net` });
	await form.field('Username').fill(who.username);
	await form.field('Mobile phone').fill(who.phone);
	if (password) {
		await form.sendSms.check();
		await form.field('Password').fill(password);
	}
	await form.submit.click();
	await expect(form.added).toContainText(`${who.first} ${who.last} was added as Pending.`);
}

/** Marks a user Active as the relay's 'activated' event does, straight into IndexedDB, then reloads. */
async function markActive(page: Page, email: string): Promise<void> {
	await page.evaluate(
		(email) =>
			new Promise<void>((resolve, reject) => {
				const open = indexedDB.open('rollcall');
				open.onerror = () => reject(new Error(open.error?.message));
				open.onsuccess = () => {
					const transaction = open.result.transaction('users', 'readwrite');
					const store = transaction.objectStore('users');
					const all = store.getAll();
					all.onsuccess = () => {
						for (const user of all.result as { email: string }[]) {
							if (user.email === email)
								store.put({ ...user, status: 'Active', activatedAt: 1, lastLoginAt: 1 });
						}
					};
					transaction.oncomplete = () => (open.result.close(), resolve());
					transaction.onerror = () => reject(new Error(transaction.error?.message));
				};
			}),
		email
	);
	await page.reload();
}

test("a user's page: the initial password goes with its cancelled SMS; an Active user is offered no SMS", async ({
	page
}) => {
	await page.goto('/');
	await new SettingsPage(page).chooseFieldHeavy();
	await addUser(
		page,
		{ first: 'Nia', last: 'Okafor', username: 'nokafor', phone: '+44 7400 123456' },
		SMS_PASSWORD
	);
	await page.getByRole('link', { name: 'View user' }).click();
	const user = new UserPage(page);
	await user.expectLoaded('Nia Okafor');
	await expect(user.detail('Password')).toHaveText(
		'Initial password, in the SMS login details (never shown)'
	);
	const userUrl = page.url();

	// Cancelled from the Outbox, with the keyboard: no SMS carries a password now, and the page says none.
	const outbox = new OutboxPage(page);
	await outbox.open();
	const cancel = outbox.row('+447400123456').getByRole('button', { name: /^Cancel the message/ });
	await cancel.focus();
	await page.keyboard.press('Enter');
	await expect(outbox.row('+447400123456')).toContainText(/Cancelled/i);
	await page.goto(userUrl);
	await user.expectLoaded('Nia Okafor');
	await expect(user.detail('Password')).toHaveText(
		'None yet: they choose their own from an activation email, and none is on its way'
	);
	const messages = page.getByRole('region', { name: 'Activation' });
	// An activation email on its way is named as where they choose it.
	await messages.getByRole('button', { name: 'Send activation email' }).click();
	await expect(user.detail('Password')).toHaveText(
		'None yet: they choose their own from the activation email'
	);
	await expect(messages.getByRole('button', { name: 'Send login details by SMS…' })).toBeVisible();
	await inspectAtBothSizes(page, 'truth-user-pending');

	// Active: they chose their own password; an SMS would replace it, so it is not offered, and the page says so.
	await markActive(page, 'nokafor@mail.example.net');
	await user.expectLoaded('Nia Okafor');
	await expect(user.detail('Password')).toHaveText('Chosen by them (never shown)');
	await expect(messages).toContainText(
		'Activated: they have chosen their own password, so no activation email is needed, and no login details go by SMS (a new initial password would replace theirs).'
	);
	await expect(messages.getByRole('button', { name: /SMS/ })).toHaveCount(0);
	// The SMS that was cancelled is still shown.
	await expect(messages).toContainText('Login details by SMS');
	await inspectAtBothSizes(page, 'truth-user-active');

	// One Active user selected: the notice names them and says why, in a sentence.
	const list = new UsersPage(page);
	await list.goto();
	await list.checkbox('Nia Okafor').check();
	await list.actionMenu.click();
	await page.getByRole('menuitem', { name: 'Send activation email…' }).click();
	await expect(list.notice).toContainText(
		'Nothing was sent: Nia Okafor cannot get an activation email, as they are already Active (they have signed in and chosen a password).'
	);

	// Search by the end of the email's domain; the hint says what is searched inside words.
	await list.search.fill('example.net');
	await list.expectNames(['Nia Okafor']);
	await expect(list.searchHint).toContainText(
		'From 3 letters, also inside names, usernames and the part of an email before the @.'
	);
});

test("an import says, before Complete, how many existing users' passwords are not sent", async ({ page }) => {
	await page.goto('/');
	await new SettingsPage(page).chooseFieldHeavy();
	await addUser(page, { first: 'Nia', last: 'Okafor', username: 'nokafor', phone: '+44 7400 123456' });

	const importing = new ImportPage(page);
	await importing.goto();
	const csv = [
		'First name,Last name,Username,Mobile phone,Email,Password',
		`Nia,Okafor,nokafor,+44 7400 123456,nokafor@mail.example.net,${SMS_PASSWORD}`,
		`Tom,Reyes,treyes,+44 7400 123457,treyes@mail.example.net,${SMS_PASSWORD}`
	].join('\r\n');
	await importing.choose({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
	const sms = page.getByRole('checkbox', { name: /Send login details by SMS/ });
	await sms.check();
	const note = page.getByText(/^The passwords of 1 user already in the directory/);
	await expect(note).toHaveText(
		'The passwords of 1 user already in the directory (rows whose email is there) will not be sent: SMS login details go only to new users, and Rollcall keeps no passwords.'
	);
	await inspectAtBothSizes(page, 'truth-import-existing-passwords');
	await expect(importing.complete).toBeEnabled();
	await importing.complete.click();
	await expect(importing.summary).toContainText('1 user created');
	const outbox = new OutboxPage(page);
	await outbox.open();
	await expect(outbox.rows).toHaveCount(1);
	await expect(outbox.row('+447400123457')).toBeVisible();
});
