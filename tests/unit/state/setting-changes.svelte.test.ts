import { describe, expect, it } from 'vitest';
import { restoreSettings, type Settings } from '$lib/domain/settings';
import { SettingChanges, type SettingsStore } from '$lib/state/setting-changes.svelte';

/**
 * Settings kept in memory as the app keeps them (a reactive proxy), stored as IndexedDB stores them (a
 * structured clone, which refuses a proxy); each write waits for `release` when held, as a slow disk would.
 */
function memoryStore() {
	let held: (() => void)[] | undefined;
	let live = $state(restoreSettings({}, 'en-GB'));
	const store = {
		get value() {
			return live;
		},
		async save(changes: Partial<Settings>) {
			const stored = structuredClone(changes);
			live = { ...live, ...stored };
			if (held) await new Promise<void>((resolve) => held!.push(resolve));
		},
		hold: () => (held = []),
		release: () => {
			const waiting = held ?? [];
			held = undefined;
			for (const resolve of waiting) resolve();
		}
	} satisfies SettingsStore & Record<string, unknown>;
	return store;
}

const rows = (maxRows: number) => ({ importLimits: { maxFileBytes: 100 * 1024 * 1024, maxRows } });

describe('changes on the Settings page', () => {
	it('says "saved" beside the control that changed, once stored, and nowhere else', async () => {
		const store = memoryStore();
		const changes = new SettingChanges(store);
		store.hold();
		const saving = changes.save('defaultCountry', { defaultCountry: 'FR' }, 'Default country set to France.');
		expect(changes.noteFor('defaultCountry')).toBeNull();
		store.release();
		await saving;
		expect(changes.noteFor('defaultCountry')).toEqual({
			text: 'Default country set to France.',
			canUndo: true
		});
		expect(changes.noteFor('maxRows')).toBeNull();
	});

	it('undoes a number typed digit by digit in one step, back to the value before the field was edited', async () => {
		const store = memoryStore();
		const changes = new SettingChanges(store);
		// The digits come faster than the disk: each keystroke's save starts before the last one is stored.
		store.hold();
		const typing = [5, 50, 500].map((n) => changes.save('maxRows', rows(n), `${n} rows.`));
		store.release();
		await Promise.all(typing);
		expect(store.value.importLimits.maxRows).toBe(500);
		expect(changes.noteFor('maxRows')?.text).toBe('500 rows.');
		await changes.undo();
		expect(store.value.importLimits.maxRows).toBe(1_000_000);
		expect(changes.noteFor('maxRows')).toEqual({ text: 'Undone: back to what it was.', canUndo: false });
	});

	it('starts a new change when the field is left, or another control changes', async () => {
		const store = memoryStore();
		const changes = new SettingChanges(store);
		await changes.save('maxRows', rows(5), '5 rows.');
		changes.end('maxRows');
		await changes.save('maxRows', rows(50), '50 rows.');
		await changes.undo();
		expect(store.value.importLimits.maxRows).toBe(5);

		await changes.save('defaultCountry', { defaultCountry: 'FR' }, 'France.');
		await changes.save('maxRows', rows(7), '7 rows.');
		expect(changes.noteFor('defaultCountry')).toBeNull();
		await changes.undo();
		expect(store.value).toMatchObject({ defaultCountry: 'FR', importLimits: { maxRows: 5 } });
		// Nothing more to undo: Undo is gone until the next change.
		await changes.undo();
		expect(store.value.importLimits.maxRows).toBe(5);
	});

	it('says when a change could not be stored, with no Undo', async () => {
		const store = memoryStore();
		store.save = () => Promise.reject(new Error('disk gone'));
		const changes = new SettingChanges(store);
		await changes.save('defaultCountry', { defaultCountry: 'FR' }, 'France.');
		expect(changes.noteFor('defaultCountry')).toMatchObject({ canUndo: false, isError: true });
	});
});
