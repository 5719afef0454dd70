import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { customAttributesStore } from '$lib/db/custom-attributes';
import { settingsStore } from '$lib/db/settings';
import { customKey } from '$lib/domain/fields';
import { presets } from '$lib/domain/policy';
import { restoreSettings } from '$lib/domain/settings';
import { patched, type SettingsPatch } from '$lib/domain/settings-patch';
import { SettingChanges, type SettingsStore } from '$lib/state/setting-changes.svelte';
import { freshDb } from '../db/helpers';

/**
 * Settings kept as the app keeps them: stored in IndexedDB (a structured clone, which refuses a reactive
 * proxy) and shown from a reactive copy that takes a change at once. Each write waits for `release` when
 * held, as a slow disk would. `elsewhere` is what the page learns of a change it did not make (another
 * tab, a custom attribute, a restore) once the live query brings it.
 */
function memoryStore() {
	const db = freshDb('setting-changes');
	const table = settingsStore(db);
	let held: (() => void)[] | undefined;
	let live = $state(restoreSettings({}, 'en-GB'));
	const store = {
		db,
		get value() {
			return live;
		},
		async change(patch: SettingsPatch, expected?: SettingsPatch) {
			if (!expected) live = { ...live, ...patched(live, patch) };
			if (held) await new Promise<void>((resolve) => held!.push(resolve));
			const replaced = await table.change(patch, expected, 'en-GB');
			if (replaced && expected) live = { ...live, ...patched(live, patch) };
			return replaced !== null;
		},
		async elsewhere(write: () => Promise<unknown>) {
			await write();
			live = await table.read('en-GB');
		},
		stored: () => table.read('en-GB'),
		hold: () => (held = []),
		release: () => {
			const waiting = held ?? [];
			held = undefined;
			for (const resolve of waiting) resolve();
		}
	} satisfies SettingsStore & Record<string, unknown>;
	return store;
}

const rows = (maxRows: number) => ({ importLimits: { maxRows } });

describe('changes on the Settings page', () => {
	it('says "saved" and offers Undo when the control is left before the write is stored (a quick Tab)', async () => {
		const store = memoryStore();
		const changes = new SettingChanges(store);
		store.hold();
		const saving = changes.save('maxRows', rows(500), 'Import limits: 500 rows per file.');
		changes.end('maxRows');
		store.release();
		await saving;
		expect(changes.noteFor('maxRows')).toEqual({ text: 'Import limits: 500 rows per file.', canUndo: true });
	});

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
		store.change = () => Promise.reject(new Error('disk gone'));
		const changes = new SettingChanges(store);
		await changes.save('defaultCountry', { defaultCountry: 'FR' }, 'France.');
		expect(changes.noteFor('defaultCountry')).toMatchObject({ canUndo: false, isError: true });
	});

	it('undoes only the field it changed: a custom attribute added since stays, with its rename', async () => {
		const store = memoryStore();
		const attributes = customAttributesStore(store.db);
		const changes = new SettingChanges(store);
		await changes.save('policy-company', { policy: { company: 'required' } }, 'Field policy saved.');
		const badge = customKey('Badge');
		const tag = customKey('Tag');
		await store.elsewhere(() => attributes.add(badge));
		await store.elsewhere(() => attributes.rename(badge, tag));
		expect(changes.noteFor('policy-company')?.canUndo).toBe(true);

		await changes.undo();
		expect(changes.noteFor('policy-company')).toEqual({
			text: 'Undone: back to what it was.',
			canUndo: false
		});
		const stored = await store.stored();
		expect(stored.policy.company).toBe('optional');
		// The attribute the users' values are kept under is still in the policy, under its new name.
		expect(stored.policy[tag]).toBe('optional');
		expect(stored.policy[badge]).toBeUndefined();
		expect(store.value.policy).toEqual(stored.policy);
	});

	it('undoes a preset back to the fields as they were, keeping the custom attributes as they are now', async () => {
		const store = memoryStore();
		const changes = new SettingChanges(store);
		const before = (await store.stored()).policy;
		const fieldHeavy = presets.find((p) => p.id === 'field-heavy')!.policy;
		await changes.save('preset', { policy: fieldHeavy }, 'Field policy set.');
		await store.elsewhere(() => customAttributesStore(store.db).add(customKey('Locker')));
		await changes.undo();
		expect((await store.stored()).policy).toEqual({ ...before, [customKey('Locker')]: 'optional' });
	});

	it('offers no Undo once the setting was changed elsewhere, and refuses to undo over that change', async () => {
		const store = memoryStore();
		const changes = new SettingChanges(store);
		const table = settingsStore(store.db);
		await changes.save('defaultCountry', { defaultCountry: 'FR' }, 'France.');
		// Another tab sets another country: this page's Undo would write over it.
		await store.elsewhere(() => table.write({ defaultCountry: 'DE' }));
		expect(changes.noteFor('defaultCountry')).toEqual({ text: 'France.', canUndo: false });
		await changes.undo();
		expect((await store.stored()).defaultCountry).toBe('DE');

		// Changed elsewhere after the page last heard (the live query not yet caught up): refused, with why.
		await changes.save('maxRows', rows(500), '500 rows.');
		await table.write({ importLimits: { maxFileBytes: 100 * 1024 * 1024, maxRows: 42 } });
		expect(changes.noteFor('maxRows')?.canUndo).toBe(true);
		await changes.undo();
		expect(changes.noteFor('maxRows')).toMatchObject({
			text: expect.stringContaining('Not undone: this setting was changed elsewhere since') as unknown,
			canUndo: false,
			isError: true
		});
		expect((await store.stored()).importLimits.maxRows).toBe(42);
	});

	it('keeps the other entries of a record as another tab left them when undoing one', async () => {
		const store = memoryStore();
		const changes = new SettingChanges(store);
		await changes.save('maxRows', rows(500), '500 rows.');
		// Another tab lowers the file size limit meanwhile; undoing the row limit leaves it lowered.
		await store.elsewhere(() =>
			settingsTable(store).write({ importLimits: { maxFileBytes: 10 * 1024 * 1024, maxRows: 500 } })
		);
		await changes.undo();
		expect((await store.stored()).importLimits).toEqual({
			maxFileBytes: 10 * 1024 * 1024,
			maxRows: 1_000_000
		});
	});
});

const settingsTable = (store: ReturnType<typeof memoryStore>) => settingsStore(store.db);
