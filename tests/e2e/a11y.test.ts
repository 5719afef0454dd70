import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import type { Result } from 'axe-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AddUserPage } from './pages/add-user-page';
import { CustomAttributesSection } from './pages/custom-attributes-section';
import { ExportDialog } from './pages/export-dialog';
import { everyone, nameOf, people } from './pages/people';
import { SettingsPage } from './pages/settings-page';
import { UserPage } from './pages/user-page';
import { UsersPage } from './pages/users-page';

const SCREENSHOTS = path.join(import.meta.dirname, 'screenshots');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const viewports = [
	{ width: 1280, height: 800 },
	{ width: 820, height: 1180 }
];
/** Every page is checked in the device's light and dark schemes: contrast is checked in each. */
const schemes = ['light', 'dark'] as const;

// Axe takes 1-3 s a page on a 2-core machine (more when busy): these tests run side by side, with time to spare.
test.describe.configure({ mode: 'parallel', timeout: 90_000 });
test.use({ locale: 'en-US', timezoneId: 'UTC' });

/**
 * Axe's serious and critical violations on the page as it is now, one readable paragraph each.
 * Lesser ones are attached to the test's report (and printed with ROLLCALL_AXE_VERBOSE=1).
 */
async function seriousViolations(page: Page, name: string): Promise<string[]> {
	const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
	const isSerious = (v: Result) => v.impact === 'serious' || v.impact === 'critical';
	const serious = violations.filter(isSerious).map(explain);
	const lesser = violations.filter((v) => !isSerious(v)).map(explain);
	if (lesser.length > 0) {
		const text = `${name}:\n${lesser.join('\n\n')}`;
		await test.info().attach(`axe-lesser-${name}.txt`, { body: text, contentType: 'text/plain' });
		if (process.env.ROLLCALL_AXE_VERBOSE) console.log(text);
	}
	return serious;
}

function explain(v: Result): string {
	const nodes = v.nodes
		.slice(0, 5)
		.map(
			(node) =>
				`    - ${node.target.join(' ')}\n      ${node.failureSummary?.replace(/\n/g, '\n      ') ?? ''}`
		)
		.join('\n');
	const more = v.nodes.length > 5 ? `\n    ... and ${v.nodes.length - 5} more` : '';
	return `${v.id} [${v.impact}] ${v.help}\n  ${v.helpUrl}\n${nodes}${more}`;
}

/**
 * Checks pages with axe and photographs them; `expectNoViolations()` fails with everything found, so one
 * bad page does not hide the others.
 */
class Inspector {
	readonly #page: Page;
	readonly #size: string;
	readonly #found: string[] = [];

	constructor(page: Page, size: string) {
		this.#page = page;
		this.#size = size;
	}

	/** Photographs the page as it is now (into tests/e2e/screenshots/<name>-<scheme>-<size>.png), then runs axe. */
	async check(name: string, { fullPage = true } = {}): Promise<void> {
		mkdirSync(SCREENSHOTS, { recursive: true });
		await this.#page.screenshot({
			path: path.join(SCREENSHOTS, `${name}-${this.#size}.png`),
			fullPage,
			caret: 'hide'
		});
		const violations = await seriousViolations(this.#page, `${name}-${this.#size}`);
		for (const violation of violations) this.#found.push(`${name} (${this.#size}): ${violation}`);
	}

	expectNoViolations(): void {
		expect(this.#found, `axe found serious or critical violations:\n\n${this.#found.join('\n\n')}`).toEqual(
			[]
		);
	}
}

for (const [viewport, colorScheme] of viewports.flatMap((v) => schemes.map((s) => [v, s] as const))) {
	const size = `${colorScheme}-${viewport.width}x${viewport.height}`;

	test.describe(`at ${size}`, () => {
		test.use({ viewport, colorScheme });

		test.beforeEach(async ({ page }) => {
			// Dates show on the user page.
			await page.clock.setFixedTime(new Date('2026-03-14T09:30:00Z'));
		});

		test(`the empty list, the add-user form (blank, with errors, with a taken email) and settings (${size})`, async ({
			page
		}) => {
			const inspector = new Inspector(page, size);
			const list = new UsersPage(page);
			await list.goto();
			await expect(page.getByText('No users yet.')).toBeVisible();
			await inspector.check('users-empty');

			const form = new AddUserPage(page);
			await form.goto();
			await inspector.check('add-user');
			// Submitted empty, with a wrong email: every kind of error shows.
			await form.submit.click();
			await expect(form.problems).toContainText('The user was not saved. Please correct:');
			await form.field('Email').fill('ann@example');
			await expect(form.field('Email')).toHaveAttribute('aria-invalid', 'true');
			await inspector.check('add-user-errors');

			await form.field('Email').fill('');
			await form.add(people.ann);
			await form.fill({ firstName: 'Ann', lastName: 'Again', email: 'ANN@Example.com' });
			await expect(form.field('Email')).toHaveAccessibleDescription(/already taken by Ann Archer/);
			await expect(form.field('First name')).toHaveAttribute('aria-invalid', 'false');
			await inspector.check('add-user-taken');

			await new SettingsPage(page).goto();
			await inspector.check('settings');
			// Custom attributes: one listed (and in the policy's table), one being renamed, a refused name.
			const custom = new CustomAttributesSection(page);
			await custom.addAttribute('Badge colour');
			await custom.addAttribute('Locker');
			await custom.startRename('Locker', 'First name');
			await custom.region.getByRole('button', { name: 'Save name' }).click();
			await expect(custom.problem).toBeVisible();
			await inspector.check('settings-custom-attributes');
			await custom.askDelete('Badge colour');
			await inspector.check('settings-custom-delete', { fullPage: false });
			inspector.expectNoViolations();
		});

		test(`the list with users, a selection, the Action menu and a confirm dialog; a user's page (${size})`, async ({
			page
		}) => {
			const inspector = new Inspector(page, size);
			const form = new AddUserPage(page);
			await form.goto();
			await form.addAll(everyone);

			const list = new UsersPage(page);
			await list.goto();
			await list.expectNames(everyone.map(nameOf));
			await inspector.check('users');
			await list.checkbox('Eddie Brown').click();
			await expect(list.count).toHaveText('6 users, 1 selected');
			await list.actionMenu.click();
			await expect(page.getByRole('menu', { name: 'Action' })).toBeVisible();
			await inspector.check('users-selected-action-menu');
			await page.getByRole('menuitem', { name: 'Delete…' }).click();
			await expect(list.dialog).toBeVisible();
			await inspector.check('users-confirm-delete', { fullPage: false });
			await list.dialog.getByRole('button', { name: 'Cancel' }).click();

			// The export dialog, on the selection, shaped for Microsoft 365 (with its notes).
			const exporting = new ExportDialog(page);
			await exporting.openForSelection();
			await exporting.choose('CSV', 'Microsoft 365');
			await expect(exporting.exportButton).toBeEnabled();
			await inspector.check('users-export', { fullPage: false });
			await page.keyboard.press('Escape');
			await expect(exporting.dialog).toBeHidden();

			await list.row('Élodie Martin').getByRole('link', { name: 'Élodie Martin' }).click();
			const user = new UserPage(page);
			await user.expectLoaded('Élodie Martin');
			await inspector.check('user');
			await user.edit.click();
			await user.field('Email').fill(people.emma.email);
			await user.save.click();
			await expect(user.editForm.getByRole('alert')).toContainText('already taken by Emma Stone');
			await inspector.check('user-edit-errors');
			inspector.expectNoViolations();
		});
	});
}
