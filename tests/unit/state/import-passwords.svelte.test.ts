import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '$lib/db';
import { presets } from '$lib/domain/policy';
import { ImportSession } from '$lib/state/import-session.svelte';
import { settings } from '$lib/state/settings.svelte';
import type { User } from '$lib/domain/user';

// The worker's work, done here: the session's own logic is what these tests are about.
vi.mock('$lib/import/bridge', () => import('./bridge-in-process'));
// Sending is not what these tests are about: the queued messages are. The real sender would reach for the
// relay and for navigator.locks, which this environment lacks, after the test has ended.
const kick = vi.hoisted(() => vi.fn());
vi.mock('$lib/state/sync.svelte', () => ({ sync: { kick } }));

const file = (name: string, lines: string[]) => new File([lines.join('\r\n')], name, { type: 'text/csv' });
/** The stored users in the order of their emails (no index keeps that order any more: the catalogue does). */
const byEmail = (users: User[]) =>
	users.sort((a, b) => (a.emailKey < b.emailKey ? -1 : a.emailKey > b.emailKey ? 1 : 0));

const fieldHeavy = presets.find((preset) => preset.id === 'field-heavy')!.policy;

const HEADER = 'First name,Last name,Username,Mobile phone,Email';
const ROW = 'Ada,Lovelace,alovelace,+33 6 12 34 56 78,ada@example.com';

beforeEach(async () => {
	await db.users.clear();
	await settings.save({ policy: fieldHeavy });
});

// The add-user form asks for a password only with the SMS that carries it: an import holds to the same rule.
describe('a policy that requires a password, in an import', () => {
	it('does not require one of a file without the SMS: there is nowhere for it to go', async () => {
		const session = new ImportSession();
		await session.choose(file('no-passwords.csv', [HEADER, ROW]));
		expect(session.policy.password).toBe('optional');
		expect(session.analysis?.errors).toEqual([]);
		expect(session.blocker).toBeNull();
		await session.complete();
		const [user] = await db.users.toArray();
		expect(user).toMatchObject({ email: 'ada@example.com', hasPassword: false });
	});

	it('requires one of every new row once its passwords go by SMS', async () => {
		const session = new ImportSession();
		const lines = [
			`${HEADER},Password`,
			`${ROW},Correct-Horse-Battery-9`,
			'Bo,Chen,bchen,+33 6 12 34 56 79,bo@example.com,'
		];
		await session.choose(file('passwords.csv', lines));
		expect(session.analysis?.errors).toEqual([]);
		await session.setSendSms(true);
		expect(session.policy.password).toBe('required');
		expect(session.analysis?.errors.map((error) => [error.row, error.field])).toEqual([[3, 'password']]);
	});
});

// SMS login details go only to the new users an import creates: a password in the row of a user already in the
// directory goes nowhere, and the page says so, with how many, before Complete.
describe("the passwords of an import's existing users", () => {
	const PASSWORD = 'Correct-Horse-Battery-9';
	const existing = async () => {
		const first = new ImportSession();
		await first.choose(file('first.csv', [HEADER, ROW]));
		await first.complete();
	};
	const lines = [
		`${HEADER},Password`,
		`${ROW},${PASSWORD}`,
		`Bo,Chen,bchen,+33 6 12 34 56 79,bo@example.com,${PASSWORD}`
	];

	it('are said not to be sent when the SMS goes to the new users, and are not', async () => {
		await existing();
		const session = new ImportSession();
		await session.choose(file('passwords.csv', lines));
		await session.setUpdateExisting(true);
		expect(session.canSendSms).toBe(true);
		await session.setSendSms(true);
		expect(session.droppedPasswords).toBe(
			'The passwords of 1 user already in the directory (rows whose email is there) will not be sent: SMS login details go only to new users, and Rollcall keeps no passwords.'
		);
		await session.complete();
		expect(kick).toHaveBeenCalled();
		const messages = await db.outbox.toArray();
		expect(messages.map((m) => [m.template, m.to])).toEqual([['sms-login', '+33612345679']]);
		const users = byEmail(await db.users.toArray());
		expect(users.map((u) => [u.email, u.hasPassword])).toEqual([
			['ada@example.com', false],
			['bo@example.com', true]
		]);
	});

	it('do not offer the SMS when only existing users give one, and are said to go nowhere', async () => {
		await existing();
		const session = new ImportSession();
		await session.choose(file('passwords.csv', [`${HEADER},Password`, `${ROW},${PASSWORD}`]));
		expect(session.canSendSms).toBe(false);
		expect(session.droppedPasswords).toMatch(/^The passwords of 1 user already in the directory /);
	});

	it('without the SMS, say the new users choose theirs from the activation email only when one is queued', async () => {
		const session = new ImportSession();
		await session.choose(file('passwords.csv', lines));
		expect(session.droppedPasswords).toBe(
			"The file's passwords will not be kept: Rollcall keeps no passwords, and a password reaches its person only in SMS login details. Switch on 'Send login details by SMS' to send each new user theirs (2 users); otherwise the new users have none until they get an activation email ('Send activation email to new users', or later from each user's page), from which they choose their own."
		);
		session.sendActivation = true;
		expect(session.droppedPasswords).toMatch(
			/; otherwise the new users choose their own from the activation email\.$/
		);
	});
});
