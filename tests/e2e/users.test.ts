import { expect, test } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { everyone, nameOf, people, type Person } from './pages/people';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

// Dates on the user page are formatted for the browser's locale and zone: pin both (and the clock below).
test.use({ locale: 'en-US', timezoneId: 'UTC' });

/** The app's --bad and --ok colours: the red and the green mark. */
const RED = 'rgb(179, 38, 30)';
const GREEN = 'rgb(23, 105, 47)';

const names = (list: Person[]) => list.map(nameOf);

test('adding users: live red and green marks, a duplicate refused, the list alphabetical and all Pending', async ({
	page
}) => {
	const form = new AddUserPage(page);
	await form.goto();
	const email = form.field('Email');
	const emailMark = await form.mark('Email');

	// Not name@domain.tld: a red mark saying why, while the admin types; the user is not created.
	await form.fill({ firstName: 'Ann', lastName: 'Archer' });
	await email.pressSequentially('ann@example');
	await expect(email).toHaveAttribute('aria-invalid', 'true');
	await expect(emailMark).toHaveText(/^✗\s*Error:\s*The email domain needs an ending such as \.com or \.org/);
	await expect(emailMark).toHaveCSS('color', RED);
	await expect(email).toHaveAccessibleDescription(/The email domain needs an ending such as \.com/);
	await form.submit.click();
	await expect(form.problems).toContainText('The user was not saved. Please correct:');
	await expect(form.problems.getByRole('link')).toHaveText([/The email domain needs an ending/]);
	await expect(form.added).toHaveCount(0);

	// Completed, it turns green and the user is added as Pending.
	await email.pressSequentially('.com');
	await expect(email).toHaveAttribute('aria-invalid', 'false');
	await expect(emailMark).toHaveText(/^✓\s*Valid:\s*Email is available\.$/);
	await expect(emailMark).toHaveCSS('color', GREEN);
	await expect(form.problems).toHaveCount(0);
	await form.submit.click();
	await expect(form.added).toHaveText(/Ann Archer was added as Pending\./);
	// The form is empty again, ready for the next person.
	await expect(form.field('Email')).toHaveValue('');

	// The same address in other case: 'already taken' as the admin types, and Add user refuses it.
	await form.fill({ firstName: 'Annie', lastName: 'Other' });
	await form.field('Email').pressSequentially('ANN@Example.com');
	const takenMark = await form.mark('Email');
	await expect(takenMark).toHaveText(/^✗\s*Error:\s*This email is already taken by Ann Archer\.$/);
	await expect(takenMark).toHaveCSS('color', RED);
	await expect(form.field('Email')).toHaveAttribute('aria-invalid', 'true');
	await form.submit.click();
	await expect(form.problems).toContainText('This email is already taken by Ann Archer.');
	await expect(form.added).toHaveText(/Ann Archer was added as Pending\./);

	// A corrected address is accepted.
	await form.field('Email').fill('annie.other@example.com');
	await expect(takenMark).toHaveText(/^✓\s*Valid:\s*Email is available\.$/);
	await form.submit.click();
	await expect(form.added).toHaveText(/Annie Other was added as Pending\./);

	const others = everyone.filter((person) => person !== people.ann);
	await form.addAll(others);

	const list = new UsersPage(page);
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
	await expect(list.grid).toBeVisible();
	const expected = [
		'Ann Archer',
		'Annie Other',
		'bob lee',
		'Eddie Brown',
		'Élodie Martin',
		'Emma Stone',
		'Zack Young'
	];
	expect(expected).toEqual(expect.arrayContaining(names(everyone)));
	await list.expectNames(expected);
	await expect(list.count).toHaveText('7 users');
	await expect(list.selectAll).toHaveAccessibleName('Select all 7 users');
	for (const name of expected) await expect(list.row(name)).toContainText('Pending');
	await expect(list.columnHeader('Name')).toHaveAttribute('aria-sort', 'ascending');
});

