import { expect, test } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { people } from './pages/people';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

test('a user deleted from their own page can be undone from the list the admin lands on', async ({
	page
}) => {
	const form = new AddUserPage(page);
	await form.goto();
	await form.addAll([people.ann, people.emma]);

	const list = new UsersPage(page);
	await list.goto();
	await list.row('Emma Stone').getByRole('link').click();
	const user = new UserPage(page);
	await user.expectLoaded('Emma Stone');

	await page.getByRole('button', { name: 'Delete' }).click();
	const dialog = page.getByRole('dialog', { name: 'Delete user' });
	await expect(dialog).toContainText('Delete Emma Stone?');
	await dialog.getByRole('button', { name: 'Delete' }).click();

	await expect(page).toHaveURL(/\/$/);
	await list.expectNames(['Ann Archer']);
	await expect(list.notice).toContainText('Deleted Emma Stone.');
	await list.notice.getByRole('button', { name: 'Undo' }).click();
	await list.expectNames(['Ann Archer', 'Emma Stone']);
	await expect(list.notice).toContainText('Restored Emma Stone.');
});
