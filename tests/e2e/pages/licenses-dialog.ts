import { expect, type Locator, type Page } from '@playwright/test';
import type { UsersPage } from './users-page';

/** Users → Action → Licenses…: give or take a product, or turn web access on or off, for the selection. */
export class LicensesDialog {
	readonly page: Page;
	readonly dialog: Locator;
	readonly apply: Locator;
	/** Why the change was refused (the seats missing); the dialog stays open. */
	readonly refusal: Locator;

	constructor(page: Page) {
		this.page = page;
		this.dialog = page.getByRole('dialog', { name: /^Licenses of / });
		this.apply = this.dialog.getByRole('button', { name: 'Apply' });
		this.refusal = this.dialog.getByRole('alert');
	}

	/** Opens the dialog for the users selected in the list. */
	async open(users: UsersPage): Promise<void> {
		await users.actionMenu.click();
		await this.page.getByRole('menuitem', { name: 'Licenses…' }).click();
		await expect(this.dialog).toBeVisible();
	}

	/** Chooses what to change ('Desktop', 'Web', 'Mobile', 'Web access') and how ('Give', 'Take away', 'Turn on', 'Turn off'). */
	async choose(target: string, how: string): Promise<void> {
		await this.dialog.getByRole('radio', { name: target, exact: true }).check();
		await this.dialog.getByRole('radio', { name: how, exact: true }).check();
	}
}
