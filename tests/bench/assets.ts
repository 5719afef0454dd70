// What the first visit downloads, and what the service worker keeps: measured on the built app in build/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from '@playwright/test';

/** Text that only SheetJS's code carries (its name, its API, the part name every XLSX package has). */
const SHEETJS_MARKERS = ['SheetJS', 'sheet_to_json', '[Content_Types].xml'];

export interface ScriptFile {
	/** URL path. */
	path: string;
	/** Bytes on disk. */
	raw: number;
	/** Bytes transferred (encoded body) and the encoding the relay chose. */
	transferred: number;
	encoding: string;
	/** gzip -9 of the file (what the relay sends to a client that takes gzip but not br). */
	gzip: number;
}

export interface InitialJavaScript {
	files: ScriptFile[];
	raw: number;
	transferred: number;
	gzip: number;
	/** SheetJS markers found in the initial scripts. */
	sheetjsInInitial: string[];
	/** Built JS files carrying SheetJS, wherever they are, with their gzip size. */
	sheetjsChunks: { path: string; gzip: number }[];
}

const gzipSize = (bytes: Buffer) => gzipSync(bytes, { level: 9 }).length;

function walk(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? walk(full) : [full];
	});
}

const markersIn = (text: string) => SHEETJS_MARKERS.filter((marker) => text.includes(marker));

/** First visit to `/` in a fresh profile (no cache, no service worker): every JS file the page and its workers fetch. */
export async function measureInitialJavaScript(
	browser: Browser,
	baseUrl: string,
	buildDir: string
): Promise<InitialJavaScript> {
	const context = await browser.newContext({ serviceWorkers: 'block' });
	try {
		const page = await context.newPage();
		const responses: Promise<ScriptFile | undefined>[] = [];
		page.on('response', (response) => {
			const url = new URL(response.url());
			const type = response.request().resourceType();
			if (url.origin !== new URL(baseUrl).origin || (type !== 'script' && !url.pathname.endsWith('.js')))
				return;
			responses.push(
				(async () => {
					const sizes = await response.request().sizes();
					const file = path.join(buildDir, url.pathname);
					const bytes = readFileSync(file);
					return {
						path: url.pathname,
						raw: bytes.length,
						transferred: sizes.responseBodySize,
						encoding: (await response.headerValue('content-encoding')) ?? 'identity',
						gzip: gzipSize(bytes)
					};
				})().catch(() => undefined)
			);
		});
		await page.goto(`${baseUrl}/`, { waitUntil: 'networkidle' });
		// A first visit finds an empty directory: the Users page greets the admin with first steps (no list yet).
		await page.getByRole('heading', { name: 'Welcome to Rollcall' }).waitFor();
		await page.waitForLoadState('networkidle');
		const files = (await Promise.all(responses)).filter((f): f is ScriptFile => f !== undefined);
		const sum = (key: 'raw' | 'transferred' | 'gzip') => files.reduce((total, f) => total + f[key], 0);
		const sheetjsInInitial = [
			// Two markers, as for the chunks below: Rollcall's own XLSX writer (the import template, offered on the
			// first visit's welcome) writes [Content_Types].xml too, and is not SheetJS.
			...new Set(
				files.flatMap((f) => {
					const found = markersIn(readFileSync(path.join(buildDir, f.path), 'utf8'));
					return found.length >= 2 ? found : [];
				})
			)
		];
		const sheetjsChunks = walk(buildDir)
			.filter((file) => file.endsWith('.js'))
			.filter((file) => markersIn(readFileSync(file, 'utf8')).length >= 2)
			.map((file) => ({ path: `/${path.relative(buildDir, file)}`, gzip: gzipSize(readFileSync(file)) }));
		return {
			files,
			raw: sum('raw'),
			transferred: sum('transferred'),
			gzip: sum('gzip'),
			sheetjsInInitial,
			sheetjsChunks
		};
	} finally {
		await context.close();
	}
}

export interface Precache {
	/** The files the built service worker names, with their size on disk. */
	files: { path: string; bytes: number }[];
	bytes: number;
	/** What the installed service worker actually put in Cache Storage (undefined when it could not be installed). */
	installed?: { entries: number; bytes: number };
	installError?: string;
}

/**
 * The precache: the paths service-worker.js names (SvelteKit writes its build/files lists into it as
 * literals; the app shell is added as /index.html), sized from build/; then the real thing: the worker is
 * installed in a fresh profile and Cache Storage is summed.
 */
export async function measurePrecache(
	browser: Browser,
	baseUrl: string,
	buildDir: string
): Promise<Precache> {
	const worker = readFileSync(path.join(buildDir, 'service-worker.js'), 'utf8');
	const named = new Set<string>();
	// '/_app/immutable/entry/app.X.js', and `${base}/index.html` for the shell.
	for (const [, literal = ''] of worker.matchAll(/(?:[`'"]|\})(\/[^`'"\s${}]+\.[A-Za-z0-9]+)[`'"]/g)) {
		named.add(literal);
	}
	const files = [...named]
		.map((p) => {
			try {
				const stats = statSync(path.join(buildDir, p));
				return stats.isFile() ? { path: p, bytes: stats.size } : undefined;
			} catch {
				return undefined;
			}
		})
		.filter((f): f is { path: string; bytes: number } => f !== undefined)
		.sort((a, b) => b.bytes - a.bytes);
	const result: Precache = { files, bytes: files.reduce((sum, f) => sum + f.bytes, 0) };

	const context = await browser.newContext({ serviceWorkers: 'allow' });
	try {
		const page = await context.newPage();
		await page.goto(`${baseUrl}/`);
		// A first visit finds an empty directory: the Users page greets the admin with first steps (no list yet).
		await page.getByRole('heading', { name: 'Welcome to Rollcall' }).waitFor();
		result.installed = await page.evaluate(async () => {
			// The app may register it itself; if it does not (yet), register it the way it is served.
			if (!(await navigator.serviceWorker.getRegistration()))
				await navigator.serviceWorker.register('/service-worker.js');
			await Promise.race([
				navigator.serviceWorker.ready,
				new Promise((_, reject) =>
					setTimeout(() => reject(new Error('the service worker did not activate in 60 s')), 60_000)
				)
			]);
			let entries = 0;
			let bytes = 0;
			for (const name of await caches.keys()) {
				const cache = await caches.open(name);
				for (const request of await cache.keys()) {
					const response = await cache.match(request);
					if (!response) continue;
					entries++;
					bytes += (await response.arrayBuffer()).byteLength;
				}
			}
			return { entries, bytes };
		});
	} catch (error) {
		result.installError = error instanceof Error ? error.message : String(error);
	} finally {
		await context.close();
	}
	return result;
}
