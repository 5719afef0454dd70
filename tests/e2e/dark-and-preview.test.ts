import { expect, test, type Locator, type Page } from '@playwright/test';
import { ImportPage } from './pages/import-page';
import { UsersPage } from './pages/users-page';

/**
 * The import preview shows a wrong value as the file has it, marked and with its error, and fits a tablet:
 * the table scrolls inside its card with the row number and the name kept in view. And the app follows the
 * device's dark scheme.
 */

// Every field of the default policy: wider than a tablet held upright.
const CSV = [
	'First name,Last name,Display name,Email,Username,User type,Site,Mobile phone,Business phone,Company,Job title,Department',
	'Ann,Archer,Ann Archer,ann@example,aarcher,Superuser,HQ,07400 123456,,Example Ltd,Engineer,Research',
	'Bob,Bright,Bob Bright,bob@example.com,bbright,Standard,Leeds,07400 123457,12345,Example Ltd,Analyst,Finance',
	'Cleo,Carter,Cleo Carter,cleo@example.com,ccarter,Privileged,HQ,07400 123458,,Example Ltd,Director,Board'
].join('\r\n');

const file = { name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf-8') };

const EMAIL_ERROR = 'The email domain needs an ending such as .com or .org, as in name@example.com.';
const TYPE_ERROR = 'User type must be Standard or Privileged.';

// A British organisation: its default country reads the mobile numbers.
test.use({ locale: 'en-GB', timezoneId: 'UTC' });
// An import, axe and a full-page photograph: more than 30 s on a busy 2-core machine.
test.describe.configure({ timeout: 90_000 });

const viewports = [
	{ width: 1280, height: 800 },
	{ width: 820, height: 1180 }
];

async function choose(page: Page): Promise<ImportPage> {
	const importing = new ImportPage(page);
	await importing.goto();
	await importing.choose(file);
	await expect(importing.count('with errors')).toHaveText(/1 with errors/);
	return importing;
}

/** Where an element is, which fails the test when it is not rendered. */
async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
	const found = await locator.boundingBox();
	if (!found) throw new Error('not rendered');
	return found;
}

for (const viewport of viewports) {
	for (const colorScheme of ['light', 'dark'] as const) {
		const look = `${colorScheme}-${viewport.width}x${viewport.height}`;

		test(`a wrong value shows as typed, marked, with its error (${look})`, async ({ page }) => {
			await page.setViewportSize(viewport);
			await page.emulateMedia({ colorScheme });
			const importing = await choose(page);

			// As typed, with a sign besides the colour, and the error as its description.
			const email = importing.markedValue('ann@example');
			await expect(email).toHaveText('ann@example✕(error)');
			await expect(email).toHaveAccessibleDescription(EMAIL_ERROR);
			const userType = importing.markedValue('Superuser');
			await expect(userType).toHaveText('Superuser✕(error)');
			await expect(userType).toHaveAccessibleDescription(TYPE_ERROR);
			// A warned value is marked the same way, with its own sign.
			await expect(importing.markedValue('12345')).toHaveText('12345⚠(warning)');

			// The error shows on hover, and on focus (a tap focuses too).
			const message = importing.preview.getByText(EMAIL_ERROR);
			await expect(message).toBeHidden();
			await userType.hover();
			await expect(importing.preview.getByText(TYPE_ERROR)).toBeVisible();
			await page.mouse.move(0, 0);
			await expect(importing.preview.getByText(TYPE_ERROR)).toBeHidden();
			await email.focus();
			await expect(message).toBeVisible();
			await importing.preview.screenshot({ path: `tests/e2e/screenshots/import-preview-table-${look}.png` });
			await importing.inspect(`import-preview-${look}`);
		});
	}
}

test('on a tablet the preview scrolls in its card, from the keyboard, with the row number and name in view', async ({
	page
}) => {
	await page.setViewportSize({ width: 820, height: 1180 });
	const importing = await choose(page);
	const scroller = importing.preview;
	const { scrollWidth, clientWidth } = await scroller.evaluate((el) => ({
		scrollWidth: el.scrollWidth,
		clientWidth: el.clientWidth
	}));
	expect(scrollWidth).toBeGreaterThan(clientWidth);
	// The page itself never scrolls sideways.
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(820);

	// The scroller takes the keyboard's focus, and the arrow keys scroll it.
	await importing.previewHeader('Row').scrollIntoViewIfNeeded();
	await scroller.focus();
	await expect(scroller).toBeFocused();
	await page.keyboard.press('ArrowRight');
	await expect.poll(() => scroller.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
	// Tab goes on to the first marked value, whose error then shows.
	await page.keyboard.press('Tab');
	await expect(importing.markedValue('ann@example')).toBeFocused();
	await expect(scroller.getByText(EMAIL_ERROR)).toBeVisible();

	// Scrolled to the far right: the row number and the name stay, the columns before the last are gone.
	await scroller.evaluate((el) => el.scrollTo({ left: el.scrollWidth, behavior: 'instant' }));
	const card = await box(scroller);
	const inView = async (locator: Locator) => {
		const at = await box(locator);
		return at.x >= card.x - 1 && at.x + at.width <= card.x + card.width + 1;
	};
	const row = scroller.getByRole('row').filter({ hasText: 'bob@example.com' });
	await expect.poll(() => inView(row.getByRole('rowheader', { name: 'Bob' }))).toBe(true);
	expect(await inView(row.getByRole('cell', { name: '3', exact: true }))).toBe(true);
	expect(await inView(importing.previewHeader('First name'))).toBe(true);
	expect(await inView(importing.previewHeader('Department'))).toBe(true);
	// Scrolled under the name: the email is not in view, and the name's cell covers where it went.
	const emailCell = row.getByRole('cell', { name: 'bob@example.com' });
	expect(await inView(emailCell)).toBe(false);
	const name = await box(row.getByRole('rowheader', { name: 'Bob' }));
	const shown = await page.evaluate(
		([x, y]) => document.elementFromPoint(x!, y!)?.textContent?.trim(),
		[name.x + name.width / 2, name.y + name.height / 2]
	);
	expect(shown).toBe('Bob');
});

test('the app follows the dark scheme of the device', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'dark' });
	await new UsersPage(page).goto();
	/** The relative luminance (WCAG) of an element's computed colour property. */
	const luminance = (selector: string, property: 'color' | 'backgroundColor') =>
		page
			.locator(selector)
			.first()
			.evaluate((el, prop) => {
				const [r, g, b] = getComputedStyle(el)
					[prop].match(/\d+(\.\d+)?/gu)!
					.slice(0, 3)
					.map((c) => Number(c) / 255)
					.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
				return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
			}, property);
	expect(await luminance('html', 'backgroundColor')).toBeLessThan(0.05);
	expect(await luminance('main', 'color')).toBeGreaterThan(0.6);
	expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe(
		'light dark'
	);
	// The browser's own bar takes the header's colour of the scheme.
	const themeColor = await page.evaluate(
		() =>
			[...document.querySelectorAll<HTMLMetaElement>('meta[name="theme-color"]')].find(
				(meta) => !meta.media || matchMedia(meta.media).matches
			)?.content
	);
	const brand = await page.evaluate(() =>
		getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()
	);
	expect(themeColor).toBe(brand);

	// Light again: the light colours come back.
	await page.emulateMedia({ colorScheme: 'light' });
	expect(await luminance('html', 'backgroundColor')).toBeGreaterThan(0.8);
});
