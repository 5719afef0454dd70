import { describe, expect, it } from 'vitest';
import { backupReminder } from '$lib/backup/reminder';

const DAY = 24 * 60 * 60 * 1000;
const now = Date.UTC(2026, 11, 7, 12);
const status = (changes: Partial<Parameters<typeof backupReminder>[0]>) =>
	backupReminder({ userCount: 120, lastBackupAt: now - DAY / 2, isPersisted: true, now, ...changes });

describe('backupReminder', () => {
	it('says nothing when there is nothing to lose', () => {
		expect(status({ userCount: 0, lastBackupAt: undefined, isPersisted: false })).toBeUndefined();
	});

	it('says nothing for a recent backup on persistent storage', () => {
		expect(status({ lastBackupAt: now - 6 * DAY })).toBeUndefined();
	});

	it('asks for a first backup', () => {
		expect(status({ lastBackupAt: undefined })).toBe(
			'There is no backup of the 120 users on this device yet.'
		);
		expect(status({ lastBackupAt: undefined, isPersisted: false })).toMatch(/may clear its data/u);
	});

	it('reminds when the last backup is over 7 days old', () => {
		expect(status({ lastBackupAt: now - 9 * DAY })).toBe('The last backup was made 9 days ago.');
	});

	it('reminds when storage is not persistent and the backup is not from today', () => {
		expect(status({ isPersisted: false })).toBeUndefined();
		expect(status({ isPersisted: false, lastBackupAt: now - 2 * DAY })).toBe(
			'This browser may clear Rollcall’s data to free space, and the last backup was made 2 days ago.'
		);
		expect(status({ isPersisted: undefined, lastBackupAt: now - 2 * DAY })).toBeUndefined();
	});
});
