import * as Comlink from 'comlink';
import { createDb } from '$lib/db/database';
import {
	importErrorMessage,
	importsStore,
	type CommitOptions,
	type ImportsStore,
	type ImportSummary
} from '$lib/db/imports';
import { fail, ok, type Parsed } from '$lib/domain/result';
import { peekFile } from './peek';
import {
	createAnalyser,
	headOf,
	sliceOf,
	type AnalyseOptions,
	type Analysis,
	type AnalysisHead,
	type CheckOptions,
	type FileInput
} from './pipeline';
import type { ExistingUser } from './rows';

/**
 * The import worker: a Comlink shell over the pure pipeline; only bridge.ts starts it. An Analysis
 * goes to the page as its head, then its rows in slices the page asks for one at a time. Complete
 * commits the Analysis held here, in this worker: the transaction's work (the stored records, their
 * keys, the requests) then never holds the page's main thread.
 */

/** The page's progress callback: a Comlink proxy here, so each call is a message (and a promise). */
type Progress = (done: number, total: number) => void | Promise<void>;

/**
 * The page's directory lookup (a Comlink proxy): the stored users of these email keys, read in bulk,
 * so the check can tell an unchanged row from an update without the whole directory coming here.
 */
export type FindUsers = (emailKeys: string[]) => Promise<ReadonlyMap<string, ExistingUser>>;

const analyser = createAnalyser();
let held: Analysis | undefined;
/** The database, opened on the first commit: IndexedDB is the page's, shared with this worker. */
let imports: ImportsStore | undefined;

/** What the page passes to commit: the rest (rows, passwords) is the Analysis held here. */
export type WorkerCommitOptions = Omit<CommitOptions, 'passwords' | 'onProgress'>;

/** Keeps an Analysis for the slices to come and gives its head. */
function keep(result: Parsed<Analysis>): Parsed<AnalysisHead> {
	held = result.ok ? result.value : undefined;
	return result.ok ? ok(headOf(result.value)) : result;
}

/** Runs a step with progress sent back to the page, then lets the page's callback go. */
function reporting<T>(
	onProgress: Progress | undefined,
	run: (progress?: (done: number, total: number) => void) => T
): T {
	const remote = onProgress as Comlink.Remote<Progress> | undefined;
	try {
		return run(remote && ((done, total) => void remote(done, total).catch(() => undefined)));
	} finally {
		remote?.[Comlink.releaseProxy]();
	}
}

type Options = Omit<CheckOptions, 'onProgress'>;

/** Checks the table read last, first asking the page for the users its emails belong to. */
async function check(options: Options, onProgress?: Progress, findUsers?: FindUsers) {
	const remote = findUsers as Comlink.Remote<FindUsers> | undefined;
	try {
		const keys = remote && analyser.emailKeys(options);
		const directory = keys ? await remote(keys) : options.directory;
		const result = reporting(onProgress, (progress) =>
			analyser.reanalyse({ ...options, directory, onProgress: progress })
		);
		return result && keep(result);
	} finally {
		remote?.[Comlink.releaseProxy]();
	}
}

const api = {
	async analyseFile(
		input: FileInput,
		options: Omit<AnalyseOptions, 'onProgress'>,
		onProgress?: Progress,
		findUsers?: FindUsers
	): Promise<Parsed<AnalysisHead>> {
		const read = analyser.read(input, options);
		// Read, the table is held: check always has it to work on.
		if (read.ok) return (await check(options, onProgress, findUsers))!;
		held = undefined;
		for (const callback of [onProgress, findUsers]) {
			(callback as Comlink.Remote<unknown> | undefined)?.[Comlink.releaseProxy]();
		}
		return read;
	},
	/** Checks the last file again with other options (undefined when the worker no longer holds it). */
	reanalyse: check,
	/** The start of a big file, checked on its own (see peek.ts); the held Analysis is left alone. */
	peek: (input: FileInput, options: Omit<AnalyseOptions, 'onProgress'>) => peekFile(input, options),
	/** Rows [start, end) of the last Analysis (kept for commit until the next file or commit). */
	slice: (start: number, end: number) => held && sliceOf(held, start, end),
	/**
	 * Commits the last Analysis (see importsStore.commit), then forgets it. A refusal or failure is the
	 * admin's message: the error classes do not survive the trip to the page.
	 */
	async commit(options: WorkerCommitOptions): Promise<Parsed<ImportSummary>> {
		const analysis = held;
		if (!analysis) return fail('The file is no longer in memory: choose it again.');
		try {
			imports ??= importsStore(createDb());
			const summary = await imports.commit(analysis.rows, { ...options, passwords: analysis.passwords });
			held = undefined;
			return ok(summary);
		} catch (error) {
			return fail(importErrorMessage(error));
		}
	}
};

export type ImportWorkerApi = typeof api;

Comlink.expose(api);
