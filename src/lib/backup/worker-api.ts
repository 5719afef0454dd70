import { backupStore, type BackupProgress, type DeviceCounts } from '$lib/db/backup';
import { createDb, type RollcallDb } from '$lib/db/database';
import { storageErrorMessage } from '$lib/db/errors';
import { fail, ok, type Parsed } from '$lib/domain/result';
import { backupFileName, openBackup, sealBackup, type BackupCounts, type BackupMeta } from './format';

/**
 * The backup worker's API (the files worker, src/lib/files/worker.ts, exposes it with Comlink in an
 * instance started as 'backup'; only bridge.ts talks to it). The worker reads and writes the
 * database itself, so 100,000 users never pass through, or hold, the page's main thread. A restore is
 * two calls: `open` reads and checks the file and holds its rows, `restore` writes them once the admin
 * has confirmed.
 */

/** The page's progress callback: a Comlink proxy here, so each call is a message. */
type Progress = (done: number, total: number) => void | Promise<void>;

/** A backup made: the file to save, its name, and its header. */
export interface MadeFile {
	file: Blob;
	name: string;
	meta: BackupMeta;
}

/** A file checked and ready to restore: what it holds and what it would replace here. */
export interface OpenedFile {
	name: string;
	createdAt: number;
	/** Records in the file, by table. */
	counts: BackupCounts;
	passwordMessagesLeftOut: number;
	device: DeviceCounts;
}

/** The file being restored, as the page gives it (the bytes are transferred). */
export interface FileInput {
	name: string;
	bytes: Uint8Array;
}

/** The API over a database (opened on first use: IndexedDB is the page's, shared with the worker). */
export function createBackupWorkerApi(open: () => RollcallDb = () => createDb()) {
	let db: RollcallDb | undefined;
	const store = () => backupStore((db ??= open()));
	let held: { name: string; rows: Map<string, unknown[]>; createdAt: number } | undefined;
	const report =
		(progress?: Progress): BackupProgress =>
		(done, total) =>
			void progress?.(done, total);

	return {
		/** Opens the database, so that the first real call starts at once. */
		async ready(): Promise<void> {
			await (db ??= open()).open();
		},

		async backup(progress?: Progress, now = Date.now()): Promise<MadeFile> {
			const made = await store().make(report(progress));
			const exported = new Uint8Array(await made.exported.arrayBuffer());
			const meta = {
				createdAt: now,
				counts: made.counts,
				passwordMessagesLeftOut: made.passwordMessagesLeftOut
			};
			const parts = await sealBackup(exported, meta);
			const file = new Blob(parts as Uint8Array<ArrayBuffer>[], { type: 'application/json' });
			return { file, name: backupFileName(now), meta: { ...meta, bodyBytes: parts[1]!.length } };
		},

		/** Reads and checks a file; a refusal is the admin's sentence and changes nothing. */
		async open(input: FileInput): Promise<Parsed<OpenedFile>> {
			held = undefined;
			const opened = await openBackup(input.name, input.bytes, (db ??= open()).verno);
			if (!opened.ok) return opened;
			const rows = store().check(input.name, opened.value);
			if (!rows.ok) return rows;
			held = { name: input.name, rows: rows.value, createdAt: opened.value.meta.createdAt };
			const counts = Object.fromEntries([...rows.value].map(([table, list]) => [table, list.length]));
			return ok({
				name: input.name,
				createdAt: opened.value.meta.createdAt,
				counts,
				passwordMessagesLeftOut: opened.value.meta.passwordMessagesLeftOut,
				device: await store().deviceCounts()
			});
		},

		/** Writes the file `open` checked: everything or, on failure, nothing. */
		async restore(progress?: Progress): Promise<Parsed<{ users: number }>> {
			if (!held) return fail('Choose the backup file again: it is no longer open.');
			const { rows, createdAt, name } = held;
			held = undefined;
			try {
				await store().restore(rows, createdAt, report(progress));
			} catch (error) {
				const why = storageErrorMessage(error).replace(/^Saving failed and nothing was changed: /u, '');
				return fail(`“${name}” could not be restored, and nothing on this device was changed: ${why}`);
			}
			return ok({ users: rows.get('users')?.length ?? 0 });
		},

		/** Forgets a file opened but not restored (the admin said Cancel). */
		close(): void {
			held = undefined;
		}
	};
}

export type BackupWorkerApi = ReturnType<typeof createBackupWorkerApi>;
