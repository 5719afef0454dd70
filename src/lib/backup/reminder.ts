// When to remind the admin to back up: never while there is nothing to lose (no users), and otherwise when
// there is no backup, when the last is old, or when the browser may clear the data and the last backup is
// not from today. Pure: the page passes the time and what the browser said.

const DAY_MS = 24 * 60 * 60 * 1000;

/** A backup older than this is old. */
export const BACKUP_MAX_AGE_DAYS = 7;

export interface BackupStatus {
	userCount: number;
	lastBackupAt: number | undefined;
	/** What the browser said about persistent storage; undefined when it cannot say. */
	isPersisted: boolean | undefined;
	now: number;
}

/** How long ago, in words: 'today', 'yesterday', '9 days ago'. */
export function ageInWords(at: number, now: number): string {
	const days = Math.floor((now - at) / DAY_MS);
	if (days < 1) return 'today';
	if (days === 1) return 'yesterday';
	return `${days} days ago`;
}

/** The reminder to show, or undefined when none is due. */
export function backupReminder({
	userCount,
	lastBackupAt,
	isPersisted,
	now
}: BackupStatus): string | undefined {
	if (userCount === 0) return undefined;
	const mayBeCleared = isPersisted === false;
	const users = userCount === 1 ? 'the 1 user' : `the ${userCount.toLocaleString('en')} users`;
	if (lastBackupAt === undefined) {
		return mayBeCleared
			? `There is no backup of ${users} on this device, and this browser may clear its data to free space.`
			: `There is no backup of ${users} on this device yet.`;
	}
	const age = now - lastBackupAt;
	if (age > BACKUP_MAX_AGE_DAYS * DAY_MS) return `The last backup was made ${ageInWords(lastBackupAt, now)}.`;
	if (mayBeCleared && age >= DAY_MS) {
		return `This browser may clear Rollcall’s data to free space, and the last backup was made ${ageInWords(lastBackupAt, now)}.`;
	}
	return undefined;
}
