import { expect, test } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { BackupSection } from './pages/backup-section';
import { nameOf, people } from './pages/people';
import { UsersPage } from './pages/users-page';

test.use({ locale: 'en-US', timezoneId: 'UTC' });

const three = [people.ann, people.bob, people.eddie];

test('a backup restores on another device (a fresh browser), then replaces a device’s users after asking', async ({
	page,
	browser
}) => {
	const form = new AddUserPage(page);
	await form.goto();
	await form.addAll(three);
	const list = new UsersPage(page);
	await list.goto();
	await expect(page.getByText(/There is no backup of the 3 users on this device/)).toBeVisible();

	const backup = new BackupSection(page);
	await backup.goto();
	await expect(backup.section).toContainText('No backup has been made on this device yet.');
	const file = await backup.download();
	expect(file.name).toMatch(/^rollcall-backup-\d{4}-\d{2}-\d{2}\.json$/);
	await expect(backup.status).toHaveText(`Backup saved as “${file.name}” with 3 users.`);
	await expect(backup.section).toContainText(/Last backup: .+ \(today\)\./);
	await list.goto();
	await expect(page.getByText(/There is no backup/)).toHaveCount(0);

	// Another device: a browser with nothing stored. Nothing to lose, so no question.
	const other = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
	const otherPage = await other.newPage();
	const there = new BackupSection(otherPage);
	await there.goto();
	await there.choose(file.name, file.bytes);
	await expect(there.status).toContainText('Restored 3 users from the backup of');
	const otherList = new UsersPage(otherPage);
	await otherList.goto();
	await otherList.expectNames(three.map(nameOf));
	await other.close();

	// Back here: a fourth user, then the backup again. The question names what will be lost.
	await form.goto();
	await form.add(people.emma);
	await backup.goto();
	await backup.choose(file.name, file.bytes);
	await expect(backup.dialog).toContainText('This device’s 4 users will be replaced by the backup of');
	await expect(backup.dialog).toContainText('(3 users)');
	await backup.dialog.getByRole('button', { name: 'Replace with the backup' }).click();
	await expect(backup.status).toContainText('Restored 3 users');
	await list.goto();
	await list.expectNames(three.map(nameOf));
});

test('a damaged backup, or a file that is not one, is refused by name and nothing changes', async ({
	page
}) => {
	const form = new AddUserPage(page);
	await form.goto();
	await form.addAll(three);
	const backup = new BackupSection(page);
	await backup.goto();
	const file = await backup.download();

	const damaged = Buffer.from(file.bytes);
	damaged[damaged.lastIndexOf('@')] = '#'.charCodeAt(0);
	await backup.choose('damaged.json', damaged);
	await expect(backup.alert).toHaveText(
		'“damaged.json” is damaged: its contents do not match the checksum written when it was made. Nothing on this device was changed.'
	);
	await backup.choose('people.json', Buffer.from('email,firstName\nzed@example.com,Zed\n'));
	await expect(backup.alert).toContainText(
		'“people.json” looks like a spreadsheet (CSV) file, not a Rollcall backup.'
	);
	await expect(backup.dialog).toHaveCount(0);

	const list = new UsersPage(page);
	await list.goto();
	await list.expectNames(three.map(nameOf));
});
