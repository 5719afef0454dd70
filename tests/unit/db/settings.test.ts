import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { settingsStore } from '$lib/db/settings';
import { fieldKeys } from '$lib/domain/fields';
import { defaultPolicy, matchingPreset, presets } from '$lib/domain/policy';
import { defaultImportLimits as importLimits } from '$lib/domain/settings';
import { freshDb } from './helpers';

function setup() {
	const db = freshDb('settings');
	return { db, settings: settingsStore(db) };
}

describe('settings store', () => {
	it("reads Rollcall's defaults from an empty database, the country from the locale", async () => {
		const { settings } = setup();
		const fromGb = await settings.read('en-GB');
		expect(fromGb).toEqual({ policy: defaultPolicy, defaultCountry: 'GB', importLimits });
		expect(matchingPreset(fromGb.policy)?.id).toBe('rollcall');
		expect((await settings.read('de_AT')).defaultCountry).toBe('AT');
		expect((await settings.read('zh-Hant-TW')).defaultCountry).toBe('TW');
	});

	it('falls back to US without a locale, or with one that names no country', async () => {
		const { settings } = setup();
		expect((await settings.read()).defaultCountry).toBe('US');
		expect((await settings.read('fr')).defaultCountry).toBe('US');
		expect((await settings.read('en-ZZ')).defaultCountry).toBe('US');
	});

	it('reads back what was written, whatever the locale', async () => {
		const { settings } = setup();
		const policy = presets.find((p) => p.id === 'field-heavy')!.policy;
		await settings.write({ policy, defaultCountry: 'FR' });
		const read = await settings.read('en-GB');
		expect(read).toEqual({ policy, defaultCountry: 'FR', importLimits });
		expect(matchingPreset(read.policy)?.id).toBe('field-heavy');
	});

	it('writes one setting without touching the other', async () => {
		const { settings } = setup();
		const portal = presets.find((p) => p.id === 'portal')!.policy;
		await settings.write({ defaultCountry: 'DE' });
		await settings.write({ policy: portal });
		expect(await settings.read('en-GB')).toEqual({ policy: portal, defaultCountry: 'DE', importLimits });
		await settings.write({ defaultCountry: 'JP' });
		expect(await settings.read()).toEqual({ policy: portal, defaultCountry: 'JP', importLimits });
	});

	it('restores damaged stored values: unknown keys dropped, bad requirements defaulted, email required', async () => {
		const { db, settings } = setup();
		await db.settings.bulkPut([
			{
				key: 'policy',
				value: {
					email: 'hidden',
					firstName: 'sometimes',
					username: 'required',
					company: 42,
					favouriteColour: 'required'
				}
			},
			{ key: 'defaultCountry', value: 'ZZ' },
			{ key: 'theme', value: 'dark' }
		]);
		const read = await settings.read('en-GB');
		expect(Object.keys(read).sort()).toEqual(['defaultCountry', 'importLimits', 'policy']);
		expect(Object.keys(read.policy).sort()).toEqual([...fieldKeys].sort());
		expect(read.policy).toEqual({ ...defaultPolicy, email: 'required', username: 'required' });
		expect(read.defaultCountry).toBe('GB');
	});

	it.each([null, 'garbage', 7, ['required']])(
		'restores a policy stored as %j to the default',
		async (value) => {
			const { db, settings } = setup();
			await db.settings.bulkPut([
				{ key: 'policy', value },
				{ key: 'defaultCountry', value: 12 }
			]);
			expect(await settings.read()).toEqual({ policy: defaultPolicy, defaultCountry: 'US', importLimits });
		}
	);

	it('never lets a written policy hide the email', async () => {
		const { settings } = setup();
		await settings.write({ policy: { ...defaultPolicy, email: 'optional' } });
		expect((await settings.read()).policy.email).toBe('required');
	});
});