test('search narrows the list; sorting by Email toggles ascending and descending', async ({ page }) => {
	await new AddUserPage(page).goto();
	await new AddUserPage(page).addAll(everyone);
	const list = new UsersPage(page);
	await list.goto();
	await list.expectNames(names(everyone));

	// Accents and case do not matter; every word must match the start of a name or email word.
	await list.search.fill('elo');
	await list.expectNames(['Élodie Martin']);
	await expect(list.count).toHaveText('1 user');
	await list.search.fill('EMMA');
	await list.expectNames(['Emma Stone']);
	await list.search.fill('ed b');
	await list.expectNames(['Eddie Brown']);
	await list.search.fill('example.de');
	await expect(list.rows).toHaveCount(0);
	await expect(page.getByText('No users match “example.de”.')).toBeVisible();
	await list.search.fill('');
	await expect(list.count).toHaveText('6 users');

	const byEmail = [...everyone].sort((a, b) => a.email.localeCompare(b.email)).map(nameOf);
	await expect(list.columnHeader('Name')).toHaveAttribute('aria-sort', 'ascending');
	await expect(list.columnHeader('Email')).toHaveAttribute('aria-sort', 'none');
	await list.sortButton('Email').click();
	await expect(list.columnHeader('Email')).toHaveAttribute('aria-sort', 'ascending');
	await expect(list.columnHeader('Name')).toHaveAttribute('aria-sort', 'none');
	await list.expectNames(byEmail);
	await list.sortButton('Email').click();
	await expect(list.columnHeader('Email')).toHaveAttribute('aria-sort', 'descending');
	await list.expectNames([...byEmail].reverse());
	await list.sortButton('Email').click();
	await expect(list.columnHeader('Email')).toHaveAttribute('aria-sort', 'ascending');
	await list.expectNames(byEmail);
	await list.sortButton('Name').click();
	await expect(list.columnHeader('Name')).toHaveAttribute('aria-sort', 'ascending');
	await list.expectNames(names(everyone));
});

