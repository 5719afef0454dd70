import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { AddUserPage } from './pages/add-user-page';
import { ImportPage } from './pages/import-page';
import { inspectAtBothSizes } from './pages/inspect';
import { nameOf, people, SMS_PASSWORD, type Person } from './pages/people';
import { patchStoredUsers } from './pages/stored-users';
import { SettingsPage } from './pages/settings-page';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

// Issue 13, items 1, 4 and 9: a typed password is never dropped without a word, activation emails go only to
// users who can still activate, and the add-user form says what happens next, can be cancelled, and marks
// an email wrong only once it could be complete.

test.use({ locale: 'en-GB', timezoneId: 'UTC' });
test.describe.configure({ timeout: 120_000 });

const nav = (page: Page, name: string) =>
	page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

/**
 * Marks users Active as the relay's 'activated' event does (the whole loop with the relay, the mail and the
 * person's own browser is tests/e2e/activation.test.ts): written straight into IndexedDB, then the page
 * is loaded again so it reads them.
 */
async function markActive(page: Page, emails: string[]): Promise<void> {
	const now = Date.now();
	const active = { status: 'Active', activatedAt: now, lastLoginAt: now };
	await patchStoredUsers(page, Object.fromEntries(emails.map((email) => [email, active])));
	await page.reload();
}

test('a password typed without the SMS is said, before saving, to go nowhere, and the user page claims none', async ({
	page
}) => {
	await page.goto('/');
	await new SettingsPage(page).chooseFieldHeavy();
	await nav(page, 'Add user');
	const form = new AddUserPage(page);
	await expect(form.heading).toBeVisible();

	const password = form.field('Password');
	// Without the SMS the password is not asked for: it is optional, and its hint says where it would go.
	await expect(page.getByText('Password (required)')).toHaveCount(0);
	await expect(password).toHaveAccessibleDescription(
		/Only for 'Send login details by SMS' below: Rollcall keeps no passwords\. Without the SMS, the person has no password until an activation email reaches them/
	);
	await form.fill({ firstName: 'Dora', lastName: 'Quill', email: 'dora.quill@example.com' });
	await form.field('Username').fill('dquill');
	await form.field('Mobile phone').fill('+44 7400 123456');
	await password.fill(SMS_PASSWORD);
	const mark = await form.mark('Password');
	await expect(mark).toHaveText(
		/This password will not be kept: tick 'Send login details by SMS' to send it, or clear it\./
	);
	await expect(password).toHaveAttribute('aria-invalid', 'false');
	await inspectAtBothSizes(page, 'add-user-password-not-kept');

	// Ticked, the SMS carries it: now it is required and checked; unticked again, it is said to go nowhere.
	await form.sendSms.check();
	await expect(page.getByText('Password (required)')).toBeVisible();
	await expect(password).toHaveAccessibleDescription(/Goes only into the SMS login details/);
	await expect(mark).not.toContainText('will not be kept');
	await form.sendSms.uncheck();
	await expect(mark).toContainText('This password will not be kept');

	await form.submit.click();
	await expect(form.added).toContainText(
		'Dora Quill was added as Pending. No activation email was sent: send one from their page when they should sign in. No login details by SMS were sent, so the password typed was not kept: they have none until an activation email reaches them.'
	);
	await form.added.getByRole('link', { name: 'View user' }).click();
	const user = new UserPage(page);
	await user.expectLoaded('Dora Quill');
	await expect(user.detail('Password')).toHaveText(
		'None yet: they choose their own from an activation email, and none is on its way'
	);

	// With the SMS ticked, the password goes into it, and the user page says so (never showing it).
	await nav(page, 'Add user');
	await form.fill({ firstName: 'Ezra', lastName: 'Pike', email: 'ezra.pike@example.com' });
	await form.field('Username').fill('epike');
	await form.field('Mobile phone').fill('+44 7400 123457');
	await form.sendSms.check();
	await form.submit.click();
	// Required with the SMS: not saved without it.
	await expect(form.problems.getByRole('link')).toHaveText([/Password/]);
	await form.field('Password').fill(SMS_PASSWORD);
	await form.submit.click();
	await expect(form.added).toContainText(
		'Login details by SMS queued, with the password: it waits in the Outbox until this device is paired with the relay (Settings).'
	);
	await form.added.getByRole('link', { name: 'View user' }).click();
	await user.expectLoaded('Ezra Pike');
	await expect(user.detail('Password')).toHaveText(
		'Initial password, in the SMS login details (never shown)'
	);
	await expect(page.getByRole('main')).not.toContainText(SMS_PASSWORD);
});

