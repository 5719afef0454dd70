import { expect, test, type Page } from '@playwright/test';
import { AddUserPage } from './pages/add-user-page';
import { nameOf, people } from './pages/people';
import { UsersPage } from './pages/users-page';

/**
 * Fills this origin's storage as far as IndexedDB knows: one write far bigger than any space it may
 * still hand out from memory. Chromium's IndexedDB caches the quota manager's "space remaining" answer
 * and lets it decay over 30 s (BucketContext::kBucketSpaceCacheTimeLimit), so a lowered quota alone
 * does not refuse small writes until that answer runs out; a write larger than the cached allotment
 * makes it ask again, learn that nothing is left, and refuse every write after that.
 */
async function writeSomethingHuge(page: Page): Promise<string> {
	return page.evaluate(async () => {
		const filler = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('test-disk-filler', 1);
			open.onupgradeneeded = () => open.result.createObjectStore('blobs');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error ?? new Error('open failed'));
		});
		const outcome = await new Promise<string>((resolve) => {
			const tx = filler.transaction('blobs', 'readwrite');
			tx.objectStore('blobs').put(new Uint8Array(4_000_000), 'filler');
			tx.oncomplete = () => resolve('saved');
			tx.onabort = () => resolve(tx.error?.name ?? 'aborted');
		});
		filler.close();
		return outcome;
	});
}

test('a full disk: adding a user says the device is out of storage, saves nothing, and loses no one', async ({
	page,
	context,
	baseURL
}) => {
	const origin = new URL(baseURL ?? 'http://127.0.0.1:4321').origin;
	const cdp = await context.newCDPSession(page);
	// A modest quota from the start keeps IndexedDB's cached allotment small (see writeSomethingHuge).
	await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 2_000_000 });
	try {
		const form = new AddUserPage(page);
		await form.goto();
		const existing = [people.ann, people.bob, people.eddie];
		await form.addAll(existing);

		// The disk is full now.
		await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
		expect(await writeSomethingHuge(page)).toBe('QuotaExceededError');

		await form.fill(people.emma);
		await form.submit.click();
		await expect(form.problems).toHaveText(
			'This device is out of storage space, so nothing was saved. Free some space (or ask the browser to keep more for Rollcall), then try again.'
		);
		await expect(form.added).toHaveText(/Eddie Brown was added as Pending\./);
		// What the admin typed is still there, to try again.
		await expect(form.field('Email')).toHaveValue(people.emma.email);

		const list = new UsersPage(page);
		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
		await list.expectNames(existing.map(nameOf));
		await expect(list.count).toHaveText('3 users');

		// Reading still works on a full disk; a change is refused with the same sentence and changes nothing.
		await list.checkbox('bob lee').click();
		await (await list.openAction('Suspend…')).getByRole('button', { name: 'Suspend', exact: true }).click();
		await expect(page.getByRole('alert')).toContainText(
			'This device is out of storage space, so nothing was saved.'
		);
		await expect(list.row('bob lee')).toContainText('Pending');

		// Space freed: the same form saves.
		await cdp.send('Storage.overrideQuotaForOrigin', { origin });
		await form.goto();
		await form.add(people.emma);
		await list.goto();
		await list.expectNames([...existing, people.emma].map(nameOf));
	} finally {
		await cdp.send('Storage.overrideQuotaForOrigin', { origin }).catch(() => undefined);
	}
});
