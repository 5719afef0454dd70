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

/**
 * The import worker: a Comlink shell over the pure pipeline; only bridge.ts starts it. An Analysis
 * goes to the page as its head, then its rows in slices the page asks for one at a time.
 */

/** The page's progress callback: a Comlink proxy here, so each call is a message (and a promise). */
type Progress = (done: number, total: number) => void | Promise<void>;

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

const api = {
	analyseFile: (input: FileInput, options: Omit<AnalyseOptions, 'onProgress'>, onProgress?: Progress) =>
		keep(
			reporting(onProgress, (progress) => analyser.analyseFile(input, { ...options, onProgress: progress }))
		),
	reanalyse(options: Omit<CheckOptions, 'onProgress'>, onProgress?: Progress) {
		const result = reporting(onProgress, (progress) =>
			analyser.reanalyse({ ...options, onProgress: progress })
		);
		return result && keep(result);
	},
	/** Rows [start, end) of the last Analysis; the last slice lets the worker forget it. */
	slice(start: number, end: number) {
		const analysis = held;
		if (analysis && end >= analysis.rows.length) held = undefined;
		return analysis && sliceOf(analysis, start, end);
	}
};

export type ImportWorkerApi = typeof api;

Comlink.expose(api);