test("an import's passwords without the SMS: said before Complete to go nowhere, and no user is said to have one", async ({
	page
}) => {
	await page.goto('/');
	await new SettingsPage(page).chooseFieldHeavy();
	const importing = new ImportPage(page);
	await importing.goto();
	await importing.choose(
		path.join(import.meta.dirname, '..', 'fixtures', 'import', 'vendors', 'workflow-d.xlsx')
	);
	await expect(importing.complete).toBeEnabled();
	const note = page.getByText("The file's passwords will not be kept");
	await expect(note).toHaveText(
		"The file's passwords will not be kept: Rollcall keeps no passwords, and a password reaches its person only in SMS login details. Switch on 'Send login details by SMS' to send each new user theirs (3 users); otherwise the new users have none until they get an activation email ('Send activation email to new users', or later from each user's page), from which they choose their own."
	);
	const sms = page.getByRole('checkbox', { name: /Send login details by SMS/ });
	await sms.check();
	await expect(note).toHaveCount(0);
	await sms.uncheck();
	await expect(note).toBeVisible();
	await importing.complete.click();
	await expect(importing.summary).toContainText('3 users created');

	const list = new UsersPage(page);
	await list.goto();
	await list.row('Zoë Ångström').getByRole('link').click();
	const user = new UserPage(page);
	await user.expectLoaded('Zoë Ångström');
	await expect(user.detail('Password')).toHaveText(
		'None yet: they choose their own from an activation email, and none is on its way'
	);
});

test('the email is marked wrong only once it could be complete; the notice says what happens next and takes focus; Cancel', async ({
	page
}) => {
	await page.clock.install();
	await page.goto('/');
	await nav(page, 'Add user');
	const form = new AddUserPage(page);
	await expect(form.heading).toBeVisible();
	// The fields come with the customer's policy, read through timers of their own: before the clock stops.
	await expect(form.field('Email')).toBeVisible();
	// Time stands still from here: only runFor() lets the typing pause pass.
	await page.clock.pauseAt(Date.now() + 60_000);

	await form.fill({ firstName: 'Ann', lastName: 'Archer' });
	const email = form.field('Email');
	const mark = await form.mark('Email');
	await email.pressSequentially('ann@exam');
	// Still typing: no red mark yet, and nothing is called invalid.
	await expect(email).toHaveValue('ann@exam');
	await expect(mark).toBeEmpty();
	await expect(email).toHaveAttribute('aria-invalid', 'false');
	// The admin pauses (a second: longer than the form's TYPING_PAUSE_MS): now it is marked.
	await page.clock.runFor(1_000);
	await expect(mark).toHaveText(/^✗\s*Error:\s*The email domain needs an ending/);
	await expect(email).toHaveAttribute('aria-invalid', 'true');
	// Typing on hides the red mark again; the green mark comes as soon as it is valid and free, with no pause.
	await email.pressSequentially('ple');
	await expect(mark).toBeEmpty();
	await email.pressSequentially('.com');
	await expect(mark).toHaveText(/^✓\s*Valid:\s*Email is available\.$/);

	// Leaving the field marks a wrong address at once, with no pause.
	await email.fill('ann@');
	await expect(mark).toBeEmpty();
	await email.press('Tab');
	await expect(mark).toHaveText(/^✗\s*Error:/);
	// Straight from typing to Add user: the click is not lost to a mark appearing under the pointer.
	await email.fill('ann@');
	await form.submit.click();
	await expect(form.problems).toContainText('The user was not saved. Please correct:');
	await expect(mark).toHaveText(/^✗\s*Error:/);
	await email.fill(people.ann.email);
	await expect(mark).toHaveText(/Email is available\./);
	// Time flows again (axe and the outbox run on timers).
	await page.clock.resume();

	// Saved with the activation email ticked, while unpaired: the notice says where it waits, and has focus.
	await form.sendActivation.check();
	await form.submit.click();
	await expect(form.added).toHaveText(
		/Ann Archer was added as Pending\. Activation email queued: it waits in the Outbox until this device is paired with the relay \(Settings\)\./
	);
	await expect(form.added).toBeFocused();
	await inspectAtBothSizes(page, 'add-user-added-notice');
	// From the notice the keyboard reaches its links, then the empty form.
	await page.keyboard.press('Tab');
	await expect(form.added.getByRole('link', { name: 'View user' })).toBeFocused();
	await expect(form.field('Email')).toHaveValue('');

	// Cancel with something typed asks first; Escape keeps the form as it was.
	await form.field('First name').fill('Half');
	await form.cancel.focus();
	await page.keyboard.press('Enter');
	const dialog = page.getByRole('dialog', { name: 'Discard this user?' });
	await expect(dialog).toContainText('What you typed for this user will be lost.');
	await inspectAtBothSizes(page, 'add-user-discard');
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(form.field('First name')).toHaveValue('Half');
	// Discard goes back where the admin came from: the Users list.
	await form.cancel.click();
	await dialog.getByRole('button', { name: 'Discard' }).click();
	const list = new UsersPage(page);
	await expect(list.heading).toBeVisible();
	await expect(page).toHaveURL(/\/$/);
	await expect(list.row('Ann Archer')).toBeVisible();

	// With nothing typed, Cancel simply goes back.
	await nav(page, 'Add user');
	await expect(form.heading).toBeVisible();
	await form.cancel.click();
	await expect(list.heading).toBeVisible();
});

