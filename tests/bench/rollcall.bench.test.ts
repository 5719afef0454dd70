// `npm run bench`: builds the app, serves build/ with the relay on a free loopback port, measures the Users
// list in headless Chromium with 100,000 and then 1,000,000 users, the first visit's JavaScript, the
// precache and Lighthouse, and writes BENCHMARKS.md. It checks that each measurement really happened (the
// list shows the users seeded, the last row is reached...) but asserts no timing: the figures go to the
// report, with their targets. BENCH_SCALES=20000,50000 runs smaller directories while working on the bench.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDb } from '$lib/db/database';
import { fields } from '$lib/domain/fields';
import type { FieldPolicy } from '$lib/domain/policy';
import { matchesSearch, searchTerms, userKeys, validateUser, type UserFields } from '$lib/domain/user';
import { measureInitialJavaScript, measurePrecache } from './assets';
import { cacheKey, ProfileCache } from './cache';
import { CHROMIUM, CHROMIUM_FLAGS, runLighthouse } from './lighthouse';
import { describeMachine } from './machine';
import {
	firstScreen,
	jumpToEnd,
	liveHeap,
	pressOnGrid,
	profileCpu,
	scrollThrough,
	forgetKeptLists,
	searchKeystroke,
	waitForKeptOrder,
	waitForList
} from './measure';
import { People, type SeedUser } from './people';
import { installProbes } from './probes';
import { writeReport, type Results, type ScaleResults, type SearchSample } from './report';
import { describeStore, seedUsers } from './seed';
import { section as timedSection } from './section';
import { startServer, type RunningServer } from './server';
import { traced } from './trace';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD = `${ROOT}build`;
const REPORT = `${ROOT}BENCHMARKS.md`;
const SCALES = (process.env.BENCH_SCALES ?? '100000,1000000').split(',').map(Number);
const LIGHTHOUSE_RUNS = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3);
const VIEWPORT = { width: 1280, height: 800 };
const SCROLL_STEPS = 300;
const PAGE_DOWNS = 60;
/** A directory this large takes seconds per list query: fewer samples keep the run under ~20 minutes. */
const isHuge = (users: number) => users >= 500_000;
const firstScreenSamples = (users: number) => (isHuge(users) ? 2 : 3);
/** Typed letter by letter, then cleared with one Backspace: every keystroke is a sample. */
const searchWords = (users: number) => (isHuge(users) ? ['ma'] : ['maria', 'lopez']);
const ALL_SEARCH_WORDS = ['maria', 'lopez'];

const results: Results = {
	viewport: VIEWPORT,
	scales: [],
	errors: [],
	load: [],
	startedAt: Date.now()
};

let server: RunningServer;
let browser: Browser;
/** Seeded profiles of earlier runs (see cache.ts). */
const cache = new ProfileCache(
	ROOT,
	cacheKey(
		ROOT,
		[
			'tests/bench/people.ts',
			'tests/bench/seed.ts',
			'src/lib/db/catalog.ts',
			'src/lib/domain/user.ts',
			'src/lib/domain/text.ts',
			'src/lib/domain/email.ts',
			'src/lib/domain/fields.ts'
		],
		// Chromium's on-disk format may change with its version. Of the schema, only the users store decides
		// what the seed writes: a later version that adds other tables upgrades the copy as it would a device.
		execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }) + usersStoreSchema()
	),
	process.env.BENCH_CACHE !== '0'
);

/** The users store's primary key and indexes as the app declares them (Dexie reads the schema unopened). */
function usersStoreSchema(): string {
	const { schema } = createDb('rollcall-bench-schema').table('users');
	return [schema.primKey.src, ...schema.indexes.map((index) => index.src).sort()].join(',');
}

const section = <T>(name: string, run: () => Promise<T>): Promise<T> => timedSection(results, name, run);

