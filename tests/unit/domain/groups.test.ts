import { describe, expect, it } from 'vitest';
import { field } from '$lib/domain/fields';
import {
	checkGroups,
	matchGroups,
	newGroupsNotice,
	parseGroupName,
	withName,
	withoutName
} from '$lib/domain/groups';

describe('group names', () => {
	it('cleans a name and says why one is refused', () => {
		expect(parseGroupName('  Field   sales ')).toEqual({ ok: true, value: 'Field sales' });
		expect(parseGroupName(' ')).toMatchObject({ ok: false, message: 'Give the group a name.' });
		expect(parseGroupName('Sales;Support')).toMatchObject({ ok: false });
		expect(parseGroupName('x'.repeat(64)).ok).toBe(true);
		expect(parseGroupName('x'.repeat(65))).toEqual({
			ok: false,
			message: 'The group name is too long: at most 64 characters.'
		});
		expect(parseGroupName('Sa\u200bles')).toMatchObject({ ok: false });
	});

	it('adds, renames and removes a name in a list value, case and accents aside', () => {
		expect(withName(undefined, 'Sales')).toBe('Sales');
		expect(withName('Sales', 'SALES')).toBe('Sales');
		expect(withName('Sales', 'Support')).toBe('Sales; Support');
		expect(withoutName('Sales; Équipe', 'equipe')).toBe('Sales');
		expect(withoutName('Sales', 'sales')).toBeUndefined();
		expect(withoutName('Sales; Support', 'sales', 'Field sales')).toBe('Field sales; Support');
		// Renamed onto a name the user already has: kept once.
		expect(withoutName('Sales; Support', 'sales', 'support')).toBe('support');
	});

	it('matches typed names to the groups, in their own spelling, and names the unknown ones', () => {
		expect(matchGroups('sales; ÉQUIPE; new; New', ['Sales', 'Équipe'])).toEqual({
			value: 'Sales; Équipe; new',
			unknown: ['new']
		});
		expect(checkGroups('sales', ['Sales'])).toEqual({ ok: true, value: 'Sales' });
		expect(checkGroups('', ['Sales'])).toEqual({ ok: true, value: undefined });
		expect(checkGroups('Sales; Ops; HR', ['Sales'])).toEqual({
			ok: false,
			message: 'There are no groups Ops and HR yet: create them on the Groups page first.'
		});
	});

	it('says which groups an import creates', () => {
		expect(newGroupsNotice([])).toBeNull();
		expect(newGroupsNotice(['Sales', 'Support'])).toBe('Creates 2 new groups: Sales, Support.');
		expect(newGroupsNotice(['Sales'])).toBe('Creates 1 new group: Sales.');
	});
});

describe('the Groups field', () => {
	it('refuses a name with an invisible character, as a group name is', () => {
		expect(field('groups').parse('Sales; Sup\u200bport', { defaultCountry: 'GB' })).toEqual({
			ok: false,
			message: 'Groups contains an invisible or control character; retype it without copying.'
		});
		expect(field('groups').parse('sales;  Support ;sales', { defaultCountry: 'GB' })).toEqual({
			ok: true,
			value: 'sales; Support'
		});
	});
});
