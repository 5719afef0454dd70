import { expect, type Locator, type Page } from '@playwright/test';

/** The Outbox page (/outbox) and the header's sync indicator. */
export class OutboxPage {
	readonly page: Page;
	readonly heading: Locator;
	readonly table: Locator;
	/** The header's indicator: a button whose name starts with "Outbox:", opening what it means. */
	readonly indicator: Locator;

	constructor(page: Page) {
		this.page = page;
		this.heading = page.getByRole('heading', { level: 1, name: 'Outbox' });
		this.table = page.getByRole('table', { name: 'Messages, newest first' });
		this.indicator = page.getByRole('banner').getByRole('button', { name: /^Outbox:/ });
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

	get sendNow(): Locator {
		return this.page.getByRole('button', { name: 'Send now' });
	}

	/** Which messages the list shows ("All messages", "Delivered", ...). */
	get filter(): Locator {
		return this.page.getByRole('combobox', { name: 'Show' });
	}

	get clearAge(): Locator {
		return this.page.getByRole('combobox', { name: 'Clear messages delivered' });
	}

	get clearButton(): Locator {
		return this.page.getByRole('button', { name: 'Clear delivered…' });
	}

	get clearDialog(): Locator {
		return this.page.getByRole('dialog', { name: 'Clear delivered messages' });
	}

	/**
	 * Marks every message of this device's outbox sent and delivered at `at`, as the relay's reports would
	 * (a device that is not paired sends nothing, and the reports take days), then reloads.
	 */
	async deliverAll(at: number): Promise<void> {
		await this.page.evaluate(
			(deliveredAt) =>
				new Promise<void>((resolve, reject) => {
					const open = indexedDB.open('rollcall');
					open.onerror = () => reject(new Error(open.error?.message));
					open.onsuccess = () => {
						const tx = open.result.transaction('outbox', 'readwrite');
						const cursor = tx.objectStore('outbox').openCursor();
						cursor.onsuccess = () => {
							const row = cursor.result;
							if (!row) return;
							row.update({
								...(row.value as object),
								state: 'sent',
								sentAt: deliveredAt,
								messageId: 'delivered-by-test',
								delivery: 'delivered',
								deliveredAt
							});
							row.continue();
						};
						tx.oncomplete = () => (open.result.close(), resolve());
						tx.onerror = () => reject(new Error(tx.error?.message));
					};
				}),
			at
		);
		await this.page.reload();
		await expect(this.heading).toBeVisible();
	}

	/**
	 * Puts messages straight into this device's outbox (the app must have opened its database), then
	 * reloads: the relay's delivery reports take days to come back, and a test cannot wait for them.
	 */
	async seed(messages: readonly Record<string, unknown>[]): Promise<void> {
		await this.page.evaluate(
			(rows) =>
				new Promise<void>((resolve, reject) => {
					const open = indexedDB.open('rollcall');
					open.onerror = () => reject(new Error(open.error?.message));
					open.onsuccess = () => {
						const tx = open.result.transaction('outbox', 'readwrite');
						for (const row of rows) tx.objectStore('outbox').put(row);
						tx.oncomplete = () => (open.result.close(), resolve());
						tx.onerror = () => reject(new Error(tx.error?.message));
					};
				}),
			messages
		);
		await this.page.reload();
		await expect(this.heading).toBeVisible();
	}
}
