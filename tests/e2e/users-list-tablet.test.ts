import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AddUserPage } from './pages/add-user-page';
import { seriousViolations } from './pages/inspect';
import { patchStoredUsers } from './pages/stored-users';
import { ImportPage } from './pages/import-page';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

const SCREENSHOTS = path.join(import.meta.dirname, 'screenshots');
const TABLET = { width: 820, height: 1180 };
const LAPTOP = { width: 1280, height: 800 };
const NOW = new Date('2026-12-07T15:00:00Z');

// An import, reloads and axe scans: more than 30 s on a busy 2-core machine.
test.describe.configure({ timeout: 90_000 });
test.use({ locale: 'en-US', timezoneId: 'UTC' });

const FIRST = ['Ann', 'Bruno', 'Chiara', 'Dmitri', 'Esther', 'Farid', 'Greta', 'Hiroshi', 'Ines', 'Jonas'];
const LAST = ['Abernathy', 'Castellanos', 'Okonkwo', 'Lindqvist'];

/** Forty people with long emails and departments, as a tablet cuts them: a list that scrolls. */
const STAFF = LAST.flatMap((last) =>
	FIRST.map((first, i) => ({
		name: `${first} ${last}`,
		email: `${first}.${last}@northwind-logistics.example.com`.toLowerCase(),
		userType: i % 3 === 0 ? 'Privileged' : 'Standard',
		site: i % 2 === 0 ? 'Manchester' : 'Rotterdam Harbour',
		department: 'Customer Success Operations'
	}))
);
const CSV = [
	'First name,Last name,Email,User type,Site,Department',
	...STAFF.map((p) => [...p.name.split(' '), p.email, p.userType, p.site, p.department].join(','))
].join('\r\n');

/** Imports the staff, then records sign-ins for two of them as the relay's events would. */
async function importStaff(page: Page): Promise<void> {
	const importing = new ImportPage(page);
	await importing.goto();
	await importing.choose({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf-8') });
	await expect(importing.verify('staff.csv')).toBeVisible();
	await importing.complete.click();
	await expect(importing.summary).toContainText('staff.csv: 40 users created');
	await signedIn(page, {
		'ann.abernathy@northwind-logistics.example.com': Date.parse('2026-12-06T09:30:00Z'),
		'bruno.abernathy@northwind-logistics.example.com': Date.parse('2026-10-02T14:05:00Z')
	});
}

/** Last-login times written straight over the users (the relay's sign-in events need a paired relay). */
async function signedIn(page: Page, times: Record<string, number>): Promise<void> {
	const patches = Object.entries(times).map(([email, lastLoginAt]) => [email, { lastLoginAt }] as const);
	await patchStoredUsers(page, Object.fromEntries(patches));
}

async function photograph(page: Page, name: string): Promise<void> {
	mkdirSync(SCREENSHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), caret: 'hide' });
}

test.beforeEach(async ({ page }) => {
	await page.clock.setFixedTime(NOW);
});