test('select with checkboxes, a shift-click range and select all; suspend, filter by status, delete and undo', async ({
	page
}) => {
	await new AddUserPage(page).goto();
	await new AddUserPage(page).addAll(everyone);
	const list = new UsersPage(page);
	await list.goto();
	await expect(list.actionMenu).toBeDisabled();

	// One checkbox, then shift-click: everything from the first to the second.
	await list.checkbox('Ann Archer').click();
	await expect(list.checkbox('Ann Archer')).toBeChecked();
	await expect(list.row('Ann Archer')).toHaveAttribute('aria-selected', 'true');
	await expect(list.count).toHaveText('6 users, 1 selected');
	await list.checkbox('Eddie Brown').click({ modifiers: ['Shift'] });
	for (const name of ['Ann Archer', 'bob lee', 'Eddie Brown'])
		await expect(list.checkbox(name)).toBeChecked();
	for (const name of ['Élodie Martin', 'Emma Stone', 'Zack Young']) {
		await expect(list.checkbox(name)).not.toBeChecked();
		await expect(list.row(name)).toHaveAttribute('aria-selected', 'false');
	}
	await expect(list.count).toHaveText('6 users, 3 selected');

	// Suspend: the confirmation names how many; the statuses change.
	await expect(list.actionMenu).toBeEnabled();
	const suspend = await list.openAction('Suspend…');
	await expect(suspend).toHaveAccessibleName('Suspend users');
	await expect(suspend).toContainText('Suspend 3 users? They will not be able to sign in.');
	await suspend.getByRole('button', { name: 'Suspend', exact: true }).click();
	await expect(list.dialog).toBeHidden();
	await expect(list.notice).toContainText('3 users suspended.');
	for (const name of ['Ann Archer', 'bob lee', 'Eddie Brown'])
		await expect(list.row(name)).toContainText('Suspended');
	for (const name of ['Élodie Martin', 'Emma Stone', 'Zack Young'])
		await expect(list.row(name)).toContainText('Pending');
	await expect(list.count).toHaveText('6 users');

	// The status filter.
	await list.statusFilter.selectOption('Suspended');
	await list.expectNames(['Ann Archer', 'bob lee', 'Eddie Brown']);
	await list.statusFilter.selectOption('Pending');
	await list.expectNames(['Élodie Martin', 'Emma Stone', 'Zack Young']);
	await list.statusFilter.selectOption('Active');
	await expect(list.rows).toHaveCount(0);
	await list.statusFilter.selectOption('All');
	await list.expectNames(names(everyone));

	// Select all, leave one out, delete: a cancelled dialog changes nothing; a confirmed one removes them.
	await list.selectAll.click();
	await expect(list.selectAll).toHaveAccessibleName('Unselect all users');
	await expect(list.count).toHaveText('6 users, 6 selected');
	for (const name of names(everyone)) await expect(list.checkbox(name)).toBeChecked();
	await list.checkbox('Zack Young').click();
	await expect(list.count).toHaveText('6 users, 5 selected');
	await expect(list.selectAll).toHaveAccessibleName('Select all 6 users');

	const cancelled = await list.openAction('Delete…');
	await cancelled.getByRole('button', { name: 'Cancel' }).click();
	await expect(list.dialog).toBeHidden();
	await expect(list.rows).toHaveCount(6);
	await expect(list.count).toHaveText('6 users, 5 selected');

	const remove = await list.openAction('Delete…');
	await expect(remove).toHaveAccessibleName('Delete users');
	await expect(remove).toContainText('Delete 5 users? You can undo this right after.');
	await remove.getByRole('button', { name: 'Delete', exact: true }).click();
	await expect(list.dialog).toBeHidden();
	await list.expectNames(['Zack Young']);
	await expect(list.count).toHaveText('1 user');
	await expect(list.notice).toContainText('Deleted Ann Archer, bob lee and 3 others.');

	await list.notice.getByRole('button', { name: 'Undo' }).click();
	await expect(list.notice).toContainText('Restored Ann Archer, bob lee and 3 others.');
	await list.expectNames(names(everyone));
	await expect(list.count).toHaveText('6 users');
	// They come back as they were.
	await expect(list.row('Ann Archer')).toContainText('Suspended');
	await expect(list.row('Emma Stone')).toContainText('Pending');
});

test('edit a user on their page; an invalid or taken email is refused with its message', async ({ page }) => {
	await page.clock.setFixedTime(new Date('2026-03-14T09:30:00Z'));
	const form = new AddUserPage(page);
	await form.goto();
	await form.addAll([people.ann, people.emma]);
	const list = new UsersPage(page);
	await list.goto();

	await list.row('Ann Archer').getByRole('link', { name: 'Ann Archer' }).click();
	const user = new UserPage(page);
	await expect(page).toHaveURL(/\/users\/\d+$/);
	await user.expectLoaded('Ann Archer');
	await expect(page).toHaveTitle('Ann Archer · Rollcall');
	await expect(user.detail('Email')).toHaveText('ann@example.com');
	await expect(user.detail('Status')).toHaveText('Pending');
	await expect(user.detail('Created')).toHaveText(/^Mar 14, 2026, 9:30\sAM$/);
	await expect(user.detail('Last login')).toHaveText('Never');

	await user.edit.click();
	await expect(user.field('Last name')).toHaveValue('Archer');
	await user.field('Last name').fill('Archer-Smith');
	await user.save.click();
	await expect(page.getByRole('status').filter({ hasText: 'Changes saved.' })).toBeVisible();
	await user.expectLoaded('Ann Archer-Smith');

	// An invalid email: the mark says why, Save changes refuses, nothing changes.
	await user.edit.click();
	await user.field('Email').fill('ann@example');
	await expect(user.field('Email')).toHaveAttribute('aria-invalid', 'true');
	await expect(user.field('Email')).toHaveAccessibleDescription(
		/The email domain needs an ending such as \.com/
	);
	await user.save.click();
	const problems = user.editForm.getByRole('alert');
	await expect(problems).toContainText('The user was not saved. Please correct:');
	await expect(problems).toContainText('The email domain needs an ending such as .com or .org');
	await expect(user.editForm).toBeVisible();

	// Another user's email, in other case: taken, refused.
	await user.field('Email').fill('EMMA@example.com');
	await expect(user.field('Email')).toHaveAccessibleDescription(
		/This email is already taken by Emma Stone\./
	);
	await user.save.click();
	await expect(problems).toContainText('This email is already taken by Emma Stone.');
	await expect(user.editForm).toBeVisible();

	// An emptied required field.
	await user.field('Email').fill('ann@example.com');
	await user.field('First name').fill('');
	await user.save.click();
	await expect(problems).toContainText('First name is required.');
	await page.getByRole('button', { name: 'Cancel' }).click();
	await expect(user.editForm).toBeHidden();
	await expect(user.detail('Email')).toHaveText('ann@example.com');

	await page.getByRole('link', { name: '← Users' }).click();
	await list.expectNames(['Ann Archer-Smith', 'Emma Stone']);
	await expect(list.row('Ann Archer-Smith')).toContainText('ann@example.com');
});

