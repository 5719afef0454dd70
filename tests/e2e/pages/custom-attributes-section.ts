import { expect, type Locator, type Page } from '@playwright/test';

/** Settings > Custom attributes: add, rename and delete the admin's own fields. */
export class CustomAttributesSection {
	readonly page: Page;
	readonly region: Locator;
	readonly newName: Locator;
	readonly add: Locator;
	/** Why a name was refused. */
	readonly problem: Locator;
	/** The open delete confirmation. */
	readonly dialog: Locator;

	constructor(page: Page) {
		this.page = page;
		this.region = page.getByRole('region', { name: 'Custom attributes' });
		this.newName = this.region.getByLabel('Name of a new attribute');
		this.add = this.region.getByRole('button', { name: 'Add attribute' });
		this.problem = this.region.getByRole('alert');
		this.dialog = page.getByRole('dialog', { name: 'Delete custom attribute' });
	}

	/** The attributes listed, in order. */
	get names(): Locator {
		return this.region.getByRole('listitem');
	}

	/** The line in the section that confirms a change. */
	saved(text: string): Locator {
		return this.page.getByRole('main').getByRole('status').filter({ hasText: text });
	}

	async addAttribute(name: string): Promise<void> {
		await this.newName.fill(name);
		await this.add.click();
		await expect(this.saved(`Custom attribute ${name.trim()} added.`)).toBeVisible();
	}

	/** Opens the rename form of `name` and types `to` (not yet saved). */
	async startRename(name: string, to: string): Promise<void> {
		await this.region.getByRole('button', { name: `Rename ${name}`, exact: true }).click();
		await this.region.getByLabel(`New name for ${name}`).fill(to);
	}

	async rename(name: string, to: string): Promise<void> {
		await this.startRename(name, to);
		await this.region.getByRole('button', { name: 'Save name' }).click();
		await expect(this.saved(`${name} renamed ${to}.`)).toBeVisible();
	}

	/** Asks to delete `name`: the confirmation opens (returned, still open). */
	async askDelete(name: string): Promise<Locator> {
		await this.region.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
		await expect(this.dialog).toBeVisible();
		return this.dialog;
	}
}
