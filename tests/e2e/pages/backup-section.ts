import { readFileSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';

/** Settings' "Backup and restore" section: download a backup, restore one. */
export class BackupSection {
	readonly page: Page;
	readonly section: Locator;
	readonly downloadButton: Locator;
	readonly restoreInput: Locator;
	/** The outcome of the last action ("Backup saved as …", "Restored 3 users …"). */
	readonly status: Locator;
	/** Why a restore or backup did not happen. */
	readonly alert: Locator;
	readonly dialog: Locator;

	constructor(page: Page) {
		this.page = page;
		this.section = page.getByRole('region', { name: 'Backup and restore' });
		this.downloadButton = this.section.getByRole('button', { name: 'Download backup' });
		this.restoreInput = this.section.getByLabel('Restore from a backup…');
		this.status = this.section.getByRole('status');
		this.alert = this.section.getByRole('alert');
		this.dialog = page.getByRole('dialog', { name: 'Replace the data on this device?' });
	}

	async goto(): Promise<void> {
		await this.page.goto('/settings');
		await expect(this.section).toBeVisible();
		await expect(this.section).not.toContainText('Checking the last backup…');
	}

	/** Downloads a backup; returns its file name and bytes. */
	async download(): Promise<{ name: string; bytes: Buffer }> {
		const downloading = this.page.waitForEvent('download');
		await this.downloadButton.click();
		const file = await downloading;
		await expect(this.status).toContainText('Backup saved as');
		const path = await file.path();
		return { name: file.suggestedFilename(), bytes: readFileSync(path) };
	}

	/** Chooses a file to restore (the confirmation, if any, is left to the caller). */
	async choose(name: string, bytes: Buffer): Promise<void> {
		await this.restoreInput.setInputFiles({ name, mimeType: 'application/json', buffer: bytes });
	}
}
