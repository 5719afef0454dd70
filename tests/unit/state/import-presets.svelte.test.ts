import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '$lib/db';
import { customKey } from '$lib/domain/fields';
import { defaultPolicy, matchingPreset } from '$lib/domain/policy';
import { ImportSession } from '$lib/state/import-session.svelte';
import { settings } from '$lib/state/settings.svelte';
import type { User } from '$lib/domain/user';

// The worker's work, done here: the session's own logic is what these tests are about.
vi.mock('$lib/import/bridge', () => import('./bridge-in-process'));

const file = (name: string, lines: string[]) => new File([lines.join('\r\n')], name, { type: 'text/csv' });

/** The stored users in the order of their emails (no index keeps that order any more: the catalogue does). */
const byEmail = (users: User[]) =>
	users.sort((a, b) => (a.emailKey < b.emailKey ? -1 : a.emailKey > b.emailKey ? 1 : 0));

const GROUPS = [
	'User type,First name,Email',
	'Privileged,Ada,ada@example.com',
	'Standard,Grace,grace@example.com'
];

beforeEach(async () => {
	await db.users.clear();
	await settings.save({ policy: defaultPolicy });
});

describe('a file that fits a preset when the field policy does not', () => {
	it('blocks Complete saying which field has no column and what to do, the preset among the ways', async () => {
		const session = new ImportSession();
		await session.choose(file('groups.csv', GROUPS));
		expect(session.presetFit?.name).toBe('Users & Groups');
		expect(session.blocker).toBe(
			'No column gives last name, which the field policy requires: map a column to it, or make it optional in Settings → Field policy, or import the file under the rules of Users & Groups (above).'
		);
	});

	it('imports the file under the preset’s rules, for this import only, storing the users as checked', async () => {
		const session = new ImportSession();
		await session.choose(file('groups.csv', GROUPS));
		await session.importUnderPreset();
		expect(session.rules?.id).toBe('groups');
		expect(session.analysis?.mapping.isReady).toBe(true);
		expect(session.presetFit).toBeNull();
		expect(session.blocker).toBeNull();
		expect(session.policy).toMatchObject({ userType: 'required', lastName: 'optional' });
		await session.complete();
		expect(session.step).toBe('done');
		const users = byEmail(await db.users.toArray());
		expect(users.map((u) => [u.email, u.firstName, u.lastName, u.userType])).toEqual([
			['ada@example.com', 'Ada', undefined, 'Privileged'],
			['grace@example.com', 'Grace', undefined, 'Standard']
		]);
		expect(settings.policy).toEqual(defaultPolicy);
	});

	it('switches the field policy to the preset, custom attributes kept, and back to exactly what it was', async () => {
		const badge = customKey('Badge');
		const before = { ...defaultPolicy, department: 'hidden' as const, [badge]: 'required' as const };
		await settings.save({ policy: before });
		const session = new ImportSession();
		await session.choose(file('groups.csv', [`${GROUPS[0]},Badge`, `${GROUPS[1]},7`]));
		expect(session.presetFit?.id).toBe('groups');
		await session.switchPolicy();
		expect(matchingPreset(settings.policy)?.id).toBe('groups');
		expect(settings.policy[badge]).toBe('required');
		expect(session.policySwitch).toMatchObject({ to: { id: 'groups' }, beforeName: undefined });
		expect(session.blocker).toBeNull();
		await session.switchBack();
		expect(settings.policy).toEqual(before);
		expect(session.presetFit?.id).toBe('groups');
	});
});

describe('what blocks Complete says what to do', () => {
	it('under a preset’s rules, names them for a field they require that has no column', async () => {
		const session = new ImportSession();
		await session.choose(file('groups.csv', GROUPS));
		await session.importUnderPreset();
		await session.setMapping(0, 'ignored');
		expect(session.blocker).toBe(
			'No column gives user type, which the rules of Users & Groups require: map a column to it, or check the file under the field policy again (above).'
		);
	});

	it('names each column that needs a choice by its letter and header', async () => {
		const session = new ImportSession();
		await session.choose(
			file('staff.csv', ['First name,Last name,Email,Shoe size,', 'Ada,Lovelace,ada@example.com,38,x'])
		);
		expect(session.presetFit).toBeNull();
		expect(session.blocker).toBe(
			'Columns D ("Shoe size") and E (no header) need a choice: pick a field for each under Columns, or Ignore them.'
		);
	});

	it('names the file whose rows all have errors, and says to fix them', async () => {
		const session = new ImportSession();
		session.mode = 'valid-rows';
		await session.choose(file('staff.csv', ['First name,Last name,Email', 'Ada,Lovelace,not-an-email']));
		expect(session.blocker).toBe(
			'Every row of staff.csv has errors: fix them in the file (the errors file lists each one) and choose it again.'
		);
	});
});

it('names the file a refusal is about', async () => {
	const session = new ImportSession();
	await session.choose(file('staff.csv', []));
	expect(session.error).toBe('staff.csv is empty (0 bytes): choose the file that holds the users.');
});
