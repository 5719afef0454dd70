import * as Comlink from 'comlink';
import { fail, type Parsed } from '$lib/domain/result';
import { checkBackupHead, HEADER_MAX_BYTES } from './format';
import type { BackupWorkerApi, MadeFile, OpenedFile } from './worker-api';

/**
 * The page's side of the backup worker, and the only module that starts it. The Backup section starts it
 * when it shows (`warm`: loading the worker's code and opening the database take a second on a slow
 * tablet, better spent before the click than after) and lets it go when it is left (`release`); it also
 * stops once a backup is made or a restore is over. A crash (out of memory on a huge directory) rejects
 * with the admin's sentence instead of hanging.
 */

export type { MadeFile, OpenedFile };

export const CRASHED =
	'The backup stopped: this device ran out of memory or the worker failed. Nothing was changed.';

/** The files worker (src/lib/files/worker.ts), started to serve backups and restores. */
const startWorker = () =>
	new Worker(new URL('../files/worker.ts', import.meta.url), { type: 'module', name: 'backup' });

/** Creates a bridge; the app uses the one below, tests give another worker. */
export function createBackupBridge(start: () => Worker = startWorker) {
	let worker: Worker | undefined;
	let remote: Comlink.Remote<BackupWorkerApi> | undefined;

	/** Calls running in the worker: stopping it under one would abort a restore's transaction. */
	let running = 0;

	function stop(): void {
		worker?.terminate();
		worker = remote = undefined;
	}

	function connect(): Comlink.Remote<BackupWorkerApi> {
		worker ??= start();
		return (remote ??= Comlink.wrap<BackupWorkerApi>(worker));
	}

	/** Runs one call in the worker, rejecting if the worker dies under it. */
	async function run<T>(call: (api: Comlink.Remote<BackupWorkerApi>) => Promise<T>): Promise<T> {
		const api = connect();
		const current = worker!;
		running += 1;
		let onCrash: ((event: Event) => void) | undefined;
		const crashed = new Promise<never>((_, reject) => {
			onCrash = (event: Event) => {
				event.preventDefault();
				stop();
				reject(new Error(CRASHED));
			};
			current.addEventListener('error', onCrash);
		});
		try {
			return await Promise.race([call(api), crashed]);
		} finally {
			running -= 1;
			current.removeEventListener('error', onCrash!);
		}
	}

	const progressOf = (onProgress?: (done: number, total: number) => void) =>
		Comlink.proxy((done: number, total: number) => onProgress?.(done, total));

	return {
		/** Makes a backup of the whole device in the worker. */
		backup: async (onProgress?: (done: number, total: number) => void): Promise<MadeFile> => {
			try {
				return await run((api) => api.backup(progressOf(onProgress)));
			} finally {
				stop();
			}
		},

		/**
		 * Reads and checks a backup file; the worker holds it until restore() or close(). Its header and size
		 * are checked first, so a large file that is not a backup (or not the one its header describes) is
		 * refused without being read whole into memory.
		 */
		open: async (file: File): Promise<Parsed<OpenedFile>> => {
			let bytes: Uint8Array;
			try {
				const start = new Uint8Array(await file.slice(0, HEADER_MAX_BYTES).arrayBuffer());
				const head = checkBackupHead(file.name, start, file.size);
				if (!head.ok) {
					stop();
					return head;
				}
				bytes = new Uint8Array(await file.arrayBuffer());
			} catch {
				return fail(`“${file.name}” could not be read. Choose it again.`);
			}
			const opened = await run<Parsed<OpenedFile>>((api) =>
				api.open(Comlink.transfer({ name: file.name, bytes }, [bytes.buffer]))
			);
			if (!opened.ok) stop();
			return opened;
		},

		/** Replaces this device's data with the file open() checked: all or nothing. */
		restore: async (
			onProgress?: (done: number, total: number) => void
		): Promise<Parsed<{ users: number }>> => {
			try {
				return await run<Parsed<{ users: number }>>((api) => api.restore(progressOf(onProgress)));
			} finally {
				stop();
			}
		},

		/** The admin did not confirm: the worker forgets the file. */
		close: stop,

		/** Starts the worker and opens the database ahead of a click. */
		warm: (): void => {
			if (worker) return;
			connect()
				.ready()
				.catch(() => stop());
		},

		/** The Backup section is left: the worker goes, unless a backup or restore is running in it. */
		release: (): void => {
			if (running === 0) stop();
		}
	};
}

const bridge = createBackupBridge();

/** Makes a backup in the worker: see createBackupBridge. */
export const makeBackup = bridge.backup;
/** Reads and checks a backup file in the worker: see createBackupBridge. */
export const openBackupFile = bridge.open;
/** Restores the file opened: see createBackupBridge. */
export const restoreBackup = bridge.restore;
/** Forgets the file opened. */
export const closeBackupFile = bridge.close;
/** Starts the backup worker ahead of use. */
export const warmBackupWorker = bridge.warm;
/** Stops the backup worker unless it is working. */
export const releaseBackupWorker = bridge.release;
