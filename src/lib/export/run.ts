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
	/** Takes the file's bytes, in order; a promise holds the next page back until it is written. */
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

export async function runExport(run: ExportRun): Promise<ExportOutcome> {
	const { writer, total, signal } = run;
	const parts = partsOf(writer, total);
	let [done, written] = [0, 0];
	const included = (page: readonly User[]) => page.filter((user) => writer.includes(user));
	if (parts === 1) {
		await run.write(writer.begin(1));
		for await (const page of run.pages) {
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
	for await (const page of run.pages) {
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
