import * as Comlink from 'comlink';
import { createDb, type RollcallDb } from '$lib/db/database';
import {
	importErrorMessage,
	importsStore,
	type CommitOptions,
	type ImportsStore,
	type ImportSummary
} from '$lib/db/imports';
import { usersStore } from '$lib/db/users';
import { DEFAULT_CUSTOMER_ID } from '$lib/domain/user';
import { fail, ok, type Parsed } from '$lib/domain/result';
import { analysisErrorsFile } from './errors-file';
import { peekFile } from './peek';
import {
	createAnalyser,
	headOf,
	problemsOf,
	sliceOf,
	type AnalyseOptions,
	type AnalysisHead,
	type CheckedAnalysis,
	type FileInput
} from './pipeline';
import type { Directory, ExistingUser } from './rows';
import { STILL_WORKING, STILL_WORKING_EVERY_MS } from './progress';

/**
 * The import worker's API (worker.ts exposes it with Comlink; only bridge.ts talks to it). An Analysis
 * goes to the page as its head, then its rows in slices the page asks for one at a time. The worker
 * reads the users a file names from the database itself, and commits the Analysis it holds itself: the
 * keys, the stored records and the requests never pass through, or hold, the page's main thread.
 */

/** Rows whose emails, usernames and codes are looked up in the directory at a time (see storedUsers). */
const KEYS_AT_ONCE = 50_000;

/** The page's progress callback: a Comlink proxy here, so each call is a message (and a promise). */
type Progress = (done: number, total: number) => void | Promise<void>;

/** What the page passes to read and check a file. */
export interface WorkerOptions extends Omit<AnalyseOptions, 'onProgress'> {
	/**
	 * Compare the rows with the users stored under their emails, read here from the database (instead of
	 * `directory`): a row giving exactly what is stored is then 'unchanged' (and not written), not an update.
	 */
	readsDirectory?: boolean;
	/** The customer the file is imported into: its rows are matched with that customer's users only. */
	customerId?: number;
}

/** Why the file could not be compared with the directory, in the admin's words. */
function directoryErrorMessage(error: unknown): string {
	if ((error as { name?: string } | null)?.name === 'DatabaseClosedError') {
		return 'Rollcall was updated in another tab, so this tab can no longer import. Reload the page and choose the file again.';
	}
	const detail = error instanceof Error ? error.message : String(error);
	return `The file could not be compared with the users already stored: ${detail}`;
}

/** What the page passes to commit: the rest (rows, passwords) is the Analysis held here. */
export type WorkerCommitOptions = Omit<CommitOptions, 'passwords' | 'onProgress'>;

/**
 * The API over a database (opened on first use: IndexedDB is the page's, shared with the worker).
 * `stillWorkingEveryMs`: how often the page hears that the directory is still being read.
 */
