import { describe, expect, it } from 'vitest';
import { addedNotice, type AddedOutcome } from '../../../src/lib/domain/next-steps';

const outcome = (changes: Partial<AddedOutcome>): AddedOutcome => ({
	name: 'Ann Lee',
	activation: 'not-ticked',
	sms: 'not-offered',
	isPasswordDropped: false,
	...changes
});
const paired = { isPaired: true, isOnline: true };

describe('the notice after adding a user', () => {
	it('says whether an activation email was queued, and when it leaves', () => {
		expect(addedNotice(outcome({ activation: 'queued' }), paired)).toEqual([
			'Ann Lee was added as Pending.',
			'Activation email queued: it leaves now, through the relay.'
		]);
		expect(addedNotice(outcome({ activation: 'queued' }), { isPaired: false, isOnline: true })[1]).toBe(
			'Activation email queued: it waits in the Outbox until this device is paired with the relay (Settings).'
		);
		expect(addedNotice(outcome({ activation: 'queued' }), { isPaired: true, isOnline: false })[1]).toBe(
			'Activation email queued: it waits in the Outbox until this device is back online.'
		);
		expect(addedNotice(outcome({}), paired)[1]).toBe(
			'No activation email was sent: send one from their page when they should sign in.'
		);
		expect(addedNotice(outcome({ activation: 'no-email' }), paired)[1]).toBe(
			'No activation email was queued: they have no email address.'
		);
	});

	it('says whether the SMS went, and that a password typed without it was not kept', () => {
		expect(addedNotice(outcome({ sms: 'queued' }), paired)[2]).toBe(
			'Login details by SMS queued, with the password: it leaves now, through the relay.'
		);
		expect(addedNotice(outcome({ sms: 'not-ticked', isPasswordDropped: true }), paired)[2]).toBe(
			'No login details by SMS were sent, so the password typed was not kept: they have none until an activation email reaches them.'
		);
		// The activation email is named as theirs only when one was queued.
		const withActivation = outcome({ activation: 'queued', sms: 'not-ticked', isPasswordDropped: true });
		expect(addedNotice(withActivation, paired)[2]).toBe(
			'No login details by SMS were sent, so the password typed was not kept: they choose their own from the activation email.'
		);
		expect(addedNotice(outcome({ sms: 'not-ticked' }), paired)[2]).toBe('No login details by SMS were sent.');
		expect(addedNotice(outcome({}), paired)).toHaveLength(2);
	});
});
