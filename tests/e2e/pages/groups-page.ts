import { expect, type Locator, type Page } from '@playwright/test';

/** The Groups page (/groups): create, rename and delete the customer's groups; each with its members. */
export class GroupsPage {
	readonly page: Page;
	readonly heading: Locator;
	readonly newName: Locator;
	readonly create: Locator;
	readonly table: Locator;
	/** What the last change did ('Group Sales created.'). */
	readonly saved: Locator;
	readonly problem: Locator;
	readonly dialog: Locator;

	constructor(page: Page) {
		this.page = page;
		this.heading = page.getByRole('heading', { level: 1, name: 'Groups' });
		this.newName = page.getByRole('textbox', { name: 'Name of a new group' });
		this.create = page.getByRole('button', { name: 'Create group' });
		this.table = page.getByRole('table', { name: 'Groups and their members' });
		this.saved = page.getByRole('main').locator('.saved');
		this.problem = page.getByRole('main').getByRole('alert');
		this.dialog = page.getByRole('dialog');
	}

	async goto(): Promise<void> {
		await this.page.goto('/groups');
		await expect(this.heading).toBeVisible();
		await expect(this.page.getByText('Loading…')).toBeHidden();
	}

	async createGroup(name: string): Promise<void> {
		await this.newName.fill(name);
		await this.create.click();
		await expect(this.saved).toHaveText(`Group ${name} created.`);
	}

	row(name: string): Locator {
		return this.table
			.getByRole('row')
			.filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
	}

	/** The groups listed, each as 'Name: N members' (or 'No members'), top to bottom. */
	async expectGroups(groups: Record<string, string>): Promise<void> {
		const rows = this.table.getByRole('row').filter({ has: this.page.getByRole('rowheader') });
		await expect(rows.getByRole('rowheader')).toHaveText(Object.keys(groups));
		for (const [name, members] of Object.entries(groups)) {
			await expect(this.row(name).getByRole('cell').first()).toHaveText(
				members === 'No members' ? members : `${members} of ${name}`
			);
		}
	}

	async rename(from: string, to: string): Promise<void> {
		await this.row(from)
			.getByRole('button', { name: `Rename ${from}` })
			.click();
		const field = this.page.getByRole('textbox', { name: `New name for ${from}` });
		await expect(field).toBeFocused();
		await field.fill(to);
		await this.page.getByRole('button', { name: 'Save name' }).click();
	}

	/** Delete -> the confirmation (returned, still open). */
	async askDelete(name: string): Promise<Locator> {
		await this.row(name)
			.getByRole('button', { name: `Delete ${name}` })
			.click();
		await expect(this.dialog).toBeVisible();
		return this.dialog;
	}
}
