import { describe, expect, it } from 'vitest';
import { restoreUser } from '$lib/db/restore';
import { matchesSearch } from '$lib/domain/user';

describe('restoreUser', () => {
	it('keeps custom attributes that are text and drops anything else under such keys', () => {
		const user = restoreUser({
			id: 7,
			email: 'ann@example.com',
			'custom:Badge colour': 'Teal',
			'custom:Empty': '',
			'custom:Number': 42,
			'custom:Huge': 'x'.repeat(1025),
			'notcustom:Thing': 'dropped'
		});
		expect(Object.keys(user).filter((key) => key.includes(':'))).toEqual(['custom:Badge colour']);
		expect(matchesSearch(user, ['teal'])).toBe(true);
	});
});
