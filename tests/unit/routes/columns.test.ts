import { describe, expect, it } from 'vitest';
import { defaultPolicy, type FieldPolicy } from '$lib/domain/policy';
import type { User } from '$lib/domain/user';
import { listColumns } from '../../../src/routes/columns';

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
