import { expect, test, type Browser, type Page } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { OutboxPage } from './pages/outbox-page';
import { nameOf, type Person } from './pages/people';
import { mailFor, pairThroughSettings, SmsWebhook } from './pages/relay-side';
import { waitForServiceWorker } from './pages/service-worker';
import { SettingsPage } from './pages/settings-page';
import { UsersPage } from './pages/users-page';

// The whole loop against the real relay (playwright.config.ts starts it with an empty database and its
// built-in mailbox): queue offline, send online, the person activates and signs in, the admin sees it.

test.use({ locale: 'en-GB', timezoneId: 'UTC' });
test.describe.configure({ timeout: 120_000 });

/** A password the relay's rules accept (15+ characters, not a common one). */
const PASSWORD = 'lantern orbit 47 quietly';

/** People with addresses no other run or retry of this relay has mailed. */
function newPeople(...firstNames: string[]): Person[] {
	const tag = `${Date.now().toString(36)}${test.info().retry}`;
	return firstNames.map((firstName) => ({
		firstName,
		lastName: 'Tester',
		email: `${firstName.toLowerCase()}.${tag}@example.com`
	}));
}

const nav = (page: Page, name: string) =>
	page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

async function openPairedApp(page: Page): Promise<void> {
	await page.goto('/');
	await waitForServiceWorker(page);
	await pairThroughSettings(page, 'Front desk laptop');
}

async function addAndSendActivation(page: Page, people: Person[]): Promise<void> {
	await nav(page, 'Add user');
	await new AddUserPage(page).addAll(people);
	await nav(page, 'Users');
	const list = new UsersPage(page);
	const s = people.length === 1 ? '' : 's';
	await expect(list.count).toHaveText(`${people.length} user${s}`);
	await list.selectAll.check();
	const dialog = await list.openAction('Send activation email…');
	await dialog.getByRole('button', { name: 'Send' }).click();
	await expect(list.notice).toContainText(`${people.length} activation email${s} queued in the Outbox.`);
}

/** The person's own browser: the link from their mail, their own password, then a sign-in. */
async function activateAndSignIn(browser: Browser, link: string, login: string): Promise<void> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto(link);
	await expect(page.getByRole('heading', { level: 1, name: 'Choose your password' })).toBeVisible();
	await page.getByLabel('New password').fill(PASSWORD);
	await page.getByLabel('Type it again').fill(PASSWORD);
	await page.getByRole('button', { name: 'Set password' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Your password is set' })).toBeVisible();

	await page.goto('/signin');
	await page.getByLabel('Username or email').fill(login);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'You are signed in' })).toBeVisible();
	await context.close();
}

test('offline, three activation emails wait; online they leave once; each person activates and signs in; the list shows Active and the last login', async ({
	page,
	browser,
	request
}) => {
	const people = newPeople('Ada', 'Grace', 'Linus');
	await openPairedApp(page);
	await page.context().setOffline(true);
	await addAndSendActivation(page, people);
	const outbox = new OutboxPage(page);
	await expect(outbox.indicator).toHaveAccessibleName('Outbox: 3 waiting (offline)');

	await page.context().setOffline(false);
	await expect(outbox.indicator).toHaveAccessibleName('Outbox: All sent');
	const mail = await mailFor(
		request,
		people.map((p) => p.email)
	);

	for (const person of people) {
		const [item] = mail.get(person.email)!;
		const link = item!.links.find((l) => l.includes('/activate/'));
		expect(link, `the mail to ${person.email} has an activation link`).toBeDefined();
		await activateAndSignIn(browser, link!, person.email);
	}

	// Coming back to the app pulls the relay's events.
	await page.reload();
	const list = new UsersPage(page);
	for (const person of people) {
		const row = list.row(nameOf(person));
		await expect(row).toContainText('Active');
		await expect(row).not.toContainText('Never');
	}
	// Nothing went twice.
	expect(
		[
			...(
				await mailFor(
					request,
					people.map((p) => p.email)
				)
			).values()
		].map((m) => m.length)
	).toEqual([1, 1, 1]);
});

