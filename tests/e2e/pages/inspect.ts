import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const SCREENSHOTS = path.join(import.meta.dirname, '..', 'screenshots');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Axe's serious and critical violations on the page as it is now, each with the elements it names. */
export async function seriousViolations(page: Page): Promise<string[]> {
	const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
	return violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id}: ${v.help} (${v.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}

/** The two sizes the issue asks each screen to be seen at: a laptop and a tablet held upright. */
export const SIZES = [
	{ width: 1280, height: 800 },
	{ width: 820, height: 1180 }
] as const;

/**
 * At each size: photographs the page as it is now (tests/e2e/screenshots/<name>-<w>x<h>.png, to be looked at)
 * and fails on any serious or critical axe violation, named with its elements.
 */
export async function inspectAtBothSizes(page: Page, name: string): Promise<void> {
	const before = page.viewportSize();
	mkdirSync(SCREENSHOTS, { recursive: true });
	for (const size of SIZES) {
		await page.setViewportSize(size);
		const label = `${name}-${size.width}x${size.height}`;
		await page.screenshot({ path: path.join(SCREENSHOTS, `${label}.png`), fullPage: true, caret: 'hide' });
		expect(await seriousViolations(page), `axe on ${label}`).toEqual([]);
	}
	if (before) await page.setViewportSize(before);
}

/** Photographs the page as it is (tests/e2e/screenshots/<name>.png), then fails on serious axe violations. */
export async function inspect(page: Page, name: string): Promise<void> {
	mkdirSync(SCREENSHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true, caret: 'hide' });
	expect(await seriousViolations(page)).toEqual([]);
}
