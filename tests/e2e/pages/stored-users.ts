import type { Page } from '@playwright/test';

/**
 * Writes values straight over stored users, found by email, in the page's IndexedDB: what the relay's events
 * would write (an activation, a sign-in) where a test is not about the relay. The page must read them again
 * (a reload) to show them.
 */
export async function patchStoredUsers(
	page: Page,
	patches: Record<string, Record<string, unknown>>
): Promise<void> {
	await page.evaluate(
		(patches) =>
			new Promise<void>((resolve, reject) => {
				const open = indexedDB.open('rollcall');
				open.onerror = () => reject(new Error(open.error?.message));
				open.onsuccess = () => {
					const tx = open.result.transaction('users', 'readwrite');
					tx.objectStore('users').openCursor().onsuccess = (event) => {
						const cursor = (event.target as IDBRequest<IDBCursorWithValue | null>).result;
						if (!cursor) return;
						const user = cursor.value as { email: string };
						const patch = patches[user.email];
						if (patch) cursor.update({ ...user, ...patch });
						cursor.continue();
					};
					tx.oncomplete = () => {
						open.result.close();
						resolve();
					};
					tx.onerror = () => reject(new Error(tx.error?.message));
				};
			}),
		patches
	);
}
