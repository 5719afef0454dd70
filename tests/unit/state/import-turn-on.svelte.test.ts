import 'fake-indexeddb/auto';
import { expect, it, vi } from 'vitest';
import { db } from '$lib/db';
import { ImportSession } from '$lib/state/import-session.svelte';
import { settings } from '$lib/state/settings.svelte';

it('says beside the mapping which fields were not turned on when the policy cannot be saved', async () => {
	const full = Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
	vi.spyOn(db.settings, 'bulkPut').mockRejectedValue(full);
	const session = new ImportSession();
	await session.turnOn(['city', 'country']);
	expect(session.mappingProblem).toBe(
		'City, Country could not be turned on: This device is out of storage space, so nothing was saved. Free some space (or ask the browser to keep more for Rollcall), then try again.'
	);
	expect(session.error).toBeNull();
	expect(settings.policy.city).toBe('hidden');
});
