import { expect, type Locator, type Page } from '@playwright/test';
import { SettingsPage } from './settings-page';

/** Settings → Licenses: seats per product, with how many are used and free, for the current customer. */
export class LicensesSection {
	readonly page: Page;
	readonly region: Locator;
	/** What the last Save said ("Desktop: 3 seats."). */
	readonly saved: Locator;
	/** Why the last Save was refused. */
	readonly problem: Locator;

	constructor(page: Page) {
		this.page = page;
		this.region = page.getByRole('region', { name: 'Licenses' });
		this.saved = this.region.getByRole('status');
		this.problem = this.region.getByRole('alert');
	}

	async goto(): Promise<void> {
		await new SettingsPage(this.page).goto();
		await expect(this.region).toBeVisible();
	}

	seats(product: string): Locator {
		return this.region.getByRole('spinbutton', { name: `${product} seats` });
	}

	/** A product's line: its seats, Save, and how many are used. */
	item(product: string): Locator {
		// `has` is looked for inside each item: the spinbutton alone, not from the region.
		return this.region
			.getByRole('listitem')
			.filter({ has: this.page.getByRole('spinbutton', { name: `${product} seats` }) });
	}

	/** The line beside a product's seats: "1 of 3 used, 2 free" or "No seats yet". */
	use(product: string): Locator {
		return this.item(product).locator('.use');
	}

	/** Types the seats and presses Save, whatever comes of it. */
	async typeSeats(product: string, seats: number): Promise<void> {
		await this.seats(product).fill(String(seats));
		await this.item(product).getByRole('button', { name: 'Save' }).click();
	}

	/** Types the seats and saves them, then waits until the page shows them stored. */
	async setSeats(product: string, seats: number): Promise<void> {
		await this.typeSeats(product, seats);
		await expect(this.saved).toHaveText(new RegExp(`^${product}: ${seats} seats?\\.$`));
		await expect(this.use(product)).toContainText(`of ${seats} used`);
	}
}
