import { describe, expect, it } from 'vitest';
import { customKey, field, fieldKeys, type FieldKey } from '../../../src/lib/domain/fields';
import {
	customEntries,
	customKeys,
	fieldsOf,
	renameCustom,
	withoutCustom,
	requirementOf,
	defaultPolicy,
	matchingPreset,
	presets,
	restorePolicy,
	visibleFields,
	type FieldPolicy,
	type PolicyPreset
} from '../../../src/lib/domain/policy';

const preset = (id: PolicyPreset['id']) => {
	const found = presets.find((p) => p.id === id);
	if (!found) throw new Error(`no preset ${id}`);
	return found;
};

const withRequirement = (policy: FieldPolicy, requirement: string) =>
	fieldKeys.filter((key) => policy[key] === requirement).sort();

describe('presets', () => {
	it('offers Rollcall’s default and one preset per reference workflow', () => {
		expect(presets.map((p) => p.id)).toEqual([
			'rollcall',
			'portal',
			'groups',
			'multi-customer',
			'field-heavy'
		]);
		expect(defaultPolicy).toBe(preset('rollcall').policy);
		for (const p of presets) {
			expect(p.name.trim()).not.toBe('');
			expect(p.description.trim()).not.toBe('');
		}
	});

	// DESIGN.md, "The reference workflows".
	it.each<[PolicyPreset['id'], FieldKey[]]>([
		['rollcall', ['firstName', 'lastName', 'email']],
		['portal', ['firstName', 'lastName', 'email']],
		['groups', ['userType', 'firstName', 'email']],
		['multi-customer', ['displayName', 'email']],
		['field-heavy', ['firstName', 'lastName', 'username', 'password', 'mobilePhone', 'email']]
	])('%s requires exactly %j', (id, required) => {
		expect(withRequirement(preset(id).policy, 'required')).toEqual([...required].sort());
	});

	it('C (multi-customer) offers a username, user type and site, which default to Standard and HQ', () => {
		const { policy } = preset('multi-customer');
		expect(policy.username).toBe('optional');
		expect(policy.userType).toBe('optional');
		expect(policy.site).toBe('optional');
	});

	it('D (field-heavy) offers business phone, company, customer code, UDID and the address book', () => {
		expect(withRequirement(preset('field-heavy').policy, 'optional')).toEqual(
			(
				['businessPhone', 'company', 'customerCode', 'udid', 'inGlobalAddressBook'] satisfies FieldKey[]
			).sort()
		);
	});

	it('gives every field of every preset a requirement, and always requires email', () => {
		for (const p of presets) {
			expect(Object.keys(p.policy).sort(), p.id).toEqual([...fieldKeys].sort());
			for (const key of fieldKeys)
				expect(['required', 'optional', 'hidden'], `${p.id}.${key}`).toContain(p.policy[key]);
			expect(p.policy.email, p.id).toBe('required');
		}
	});

	it('asks for a password only where the workflow does', () => {
		expect(presets.filter((p) => p.policy.password !== 'hidden').map((p) => p.id)).toEqual(['field-heavy']);
	});

	it('has no two presets alike', () => {
		for (const p of presets) expect(matchingPreset(p.policy)).toBe(p);
	});
});

describe('matchingPreset', () => {
	it('names the preset a policy equals, even as a copy', () => {
		expect(matchingPreset({ ...preset('groups').policy })?.id).toBe('groups');
	});

	it('names none once a field differs', () => {
		expect(matchingPreset({ ...preset('groups').policy, company: 'optional' })).toBeUndefined();
	});
});