/** Counts, as the generator goes, the users each search prefix should find (any search word starting with it). */
class SearchCounts {
	readonly prefixes = [
		...new Set(
			ALL_SEARCH_WORDS.flatMap((word) => [...word].map((_, i) => searchTerms(word.slice(0, i + 1))[0]!))
		)
	];
	readonly counts = new Map(this.prefixes.map((p) => [p, 0]));
	observe = (user: SeedUser) => {
		for (const prefix of this.prefixes) {
			if (matchesSearch(user, [prefix])) this.counts.set(prefix, this.counts.get(prefix)! + 1);
		}
	};
	of(query: string): number {
		return this.counts.get(searchTerms(query)[0]!)!;
	}
	toJSON(): Record<string, number> {
		return Object.fromEntries(this.counts);
	}
	static from(record: Record<string, number>): SearchCounts {
		const counts = new SearchCounts();
		for (const prefix of counts.prefixes) counts.counts.set(prefix, record[prefix] ?? NaN);
		return counts;
	}
}

async function measureSearch(page: Page, total: number, counts: SearchCounts): Promise<SearchSample[]> {
	const box = page.getByRole('searchbox', { name: 'Search users' });
	await box.focus();
	const samples: SearchSample[] = [];
	let shown = total;
	const sample = async (key: string, query: string, expected: number) => {
		if (expected === shown) {
			// The count cannot tell this keystroke's list from the last one: type it, do not time it.
			await page.keyboard.press(key);
			await waitForList(page, expected);
			// Let the read the keystroke started finish before the next one is timed.
			await page.evaluate(
				() => new Promise((done) => requestIdleCallback(() => done(null), { timeout: 2000 }))
			);
			samples.push({ key, query, expected, ms: undefined });
		} else {
			samples.push({ key, query, expected, ...(await searchKeystroke(page, key, expected)) });
		}
		shown = expected;
	};
	for (const word of searchWords(total)) {
		for (let i = 0; i < word.length; i++)
			await sample(word[i]!, word.slice(0, i + 1), counts.of(word.slice(0, i + 1)));
		await page.keyboard.press('Control+A');
		await sample('Backspace', '(cleared)', total);
	}
	return samples;
}

/** In the page: whether the app has made its database (an upgrade asked for means not yet: aborted, nothing made). */
function hasAppDatabase(): Promise<boolean> {
	return new Promise<boolean>((resolve) => {
		const request = indexedDB.open('rollcall');
		request.onupgradeneeded = () => {
			request.transaction?.abort();
			resolve(false);
		};
		request.onsuccess = () => {
			const isMade = request.result.objectStoreNames.contains('catalog');
			request.result.close();
			resolve(isMade);
		};
		request.onerror = () => resolve(false);
	});
}

/** Writes users until the working profile's database holds `total` (it holds `seeded`). */
async function seedScale(
	page: Page,
	scale: ScaleResults,
	people: People,
	counts: SearchCounts,
	seeded: number,
	total: number
): Promise<void> {
	const url = `${server.url}/`;
	await section(`${scaleName(total)}: seeding`, async () => {
		if (seeded === 0) {
			// The app creates its database on its first visit (an empty directory shows its first steps, no list).
			await page.goto(url);
			// Its welcome shows once the list has read the database it made (an empty directory: first steps).
			await page.getByRole('heading', { name: 'Welcome to Rollcall' }).waitFor({ timeout: 120_000 });
			expect(await page.evaluate(hasAppDatabase)).toBe(true);
		}
		// Written from a page of the app's origin that runs no app code.
		await page.goto(`${server.url}/favicon.svg`);
		const started = performance.now();
		scale.seed = await seedUsers(
			page,
			people,
			total - seeded,
			counts.observe,
			(written) => {
				if (written % 100_000 === 0) {
					const rate = Math.round(written / ((performance.now() - started) / 1000));
					console.log(`[bench] ${(seeded + written).toLocaleString('en')} users written (${rate}/s)`);
				}
			},
			seeded + 1
		);
		// Raw writes pass the app by: the lists it kept (of fewer users) must go, as a write in the app does.
		await forgetKeptLists(page);
	});
}

