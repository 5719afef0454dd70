import 'fake-indexeddb/auto';
import { expect, it, vi } from 'vitest';
import { settings as settingsTable } from '$lib/db';
import { presets } from '$lib/domain/policy';
import { ImportSession } from '$lib/state/import-session.svelte';
import { settings } from '$lib/state/settings.svelte';

// The worker's work, done here: what is checked is which settings the session hands it.
vi.mock('$lib/import/bridge', () => import('./bridge-in-process'));

const GROUPS = ['User type,First name,Email', 'Privileged,Ada,ada@example.com'].join('\r\n');

it('a file chosen as the page opens is checked under the stored settings, not the defaults before them', async () => {
	const groups = presets.find((preset) => preset.id === 'groups')!;
	await settingsTable.write({ policy: groups.policy, defaultCountry: 'FR' });
	settings.start();
	// The stored settings are read a moment later: until then the page holds the defaults.
	expect(settings.isLoaded).toBe(false);
	const session = new ImportSession();
	await session.choose(new File([GROUPS], 'groups.csv', { type: 'text/csv' }));
	expect(session.analysis?.mapping.isReady).toBe(true);
	expect(session.analysis?.counts.new).toBe(1);
	expect(session.presetFit).toBeNull();
});
