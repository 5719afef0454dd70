import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '$lib/db';
import { presets } from '$lib/domain/policy';
import { ImportSession } from '$lib/state/import-session.svelte';
import { settings } from '$lib/state/settings.svelte';

// The worker's work, done here: the session's own logic is what these tests are about.
vi.mock('$lib/import/bridge', () => import('./bridge-in-process'));

const file = (name: string, lines: string[]) => new File([lines.join('\r\n')], name, { type: 'text/csv' });
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
