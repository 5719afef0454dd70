import { expect, type Locator, type Page } from '@playwright/test';

/** The global address book page (/address-book): its search, its entries and the vCard export. */
export class AddressBookPage {
	readonly page: Page;
	readonly heading: Locator;
	readonly search: Locator;
	readonly entries: Locator;
	readonly exportButton: Locator;
	/** "3 people" / "1 match of 3 people", beside the heading. */
	readonly count: Locator;

	constructor(page: Page) {
		this.page = page;
		this.heading = page.getByRole('heading', { level: 1, name: 'Global address book' });
		this.search = page.getByRole('searchbox', { name: 'Search the address book' });
		this.entries = page.getByRole('list', { name: 'People' }).getByRole('listitem');
		this.exportButton = page.getByRole('button', { name: /^Export (matches )?as vCard$/ });
		this.count = page.getByRole('main').getByRole('status');
	}

	async goto(): Promise<void> {
		await this.page.goto('/address-book');
		await expect(this.heading).toBeVisible();
		await expect(this.count).not.toHaveText('Loading…');
	}

	/** The entry headed by a person's name. */
	entry(name: string): Locator {
		return this.page.getByRole('listitem', { name, exact: true });
	}

	/** The names of the entries shown, in order. */
	async expectNames(names: string[]): Promise<void> {
		await expect(this.entries.getByRole('heading')).toHaveText(names);
	}
}
