import { describe, expect, it } from 'vitest';
import { defaultPolicy, type FieldPolicy } from '$lib/domain/policy';
import type { User } from '$lib/domain/user';
import { gridMinRem, gridTemplate, isShown, listColumns } from '../../../src/routes/columns';

describe('listColumns', () => {
	const policy: FieldPolicy = {
		...defaultPolicy,
		'custom:Badge colour': 'optional',
		'custom:Secret': 'hidden'
	};

	it('has a secondary column per custom attribute the policy shows, after the built-in ones', () => {
		const columns = listColumns(policy, { defaultCountry: 'GB' });
		const badge = columns.find((c) => c.label === 'Badge colour')!;
		expect(badge).toMatchObject({ id: 'custom:Badge colour', isSecondary: true, sort: undefined });
		expect(columns.map((c) => c.label).slice(-3)).toEqual(['Badge colour', 'Status', 'Last login']);
		expect(columns.some((c) => c.label === 'Secret')).toBe(false);
		const user = { 'custom:Badge colour': 'Teal' } as Partial<User> as User;
		expect(badge.text(user)).toBe('Teal');
		expect(badge.text({} as User)).toBe('');
	});
});

const shownOf = listColumns(
	{ ...defaultPolicy, 'custom:Badge colour': 'optional' },
	{ defaultCountry: 'GB' },
	() => Date.parse('2026-12-07T15:00:00Z')
);
const ids = (shown: typeof shownOf) => shown.map((c) => c.id);

describe('isShown', () => {
	it('shows every column on a wide screen, the main ones on a narrow one', () => {
		expect(ids(shownOf.filter((c) => isShown(c, {}, false)))).toEqual(ids(shownOf));
		expect(ids(shownOf.filter((c) => isShown(c, {}, true)))).toEqual([
			'name',
			'email',
			'status',
			'lastLoginAt'
		]);
	});

	it('follows the admin’s choice over the defaults, custom attributes included; the name always shows', () => {
		const choice = { department: true, 'custom:Badge colour': true, lastLoginAt: false, name: false };
		expect(ids(shownOf.filter((c) => isShown(c, choice, true)))).toEqual([
			'name',
			'email',
			'department',
			'custom:Badge colour',
			'status'
		]);
		expect(ids(shownOf.filter((c) => isShown(c, { site: false }, false)))).not.toContain('site');
	});
});

describe('the grid’s template', () => {
	it('has the checkbox column, then each column’s track; its minimum adds them up', () => {
		const name = shownOf.find((c) => c.id === 'name')!;
		const status = shownOf.find((c) => c.id === 'status')!;
		expect(gridTemplate([name, status])).toBe('2.75rem minmax(9rem, 2fr) 7.5rem');
		expect(gridMinRem([name, status])).toBe(2.75 + 9 + 7.5);
	});
});

describe('the last login column', () => {
	it('is short in the cell and whole in full', () => {
		const lastLogin = shownOf.find((c) => c.id === 'lastLoginAt')!;
		const user = { lastLoginAt: Date.parse('2026-12-06T09:30:00Z') } as User;
		expect(lastLogin.text(user)).toBe('yesterday');
		expect(lastLogin.full?.(user)).toMatch(/^Dec 6, 2026, 9:30\sAM$/u);
	});
});
