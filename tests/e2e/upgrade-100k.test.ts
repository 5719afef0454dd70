import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test } from '@playwright/test';

// Issue 15: an upgrade of the schema keeps every user of a filled database, tested at 100,000. A device
// left on schema v8 (the last with an index per order and per search word) is made here with Dexie itself,
// v8's schema as it shipped, then the app opens it: v9 rewrites every user's keys and builds the catalogue.

const USERS = 100_000;

/** Schema v8 as it shipped (src/lib/db/database.ts before v9): every table, each as Dexie declared it. */
const V8_SCHEMA = {
	users:
		'++id, customerId, emailKey, &[customerId+emailKey], &[customerId+usernameKey], ' +
		'&[customerId+customerCodeKey], &licenseKey, nameKey, site, ' +
		'*searchWords, *searchSuffixes, *groupKeys, *roleKeys, *entitlementKeys, ' +
		'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
	settings: 'key',
	trash: '++id, batch, deletedAt',
	imports: '++id, at, customerId',
	importChanges: '++id, importId',
	outbox: 'key, [state+nextAttemptAt], createdAt, userId',
	relay: 'key',
	lists: 'key, builtAt, generation',
	commands: '++seq, &key, state',
	messageHistory: 'key, userId',
	customers: '++id, &nameKey',
	groups: '++id, customerId, &[customerId+nameKey]',
	roles: '++id, customerId, &[customerId+nameKey]',
	profiles: '++id, customerId, &[customerId+nameKey]',
	licensePools: '[customerId+product]'
};

const dexieScript = readFileSync(createRequire(import.meta.url).resolve('dexie/dist/dexie.js'), 'utf8');

declare global {
	interface Window {
		Dexie: typeof import('dexie').Dexie;
	}
}

// The relay's CSP forbids inline scripts; this test adds Dexie to a page as the old device's code.
test.use({ bypassCSP: true });

test('an upgrade from v8 keeps every one of 100,000 users, searchable and unique', async ({ page }) => {
	test.setTimeout(600_000);
	// A page of the app's origin that runs no app code, with Dexie: the old device.
	await page.goto('/robots.txt');
	await page.addScriptTag({ content: dexieScript });
	await page.evaluate(
		async ([schema, count]) => {
			const db = new window.Dexie('rollcall');
			db.version(8).stores(schema);
			const now = Date.now();
			await db
				.table('customers')
				.add({ id: 1, name: 'My organisation', nameKey: 'my organisation', createdAt: now });
			for (let start = 0; start < count; start += 10_000) {
				const users = [];
				for (let i = start; i < Math.min(count, start + 10_000); i++) {
					const email = `person${i}@example.com`;
					users.push({
						firstName: `First${i}`,
						lastName: i % 2 ? 'Lopez' : 'Müller',
						email,
						username: `user${i}`,
						customerCode: `C${String(i).padStart(6, '0')}`,
						site: 'HQ',
						userType: 'Standard',
						webAccess: false,
						inGlobalAddressBook: false,
						licenseKey: `KEY-${i}`,
						customerId: 1,
						nameKey: `first${i} ${i % 2 ? 'lopez' : 'muller'}\u0000${email}`,
						emailKey: email,
						usernameKey: `user${i}`,
						customerCodeKey: `c${String(i).padStart(6, '0')}`,
						searchWords: [`first${i}`, email],
						searchSuffixes: [],
						groupKeys: [],
						roleKeys: [],
						entitlementKeys: [],
						status: i % 3 ? 'Active' : 'Pending',
						hasPassword: false,
						createdAt: now - i,
						updatedAt: now - i,
						activatedAt: i % 3 ? now : null,
						lastLoginAt: 0
					});
				}
				await db.table('users').bulkAdd(users);
			}
			db.close();
		},
		[V8_SCHEMA, USERS] as const
	);

	// The app opens it: the v9 upgrade runs, then the list shows everyone.
	await page.goto('/');
	await expect(page.getByText(`${USERS.toLocaleString('en')} users`, { exact: true })).toBeVisible({
		timeout: 300_000
	});

	const stored = await page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('rollcall');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(new Error(String(request.error)));
		});
		const read = <T>(request: IDBRequest<T>) =>
			new Promise<T>((resolve, reject) => {
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(new Error(String(request.error)));
			});
		const tx = db.transaction(['users', 'catalog']);
		const users = (await read(tx.objectStore('users').getAll())) as Record<string, unknown>[];
		const census = (await read(tx.objectStore('catalog').get(-1))) as {
			chunks: Record<number, { counts: Record<number, number> }>;
		};
		const inCatalogue = Object.values(census.chunks).reduce((sum, chunk) => sum + (chunk.counts[1] ?? 0), 0);
		const wrong = users.filter(
			(user, i) =>
				user.id !== i + 1 ||
				user.email !== `person${i}@example.com` ||
				user.firstName !== `First${i}` ||
				user.licenseKey !== `KEY-${i}` ||
				'searchWords' in user ||
				typeof user.searchText !== 'string' ||
				(user.uniqueKeys as string[]).length !== 4
		);
		// The unique index holds the upgraded users' entries: a second person0@example.com is refused.
		const clash = await new Promise<string>((resolve) => {
			const write = db.transaction('users', 'readwrite');
			write.objectStore('users').add({ email: 'x', uniqueKeys: ['e:person0@example.com\u00001'] });
			write.onerror = (event) => resolve((event.target as IDBRequest).error?.name ?? 'error');
			write.oncomplete = () => resolve('written');
		});
		db.close();
		return {
			version: db.version,
			count: users.length,
			wrong: wrong.slice(0, 3).map((user) => user.email),
			inCatalogue,
			clash
		};
	});
	expect(stored).toEqual({
		version: 90,
		count: USERS,
		wrong: [],
		inCatalogue: USERS,
		clash: 'ConstraintError'
	});

	// Searchable through the catalogue the upgrade built: by username, and by a word inside a name.
	const search = page.getByRole('searchbox', { name: 'Search users' });
	await search.fill('user99999');
	await expect(page.getByText('1 user', { exact: true })).toBeVisible({ timeout: 60_000 });
	await expect(page.getByRole('gridcell', { name: 'First99999 Lopez', exact: true })).toBeVisible();
	// Inside a word, accents folded: 'ller' is in every Müller (the even half).
	await search.fill('ller');
	await expect(page.getByText(`${(USERS / 2).toLocaleString('en')} users`, { exact: true })).toBeVisible({
		timeout: 60_000
	});
});
