import { expect, test } from '@playwright/test';
import { CustomAttributesSection } from './pages/custom-attributes-section';
import { ImportPage } from './pages/import-page';
import { SettingsPage } from './pages/settings-page';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

/** A file with a column Rollcall has no field for. */
const CSV = [
	'First name,Last name,Email,Badge colour',
	'Ann,Archer,ann@example.com,Teal',
	'Bob,Lee,bob@example.com,Plum',
	'Cy,Young,cy@example.com,'
].join('\r\n');

// An import, three visits of the list and two of Settings: more than 30 s covers on a busy 2-core machine.
test.describe.configure({ timeout: 90_000 });

test('keep a column as a new field, then see, search, edit, rename and delete it', async ({ page }) => {
	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose({ name: 'badges.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf-8') });
	const verify = importPage.verify('badges.csv');
	const column = verify
		.getByRole('row')
		.filter({ has: page.getByRole('rowheader', { name: 'Badge colour' }) });
	await expect(column).toContainText('Unknown column');
	await expect(importPage.complete).toBeDisabled();
	await column.getByRole('button', { name: 'Keep as a new field' }).click();
	await expect(column).toContainText('Mapped to Badge colour by you.');
	await expect(column.getByRole('combobox')).toHaveValue('custom:Badge colour');
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('3 users created');

	const list = new UsersPage(page);
	await list.goto();
	await expect(list.columnHeader('Badge colour')).toBeVisible();
	await expect(list.row('Ann Archer')).toContainText('Teal');
	// Like the other secondary columns, it gives way on a narrow screen.
	await page.setViewportSize({ width: 820, height: 1180 });
	await expect(list.columnHeader('Badge colour')).toBeHidden();
	// The column chooser brings it back, as any other column.
	await list.columnsButton.click();
	await list.columnChooser.getByRole('checkbox', { name: 'Badge colour' }).check();
	await expect(list.columnHeader('Badge colour')).toBeVisible();
	await page.keyboard.press('Escape');
	await page.setViewportSize({ width: 1280, height: 800 });
	await list.search.fill('teal');
	await list.expectNames(['Ann Archer']);

	await list.row('Ann Archer').getByRole('link', { name: 'Ann Archer' }).click();
	const user = new UserPage(page);
	await user.expectLoaded('Ann Archer');
	await expect(user.detail('Badge colour')).toHaveText('Teal');
	await user.edit.click();
	await user.field('Badge colour').fill('Sea green');
	await user.save.click();
	await expect(user.detail('Badge colour')).toHaveText('Sea green');

	const settings = new SettingsPage(page);
	await settings.goto();
	const custom = new CustomAttributesSection(page);
	await expect(settings.requirement('Badge colour')).toHaveValue('optional');
	await custom.startRename('Badge colour', 'E-mail');
	await custom.region.getByRole('button', { name: 'Save name' }).click();
	await expect(custom.problem).toHaveText(
		'"E-mail" is already the name of the field Email: choose another name.'
	);
	await custom.region.getByRole('button', { name: 'Cancel' }).click();
	await custom.rename('Badge colour', 'Lanyard colour');
	await expect(custom.names).toHaveText(['Lanyard colour Rename Delete']);
	await expect(settings.requirement('Lanyard colour')).toHaveValue('optional');
	// A preset sets the built-in fields and keeps the custom attributes.
	await settings.choosePreset('Users & Groups');
	await expect(settings.requirement('Lanyard colour')).toHaveValue('optional');

	await list.goto();
	await expect(list.columnHeader('Lanyard colour')).toBeVisible();
	await expect(list.columnHeader('Badge colour')).toHaveCount(0);
	await list.search.fill('sea green');
	await list.expectNames(['Ann Archer']);
	await list.row('Ann Archer').getByRole('link', { name: 'Ann Archer' }).click();
	await expect(user.detail('Lanyard colour')).toHaveText('Sea green');

	await settings.goto();
	const dialog = await custom.askDelete('Lanyard colour');
	await expect(dialog).toContainText(
		'Delete the custom attribute Lanyard colour? 2 users have a value for it, which will be deleted too.'
	);
	await dialog.getByRole('button', { name: 'Delete' }).click();
	await expect(custom.saved('Custom attribute Lanyard colour deleted, with 2 values.')).toBeVisible();
	await expect(custom.names).toHaveCount(0);
	await expect(settings.requirement('Lanyard colour')).toHaveCount(0);

	await list.goto();
	await expect(list.columnHeader('Lanyard colour')).toHaveCount(0);
	await list.search.fill('plum');
	await expect(list.rows).toHaveCount(0);
});

test('an attribute renamed in another tab while a file waits is not written under its old name', async ({
	page,
	context
}) => {
	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose({ name: 'badges.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf-8') });
	const column = importPage
		.verify('badges.csv')
		.getByRole('row')
		.filter({ has: page.getByRole('rowheader', { name: 'Badge colour' }) });
	await column.getByRole('combobox').selectOption({ label: 'Keep as a new field' });
	await expect(column).toContainText('Mapped to Badge colour by you.');

	const other = await context.newPage();
	const settings = new SettingsPage(other);
	await settings.goto();
	await new CustomAttributesSection(other).rename('Badge colour', 'Lanyard colour');
	await other.close();

	await importPage.complete.click();
	await expect(column).toContainText('Badge colour is no longer a custom attribute');
	await expect(importPage.complete).toBeDisabled();
	await column.getByRole('combobox').selectOption({ label: 'Lanyard colour' });
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('3 users created');

	const list = new UsersPage(page);
	await list.goto();
	await list.search.fill('teal');
	await list.expectNames(['Ann Archer']);
	await expect(list.columnHeader('Lanyard colour')).toBeVisible();
});
