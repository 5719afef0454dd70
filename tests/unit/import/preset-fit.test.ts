import { describe, expect, it } from 'vitest';
import { customKey } from '../../../src/lib/domain/fields';
import { defaultPolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import { defaultImportLimits } from '../../../src/lib/domain/settings';
import { mapHeaders } from '../../../src/lib/import/headers';
import { analyseFile } from '../../../src/lib/import/pipeline';
import { findPresetFit, importPolicy, switchedPolicy } from '../../../src/lib/import/preset-fit';
import { gb, preset } from './helpers';
import { presets } from '../../../src/lib/domain/policy';

/** The reference workflows' files (DESIGN.md A-D), by their header rows. */
const workflow = {
	A: ['First name', 'Last name', 'Email'],
	B: ['User type', 'First name', 'Email'],
	C: ['User name*', 'Email*', 'User type', 'Site'],
	D: [
		'First name',
		'Last name',
		'Username',
		'Password',
		'Mobile phone',
		'Email',
		'Business phone',
		'Company',
		'Unique customer code',
		'UDID',
		'Add to global address book'
	]
};

const presetOf = (id: string) => presets.find((p) => p.id === id)!;

describe('findPresetFit', () => {
	it('offers Users & Groups for a workflow B file under the default policy, which requires a last name', () => {
		expect(findPresetFit(workflow.B, defaultPolicy)).toEqual({
			id: 'groups',
			name: 'Users & Groups',
			required: ['firstName', 'email', 'userType'],
			relaxed: ['lastName'],
			shown: [],
			hidden: []
		});
	});

	it('offers the default for a workflow A file under the field-heavy policy (D): first in preset order of two that fit', () => {
		// Customer portal fits as well, keeping as many columns and requiring nothing more.
		expect(findPresetFit(workflow.A, preset('field-heavy'))).toMatchObject({
			id: 'rollcall',
			relaxed: ['username', 'password', 'mobilePhone']
		});
	});

	it("offers Multi-customer for a workflow C file of people's names under the default policy", () => {
		const names = { isNameColumn: (index: number) => index === 0 };
		expect(findPresetFit(workflow.C, defaultPolicy, names)).toMatchObject({
			id: 'multi-customer',
			relaxed: ['firstName', 'lastName']
		});
	});

	it("offers no preset for a workflow C file of sign-in names ('jdoe'): none takes them as display names", () => {
		expect(findPresetFit(workflow.C, defaultPolicy, { isNameColumn: () => false })).toBeUndefined();
	});

	it('offers the preset that keeps the most columns: Field-heavy for a workflow D file under Users & Groups', () => {
		// The default fits too, but hides the password, the customer code, the UDID and the address book.
		const fit = findPresetFit(workflow.D, preset('groups'));
		expect(fit).toMatchObject({ id: 'field-heavy', relaxed: ['userType'] });
		// Users & Groups hides them all but the names and the email: the preset's rules import them (the
		// password only to pass it on: it is never stored, so it is not among the fields kept).
		expect(fit?.shown).toEqual([
			'username',
			'mobilePhone',
			'businessPhone',
			'company',
			'customerCode',
			'udid',
			'inGlobalAddressBook'
		]);
		expect(fit?.hidden).toEqual([]);
	});

	it('offers the default for workflow A and B files under the other presets that refuse them', () => {
		expect(findPresetFit(workflow.A, preset('groups'))?.id).toBe('rollcall');
		expect(findPresetFit(workflow.A, preset('multi-customer'))?.id).toBe('rollcall');
		expect(findPresetFit(workflow.B, preset('field-heavy'))?.id).toBe('groups');
		expect(findPresetFit(workflow.B, preset('portal'))?.id).toBe('groups');
	});

	it('offers nothing for a file that is fine as it is', () => {
		expect(findPresetFit(workflow.A, defaultPolicy)).toBeUndefined();
		expect(findPresetFit(workflow.B, preset('groups'))).toBeUndefined();
		expect(findPresetFit(workflow.D, preset('field-heavy'))).toBeUndefined();
	});

	it('offers nothing for a file that fits no preset', () => {
		// No preset imports only a first name and an email.
		expect(findPresetFit(['First name', 'Email'], defaultPolicy)).toBeUndefined();
		// A column no preset knows stays to be chosen under every one of them.
		expect(findPresetFit([...workflow.B, 'Shoe size'], defaultPolicy)).toBeUndefined();
	});

	it('names the columns the policy imports that switching to the preset would ignore', () => {
		const fit = findPresetFit([...workflow.B, 'Mobile phone'], defaultPolicy);
		expect(fit).toMatchObject({ id: 'groups', hidden: ['mobilePhone'], shown: [] });
	});

	it("keeps the policy's custom attributes: a column named after one is imported under the preset", () => {
		const badge = customKey('Badge');
		const policy: FieldPolicy = { ...defaultPolicy, [badge]: 'optional' };
		const headers = [...workflow.B, 'Badge'];
		expect(findPresetFit(headers, policy)?.id).toBe('groups');
		const groups = presetOf('groups');
		for (const rules of [importPolicy(groups, policy), switchedPolicy(groups, policy)]) {
			expect(rules[badge]).toBe('optional');
			const mapping = mapHeaders(headers, rules);
			expect(mapping.isReady).toBe(true);
			expect(mapping.columns[3]).toMatchObject({ status: 'mapped', field: badge });
		}
	});
});

describe('importPolicy', () => {
	it('requires what the preset requires and imports every field either the preset or the organisation shows', () => {
		const rules = importPolicy(presetOf('groups'), defaultPolicy);
		expect(rules).toMatchObject({
			userType: 'required',
			firstName: 'required',
			email: 'required',
			// Required by the organisation only: optional for this import.
			lastName: 'optional',
			// Shown by the organisation, hidden by the preset: still imported.
			mobilePhone: 'optional',
			// Hidden by both.
			password: 'hidden'
		});
	});
});

describe('through the pipeline', () => {
	const bytes = new TextEncoder().encode('User type,First name,Email\r\nStandard,Ada,ada@example.com\r\n');
	const analyse = (policy: FieldPolicy) => {
		const result = analyseFile(
			{ name: 'groups.csv', bytes },
			{ policy, context: gb, limits: defaultImportLimits }
		);
		if (!result.ok) throw new Error(result.message);
		return result.value;
	};

	it('carries the fit; the missing field is said once, by the header, not in every row', () => {
		const analysis = analyse(defaultPolicy);
		expect(analysis.presetFit?.id).toBe('groups');
		expect(analysis.mapping.missing).toEqual(['lastName']);
		expect(analysis.errors).toEqual([]);
		expect(analysis.counts.new).toBe(1);
	});

	it("reads the file under the preset's rules with nothing left to fix", () => {
		const analysis = analyse(importPolicy(presetOf('groups'), defaultPolicy));
		expect(analysis.presetFit).toBeUndefined();
		expect(analysis.mapping.isReady).toBe(true);
		expect(analysis.rows[0]).toMatchObject({
			status: 'new',
			values: { userType: 'Standard', firstName: 'Ada', email: 'ada@example.com' }
		});
		expect(analysis.rows[0]?.values.lastName).toBeUndefined();
	});
});