describe('restorePolicy', () => {
	it.each([
		['undefined', undefined],
		['null', null],
		['a string', 'required'],
		['a number', 42],
		['an array', ['hidden']],
		['an empty object', {}]
	])('gives the default policy for %s', (_what, stored) => {
		expect(restorePolicy(stored)).toEqual(defaultPolicy);
	});

	it('returns a copy, never the default itself', () => {
		const restored = restorePolicy(undefined);
		expect(restored).not.toBe(defaultPolicy);
		restored.company = 'required';
		expect(defaultPolicy.company).toBe('optional');
	});

	it('keeps valid entries and fills missing ones from the default', () => {
		const restored = restorePolicy({ company: 'required', firstName: 'hidden' });
		expect(restored).toEqual({ ...defaultPolicy, company: 'required', firstName: 'hidden' });
	});

	it('replaces garbage entries with the default', () => {
		const restored = restorePolicy({
			firstName: 'REQUIRED',
			lastName: 'maybe',
			company: 1,
			site: null,
			udid: { required: true },
			department: 'hidden'
		});
		expect(restored).toEqual({ ...defaultPolicy, department: 'hidden' });
	});

	it('drops unknown keys', () => {
		const restored = restorePolicy(JSON.parse('{"shoeSize":"required","__proto__":{"company":"required"}}'));
		expect(Object.keys(restored).sort()).toEqual([...fieldKeys].sort());
		expect(restored).toEqual(defaultPolicy);
	});

	it.each(['optional', 'hidden', 'nonsense', undefined])(
		'keeps email required when stored as %j',
		(email) => {
			expect(restorePolicy({ ...preset('multi-customer').policy, email }).email).toBe('required');
		}
	);

	it('never requires a generated field (the license key): the form could not be saved', () => {
		expect(restorePolicy({ licenseKey: 'required' }).licenseKey).toBe('optional');
		expect(restorePolicy({ licenseKey: 'hidden' }).licenseKey).toBe('hidden');
	});

	it('shows licenses and web access, optional, in the Customer portal preset', () => {
		const portal = preset('portal').policy;
		expect([portal.entitlements, portal.webAccess, portal.licenseKey]).toEqual([
			'optional',
			'optional',
			'hidden'
		]);
	});

	it('restores every preset to itself', () => {
		for (const p of presets) expect(restorePolicy(JSON.parse(JSON.stringify(p.policy)))).toEqual(p.policy);
	});
});

describe('visibleFields', () => {
	it('lists the required and optional fields in registry order', () => {
		expect(visibleFields(preset('groups').policy).map((f) => f.key)).toEqual([
			'firstName',
			'lastName',
			'email',
			'userType',
			'groups'
		]);
		expect(visibleFields(preset('multi-customer').policy).map((f) => f.key)).toEqual([
			'displayName',
			'email',
			'username',
			'userType',
			'site'
		]);
	});
});

describe('custom attributes in the policy', () => {
	const base = preset('rollcall').policy;

	it('keeps well-formed custom keys, after the built-in fields, and drops malformed ones', () => {
		const restored = restorePolicy({
			...base,
			'custom:Badge colour': 'optional',
			'custom:Cost ctr.': 'hidden',
			'custom: padded': 'optional',
			'custom:': 'optional',
			'custom:Too  many spaces': 'optional',
			'custom:Bad value': 'sometimes',
			[`custom:${'x'.repeat(65)}`]: 'optional'
		});
		expect(customKeys(restored)).toEqual(['custom:Badge colour', 'custom:Cost ctr.']);
		expect(
			fieldsOf(restored)
				.slice(-2)
				.map((f) => [f.label, f.isCustom])
		).toEqual([
			['Badge colour', true],
			['Cost ctr.', true]
		]);
		expect(visibleFields(restored).at(-1)?.key).toBe('custom:Badge colour');
	});

	it('names a custom field by its key, as free text the validator checks', () => {
		const def = field(customKey('  Badge   colour '));
		expect(def.key).toBe('custom:Badge colour');
		expect(def.label).toBe('Badge colour');
		expect(def.parse('  blue  ', { defaultCountry: 'GB' })).toEqual({ ok: true, value: 'blue' });
		expect(def.parse('x'.repeat(1025), { defaultCountry: 'GB' }).ok).toBe(false);
	});

	it('treats a custom attribute the policy no longer knows as hidden', () => {
		expect(requirementOf(base, 'custom:Gone')).toBe('hidden');
		expect(requirementOf({ ...base, 'custom:Here': 'required' }, 'custom:Here')).toBe('required');
	});

	it('still matches a preset when the admin added custom attributes', () => {
		expect(matchingPreset({ ...base, 'custom:Badge colour': 'optional' })?.id).toBe('rollcall');
	});
});

describe('changing the custom attributes of a policy', () => {
	const base = { ...preset('rollcall').policy, 'custom:A': 'optional', 'custom:B': 'required' } as const;

	it('renames one in its place, asking the same, and removes one, leaving the built-in fields alone', () => {
		const renamed = renameCustom(base, 'custom:A', 'custom:Z');
		expect(customKeys(renamed)).toEqual(['custom:Z', 'custom:B']);
		expect(renamed['custom:Z']).toBe('optional');
		expect(customKeys(withoutCustom(base, 'custom:A'))).toEqual(['custom:B']);
		expect(matchingPreset(withoutCustom(renamed, 'custom:B'))?.id).toBe('rollcall');
	});

	it('keeps them when a preset replaces the built-in fields', () => {
		const portal = preset('portal').policy;
		const applied = { ...portal, ...customEntries(base) };
		expect(customEntries(applied)).toEqual({ 'custom:A': 'optional', 'custom:B': 'required' });
		expect(matchingPreset(applied)?.id).toBe('portal');
	});
});