test.describe('on a tablet', () => {
	test.use({ viewport: TABLET });

	test('the column chooser: defaults for the width, a choice kept on this device only, by keyboard', async ({
		page,
		browser
	}) => {
		await importStaff(page);
		const list = new UsersPage(page);
		await list.goto();
		await list.expectColumns(['Name', 'Email', 'Status', 'Last login']);

		// By keyboard: Enter opens the chooser on its first choice; Space shows Department and User type.
		await list.columnsButton.focus();
		await page.keyboard.press('Enter');
		await expect(list.columnChooser).toBeVisible();
		await expect(list.columnChooser.getByRole('checkbox', { name: 'Name', exact: true })).toBeDisabled();
		await expect(list.columnChooser.getByRole('checkbox', { name: 'Email' })).toBeFocused();
		await expect(list.columnChooser.getByRole('checkbox', { name: 'Department' })).not.toBeChecked();
		await list.columnChooser.getByRole('checkbox', { name: 'Department' }).focus();
		await page.keyboard.press('Space');
		await list.columnChooser.getByRole('checkbox', { name: 'User type' }).focus();
		await page.keyboard.press('Space');
		await list.columnChooser.getByRole('checkbox', { name: 'Last login' }).focus();
		await page.keyboard.press('Space');
		await list.expectColumns(['Name', 'Email', 'User type', 'Department', 'Status']);
		await photograph(page, 'users-columns-chosen-820x1180');
		await page.keyboard.press('Escape');
		await expect(list.columnChooser).toBeHidden();
		await expect(list.columnsButton).toBeFocused();
		// A header too narrow for its name shows it whole on hover.
		await list.columnHeader('Department').hover();
		await expect(list.fullValue).toHaveText('Department');

		// Kept on this device: after a reload, and on the next visit.
		await page.reload();
		await list.goto();
		await list.expectColumns(['Name', 'Email', 'User type', 'Department', 'Status']);
		await expect(await list.cell('Ann Abernathy', 'Department')).toHaveText('Customer Success Operations');

		// Another device (a browser with its own storage) of the same width starts from the defaults.
		const other = await browser.newContext({ viewport: TABLET, locale: 'en-US', timezoneId: 'UTC' });
		const otherPage = await other.newPage();
		await new AddUserPage(otherPage).goto();
		await new AddUserPage(otherPage).add({ firstName: 'Ann', lastName: 'Archer', email: 'ann@example.com' });
		const otherList = new UsersPage(otherPage);
		await otherList.goto();
		await otherList.expectColumns(['Name', 'Email', 'Status', 'Last login']);
		await other.close();

		// Reset brings this device back to the defaults.
		await list.columnsButton.click();
		await page.getByRole('button', { name: 'Reset to the defaults' }).click();
		await list.expectColumns(['Name', 'Email', 'Status', 'Last login']);
	});

	test('a cut value shows whole on hover and when its row has the keyboard; dates are short', async ({
		page
	}) => {
		await importStaff(page);
		const list = new UsersPage(page);
		await list.goto();
		const email = 'ann.abernathy@northwind-logistics.example.com';
		await expect(await list.cell('Ann Abernathy', 'Last login')).toHaveText('yesterday');
		await expect(await list.cell('Bruno Abernathy', 'Last login')).toHaveText('Oct 2, 2026');
		await expect(await list.cell('Chiara Abernathy', 'Last login')).toHaveText('Never');

		// The mouse: the cut email, whole.
		await (await list.cell('Ann Abernathy', 'Email')).hover();
		await expect(list.fullValue).toHaveText(email);
		await (await list.cell('Chiara Abernathy', 'Status')).hover();
		await expect(list.fullValue).toBeHidden();
		await (await list.cell('Ann Abernathy', 'Last login')).hover();
		await expect(list.fullValue).toHaveText('Dec 6, 2026, 9:30 AM');
		await page.mouse.move(0, 0);
		await expect(list.fullValue).toBeHidden();

		// The keyboard: the active row's cut values, named by their columns, describe the row.
		await list.columnsButton.focus();
		await page.keyboard.press('Tab');
		await expect(list.grid).toBeFocused();
		await expect(list.fullValue).toContainText(`Email: ${email}`);
		await expect(list.fullValue).toContainText('Last login: Dec 6, 2026, 9:30 AM');
		const first = await list.activeRow();
		await expect(first).toHaveAccessibleDescription(new RegExp(email.replace(/\./g, '\\.')));
		// Four rows down (every Ann first): Bruno, who signed in in October.
		for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
		await expect(await list.activeRow()).toContainText('Bruno Abernathy');
		await expect(list.fullValue).toContainText('Email: bruno.abernathy@northwind-logistics.example.com');
		await expect(list.fullValue).toContainText('Last login: Oct 2, 2026, 2:05 PM');
		await photograph(page, 'users-full-values-820x1180');
		await page.keyboard.press('ArrowUp');
		await expect(list.fullValue).toHaveText('Email: ann.okonkwo@northwind-logistics.example.com');
		// Escape puts it away; Enter still opens the active row's user.
		await page.keyboard.press('Escape');
		await expect(list.fullValue).toBeHidden();
		await page.keyboard.press('Enter');
		await new UserPage(page).expectLoaded('Ann Okonkwo');
	});
});

