import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const SCREENSHOTS = path.join(import.meta.dirname, '..', 'screenshots');

/** A file to choose: a path on disk, or a name and its bytes. */
export type ChosenFile = string | { name: string; mimeType: string; buffer: Buffer };

/** The Import page (/import): choose a file, verify it, Complete; the import history below. */
export class ImportPage {
	readonly page: Page;
	readonly heading: Locator;
	readonly fileStep: Locator;
	readonly chooseFile: Locator;
	/** The message under the file chooser when a file cannot be imported. */
	readonly refusal: Locator;
	/** The progress line while a file is read, with its Cancel button. */
	readonly reading: Locator;
	readonly cancel: Locator;
	readonly complete: Locator;
	readonly history: Locator;
	/** The summary after Complete: "<file>: 3 users created, ...". */
	readonly summary: Locator;
	/** The offer of the preset a file fits when the field policy does not (and, once taken, what was done). */
	readonly presetOffer: Locator;
	/** The preview's scroller: the table of the rows as they will be stored. */
	readonly preview: Locator;

	constructor(page: Page) {
		this.page = page;
		this.heading = page.getByRole('heading', { level: 1, name: 'Import users' });
		this.fileStep = page.getByRole('region', { name: '1. The file' });
		this.chooseFile = page.getByLabel('Choose a file…');
		this.refusal = this.fileStep.getByRole('alert');
		this.reading = this.fileStep.getByRole('status').filter({ hasText: /^Reading / });
		this.cancel = this.fileStep.getByRole('button', { name: 'Cancel' });
		this.complete = page.getByRole('button', { name: 'Complete' });
		this.history = page.getByRole('region', { name: 'Import history' });
		this.summary = page.getByRole('region', { name: 'Import complete' }).getByRole('status');
		this.presetOffer = page.getByRole('group', { name: 'Field policy preset' });
		this.preview = page.getByRole('region', { name: 'Rows as they will be stored' });
	}

	async goto(): Promise<void> {
		await this.page.goto('/import');
		await expect(this.heading).toBeVisible();
	}

	/** The step 2 region for a file: "2. Verify <name>". */
	verify(name: string): Locator {
		return this.page.getByRole('region', { name: `2. Verify ${name}` });
	}

	/** One of the counts above the preview ('new', 'would update', 'unchanged', 'with errors'). */
	count(what: string): Locator {
		return this.page
			.getByRole('list', { name: 'Rows' })
			.getByRole('listitem')
			.filter({ hasText: new RegExp(`^\\s*[\\d,]+ ${what}\\s*$`) });
	}

	/** The list of warnings (values kept as typed), by row, column and what Rollcall did. */
	get warnings(): Locator {
		return this.page.getByRole('region', { name: /^Warnings in .+ \(/ });
	}

	/**
	 * A value of the preview marked with its error or warning (shown as typed): focusable, described by its
	 * message, which shows on hover and focus.
	 */
	markedValue(value: string): Locator {
		return this.preview.locator('[aria-describedby]').filter({ hasText: value });
	}

	/** A column's header in the preview ('First name', 'Will be'). */
	previewHeader(name: string): Locator {
		return this.preview.getByRole('columnheader', { name, exact: true });
	}

	async choose(file: ChosenFile): Promise<void> {
		await this.chooseFile.setInputFiles(file);
	}

	/** Chooses a file the page must refuse, and waits for the message. */
	async expectRefused(file: ChosenFile, message: string | RegExp): Promise<void> {
		await this.choose(file);
		await expect(this.refusal).toHaveText(message);
		await expect(this.chooseFile).toBeEnabled();
		await expect(this.page.getByRole('region', { name: /^2\. Verify/ })).toHaveCount(0);
	}

	/** Photographs the page (tests/e2e/screenshots/<name>.png) and fails on serious axe violations. */
	async inspect(name: string): Promise<void> {
		mkdirSync(SCREENSHOTS, { recursive: true });
		await this.page.screenshot({
			path: path.join(SCREENSHOTS, `${name}.png`),
			fullPage: true,
			caret: 'hide'
		});
		const { violations } = await new AxeBuilder({ page: this.page })
			.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
			.analyze();
		const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
	}
}
