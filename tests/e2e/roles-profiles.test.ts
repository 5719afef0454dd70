import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { ImportPage } from './pages/import-page';
import { inspectAtBothSizes, seriousViolations } from './pages/inspect';
import { RolesPage } from './pages/roles-page';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

const CSV = [
	'First name,Last name,Email',
	'Ann,Archer,ann@example.com',
	'Bob,Lee,bob@example.com',
	'Cy,Young,cy@example.com'
].join('\r\n');

/** Bytes no text decoding would keep as they are: every byte value, twice. */
const vpnBytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256));
const vpn = { name: 'office.ovpn', mimeType: 'application/x-openvpn-profile', buffer: vpnBytes };
const wifi = {
	name: 'wifi.mobileconfig',
	mimeType: 'application/x-apple-aspen-config',
	buffer: Buffer.from('<?xml version="1.0"?><plist/>')
};

// An import, then visits of four pages: more than 30 s on a busy 2-core machine.
test.describe.configure({ timeout: 90_000 });

/** Downloads the profile from the user's page: its suggested name and its bytes. */
async function downloadFrom(page: Page, user: UserPage, profile: string) {
	const downloading = page.waitForEvent('download');
	await user.effectiveProfiles.getByRole('button', { name: `Download ${profile}` }).click();
	const file = await downloading;
	return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

test('profiles granted by a role given in bulk reach the users’ pages, byte for byte', async ({ page }) => {
	const importPage = new ImportPage(page);
	await importPage.goto();
	await importPage.choose({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('3 users created');

	const rolesPage = new RolesPage(page);
	await rolesPage.goto();
	await rolesPage.upload('VPN', vpn);
	await expect(rolesPage.profile('VPN')).toContainText('office.ovpn');
	await rolesPage.upload('Wi-Fi', wifi);
	await expect(rolesPage.profile('Wi-Fi')).toContainText('wifi.mobileconfig');
	// A file over the limit is refused, named with its size; nothing is kept.
	await rolesPage.upload('Huge', { ...wifi, name: 'huge.bin', buffer: Buffer.alloc(1024 * 1024 + 200_000) });
	await expect(rolesPage.problem).toContainText('“huge.bin” is 1.2 MB: a profile may be at most 1 MB.');
	await expect(rolesPage.profile('Huge')).toHaveCount(0);

	await rolesPage.addRole('Field staff');
	await rolesPage.grants('Field staff', 'VPN').check();
	await expect(rolesPage.notice).toContainText('Field staff grants VPN.');
	await expect(rolesPage.grants('Field staff', 'Wi-Fi')).not.toBeChecked();
	await inspectAtBothSizes(page, 'roles-page');

	const list = new UsersPage(page);
	await list.goto();
	await list.checkbox('Ann Archer').check();
	await list.checkbox('Bob Lee').check();
	const dialog = await list.openAction('Roles…');
	await expect(dialog.getByRole('heading')).toHaveText('Roles of 2 selected users');
	expect(await seriousViolations(page)).toEqual([]);
	await dialog.getByRole('combobox', { name: 'Role' }).selectOption('Field staff');
	await dialog.getByRole('button', { name: 'Give role' }).click();
	await expect(list.notice).toContainText('Role Field staff given to 2 users.');

	await list.row('Ann Archer').getByRole('link', { name: 'Ann Archer' }).click();
	const user = new UserPage(page);
	await user.expectLoaded('Ann Archer');
	await expect(user.effectiveProfiles).toContainText('Roles: Field staff');
	await expect(user.effectiveProfiles.getByRole('listitem')).toHaveCount(1);
	await expect(user.effectiveProfiles.getByRole('listitem')).toContainText('VPN');
	const first = await downloadFrom(page, user, 'VPN');
	expect(first.name).toBe('office.ovpn');
	expect(first.bytes.equals(vpnBytes)).toBe(true);

	// Replacing the profile's file: its users get the new file, under its name; the role still grants it.
	const newer = Buffer.from('client\nremote vpn.example.com 1194\n');
	await rolesPage.goto();
	await rolesPage.replace('VPN', { name: 'office-2027.ovpn', mimeType: '', buffer: newer });
	await expect(rolesPage.notice).toContainText('Profile VPN now holds office-2027.ovpn.');
	await expect(rolesPage.grants('Field staff', 'VPN')).toBeChecked();
	await expect(rolesPage.role('Field staff')).toContainText('2 users');

	await page.goBack();
	await user.expectLoaded('Ann Archer');
	const second = await downloadFrom(page, user, 'VPN');
	expect(second.name).toBe('office-2027.ovpn');
	expect(second.bytes.equals(newer)).toBe(true);
	await inspectAtBothSizes(page, 'user-effective-profiles');

	// Cy has no role: nothing to download.
	await list.goto();
	await list.row('Cy Young').getByRole('link', { name: 'Cy Young' }).click();
	await user.expectLoaded('Cy Young');
	await expect(user.effectiveProfiles).toContainText('No profiles: they have no role.');
});

test('renaming and deleting a role says who it touches; deleting a profile names its roles', async ({
	page
}) => {
	const importPage = new ImportPage(page);
	await importPage.goto();
	const one = 'First name,Last name,Email\r\nAnn,Archer,ann@example.com\r\n';
	await importPage.choose({ name: 'one.csv', mimeType: 'text/csv', buffer: Buffer.from(one) });
	await importPage.complete.click();
	await expect(importPage.summary).toContainText('1 user created');

	const rolesPage = new RolesPage(page);
	await rolesPage.goto();
	await rolesPage.upload('VPN', vpn);
	await expect(rolesPage.profile('VPN')).toBeVisible();
	await rolesPage.addRole('Sales');
	await rolesPage.grants('Sales', 'VPN').check();
	await expect(rolesPage.notice).toContainText('Sales grants VPN.');

	// Rename by keyboard: the field takes the focus, Enter saves.
	await rolesPage.role('Sales').getByRole('button', { name: 'Rename Sales' }).click();
	await expect(rolesPage.roles.getByLabel('New name for Sales')).toBeFocused();
	await page.keyboard.press('ControlOrMeta+a');
	await page.keyboard.type('Field sales');
	await page.keyboard.press('Enter');
	await expect(rolesPage.notice).toContainText('Role Sales renamed Field sales, for 0 users.');

	await rolesPage.profile('VPN').getByRole('button', { name: 'Delete VPN' }).click();
	await expect(rolesPage.dialog).toContainText(
		'It is granted by Field sales: that role will stop granting it.'
	);
	await rolesPage.dialog.getByRole('button', { name: 'Cancel' }).click();
	await expect(rolesPage.profile('VPN')).toBeVisible();

	await rolesPage.role('Field sales').getByRole('button', { name: 'Delete Field sales' }).click();
	await expect(rolesPage.dialog).toContainText('Delete the role Field sales? No user has it.');
	await rolesPage.dialog.getByRole('button', { name: 'Delete' }).click();
	await expect(rolesPage.notice).toContainText('Role Field sales deleted');
	await expect(rolesPage.role('Field sales')).toHaveCount(0);
});
