import { expect, type Locator, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { PORT, RELAY_DATA_DIR } from '../relay-env';

/** The "License" section of a user's page: the key, Regenerate, the activated computers and Deactivate. */
export class LicenseSection {
	readonly page: Page;
	readonly region: Locator;
	/** The key as shown, in its groups. */
	readonly key: Locator;
	readonly copy: Locator;
	readonly regenerate: Locator;
	/** The confirmation Regenerate asks for. */
	readonly dialog: Locator;
	/** One item per activated computer: its name, when, and Deactivate or the waiting note. */
	readonly computers: Locator;

	constructor(page: Page) {
		this.page = page;
		this.region = page.getByRole('region', { name: 'License' });
		this.key = this.region.locator('code[data-key]');
		this.copy = this.region.getByRole('button', { name: 'Copy key' });
		this.regenerate = this.region.getByRole('button', { name: 'Regenerate key…' });
		this.dialog = page.getByRole('dialog', { name: 'Regenerate license key' });
		this.computers = this.region.getByRole('list', { name: 'Activated computers' }).getByRole('listitem');
	}

	/** The key in its grouped form (XXXXX-XXXXX-XXXXX-XXXXX), once the section shows one. */
	async keyText(): Promise<string> {
		await expect(this.key).toHaveAttribute('data-key', /^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
		return (await this.key.getAttribute('data-key'))!;
	}

	computer(name: string): Locator {
		return this.computers.filter({ hasText: name });
	}

	deactivate(name: string): Locator {
		return this.region.getByRole('button', { name: `Deactivate ${name}` });
	}

	/** The names of the listed computers, in order, are these. */
	async expectComputers(names: string[]): Promise<void> {
		if (names.length === 0) {
			await expect(this.computers).toHaveCount(0);
			return;
		}
		await expect(this.computers.locator('.name')).toHaveText(names);
	}

	/** Regenerates the key through its confirmation; returns the new key. */
	async regenerateKey(): Promise<string> {
		const before = await this.keyText();
		await this.regenerate.click();
		await expect(this.dialog).toContainText('The old key stops working');
		await this.dialog.getByRole('button', { name: 'Regenerate' }).click();
		await expect(this.key).not.toHaveAttribute('data-key', before);
		return this.keyText();
	}
}

/** What `npm run relay -- activate` printed and its exit status. */
export interface ActivationRun {
	status: number;
	out: string;
}

/**
 * Activates the license on `computer` as the desktop program would, through the relay's own CLI against
 * the running e2e relay (`npm run relay -- activate <email> <key> <computer>`).
 */
export function activateWithCli(email: string, key: string, computer: string): Promise<ActivationRun> {
	return new Promise((resolve) => {
		execFile(
			'node_modules/.bin/node',
			['src/relay/cli.ts', 'activate', email, key, computer],
			{
				env: { ...process.env, PORT: String(PORT), RELAY_DATA_DIR, RELAY_URL: `http://127.0.0.1:${PORT}` },
				encoding: 'utf8',
				timeout: 30_000
			},
			(error, stdout, stderr) =>
				resolve({ status: error ? Number(error.code ?? 1) : 0, out: stdout + stderr })
		);
	});
}