test('keyboard: the grid moves with arrows, Home, End, PageUp/PageDown; Space selects, Shift extends, Enter opens', async ({
	page
}) => {
	const form = new AddUserPage(page);
	await form.goto();
	await form.addAll([people.ann, people.bob, people.eddie, people.elodie]);
	const list = new UsersPage(page);
	await list.goto();
	await list.expectNames(['Ann Archer', 'bob lee', 'Eddie Brown', 'Élodie Martin']);

	// The grid is one tab stop, right after the filters and the column chooser.
	await list.columnsButton.focus();
	await page.keyboard.press('Tab');
	await expect(list.grid).toBeFocused();
	await expect(list.grid).toHaveAccessibleDescription(
		'Arrow keys move between users, Space selects, Enter opens.'
	);
	const active = () => list.activeRow();
	await expect(await active()).toContainText('Ann Archer');

	await page.keyboard.press('ArrowDown');
	await expect(await active()).toContainText('bob lee');
	await page.keyboard.press('End');
	await expect(await active()).toContainText('Élodie Martin');
	await page.keyboard.press('ArrowDown'); // already last: stays
	await expect(await active()).toContainText('Élodie Martin');
	await page.keyboard.press('Home');
	await expect(await active()).toContainText('Ann Archer');
	await page.keyboard.press('ArrowUp'); // already first: stays
	await expect(await active()).toContainText('Ann Archer');
	await page.keyboard.press('PageDown');
	await expect(await active()).toContainText('Élodie Martin');
	await page.keyboard.press('PageUp');
	await expect(await active()).toContainText('Ann Archer');

	// Space selects the active row; Shift+arrow extends the selection.
	await page.keyboard.press('Space');
	await expect(list.row('Ann Archer')).toHaveAttribute('aria-selected', 'true');
	await expect(list.checkbox('Ann Archer')).toBeChecked();
	await page.keyboard.press('Shift+ArrowDown');
	await page.keyboard.press('Shift+ArrowDown');
	await expect(await active()).toContainText('Eddie Brown');
	for (const name of ['Ann Archer', 'bob lee', 'Eddie Brown']) {
		await expect(list.row(name)).toHaveAttribute('aria-selected', 'true');
	}
	await expect(list.row('Élodie Martin')).toHaveAttribute('aria-selected', 'false');
	await expect(list.count).toHaveText('4 users, 3 selected');
	// Space again unselects the active row only.
	await page.keyboard.press('Space');
	await expect(list.row('Eddie Brown')).toHaveAttribute('aria-selected', 'false');
	await expect(list.count).toHaveText('4 users, 2 selected');
	await expect(list.grid).toBeFocused();

	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/users\/\d+$/);
	await new UserPage(page).expectLoaded('Eddie Brown');
});
