import { describe, expect, it } from 'vitest';
import { customKey } from '$lib/domain/fields';
import { restoreSettings } from '$lib/domain/settings';
import { entriesOf, holds, patched } from '$lib/domain/settings-patch';

const badge = customKey('Badge');
const settings = restoreSettings({ policy: { company: 'required', [badge]: 'optional' } }, 'en-GB');

describe('a change to the settings, entry by entry', () => {
	it('puts its entries into a record setting and leaves the others as they are', () => {
		const next = patched(settings, { policy: { company: 'hidden' }, importLimits: { maxRows: 500 } });
		expect(next.policy).toEqual({ ...settings.policy, company: 'hidden' });
		expect(next.policy?.[badge]).toBe('optional');
		expect(next.importLimits).toEqual({ ...settings.importLimits, maxRows: 500 });
		expect(Object.keys(next)).toEqual(['policy', 'importLimits']);
		expect(patched(settings, { defaultCountry: 'FR' })).toEqual({ defaultCountry: 'FR' });
	});

	it('removes an entry put back as absent (a custom attribute that was not there)', () => {
		expect(patched(settings, { policy: { [badge]: undefined } }).policy).not.toHaveProperty(badge);
	});

	it('reads back the entries a change touches, and whether they still hold', () => {
		const change = { policy: { company: 'optional', [customKey('Tag')]: 'required' } } as const;
		const before = entriesOf(settings, change);
		expect(before).toEqual({ policy: { company: 'required', [customKey('Tag')]: undefined } });
		expect(holds(settings, before)).toBe(true);
		expect(holds(settings, change)).toBe(false);
		const after = { ...settings, ...patched(settings, change) };
		expect(holds(after, change)).toBe(true);
		expect(holds(settings, { defaultCountry: 'GB' })).toBe(true);
		expect(holds(settings, { defaultCountry: 'FR' })).toBe(false);
	});
});