test('Send activation email skips Active and Suspended users, says who and why, and sends nothing when nobody qualifies', async ({
	page
}) => {
	const chosen: Person[] = [people.ann, people.bob, people.eddie, people.elodie, people.emma];
	await page.goto('/');
	await nav(page, 'Add user');
	await new AddUserPage(page).addAll(chosen);
	await markActive(page, [people.ann.email, people.bob.email]);

	const list = new UsersPage(page);
	await list.goto();
	await list.checkbox(nameOf(people.eddie)).check();
	const suspend = await list.openAction('Suspend…');
	await suspend.getByRole('button', { name: 'Suspend' }).click();
	await expect(list.row(nameOf(people.eddie))).toContainText('Suspended');

	// Everyone selected: two get one, the others are listed as skipped, by reason, with their names.
	await list.selectAll.check();
	const dialog = await list.openAction('Send activation email…');
	await expect(dialog.getByRole('paragraph')).toHaveText(
		'Send an activation email to 2 users: Élodie Martin, Emma Stone? It leaves as soon as this device is online and paired with the relay. 3 selected users are skipped:'
	);
	await expect(dialog.getByRole('listitem')).toHaveText([
		'2 already Active (they have signed in and chosen a password): Ann Archer, bob lee',
		'1 Suspended (reactivate them first): Eddie Brown'
	]);
	await inspectAtBothSizes(page, 'send-activation-skipped');
	await dialog.getByRole('button', { name: 'Send' }).click();
	await expect(list.notice).toContainText(
		'2 activation emails queued in the Outbox. Skipped: 2 already Active (they have signed in and chosen a password); 1 Suspended (reactivate them first).'
	);

	// Only the selected Active users: nothing to send, no question, and the notice says why.
	await list.checkbox(nameOf(people.ann)).check();
	await list.checkbox(nameOf(people.bob)).check();
	await list.actionMenu.click();
	await page.getByRole('menuitem', { name: 'Send activation email…' }).click();
	await expect(list.notice).toContainText(
		'Nothing was sent: none of the 2 selected users can get an activation email. 2 are already Active'
	);
	await expect(list.dialog).toBeHidden();

	// The Outbox holds the two messages only.
	await nav(page, 'Outbox');
	await expect(page.getByRole('main')).toContainText(people.elodie.email);
	await expect(page.getByRole('main')).not.toContainText(people.ann.email);
	await expect(page.getByRole('main')).not.toContainText(people.eddie.email);

	// A user's page names the action by the state: none for an Active user, Resend once one was queued.
	const user = new UserPage(page);
	const messages = page.getByRole('region', { name: 'Activation' });
	await page.goto('/');
	await list.row(nameOf(people.ann)).getByRole('link').click();
	await user.expectLoaded(nameOf(people.ann));
	await expect(messages).toContainText('Activated: they have chosen their own password');
	await expect(messages.getByRole('button', { name: /activation email/ })).toHaveCount(0);
	await inspectAtBothSizes(page, 'user-page-active');
	await page.goBack();
	await list.row(nameOf(people.emma)).getByRole('link').click();
	await user.expectLoaded(nameOf(people.emma));
	await expect(messages.getByRole('button', { name: 'Resend activation email' })).toBeVisible();
	await page.goBack();
	await list.row(nameOf(people.eddie)).getByRole('link').click();
	await user.expectLoaded(nameOf(people.eddie));
	await expect(messages).toContainText('Suspended: reactivate them to send an activation email.');
	await expect(messages.getByRole('button', { name: /activation email/ })).toHaveCount(0);
	// Reactivated, never sent one: 'Send', not 'Resend'.
	await page.getByRole('button', { name: 'Reactivate' }).click();
	await expect(messages.getByRole('button', { name: 'Send activation email', exact: true })).toBeVisible();
});
