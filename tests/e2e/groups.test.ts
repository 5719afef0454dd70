import { expect, test } from '@playwright/test';
import { GroupsPage } from './pages/groups-page';
import { ImportPage } from './pages/import-page';
import { inspectAtBothSizes } from './pages/inspect';
import { SettingsPage } from './pages/settings-page';
import { UsersPage } from './pages/users-page';

/** Workflow B's people: user type, first name and email. */
const CSV = [
	'User type,First name,Email',
	'Standard,Ann,ann@example.com',
	'Privileged,Bob,bob@example.com',
	'Standard,Cy,cy@example.com',
	'Standard,Dee,dee@example.com'
].join('\r\n');

// Settings, an import and several visits of the list and the Groups page: more than 30 s on a busy 2-core machine.
test.describe.configure({ timeout: 120_000 });

test('workflow B: create groups, add the selected users, filter, see the column, rename, remove, delete', async ({
	page
}) => {
	const settings = new SettingsPage(page);
	await settings.goto();
	await settings.choosePreset('Users & Groups');
	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf-8') });
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('4 users created');

	const groups = new GroupsPage(page);
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
	await expect(groups.heading).toBeVisible();
	await expect(page.getByText('No groups yet.')).toBeVisible();
	await groups.createGroup('Sales');
	await groups.createGroup('Support');
	// Names are unique case and accents aside, and ';' separates groups in files: both refused, saying why.
	await groups.newName.fill('sales');
	await groups.create.click();
	await expect(groups.problem).toHaveText('There is already a group Sales.');
	await groups.newName.fill('Sales; Support');
	await groups.create.click();
	await expect(groups.problem).toContainText('cannot contain “;”');
	await groups.expectGroups({ Sales: 'No members', Support: 'No members' });

	const list = new UsersPage(page);
	await list.goto();
	await list.checkbox('Ann').check();
	await list.checkbox('Bob').check();
	const add = await list.openAction('Add to group…');
	await expect(add).toContainText('Add 2 users to which group?');
	await add.getByRole('radio', { name: /^Sales/ }).check();
	await add.getByRole('button', { name: 'Add' }).click();
	await expect(list.notice).toContainText('2 users added to Sales.');
	// A group made from the picker, by keyboard.
	await list.checkbox('Bob').check();
	await list.checkbox('Cy').check();
	const again = await list.openAction('Add to group…');
	await again.getByRole('radio', { name: 'A new group' }).check();
	await page.keyboard.press('Tab');
	await page.keyboard.type('Night shift');
	await page.keyboard.press('Enter');
	await expect(list.notice).toContainText('2 users added to Night shift.');

	await expect(list.columnHeader('Groups')).toBeVisible();
	await expect(await list.cell('Bob', 'Groups')).toHaveText('Sales; Night shift');
	await expect(await list.cell('Dee', 'Groups')).toHaveText('');
	await list.groupFilter.selectOption({ label: 'Sales' });
	await list.expectNames(['Ann', 'Bob']);
	await inspectAtBothSizes(page, 'groups-users-filtered');

	await groups.goto();
	await groups.expectGroups({ 'Night shift': '2 members', Sales: '2 members', Support: 'No members' });
	await inspectAtBothSizes(page, 'groups-page');
	// Escape leaves a rename unsaved, the keyboard back on the group's Rename button.
	await groups.row('Support').getByRole('button', { name: 'Rename Support' }).click();
	await page.keyboard.type('x');
	await page.keyboard.press('Escape');
	await expect(groups.row('Support').getByRole('button', { name: 'Rename Support' })).toBeFocused();
	await groups.rename('Sales', 'Field sales');
	await expect(groups.saved).toHaveText('Group Sales renamed; 2 members updated.');
	await groups.expectGroups({
		'Field sales': '2 members',
		'Night shift': '2 members',
		Support: 'No members'
	});
	// The members link lists them, filtered by the group.
	await groups.row('Field sales').getByRole('link', { name: '2 members of Field sales' }).click();
	await list.expectNames(['Ann', 'Bob']);
	await expect(list.groupFilter).toHaveValue('1:field sales');
	await expect(await list.cell('Ann', 'Groups')).toHaveText('Field sales');

	await list.checkbox('Ann').check();
	const remove = await list.openAction('Remove from group…');
	await expect(remove).toContainText('Remove 1 user from which group?');
	// Only groups with members are offered to remove from.
	await expect(remove.getByRole('radio')).toHaveCount(2);
	await remove.getByRole('radio', { name: /^Field sales/ }).check();
	await inspectAtBothSizes(page, 'groups-picker');
	await remove.getByRole('button', { name: 'Remove' }).click();
	await expect(list.notice).toContainText('1 user removed from Field sales.');
	await list.expectNames(['Bob']);

	await groups.goto();
	const confirm = await groups.askDelete('Night shift');
	await expect(confirm).toContainText('Delete the group Night shift? Its 2 members will no longer be in it');
	await confirm.getByRole('button', { name: 'Delete group' }).click();
	await expect(groups.saved).toHaveText('Group Night shift deleted; 2 members left it.');
	await groups.expectGroups({ 'Field sales': '1 member', Support: 'No members' });
	await list.goto();
	await expect(await list.cell('Bob', 'Groups')).toHaveText('Field sales');
	await expect(await list.cell('Cy', 'Groups')).toHaveText('');
});

test("an import's Groups column: the preview names the groups it creates, and Complete makes them", async ({
	page
}) => {
	const settings = new SettingsPage(page);
	await settings.goto();
	await settings.choosePreset('Users & Groups');
	const groups = new GroupsPage(page);
	await groups.goto();
	await groups.createGroup('Sales');
	const file = [
		'User type,First name,Email,Groups',
		'Standard,Ann,ann@example.com,sales; Support',
		'Standard,Bob,bob@example.com,SUPPORT;Night shift'
	].join('\r\n');
	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose({ name: 'teams.csv', mimeType: 'text/csv', buffer: Buffer.from(file, 'utf-8') });
	await expect(page.getByText('Creates 2 new groups: Support, Night shift.')).toBeVisible();
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('2 users created');
	await expect(page.getByText('New groups: Support, Night shift.')).toBeVisible();

	await groups.goto();
	await groups.expectGroups({ 'Night shift': '1 member', Sales: '1 member', Support: '2 members' });
	const list = new UsersPage(page);
	await list.goto();
	// Known groups keep their own spelling.
	await expect(await list.cell('Ann', 'Groups')).toHaveText('Sales; Support');
	// On a tablet the column gives way like the other secondary ones; the column chooser offers it.
	await page.setViewportSize({ width: 820, height: 1180 });
	await expect(list.columnHeader('Groups')).toBeHidden();
	await list.columnsButton.click();
	await list.columnChooser.getByRole('checkbox', { name: 'Groups' }).check();
	await expect(list.columnHeader('Groups')).toBeVisible();
});
