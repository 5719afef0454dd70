import { expect, type Locator, type Page } from '@playwright/test';

/** The customers as an admin of several organisations meets them: Settings' sections and the header's switcher. */
export class Customers {
	readonly page: Page;
	/** The header's switcher: absent while there is one active customer. */
	readonly switcher: Locator;
	readonly section: Locator;
	readonly sites: Locator;

	constructor(page: Page) {
		this.page = page;
		this.switcher = page.getByRole('banner').getByRole('combobox', { name: 'Customer' });
		this.section = page.getByRole('region', { name: 'Customers' });
		this.sites = page.getByRole('region', { name: /^Sites/ });
	}

	/** Settings' Customers section (opens Settings). */
	async open(): Promise<void> {
		await this.page.goto('/settings');
		await expect(this.section).toBeVisible();
	}

	/** Adds a customer from Settings and waits until it is stored (listed). */
	async create(name: string): Promise<void> {
		await this.section.getByLabel('Name of a new customer').fill(name);
		await this.section.getByRole('button', { name: 'Add customer' }).click();
		await expect(
			this.section.getByRole('list', { name: 'Customers' }).getByText(name, { exact: true })
		).toBeVisible();
	}

	async archive(name: string): Promise<void> {
		await this.section.getByRole('button', { name: `Archive ${name}` }).click();
		await expect(this.section.getByRole('button', { name: `Restore ${name}` })).toBeVisible();
	}

	async restore(name: string): Promise<void> {
		await this.section.getByRole('button', { name: `Restore ${name}` }).click();
		await expect(this.section.getByRole('button', { name: `Archive ${name}` })).toBeVisible();
	}

	/** Works in another customer, through the header's switcher. */
	async switchTo(name: string): Promise<void> {
		await this.switcher.selectOption({ label: name });
		await expect(this.switcher.locator('option:checked')).toHaveText(name);
	}

	/** Adds a site to the current customer from Settings. */
	async addSite(name: string): Promise<void> {
		await this.sites.getByLabel('Name of a new site').fill(name);
		await this.sites.getByRole('button', { name: 'Add site' }).click();
		await expect(
			this.sites.getByRole('list', { name: 'Sites' }).getByText(name, { exact: true })
		).toBeVisible();
	}
}
