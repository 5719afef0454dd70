import * as Comlink from 'comlink';
import { createDb, type RollcallDb } from '$lib/db/database';
import { usersStore, type ExportScope } from '$lib/db/users';
import { outputOf, runExport, type ExportOutcome } from './run';
import { createWriter, exportLimit, type ExportRequest } from './writer';

/**
 * The export worker's API (the files worker, src/lib/files/worker.ts, exposes it with Comlink in an
 * instance started as 'export'; only bridge.ts talks to it). The worker reads the users from the
 * database itself and writes the file: straight into a file the admin chose (File System Access), or
 * into a Blob, whose bytes the browser keeps outside the JavaScript heap.
 */

/**
 * Users read per page (one read transaction each): a page's file text is built in one go, in the worker.
 * 5,000 rather than 1,000: a fifth of the transactions, and with readAhead at most two pages (a few MiB) held.
 */
export const EXPORT_PAGE = 5_000;

/** Bytes gathered before they are handed to a Blob: fewer, larger Blob parts. */
const BLOB_PART_BYTES = 4 * 1024 * 1024;

/** What an export writes, and of whom. `total` is counted here. */
export interface ExportJob {
	request: Omit<ExportRequest, 'total'>;
	scope: ExportScope;
}

/** The file an export would write, or why it cannot. */
export interface ExportPlan {
	fileName: string;
	mimeType: string;
	/** What the admin must know before uploading the file elsewhere (see ExportWriter.notes). */
	notes: readonly string[];
	/** Why this format cannot hold these users (see exportLimit). */
	limit: string | undefined;
}

/** What the run gives the page: the outcome, and the file itself when no file was chosen. */
export interface ExportDone extends ExportOutcome {
	blob?: Blob;
}

type Progress = (done: number, total: number) => void | Promise<void>;

/** Collects bytes into Blob parts of about BLOB_PART_BYTES. */
function blobSink(type: string) {
	const parts: Blob[] = [];
	let pending: Uint8Array<ArrayBuffer>[] = [];
	let pendingBytes = 0;
	const flush = () => {
		if (pending.length > 0) parts.push(new Blob(pending));
		pending = [];
		pendingBytes = 0;
	};
	return {
		write: (bytes: Uint8Array) => {
			pending.push(bytes as Uint8Array<ArrayBuffer>);
			pendingBytes += bytes.length;
			if (pendingBytes >= BLOB_PART_BYTES) flush();
		},
		blob: (): Blob => {
			flush();
			return new Blob(parts, { type });
		}
	};
}

/** The API over a database (opened on first use: IndexedDB is the page's, shared with the worker). */
export function createExportWorkerApi(openDb: () => RollcallDb = () => createDb(), pageSize = EXPORT_PAGE) {
	let users: ReturnType<typeof usersStore> | undefined;
	const store = () => (users ??= usersStore(openDb()));
	/**
	 * The chosen file's writable of the run under way, from the moment it is asked for: a Cancel lets go of
	 * it (release) before the page stops this worker. Stopped while Chromium is still opening it, the
	 * worker would leave the file locked for a moment and a swap file (name.crswap) next to it for good.
	 */
	let opening: Promise<FileSystemWritableFileStream | undefined> | undefined;

	return {
		/** The file an export of `total` users would write (asked before a save picker opens). */
		plan(request: Omit<ExportRequest, 'total'>, total: number): ExportPlan {
			const full = { ...request, total };
			const writer = createWriter(full);
			return { ...outputOf(writer, total), notes: writer.notes, limit: exportLimit(full) };
		},

		/**
		 * Runs the export into `file` when given (closed once whole; on failure its changes are thrown
		 * away), else into a Blob returned with the outcome. Refuses what exportLimit refuses.
		 */
		async run(
			job: ExportJob,
			file: FileSystemFileHandle | undefined,
			onProgress?: Progress
		): Promise<ExportDone> {
			const remote = onProgress as Comlink.Remote<Progress> | undefined;
			try {
				const total = await store().exportCount(job.scope);
				const request = { ...job.request, total };
				const limit = exportLimit(request);
				if (limit) throw new Error(limit);
				const writer = createWriter(request);
				const pages = store().exportPages(job.scope, pageSize);
				const progress = (done: number, of: number) => void remote?.(done, of)?.catch(() => undefined);
				if (!file) {
					const sink = blobSink(outputOf(writer, total).mimeType);
					const outcome = await runExport({ writer, total, pages, write: sink.write, onProgress: progress });
					return { ...outcome, blob: sink.blob() };
				}
				const asked = file.createWritable();
				opening = asked.catch(() => undefined);
				const writable = await asked;
				try {
					const write = (bytes: Uint8Array) => writable.write(bytes as Uint8Array<ArrayBuffer>);
					const outcome = await runExport({ writer, total, pages, write, onProgress: progress });
					await writable.close();
					return outcome;
				} catch (error) {
					await writable.abort().catch(() => undefined);
					throw error;
				}
			} finally {
				opening = undefined;
				remote?.[Comlink.releaseProxy]();
			}
		},

		/**
		 * Throws away what the run under way wrote into its chosen file and closes it (the page calls this
		 * on Cancel, then stops the worker and removes the file). The run itself fails on its next write.
		 */
		async release(): Promise<void> {
			const writable = await opening;
			await writable?.abort().catch(() => undefined);
		}
	};
}

export type ExportWorkerApi = ReturnType<typeof createExportWorkerApi>;
