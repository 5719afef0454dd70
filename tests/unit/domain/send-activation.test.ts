import { describe, expect, it } from 'vitest';
import {
	cannotSend,
	nothingToSend,
	queuedNotice,
	sendQuestion,
	skippedLines,
	skipReason,
	type SendPreview
} from '../../../src/lib/domain/outbox';
import { initialPasswordRequirement, passwordStatus } from '../../../src/lib/domain/passwords';
import type { User, UserStatus } from '../../../src/lib/domain/user';

const user = (status: UserStatus, email = 'ann@example.com') =>
	({ id: 1, firstName: 'Ann', lastName: 'Lee', email, status }) as User;

describe('who an activation email can go to', () => {
	it('only a Pending user with an email: an Active one has a password, a Suspended one cannot sign in', () => {
		expect(skipReason(user('Pending'), 'activation')).toBeUndefined();
		expect(skipReason(user('Active'), 'activation')).toBe('active');
		expect(skipReason(user('Suspended'), 'activation')).toBe('suspended');
		expect(skipReason(user('Pending', ''), 'activation')).toBe('no-email');
		expect(cannotSend(user('Active'), 'activation')).toBe(
			'Ann Lee is Active already: they have signed in and set their own password.'
		);
	});

	it('SMS login details still go by the phone alone (a Suspended user is told to the relay first)', () => {
		const withPhone = { ...user('Suspended'), mobilePhone: '+447400123456' };
		expect(skipReason(withPhone, 'sms-login')).toBeUndefined();
	});

	it('SMS login details go to no Active user: a new initial password would replace the one they chose', () => {
		const active = { ...user('Active'), mobilePhone: '+447400123456' };
		expect(skipReason(active, 'sms-login')).toBe('active');
		expect(cannotSend(active, 'sms-login')).toBe(
			'Ann Lee is Active already: they have signed in and set their own password.'
		);
	});
});

describe('the confirmation of a send to a selection', () => {
	const preview: SendPreview = {
		count: 2,
		names: ['Cy', 'Dee'],
		skipped: {
			active: { count: 5, names: ['Ann', 'Bob', 'Eve'] },
			suspended: { count: 1, names: ['Fay'] },
			'no-email': { count: 1, names: ['Gus'] },
			deleted: { count: 1, names: [] }
		}
	};

	it('says who gets one, and who is skipped and why, with counts and the first names', () => {
		expect(sendQuestion(preview)).toBe(
			'Send an activation email to 2 users: Cy, Dee? It leaves as soon as this device is online and paired with the relay. 8 selected users are skipped:'
		);
		expect(skippedLines(preview)).toEqual([
			'5 already Active (they have signed in and chosen a password): Ann, Bob, Eve + 2 more',
			'1 Suspended (reactivate them first): Fay',
			'1 without an email: Gus',
			'1 no longer in the directory'
		]);
	});

	it('says plainly that nothing is sent when nobody qualifies', () => {
		expect(nothingToSend({ ...preview, count: 0, names: [] })).toBe(
			'Nothing was sent: none of the 8 selected users can get an activation email. 5 are already Active (they have signed in and chosen a password): Ann, Bob, Eve + 2 more; 1 is Suspended (reactivate them first): Fay; 1 has no email: Gus; 1 is no longer in the directory.'
		);
		expect(
			nothingToSend({
				count: 0,
				names: [],
				skipped: {
					'no-email': { count: 2, names: ['Gus', 'Hal'] },
					'unreadable-phone': { count: 1, names: [] }
				}
			})
		).toBe(
			'Nothing was sent: none of the 3 selected users can get an activation email. 2 have no email: Gus, Hal; 1 has a mobile phone Rollcall cannot read.'
		);
	});

	it('names the one selected user who cannot get one, and says why in a sentence', () => {
		expect(nothingToSend({ count: 0, names: [], skipped: { active: { count: 1, names: ['Ann'] } } })).toBe(
			'Nothing was sent: Ann cannot get an activation email, as they are already Active (they have signed in and chosen a password).'
		);
		expect(
			nothingToSend({ count: 0, names: [], skipped: { 'no-email': { count: 1, names: ['Gus'] } } })
		).toBe('Nothing was sent: Gus cannot get an activation email, as they have no email.');
		expect(nothingToSend({ count: 0, names: [], skipped: { deleted: { count: 1, names: [] } } })).toBe(
			'Nothing was sent: the selected user cannot get an activation email, as they are no longer in the directory.'
		);
	});

	it('counts what was queued and what was skipped after the send', () => {
		expect(queuedNotice(3, { active: 2, 'no-email': 1 })).toBe(
			'3 activation emails queued in the Outbox. Skipped: 2 already Active (they have signed in and chosen a password); 1 without an email.'
		);
		expect(queuedNotice(1, {})).toBe('1 activation email queued in the Outbox.');
	});
});

describe("a new user's initial password", () => {
	it('is asked for only with the SMS that carries it', () => {
		const sms = (canSend: boolean, isSending: boolean) => ({ canSend, isSending });
		expect(initialPasswordRequirement('required', sms(true, true))).toBe('required');
		expect(initialPasswordRequirement('optional', sms(true, true))).toBe('required');
		expect(initialPasswordRequirement('required', sms(true, false))).toBe('optional');
		expect(initialPasswordRequirement('required', sms(false, false))).toBe('hidden');
		expect(initialPasswordRequirement('hidden', sms(true, true))).toBe('hidden');
	});

	it("is claimed on the user's page only when an SMS carried one, or the person chose their own", () => {
		const pending = { status: 'Pending', hasPassword: false };
		expect(passwordStatus(pending)).toBe(
			'None yet: they choose their own from an activation email, and none is on its way'
		);
		// The activation email is named only while one is on its way or was sent.
		for (const state of ['queued', 'sending', 'sent']) {
			expect(passwordStatus(pending, { state })).toBe(
				'None yet: they choose their own from the activation email'
			);
		}
		for (const state of ['cancelled', 'failed']) {
			expect(passwordStatus(pending, { state })).toMatch(/, and none is on its way$/);
		}
		expect(passwordStatus({ status: 'Pending', hasPassword: true })).toBe(
			'Initial password, in the SMS login details (never shown)'
		);
		expect(passwordStatus({ status: 'Active', hasPassword: false })).toBe('Chosen by them (never shown)');
	});
});
