import { expect, type Locator, type Page } from '@playwright/test';

/** The Outbox page (/outbox) and the header's sync indicator that leads to it. */
export class OutboxPage {
	readonly page: Page;
	readonly heading: Locator;
	readonly table: Locator;
	/** The header's indicator: a link whose name starts with "Outbox:". */
	readonly indicator: Locator;

	constructor(page: Page) {
		this.page = page;
		this.heading = page.getByRole('heading', { level: 1, name: 'Outbox' });
		this.table = page.getByRole('table', { name: 'Messages, newest first' });
		this.indicator = page.getByRole('banner').getByRole('link', { name: /^Outbox:/ });
	}

	/** Opens the Outbox through the main navigation (works offline: no page load). */
	async open(): Promise<void> {
		await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Outbox' }).click();
		await expect(this.heading).toBeVisible();
	}

	/** The row of the message to this address. */
	row(to: string): Locator {
		return this.table.getByRole('row').filter({ hasText: to });
	}

	get rows(): Locator {
		return this.table.locator('tbody').getByRole('row');
	}
}
