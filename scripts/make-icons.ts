// Draws Rollcall's icons: static/favicon.svg and the PNGs in static/icons/ (committed; run again after
// changing the design): node_modules/.bin/node scripts/make-icons.ts
// The PNGs are screenshots of the SVG taken by the system Chromium, so no image library is needed.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.ts';

const THEME = '#1f4e79';
const STATIC_DIR = path.resolve(import.meta.dirname, '../static');

interface Icon {
	readonly file: string;
	readonly size: number;
	/** Rounded corners on a transparent ground; full-bleed icons are shaped by the platform instead. */
	readonly isRounded: boolean;
	/** Scale of the mark around the centre: maskable icons keep it inside the central 80% circle. */
	readonly markScale: number;
}

const PNG_ICONS: readonly Icon[] = [
	{ file: 'icons/icon-192.png', size: 192, isRounded: true, markScale: 1 },
	{ file: 'icons/icon-512.png', size: 512, isRounded: true, markScale: 1 },
	{ file: 'icons/icon-maskable-512.png', size: 512, isRounded: false, markScale: 0.78 },
	{ file: 'icons/apple-touch-icon.png', size: 180, isRounded: false, markScale: 0.88 }
];

/** A checklist: two names ticked off, one still to come. Drawn on a 512 x 512 grid. */
const MARK = `<g fill="none" stroke="#fff" stroke-width="30" stroke-linecap="round" stroke-linejoin="round">
	<path d="M122 164l30 30 48-54" />
	<path d="M122 264l30 30 48-54" />
	<circle cx="161" cy="354" r="22" stroke-width="22" />
	<path d="M250 170h140M250 270h140M250 354h96" />
</g>`;

function iconSvg({ size, isRounded, markScale }: Omit<Icon, 'file'>): string {
	const ground = isRounded
		? `<rect width="512" height="512" rx="112" fill="${THEME}" />`
		: `<rect width="512" height="512" fill="${THEME}" />`;
	const offset = 256 * (1 - markScale);
	return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="${size}" height="${size}">
${ground}
<g transform="translate(${offset} ${offset}) scale(${markScale})">${MARK}</g>
</svg>
`;
}

async function main(): Promise<void> {
	await mkdir(path.join(STATIC_DIR, 'icons'), { recursive: true });
	await writeFile(path.join(STATIC_DIR, 'favicon.svg'), iconSvg({ size: 32, isRounded: true, markScale: 1 }));

	const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
	try {
		for (const icon of PNG_ICONS) {
			const page = await browser.newPage({
				viewport: { width: icon.size, height: icon.size },
				deviceScaleFactor: 1
			});
			await page.setContent(
				`<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block}</style>${iconSvg(icon)}`
			);
			await page.screenshot({ path: path.join(STATIC_DIR, icon.file), omitBackground: true });
			await page.close();
			console.log(`wrote static/${icon.file}`);
		}
	} finally {
		await browser.close();
	}
	console.log('wrote static/favicon.svg');
}

await main();