test.describe('on a touch screen', () => {
	test.use({ viewport: TABLET, hasTouch: true });

	test('rows and check targets are 44 px; a tap on a row opens the user, on its check cell selects', async ({
		page
	}) => {
		await importStaff(page);
		const list = new UsersPage(page);
		await list.goto();
		const row = list.row('Ann Abernathy');
		expect((await row.boundingBox())!.height).toBeGreaterThanOrEqual(44);
		const check = row.getByRole('gridcell').first();
		const box = (await check.boundingBox())!;
		expect(box.width).toBeGreaterThanOrEqual(44);
		expect(box.height).toBeGreaterThanOrEqual(44);

		// The check cell's corner, off the checkbox itself, toggles the selection.
		await check.tap({ position: { x: 3, y: 3 } });
		await expect(list.checkbox('Ann Abernathy')).toBeChecked();
		await expect(list.count).toHaveText('40 users, 1 selected');
		await check.tap({ position: { x: 3, y: 3 } });
		await expect(list.checkbox('Ann Abernathy')).not.toBeChecked();
		const all = list.grid.getByRole('columnheader').first();
		await all.tap({ position: { x: 3, y: 3 } });
		await expect(list.count).toHaveText('40 users, 40 selected');
		await all.tap({ position: { x: 3, y: 3 } });
		await expect(list.count).toHaveText('40 users');

		// The chooser's checkboxes are reached through 44 px labels.
		await list.columnsButton.tap();
		for (const label of await list.columnChooser.locator('label').all()) {
			expect((await label.boundingBox())!.height).toBeGreaterThanOrEqual(44);
		}
		await list.columnsButton.tap();

		// A tap on the email opens the user.
		await (await list.cell('Bruno Abernathy', 'Email')).tap();
		await new UserPage(page).expectLoaded('Bruno Abernathy');

		// Elsewhere in the app: the add-user form's checkbox label.
		const form = new AddUserPage(page);
		await form.goto();
		const send = page.locator('label').filter({ hasText: 'Send activation email now' });
		expect((await send.boundingBox())!.height).toBeGreaterThanOrEqual(44);
	});
});

for (const viewport of [LAPTOP, TABLET]) {
	const size = `${viewport.width}x${viewport.height}`;
	test(`a list long enough to scroll passes axe, its scroller reached by Tab (${size})`, async ({ page }) => {
		await page.setViewportSize(viewport);
		await importStaff(page);
		const list = new UsersPage(page);
		await list.goto();
		const scrolls = await list.grid.evaluate((grid) => {
			const scroller = [grid, ...grid.querySelectorAll('*')].find(
				(el) => el.scrollHeight > el.clientHeight && getComputedStyle(el).overflowY !== 'visible'
			);
			return scroller === grid;
		});
		expect(scrolls, 'the grid itself is the scroller (a tab stop)').toBe(true);
		await photograph(page, `users-scrolling-${size}`);
		expect(await seriousViolations(page)).toEqual([]);
		// Scrolled by the keyboard from its tab stop.
		await list.grid.focus();
		await page.keyboard.press('End');
		await expect(await list.activeRow()).toContainText('Jonas Okonkwo');
		await expect(list.row('Jonas Okonkwo')).toBeInViewport();
		await list.columnsButton.click();
		await expect(list.columnChooser).toBeVisible();
		await photograph(page, `users-columns-${size}`);
		expect(await seriousViolations(page)).toEqual([]);
	});
}