test('when the relay’s first answer is lost, the retry sends nothing twice', async ({ page, request }) => {
	const people = newPeople('Ken', 'Barbara');
	let posts = 0;
	await page.route('**/api/messages', async (route) => {
		posts += 1;
		if (posts === 1) {
			// The relay gets the batch and answers; the answer never reaches the app.
			await route.fetch();
			await route.abort('connectionreset');
		} else {
			await route.continue();
		}
	});
	await openPairedApp(page);
	await addAndSendActivation(page, people);
	const outbox = new OutboxPage(page);
	await expect(outbox.indicator).toHaveAccessibleName('Outbox: All sent', { timeout: 60_000 });
	expect(posts).toBeGreaterThanOrEqual(2);

	const mail = await mailFor(
		request,
		people.map((p) => p.email)
	);
	expect([...mail.values()].map((m) => m.length)).toEqual([1, 1]);
});

test('workflow D: login details by SMS reach the SMS webhook, and they sign the person in', async ({
	page,
	browser
}) => {
	const webhook = new SmsWebhook();
	await webhook.start();
	try {
		const [person] = newPeople('Margaret');
		const username = `mh${Date.now().toString(36)}`;
		const initial = 'amber kettle drifts past 9 harbours';
		await openPairedApp(page);
		await new SettingsPage(page).choosePreset('Accounts with phone and password');

		await nav(page, 'Add user');
		const form = new AddUserPage(page);
		await form.fill(person!);
		await form.field('Username').fill(username);
		await form.field('Password').fill(initial);
		await form.field('Mobile phone').fill('+44 7400 123456');
		await page.getByRole('checkbox', { name: 'Send login details by SMS' }).check();
		await form.submit.click();
		await expect(form.added).toBeVisible();

		await expect.poll(() => webhook.received.length, { timeout: 30_000 }).toBe(1);
		const [sms] = webhook.received;
		expect(sms!.to).toBe('+447400123456');
		expect(sms!.text).toContain(username);
		expect(sms!.text).toContain(initial);

		// The initial password works once, on the relay's sign-in page.
		const context = await browser.newContext();
		const personPage = await context.newPage();
		await personPage.goto('/signin');
		await personPage.getByLabel('Username or email').fill(username);
		await personPage.getByLabel('Password').fill(initial);
		await personPage.getByRole('button', { name: 'Sign in' }).click();
		await expect(personPage.getByRole('heading', { level: 1 })).not.toHaveText('Sign in');
		await context.close();
	} finally {
		await webhook.stop();
	}
});

test('suspending a user in the list kills the link in their mail: the person is told it no longer works', async ({
	page,
	browser,
	request
}) => {
	const [person] = newPeople('Edsger');
	await openPairedApp(page);
	await addAndSendActivation(page, [person!]);
	await expect(new OutboxPage(page).indicator).toHaveAccessibleName('Outbox: All sent');
	const [item] = (await mailFor(request, [person!.email])).get(person!.email)!;
	const link = item!.links.find((l) => l.includes('/activate/'))!;
	expect((await request.get(link)).status()).toBe(200);

	const list = new UsersPage(page);
	await list.checkbox(nameOf(person!)).check();
	const dialog = await list.openAction('Suspend…');
	await dialog.getByRole('button', { name: 'Suspend' }).click();
	await expect(list.row(nameOf(person!))).toContainText('Suspended');
	// The suspension reaches the relay in the background, as the outbox's messages do.
	await expect.poll(async () => (await request.get(link)).status(), { timeout: 30_000 }).toBe(410);

	const context = await browser.newContext();
	const personPage = await context.newPage();
	await personPage.goto(link);
	await expect(
		personPage.getByRole('heading', { level: 1, name: 'This link no longer works' })
	).toBeVisible();
	await expect(personPage.getByText('ask your administrator to send a new one')).toBeVisible();
	await context.close();
});
