import { expect, type Download, type Locator, type Page } from '@playwright/test';

/** The Users page's export dialog: which users, format, shape, separator; its progress and outcome. */
export class ExportDialog {
	readonly page: Page;
	readonly dialog: Locator;
	readonly format: Locator;
	readonly shape: Locator;
	readonly separator: Locator;
	readonly exportButton: Locator;
	readonly progress: Locator;
	readonly cancel: Locator;
	/** 'Saved 3 users to …', or what went wrong. */
	readonly outcome: Locator;

	constructor(page: Page) {
		this.page = page;
		this.dialog = page.getByRole('dialog', { name: 'Export users' });
		this.format = this.dialog.getByRole('combobox', { name: 'Format' });
		this.shape = this.dialog.getByRole('combobox', { name: 'Shaped for' });
		this.separator = this.dialog.getByRole('combobox', { name: 'Separator' });
		this.exportButton = this.dialog.getByRole('button', { name: 'Export', exact: true });
		this.progress = this.dialog.getByRole('progressbar');
		this.cancel = this.dialog.getByRole('button', { name: 'Cancel' });
		this.outcome = this.dialog.getByRole('status').or(this.dialog.getByRole('alert'));
	}

	/** The toolbar's Export… button. */
	async open(): Promise<void> {
		await this.page.getByRole('button', { name: 'Export…' }).click();
		await expect(this.dialog).toBeVisible();
	}

	/** Action -> Export selected…. */
	async openForSelection(): Promise<void> {
		await this.page.getByRole('button', { name: 'Action' }).click();
		await this.page.getByRole('menuitem', { name: 'Export selected…' }).click();
		await expect(this.dialog).toBeVisible();
	}

	/** The 'which users' choice whose label starts with `label` ('Everyone', 'The selection'...). */
	who(label: string): Locator {
		return this.dialog.getByRole('radio', { name: new RegExp(`^${label}`) });
	}

	/** Chooses the format by its label ('CSV', 'Excel (.xlsx)', ...). */
	async choose(format: string, shape?: string): Promise<void> {
		await this.format.selectOption({ label: format });
		if (shape) await this.shape.selectOption({ label: shape });
	}

	/** Export, wait for the download and the dialog's 'Saved N users' line. */
	async download(): Promise<Download> {
		const downloading = this.page.waitForEvent('download');
		await this.exportButton.click();
		const file = await downloading;
		await expect(this.outcome).toHaveText(/^Saved [\d,]+ users? to /);
		return file;
	}
}
