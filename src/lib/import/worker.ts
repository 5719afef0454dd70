import * as Comlink from 'comlink';
import { ok, type Parsed } from '$lib/domain/result';
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
 * goes to the page as its head, then its rows in slices the page asks for one at a time.
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
	/** Rows [start, end) of the last Analysis; the last slice lets the worker forget it. */
	slice(start: number, end: number) {
		const analysis = held;
		if (analysis && end >= analysis.rows.length) held = undefined;
		return analysis && sliceOf(analysis, start, end);
	}
};

export type ImportWorkerApi = typeof api;

Comlink.expose(api);