/** Checks that the database holds `total` users in the app's schema. */
async function checkStore(page: Page, scale: ScaleResults, total: number): Promise<void> {
	await page.goto(`${server.url}/favicon.svg`);
	const store = await page.evaluate(describeStore);
	expect(store.count).toBe(total);
	expect(store.indexes).toEqual(expect.arrayContaining(['uniqueKeys', '[customerId+nameKey]']));
	scale.databaseVersion = store.version;
}

const scaleName = (total: number) => `${total.toLocaleString('en')} users`;

async function measureScale(
	page: Page,
	scale: ScaleResults,
	counts: SearchCounts,
	total: number
): Promise<void> {
	const url = `${server.url}/`;
	const name = scaleName(total);

	await section(`${name}: first screen`, async () => {
		const { tasks } = await traced(page, async () => {
			// Load 1 is the first visit after the users changed (seeding forgot every kept list): the first
			// screen comes from the head of the order, then the whole order is read and kept. Later loads
			// read the kept order.
			for (let i = 0; i < firstScreenSamples(total); i++) {
				scale.firstScreens.push(await firstScreen(page, url));
				expect(await page.evaluate(() => window.__bench!.count())).toBe(total);
				if (i === 0) scale.orderKeptAt = await waitForKeptOrder(page);
			}
		});
		scale.firstScreenTasks = tasks;
		scale.heapAfterLoad = await liveHeap(page);
		scale.firstScreenProfile = (await profileCpu(page, BUILD, () => firstScreen(page, url))).profile;
	});

	await section(`${name}: search`, async () => {
		await firstScreen(page, url);
		const { result, tasks } = await traced(page, () => measureSearch(page, total, counts));
		scale.search = result;
		scale.searchTasks = tasks;
		// One more first keystroke, under the profiler, to see where its time goes.
		await page.getByRole('searchbox', { name: 'Search users' }).focus();
		const key = ALL_SEARCH_WORDS[0]![0]!;
		const profiled = await profileCpu(page, BUILD, () => searchKeystroke(page, key, counts.of(key)));
		scale.searchProfile = { ...profiled.profile, key, ms: profiled.result.ms };
	});

	await section(`${name}: scrolling`, async () => {
		await firstScreen(page, url);
		const { result, tasks } = await traced(page, () => scrollThrough(page, SCROLL_STEPS));
		scale.scroll = { ...result, tasks };
		expect(result.lastRowIndex).toBe(total + 1);
	});

	await section(`${name}: PageDown`, async () => {
		await firstScreen(page, url);
		const { result, tasks } = await traced(page, () => pressOnGrid(page, 'PageDown', PAGE_DOWNS));
		scale.pageDown = { ...result, tasks };
		expect(result.activeRowIndex).toBeGreaterThan(PAGE_DOWNS * 2);
	});

	await section(`${name}: End`, async () => {
		await firstScreen(page, url);
		const { result, tasks } = await traced(page, () => jumpToEnd(page, total));
		scale.end = { ...result, tasks };
	});
}