export function createWorkerApi(
	openDb: () => RollcallDb = () => createDb(),
	stillWorkingEveryMs = STILL_WORKING_EVERY_MS
) {
	const analyser = createAnalyser();
	let held: CheckedAnalysis | undefined;
	let db: RollcallDb | undefined;
	let imports: ImportsStore | undefined;
	const database = () => (db ??= openDb());

	/** Keeps an Analysis for the slices to come and gives its head. */
	function keep(result: Parsed<CheckedAnalysis>): Parsed<AnalysisHead> {
		held = result.ok ? result.value : undefined;
		return result.ok ? ok(headOf(result.value)) : result;
	}

	/** The page's callback as a plain function (each call a message), then let go. */
	async function reporting<T>(
		onProgress: Progress | undefined,
		run: (progress?: (done: number, total: number) => void) => Promise<T>
	): Promise<T> {
		const remote = onProgress as Comlink.Remote<Progress> | undefined;
		try {
			return await run(remote && ((done, total) => void remote(done, total).catch(() => undefined)));
		} finally {
			remote?.[Comlink.releaseProxy]();
		}
	}

	/**
	 * The stored users the table's emails belong to, and who holds its usernames and customer codes,
	 * read while telling the page this is still working.
	 */
	async function storedUsers(
		options: WorkerOptions,
		progress?: (done: number, total: number) => void
	): Promise<Directory | undefined> {
		const alive = setInterval(() => progress?.(STILL_WORKING, STILL_WORKING), stillWorkingEveryMs);
		try {
			const users = usersStore(database());
			const customerId = options.customerId ?? DEFAULT_CUSTOMER_ID;
			const directory = {
				byEmail: new Map<string, ExistingUser>(),
				byUsername: new Map<string, number>(),
				byCustomerCode: new Map<string, number>()
			};
			let hasTable = false;
			// A slice of the rows at a time: only that slice's keys are held while they are looked up.
			for (const keys of analyser.uniqueKeyChunks(options, KEYS_AT_ONCE)) {
				hasTable = true;
				for (const [key, user] of await users.byEmailKeys(keys.email, customerId))
					directory.byEmail.set(key, user);
				const { byUsername, byCustomerCode } = await users.idsByUniqueKeys(keys, customerId);
				for (const [key, id] of byUsername) directory.byUsername.set(key, id);
				for (const [key, id] of byCustomerCode) directory.byCustomerCode.set(key, id);
			}
			return hasTable ? directory : undefined;
		} finally {
			clearInterval(alive);
		}
	}

	/** Checks the table read last (undefined when there is none), first reading the users it names. */
	function check(options: WorkerOptions, onProgress?: Progress) {
		return reporting(onProgress, async (progress): Promise<Parsed<AnalysisHead> | undefined> => {
			const { readsDirectory, ...checkOptions } = options;
			// The Analysis checked before is let go first: two sets of checked rows would be in the heap at once.
			held = undefined;
			let directory = options.directory;
			try {
				if (readsDirectory) directory = await storedUsers(options, progress);
			} catch (error) {
				held = undefined;
				return fail(directoryErrorMessage(error));
			}
			const result = analyser.recheck({ ...checkOptions, directory, onProgress: progress });
			return result && keep(result);
		});
	}

	return {
		analyseFile: async (
			input: FileInput,
			options: WorkerOptions,
			onProgress?: Progress
		): Promise<Parsed<AnalysisHead>> => {
			// Before reading: the last file's checked rows must not share the heap with this file's cells.
			held = undefined;
			const read = analyser.read(input, options);
			// Read, the table is held: check always has it to work on.
			if (read.ok) return (await check(options, onProgress))!;
			held = undefined;
			(onProgress as Comlink.Remote<unknown> | undefined)?.[Comlink.releaseProxy]();
			return read;
		},
		/** Checks the last file again with other options (undefined when the worker no longer holds it). */
		reanalyse: check,
		/** The start of a big file, checked on its own (see peek.ts); the held Analysis is left alone. */
		peek: (input: FileInput, options: Omit<AnalyseOptions, 'onProgress'>) => peekFile(input, options),
		/** Rows [start, end) of the last Analysis (kept for commit until the next file or commit). */
		slice: (start: number, end: number) => held && sliceOf(held, start, end),
		/** The errors and warnings of rows [start, end) of the last Analysis, for a page that holds only its first rows. */
		problems: (start: number, end: number) => held && problemsOf(held, start, end),
		/** The errors file of the last Analysis, built here where its rows are (undefined when none is held). */
		errorsFile: () => {
			if (!held) return undefined;
			const steps = analysisErrorsFile(held);
			let step = steps.next();
			while (!step.done) step = steps.next();
			return Comlink.transfer(step.value, [step.value.bytes.buffer]);
		},
		/**
		 * Commits the last Analysis (see importsStore.commit), then forgets it. A refusal or failure is the
		 * admin's message: the error classes do not survive the trip to the page.
		 */
		commit: async (options: WorkerCommitOptions): Promise<Parsed<ImportSummary>> => {
			const analysis = held;
			if (!analysis) return fail('The file is no longer in memory: choose it again.');
			try {
				imports ??= importsStore(database());
				// The rows made again for the commit, lean, a chunk at a time as it writes (see importsStore.commit).
				const summary = await imports.commit(analysis.rows.forCommit(), options);
				held = undefined;
				return ok(summary);
			} catch (error) {
				return fail(importErrorMessage(error));
			}
		}
	};
}

export type ImportWorkerApi = ReturnType<typeof createWorkerApi>;
