import { liveQuery } from 'dexie';
import {
	closeBackupFile,
	makeBackup,
	openBackupFile,
	restoreBackup,
	type OpenedFile
} from '$lib/backup/bridge';
import { backupReminder } from '$lib/backup/reminder';
import { formatCount, formatMoment } from '$lib/components/format';
import { backups } from '$lib/db';
import { storage } from '$lib/pwa/storage.svelte';
import { Confirmation } from './confirmation.svelte';
import { download } from './download';

/** Progress of the backup or restore running, for the progress bar. */
export interface BackupRun {
	kind: 'backup' | 'restore';
	done: number;
	total: number;
}

/** What a restore would replace here, in words: "120 users, 3 unsent messages or account changes…". */
function whatIsLost({ device }: OpenedFile): string {
	const parts = [
		device.users ? formatCount(device.users, 'user') : '',
		device.trash ? `${formatCount(device.trash, 'user')} in the trash` : '',
		device.unsent
			? `${formatCount(device.unsent, 'unsent message or account change', 'unsent messages or account changes')}`
			: '',
		device.imports ? `${formatCount(device.imports, 'import')} in the import history` : ''
	].filter(Boolean);
	return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}` : (parts[0] ?? '');
}

/**
 * Backup and restore as the admin sees them: when the last backup was made, whether a reminder is due,
 * and the two actions with their progress and outcome. The work runs in the backup worker (bridge.ts).
 */
class BackupState {
	#lastBackupAt = $state<number | undefined>(undefined);
	#userCount = $state(0);
	#isLoaded = $state(false);
	#run = $state<BackupRun | undefined>(undefined);
	#message = $state('');
	#error = $state('');
	#started = false;
	#isReminderDismissed = $state(false);

	/** Asked before a restore replaces data on this device. */
	readonly confirmation = new Confirmation(
		'Replace the data on this device?',
		'Replace with the backup',
		true
	);

	get lastBackupAt(): number | undefined {
		return this.#lastBackupAt;
	}
	get isLoaded(): boolean {
		return this.#isLoaded;
	}
	get run(): BackupRun | undefined {
		return this.#run;
	}
	/** The outcome of the last action, in words. */
	get message(): string {
		return this.#message;
	}
	/** Why the last action did not happen, in words (nothing was changed). */
	get error(): string {
		return this.#error;
	}

	/** The reminder due now, or undefined (none before the first read, and none without users). */
	reminder(now = Date.now()): string | undefined {
		if (!this.#isLoaded) return undefined;
		return backupReminder({
			userCount: this.#userCount,
			lastBackupAt: this.#lastBackupAt,
			isPersisted: storage.isPersisted,
			now
		});
	}

	/** The reminder shown outside Settings, unless the admin said 'Not now' in this tab. */
	nudge(now = Date.now()): string | undefined {
		return this.#isReminderDismissed ? undefined : this.reminder(now);
	}

	/** 'Not now': no reminder outside Settings until the app is opened again. */
	dismissReminder(): void {
		this.#isReminderDismissed = true;
	}

	/** Follows the last backup's time and the number of users, in every tab. */
	start(): void {
		if (this.#started) return;
		this.#started = true;
		liveQuery(() => backups.status()).subscribe({
			next: ({ lastBackupAt, userCount }) => {
				this.#lastBackupAt = lastBackupAt;
				this.#userCount = userCount;
				this.#isLoaded = true;
			},
			error: (error: unknown) => console.error('Reading the last backup failed', error)
		});
	}

	/** Makes a backup and hands it to the browser as a download. */
	async backup(): Promise<void> {
		if (this.#run) return;
		this.#message = this.#error = '';
		this.#run = { kind: 'backup', done: 0, total: 0 };
		try {
			const made = await makeBackup((done, total) => (this.#run = { kind: 'backup', done, total }));
			download(made.file, made.name, 'application/json');
			await backups.saved(made.meta.createdAt);
			const left = made.meta.passwordMessagesLeftOut;
			this.#message =
				`Backup saved as “${made.name}” with ${formatCount(made.meta.counts.users ?? 0, 'user')}.` +
				(left
					? ` ${formatCount(left, 'queued message')} carrying a password ${left === 1 ? 'was' : 'were'} left out: passwords never go into a backup.`
					: '');
		} catch (error) {
			this.#error = `The backup could not be made: ${error instanceof Error ? error.message : String(error)}`;
		} finally {
			this.#run = undefined;
		}
	}

	/** Checks a backup file, asks before replacing data, and restores it: all or nothing. */
	async restore(file: File): Promise<void> {
		if (this.#run) return;
		this.#message = this.#error = '';
		this.#run = { kind: 'restore', done: 0, total: 0 };
		try {
			const opened = await openBackupFile(file);
			if (!opened.ok) {
				this.#error = `${opened.message} Nothing on this device was changed.`;
				return;
			}
			const made = formatMoment(opened.value.createdAt);
			const lost = whatIsLost(opened.value);
			const incoming = formatCount(opened.value.counts.users ?? 0, 'user');
			if (lost) {
				this.#run = undefined;
				const isSure = await this.confirmation.ask(
					`This device’s ${lost} will be replaced by the backup of ${made} (${incoming}). This cannot be undone: if you may need this device’s data, download a backup of it first.`
				);
				if (!isSure) {
					closeBackupFile();
					this.#message = 'Nothing was restored.';
					return;
				}
				this.#run = { kind: 'restore', done: 0, total: 0 };
			}
			const restored = await restoreBackup((done, total) => (this.#run = { kind: 'restore', done, total }));
			if (!restored.ok) this.#error = restored.message;
			else
				this.#message = `Restored ${formatCount(restored.value.users, 'user')} from the backup of ${made}.`;
		} catch (error) {
			this.#error = `${error instanceof Error ? error.message : String(error)}`;
		} finally {
			this.#run = undefined;
		}
	}
}

/** The app's one backup state. */
export const backup = new BackupState();
