import { expect, type Locator, type Page } from '@playwright/test';

/** Settings (/settings): the field policy and the default country. */
export class SettingsPage {
	readonly page: Page;
	readonly preset: Locator;
	readonly defaultCountry: Locator;

	constructor(page: Page) {
		this.page = page;
		this.preset = page.getByRole('combobox', { name: 'Preset' });
		this.defaultCountry = page.getByRole('combobox', { name: 'Default country' });
	}

	async goto(): Promise<void> {
		await this.page.goto('/settings');
		await expect(this.page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
	}

	requirement(fieldLabel: string): Locator {
		return this.page.getByRole('combobox', { name: fieldLabel, exact: true });
	}

	/** The status line that confirms a saved change. */
	saved(text: string): Locator {
		return this.page.getByRole('main').getByRole('status').filter({ hasText: text });
	}

	async choosePreset(name: string): Promise<void> {
		await this.preset.selectOption({ label: name });
		await expect(this.saved(`Field policy set to ${name}.`)).toBeVisible();
	}
}
