import type { User } from '$lib/domain/user';
import type { ExportWriter } from './writer';
import { ZipStream } from './zip-stream';

/**
 * Runs an export: feeds the users, a page at a time, through a writer and hands the bytes on as they
 * come, so that only a page is ever held. A format with a limit of users per file (Microsoft 365's 249)
 * is split into parts written one after the other into one .zip.
 */

/** What an export reads and where its bytes go. */
export interface ExportRun {
	writer: ExportWriter;
	/** How many users are read: the parts are planned from it, and progress counts towards it. */
	total: number;
	/** The users, a page at a time (see usersStore.exportPages). */
	pages: AsyncIterable<readonly User[]>;
	/**
	 * Takes the file's bytes, in order; a promise holds back the page after next until it is written
	 * (the next one is already being read: see readAhead).
	 */
	write: (bytes: Uint8Array) => void | Promise<void>;
	onProgress?: (done: number, total: number) => void;
	/** Stops between pages with the signal's reason. */
	signal?: AbortSignal;
}

/** What was written. */
export interface ExportOutcome {
	/** The file's name: the writer's, or an archive's when the users were split into several files. */
	fileName: string;
	mimeType: string;
	/** Users written: fewer than the total when the format leaves some out (see ExportWriter.includes) or some were deleted meanwhile. */
	count: number;
	/** Files written: more than one only inside an archive. */
	files: number;
}

/** How many files `total` users take. */
export function partsOf(writer: Pick<ExportWriter, 'maxUsersPerFile'>, total: number): number {
	return total > writer.maxUsersPerFile ? Math.ceil(total / writer.maxUsersPerFile) : 1;
}

/** The name and type of the file an export writes, known before it runs (a save picker asks first). */
export function outputOf(
	writer: Pick<ExportWriter, 'maxUsersPerFile' | 'fileName' | 'mimeType'>,
	total: number
): { fileName: string; mimeType: string } {
	if (partsOf(writer, total) === 1) return { fileName: writer.fileName(1, 1), mimeType: writer.mimeType };
	return { fileName: `${writer.fileName(1, 1).replace(/\.[^.]*$/u, '')}.zip`, mimeType: 'application/zip' };
}

/**
 * The pages of `source`, each next one asked for as soon as the current one is handed out: the database
 * reads page n + 1 (in its own process, for IndexedDB) while page n is turned into text, instead of the
 * two taking turns. At most two pages are held: the one being written and the one being read.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
	const pages = source[Symbol.asyncIterator]();
	let finished = false;
	// A read that fails while the page before it is written is thrown at the next step, not reported as unhandled.
	const ask = () => {
		const asked = pages.next();
		asked.catch(() => undefined);
		return asked;
	};
	let next = ask();
	try {
		for (;;) {
			const current = await next;
			if (current.done) {
				finished = true;
				return;
			}
			next = ask();
			yield current.value;
		}
	} finally {
		// Stopped early (cancelled, or a write failed): let the read under way settle, then close the source.
		if (!finished) {
			await next.catch(() => undefined);
			await pages.return?.();
		}
	}
}

export async function runExport(run: ExportRun): Promise<ExportOutcome> {
	const { writer, total, signal } = run;
	const pages = readAhead(run.pages);
	const parts = partsOf(writer, total);
	let [done, written] = [0, 0];
	const included = (page: readonly User[]) => page.filter((user) => writer.includes(user));
	if (parts === 1) {
		await run.write(writer.begin(1));
		for await (const page of pages) {
			signal?.throwIfAborted();
			const users = included(page);
			if (users.length > 0) await run.write(writer.write(users));
			[done, written] = [done + page.length, written + users.length];
			run.onProgress?.(done, total);
		}
		signal?.throwIfAborted();
		await run.write(writer.end());
		return { ...outputOf(writer, total), count: written, files: 1 };
	}
	// Split: each part is an entry of one ZIP, written as it comes.
	const zip = new ZipStream();
	let part = 0;
	let inPart = 0;
	const open = async () => {
		await run.write(zip.open(writer.fileName(++part, parts)));
		await run.write(zip.data(writer.begin(part)));
	};
	const close = async () => {
		await run.write(zip.data(writer.end()));
		await run.write(zip.close());
		inPart = 0;
	};
	for await (const page of pages) {
		signal?.throwIfAborted();
		const users = included(page);
		for (let at = 0; at < users.length;) {
			if (inPart === 0) await open();
			const take = Math.min(users.length - at, writer.maxUsersPerFile - inPart);
			await run.write(zip.data(writer.write(users.slice(at, at + take))));
			[at, inPart, written] = [at + take, inPart + take, written + take];
			if (inPart === writer.maxUsersPerFile) await close();
		}
		done += page.length;
		run.onProgress?.(done, total);
	}
	signal?.throwIfAborted();
	if (part === 0) await open();
	if (inPart > 0 || written === 0) await close();
	await run.write(zip.finish());
	return { ...outputOf(writer, total), count: written, files: part };
}
