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

	/**
	 * Sets a field's requirement and waits until it is stored: the select shows the choice at once, and
	 * a navigation before the write lands would lose it.
	 */
	async setRequirement(fieldLabel: string, requirement: 'required' | 'optional' | 'hidden'): Promise<void> {
		const before = await this.storedPolicy();
		await this.requirement(fieldLabel).selectOption(requirement);
		await expect.poll(() => this.storedPolicy()).not.toEqual(before);
		await expect(this.requirement(fieldLabel)).toHaveValue(requirement);
	}

	/** Turns every hidden field optional, one stored change at a time: the form, the list and imports show them all. */
	async showEveryField(): Promise<void> {
		const hidden = this.page
			.getByRole('main')
			.getByRole('row')
			.filter({ has: this.page.locator('option[value="hidden"]:checked') })
			.getByRole('rowheader');
		const labels = await hidden.allTextContents();
		expect(labels.length, 'the policy hides some fields').toBeGreaterThan(0);
		for (const label of labels) await this.setRequirement(label.trim(), 'optional');
		await expect(hidden).toHaveCount(0);
	}

	/** The field policy as IndexedDB holds it now. */
	storedPolicy(): Promise<unknown> {
		return this.page.evaluate(
			() =>
				new Promise<unknown>((resolve, reject) => {
					const open = indexedDB.open('rollcall');
					open.onerror = () => reject(new Error(open.error?.message));
					open.onsuccess = () => {
						const request = open.result.transaction('settings').objectStore('settings').get('policy');
						request.onerror = () => reject(new Error(request.error?.message));
						request.onsuccess = () => {
							open.result.close();
							resolve((request.result as { value?: unknown } | undefined)?.value);
						};
					};
				})
		);
	}

	/** The note beside the control that changed, confirming the change (a status: a polite live region). */
	saved(text: string): Locator {
		return this.page.getByRole('main').getByRole('status').filter({ hasText: text });
	}

	async choosePreset(name: string): Promise<void> {
		await this.preset.selectOption({ label: name });
		await expect(this.saved(`Field policy set to ${name}.`)).toBeVisible();
	}

	/** The field-heavy policy (workflow D: password and mobile phone required), chosen and stored. */
	async chooseFieldHeavy(): Promise<void> {
		await this.goto();
		await this.preset.selectOption('field-heavy');
		await expect
			.poll(async () => ((await this.storedPolicy()) as Record<string, string> | undefined)?.password)
			.toBe('required');
	}
}
