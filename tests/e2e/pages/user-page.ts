import { expect, type Locator, type Page } from '@playwright/test';

/** One user's page (/users/<id>): details, Edit, Suspend, Delete. */
export class UserPage {
	readonly page: Page;
	readonly edit: Locator;
	readonly save: Locator;
	readonly editForm: Locator;
	readonly details: Locator;

	constructor(page: Page) {
		this.page = page;
		this.edit = page.getByRole('button', { name: 'Edit' });
		this.save = page.getByRole('button', { name: 'Save changes' });
		this.editForm = page.getByRole('region', { name: 'Edit user' });
		this.details = page.getByRole('region', { name: 'Details' });
	}

	/** The user's roles and the profiles they grant, each with a Download button. */
	get effectiveProfiles(): Locator {
		return this.page.getByRole('region', { name: 'Roles and profiles' });
	}

	heading(name: string): Locator {
		return this.page.getByRole('heading', { level: 1, name });
	}

	field(label: string): Locator {
		return this.editForm.getByLabel(label, { exact: false }).first();
	}

	/** The value shown for a term of the details list. */
	detail(term: string): Locator {
		return this.details
			.getByRole('term')
			.filter({ hasText: new RegExp(`^${term}$`) })
			.locator('xpath=following-sibling::dd[1]');
	}

	/** Every term of the details list and the value shown for it, as the admin reads them. */
	shownValues(): Promise<Record<string, string>> {
		return this.details
			.locator('dt')
			.evaluateAll((terms) =>
				Object.fromEntries(
					terms.map((term) => [
						(term.textContent ?? '').trim(),
						(term.nextElementSibling?.textContent ?? '').trim()
					])
				)
			);
	}

	async expectLoaded(name: string): Promise<void> {
		await expect(this.heading(name)).toBeVisible();
	}
}
