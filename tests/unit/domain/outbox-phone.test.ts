import { describe, expect, it } from 'vitest';
import { cannotSend } from '../../../src/lib/domain/outbox';
import type { User } from '../../../src/lib/domain/user';

const user = (mobilePhone?: string) =>
	({ id: 1, firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com', mobilePhone }) as User;

describe('login details by SMS to a stored mobile phone', () => {
	it('goes to a number Rollcall read', () => {
		expect(cannotSend(user('+447400123456'), 'sms-login')).toBeUndefined();
		expect(cannotSend(user('+442079460958;ext=45'), 'sms-login')).toBeUndefined();
	});

	it('not to one an import kept as typed, saying where to correct it', () => {
		expect(cannotSend(user('12345'), 'sms-login')).toBe(
			'Ann Lee\'s mobile phone "12345" is not a number Rollcall can read: correct it on their page.'
		);
		expect(cannotSend(user(), 'sms-login')).toBe('Ann Lee has no mobile phone.');
		// An email does not care what the phone is.
		expect(cannotSend(user('12345'), 'activation')).toBeUndefined();
	});
});