describe('Rollcall benchmarks', () => {
	beforeAll(async () => {
		server = await startServer(cache.port());
		browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
		results.machine = describeMachine(browser.version());
	});

	afterAll(async () => {
		results.finishedAt = Date.now();
		results.load.push({ section: 'end', loadAverage: os.loadavg()[0]! });
		writeReport(REPORT, results);
		console.log(`Wrote ${REPORT}`);
		await browser?.close();
		await server?.stop();
	});

	test('the generated users are what Rollcall itself stores for what an admin types', () => {
		// Every field shown, so every generated field is checked; the password is never stored.
		const policy = Object.fromEntries(
			fields.map((f) => [f.key, f.isIdentity ? 'required' : f.isSensitive ? 'hidden' : 'optional'])
		) as FieldPolicy;
		const people = new People();
		const derived = new Set(Object.keys(userKeys({ email: 'a@example.com' } as UserFields, 1)));
		// The customer, the license key and the state are Rollcall's, not typed by the admin.
		const meta = new Set([
			'customerId',
			'licenseKey',
			'status',
			'hasPassword',
			'createdAt',
			'updatedAt',
			'activatedAt',
			'lastLoginAt'
		]);
		for (let i = 0; i < 2000; i++) {
			const { input, user } = people.person();
			const checked = validateUser(input, policy, { defaultCountry: 'GB' });
			expect(checked.errors).toEqual({});
			const values = Object.fromEntries(Object.entries(checked.values).filter(([, v]) => v !== undefined));
			const stored = Object.fromEntries(
				Object.entries(user).filter(([k]) => !derived.has(k) && !meta.has(k))
			);
			expect(stored).toEqual(values);
			const keys = Object.fromEntries(
				Object.entries(
					userKeys({ ...(checked.values as UserFields), licenseKey: user.licenseKey }, 1)
				).filter(([, v]) => v !== undefined)
			);
			expect(Object.fromEntries(Object.entries(user).filter(([k]) => derived.has(k)))).toEqual(keys);
		}
	});

	test('(e) the first visit’s JavaScript, and no SheetJS in it', async () => {
		results.initialJs = await section('initial JavaScript', () =>
			measureInitialJavaScript(browser, server.url, BUILD)
		);
		expect(results.initialJs.files.length).toBeGreaterThan(0);
	});

	test('(f) the precache', async () => {
		results.precache = await section('precache', () => measurePrecache(browser, server.url, BUILD));
		expect(results.precache.files.length).toBeGreaterThan(0);
	});

	test('(g) Lighthouse, desktop', async () => {
		results.lighthouse = [];
		for (let i = 0; i < LIGHTHOUSE_RUNS; i++) {
			results.lighthouse.push(await section('Lighthouse', () => runLighthouse(`${server.url}/`)));
		}
	});

	test(`(a-d) the Users list with ${SCALES.map(scaleName).join(' and ')}`, async () => {
		// A profile on disk: an in-memory (incognito) one runs out of quota long before 1,000,000 users.
		const work = mkdtempSync(path.join(os.tmpdir(), 'rollcall-bench-'));
		const profile = path.join(work, 'profile');
		let context: BrowserContext | undefined;
		const open = async () => {
			context = await chromium.launchPersistentContext(profile, {
				executablePath: CHROMIUM,
				args: CHROMIUM_FLAGS,
				viewport: VIEWPORT,
				serviceWorkers: 'block'
			});
			await context.addInitScript(installProbes);
			return context.pages()[0] ?? (await context.newPage());
		};
		const close = async () => {
			await context?.close();
			context = undefined;
		};
		try {
			let page = await open();
			let people: People | undefined;
			let counts = new SearchCounts();
			let seeded = 0;
			for (const total of SCALES) {
				const scale: ScaleResults = { users: total, firstScreens: [], search: [] };
				results.scales.push(scale);
				const cached = cache.find(total, server.port);
				if (cached) {
					await section(`${scaleName(total)}: copying the cached profile`, async () => {
						await close();
						cache.restore(total, profile);
						page = await open();
					});
					counts = SearchCounts.from(cached.counts);
					scale.seed = cached.seed;
					scale.cachedFrom = cached.seededAt;
					people = undefined;
				} else {
					// Continuing this run's generator, or after a cached directory, a new one from where it ends.
					people ??= new People(seeded);
					await seedScale(page, scale, people, counts, seeded, total);
					if (cache.enabled) {
						await section(`${scaleName(total)}: keeping a copy of the profile`, async () => {
							await close();
							cache.store(profile, {
								users: total,
								port: server.port,
								counts: counts.toJSON(),
								seededAt: new Date().toISOString(),
								seed: scale.seed!
							});
							page = await open();
						});
					}
				}
				seeded = total;
				await checkStore(page, scale, total);
				await measureScale(page, scale, counts, total);
			}
		} finally {
			await close();
			rmSync(work, { recursive: true, force: true });
		}
	});
});
