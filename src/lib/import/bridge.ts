import * as Comlink from 'comlink';
import { ok, type Parsed } from '$lib/domain/result';
import { fileSizeProblem, MB } from '$lib/domain/settings';
import { ImportRefusedError, type ImportSummary } from '$lib/db/imports';
import type { AnalysisErrorsFile } from './errors-file';
import type { AnalysisPeek } from './peek';
import type { AnalyseOptions, Analysis, AnalysisHead } from './pipeline';
import type { CellError, CheckedRow, ExistingUser } from './rows';
import { STILL_WORKING } from './progress';
import type { ImportWorkerApi, WorkerCommitOptions } from './worker-api';

/**
 * The page's side of the import worker, and the only module that starts it (types aside, nothing here
 * imports the pipeline, so SheetJS stays in the worker's chunk). The worker is started on first use,
 * stopped on cancel, after a minute idle, or by the watchdog when it stops reporting progress.
 */

export type { Analysis, AnalysisPeek };

type Keys = ReadonlyMap<string, number | ExistingUser>;

export interface BridgeOptions extends Omit<AnalyseOptions, 'onProgress' | 'directory'> {
	/** The directory's keys, as Maps: they are copied to the worker, so no functions. */
	directory?: Keys | { byEmail: Keys; byUsername?: Keys; byCustomerCode?: Keys };
	/**
	 * Instead of `directory`: the worker reads the stored users the file's emails belong to (id and
	 * values) from the database, once the file is read.
	 */
	readsDirectory?: boolean;
	/** The customer the file is imported into (see WorkerOptions). */
	customerId?: number;
}

export interface BridgeTiming {
	/** No progress for this long and the worker is stopped. */
	stallMs: number;
	/** The worker is stopped after this long without work (and forgets the last file). */
	idleMs: number;
	/** Time allowed per MB before the first progress, while the worker reads the file in one go. */
	readMsPerMb: { workbook: number; text: number };
}

export const STALLED =
	'The file could not be read: the reader stopped responding. Choose it again; if it stops again, split the file into smaller ones.';
export const CRASHED =
	'The file could not be read: the reader stopped (it may have run out of memory). Close other tabs and choose it again, or split the file into smaller ones.';

const defaultTiming: BridgeTiming = {
	stallMs: 30_000,
	idleMs: 60_000,
	// SheetJS reads about 1 MB of compressed workbook a second on a slow machine; CSV is ten times faster.
	readMsPerMb: { workbook: 3_000, text: 300 }
};

/** The start of a big text file checked first (see peek.ts): the header and far more rows than shown. */
const PEEK_BYTES = 256 * 1024;
/** Smaller files are checked whole about as fast as their start: not peeked. */
const PEEK_FROM_BYTES = 2 * MB;

/** Rows per message from the worker: 2,000 take the page ~15 ms to receive, 100,000 over a second. */
const SLICE = 2_000;
/** Slices asked for before the first of them has come: the worker's copying out overlaps the page's taking in. */
const SLICES_AHEAD = 2;

/** The rows the preview shows (as PEEK_ROWS: peek.ts is the worker's, and nothing here imports it). */
const PREVIEW_ROWS = 50;
/** Rows whose errors and warnings come in one message when the page holds only the first rows (few have any). */
const PROBLEMS_SLICE = 50_000;

/**
 * Files of more rows stay in the worker (a million checked rows and their cells would take the page's
 * heap past half a gigabyte): the page gets the head, the rows the preview shows and every error and
 * warning; the worker builds the errors file and commits. Smaller files come to the page whole, so that
 * it can commit them itself once the worker, idle for a minute, has let them go.
 */
export const WHOLE_ROWS = 20_000;

/** The file is gone from the worker (stopped, or another file read) and the page holds only part of it. */
export const FORGOTTEN = 'The file is no longer in memory: choose it again.';

/** The Analyses of which the page was given only the first rows, the errors and the warnings (see WHOLE_ROWS). */
const partial = new WeakSet<Analysis>();

/** Whether the page holds every row of `analysis` (and its passwords), or only what the preview shows. */
export const isWhole = (analysis: Analysis) => !partial.has(analysis);

const startWorker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

/** Why the call was cancelled: the signal's reason, always an Error (an AbortError by default). */
const cancelled = (signal: AbortSignal | undefined): Error =>
	signal?.reason instanceof Error
		? signal.reason
		: new DOMException('The import was cancelled.', 'AbortError');

const isWorkbook = (bytes: Uint8Array) =>
	(bytes[0] === 0x50 && bytes[1] === 0x4b) || (bytes[0] === 0xd0 && bytes[1] === 0xcf);

/**
 * Takes back, from the page, an import a crashed worker left half written (a chunked commit: see
 * imports.ts recover). Loaded when needed: the bridge itself never opens the database.
 */
const recoverImports = () => import('$lib/db').then(({ imports }) => imports.recover());

/** What a bridge is made of; the app's bridge takes the defaults, tests give their own. */
export interface BridgeParts {
	/** Starts the import worker. */
	start?: () => Worker;
	timing?: BridgeTiming;
	/** Takes back an import a crashed worker left half written; imports.ts recover by default. */
	recover?: () => Promise<unknown>;
	/** Up to this many rows an Analysis reaches the page whole (WHOLE_ROWS by default). */
	wholeRows?: number;
}

/** Creates a bridge; the app uses the one below, tests give another worker, timing, recovery or size. */
export function createImportBridge({
	start = startWorker,
	timing = defaultTiming,
	recover = recoverImports,
	wholeRows = WHOLE_ROWS
}: BridgeParts = {}) {
	let worker: Worker | undefined;
	let remote: Comlink.Remote<ImportWorkerApi> | undefined;
	/** The file the worker holds the table of, and how it was read. */
	let held: { file: File; key: string } | undefined;
	let idle: ReturnType<typeof setTimeout> | undefined;
	let cancelRunning: (() => void) | undefined;
	/** The Analysis the worker holds (the last one it gave), which it can commit itself. */
	let committable: Analysis | undefined;

	/** A commit running in the worker: stopping the worker would abort its transaction. */
	let committing: Promise<unknown> | undefined;

	/** The rows, a slice per message, so that the page is never held long receiving them. */
	async function receive(
		api: Comlink.Remote<ImportWorkerApi>,
		{ rowCount, table, ...head }: AnalysisHead,
		alive: () => void
	): Promise<Analysis> {
		const rows: CheckedRow[] = [];
		const errors: CellError[] = [];
		const warnings: CellError[] = [];
		const tableRows: (readonly string[])[] = [];
		const passwords = new Map<number, string>();
		const starts: number[] = [];
		for (let start = 0; start === 0 || start < rowCount; start += SLICE) starts.push(start);
		// Two slices are asked for at a time: the worker copies the next one out while the page takes this one in.
		const ask = (start: number) => {
			const answer = api.slice(start, start + SLICE);
			// Awaited in turn below; this only keeps one asked for after a failure from going unhandled.
			answer.catch(() => undefined);
			return answer;
		};
		const asked = starts.slice(0, SLICES_AHEAD).map(ask);
		for (let i = 0; i < starts.length; i++) {
			alive();
			const slice = await asked[i];
			if (!slice) throw new Error(CRASHED);
			if (i + SLICES_AHEAD < starts.length) asked.push(ask(starts[i + SLICES_AHEAD]!));
			for (const row of slice.rows) {
				rows.push(row);
				errors.push(...row.errors);
				if (row.warnings) warnings.push(...row.warnings);
			}
			tableRows.push(...slice.tableRows);
			for (const [row, password] of slice.passwords) passwords.set(row, password);
		}
		return { ...head, rowCount, rows, errors, warnings, table: { ...table, rows: tableRows }, passwords };
	}

	/**
	 * The head, the rows the preview shows and every error and warning: the rest stays in the worker (see
	 * WHOLE_ROWS). No passwords: a page that commits such a file itself gets them with the rows (whole).
	 */
	async function receiveHead(
		api: Comlink.Remote<ImportWorkerApi>,
		{ table, ...head }: AnalysisHead,
		alive: () => void
	): Promise<Analysis> {
		alive();
		const shown = await api.slice(0, PREVIEW_ROWS);
		if (!shown) throw new Error(CRASHED);
		const errors: CellError[] = [];
		const warnings: CellError[] = [];
		for (let start = 0; start < head.rowCount; start += PROBLEMS_SLICE) {
			alive();
			const slice = await api.problems(start, start + PROBLEMS_SLICE);
			if (!slice) throw new Error(CRASHED);
			errors.push(...slice.errors);
			warnings.push(...slice.warnings);
		}
		const { rows, tableRows } = shown;
		const analysis = {
			...head,
			rows,
			errors,
			warnings,
			table: { ...table, rows: tableRows },
			passwords: new Map()
		};
		partial.add(analysis);
		return analysis;
	}

	/** Stops the worker after a while idle, unless it holds rows the page does not have. */
	function idleLater(): void {
		clearTimeout(idle);
		idle = committable && !isWhole(committable) ? undefined : setTimeout(stop, timing.idleMs);
	}

	function stop(): void {
		// Leaving the page must not take back an import being written: stop once it is done.
		if (committing) {
			void committing.finally(stop);
			return;
		}
		clearTimeout(idle);
		worker?.terminate();
		worker = remote = held = committable = undefined;
	}

	/**
	 * Reads, maps and checks a file in the worker. Resolves the Analysis; rejects with the admin's
	 * message when the file cannot be imported (over a limit, damaged, not a spreadsheet...), when the
	 * worker stops responding or crashes, and with the signal's AbortError on cancel. A new call
	 * cancels one still running. For a big text file, `onPeek` gets the start of it checked (see peek.ts)
	 * first, while the whole file is read.
	 */
	function analyse(
		file: File,
		options: BridgeOptions,
		onProgress?: (done: number, total: number) => void,
		signal?: AbortSignal,
		onPeek?: (peek: AnalysisPeek) => void
	): Promise<Analysis> {
		cancelRunning?.();
		const tooLarge = fileSizeProblem(file.size, options.limits);
		if (tooLarge) return Promise.reject(new Error(tooLarge));
		if (signal?.aborted) return Promise.reject(cancelled(signal));
		clearTimeout(idle);
		committable = undefined;
		if (!worker) worker = start();
		remote ??= Comlink.wrap<ImportWorkerApi>(worker);
		const [current, api] = [worker, remote];
		const key = JSON.stringify([options.delimiter, options.sheet, options.limits]);
		const canReuse = held?.file === file && held.key === key;
		return new Promise<Analysis>((resolve, reject) => {
			let watchdog: ReturnType<typeof setTimeout> | undefined;
			let isSettled = false;
			const finish = (settle: () => void, isFailure = false) => {
				if (isSettled) return;
				isSettled = true;
				clearTimeout(watchdog);
				signal?.removeEventListener('abort', onAbort);
				current.removeEventListener('error', onCrash);
				cancelRunning = undefined;
				if (isFailure) stop();
				else idleLater();
				settle();
			};
			const arm = (ms: number) => {
				clearTimeout(watchdog);
				watchdog = setTimeout(() => finish(() => reject(new Error(STALLED)), true), ms);
			};
			const onAbort = () => finish(() => reject(cancelled(signal)), true);
			const onCrash = (event: Event) => {
				event.preventDefault();
				finish(() => reject(new Error(CRASHED)), true);
			};
			cancelRunning = () =>
				finish(() => reject(new DOMException('Another file was chosen.', 'AbortError')), true);
			signal?.addEventListener('abort', onAbort);
			current.addEventListener('error', onCrash);
			const progress = Comlink.proxy((done: number, total: number) => {
				arm(timing.stallMs);
				if (done !== STILL_WORKING) onProgress?.(done, total);
			});
			const read = async () => {
				arm(timing.stallMs);
				const again = canReuse ? await api.reanalyse(options, progress) : undefined;
				if (again) return again;
				const reading = file.arrayBuffer();
				if (onPeek && file.size >= PEEK_FROM_BYTES) {
					// Sent before the whole file: the worker answers it first, in milliseconds.
					const start = new Uint8Array(await file.slice(0, PEEK_BYTES).arrayBuffer());
					const peek = await api.peek(
						Comlink.transfer({ name: file.name, bytes: start }, [start.buffer]),
						// Without the directory: a first look only.
						options
					);
					if (peek.ok && !isSettled) onPeek(peek.value);
				}
				const bytes = new Uint8Array(await reading);
				const rate = isWorkbook(bytes) ? timing.readMsPerMb.workbook : timing.readMsPerMb.text;
				arm(timing.stallMs + (bytes.length / MB) * rate);
				const input = Comlink.transfer({ name: file.name, bytes }, [bytes.buffer]);
				const result = await api.analyseFile(input, options, progress);
				if (result.ok) held = { file, key };
				return result;
			};
			const run = async (): Promise<Parsed<Analysis>> => {
				const result = await read();
				if (!result.ok) return result;
				const alive = () => arm(timing.stallMs);
				const isShort = result.value.rowCount <= wholeRows;
				return ok(
					await (isShort ? receive(api, result.value, alive) : receiveHead(api, result.value, alive))
				);
			};
			run().then(
				(result) => {
					if (current !== worker) return;
					if (result.ok) committable = result.value;
					finish(() => (result.ok ? resolve(result.value) : reject(new Error(result.message))));
				},
				(error: unknown) => {
					if (current === worker)
						finish(() => reject(error instanceof Error ? error : new Error(CRASHED)), true);
				}
			);
		});
	}

	/**
	 * Commits `analysis` in the worker, which still holds it (see worker.ts): the page's main thread stays
	 * free while 100,000 users are written. Undefined when the worker no longer holds it (stopped when idle,
	 * or another file read since): the caller then commits the rows it has. Rejects with the admin's
	 * message when the commit was refused or failed (nothing written), or when the worker crashed.
	 */
	/**
	 * The whole of `analysis` (every row, its cells and passwords) from the worker, for a page that holds only
	 * its first rows and must commit it itself (messages queued in the import's transaction run on the page).
	 * Rejects with FORGOTTEN when the worker no longer holds it.
	 */
	async function whole(analysis: Analysis): Promise<Analysis> {
		if (isWhole(analysis)) return analysis;
		const api = remote;
		if (!api || committable !== analysis) throw new Error(FORGOTTEN);
		clearTimeout(idle);
		const { rows, errors, warnings, table, passwords } = await receive(api, analysis, () => undefined);
		return { ...analysis, rows, errors, warnings, table, passwords };
	}

	/** The errors file of `analysis`, built in the worker; undefined when the worker no longer holds it. */
	async function errorsFile(analysis: Analysis): Promise<AnalysisErrorsFile | undefined> {
		const api = remote;
		if (!api || committable !== analysis) return undefined;
		clearTimeout(idle);
		try {
			return await api.errorsFile();
		} finally {
			idleLater();
		}
	}

	async function commit(
		analysis: Analysis,
		options: WorkerCommitOptions
	): Promise<ImportSummary | undefined> {
		const [current, api] = [worker, remote];
		if (!current || !api || committable !== analysis) return undefined;
		committable = undefined;
		// Not stopped for being idle while it writes: that would abort the transaction.
		clearTimeout(idle);
		let onCrash: ((event: Event) => void) | undefined;
		const crashed = new Promise<never>((_, reject) => {
			onCrash = (event: Event) => {
				event.preventDefault();
				// A chunked commit cut short left chunks written: taken back now (its lock went with the worker;
				// if the worker lives on and holds it, recovery leaves it be), not at the next start.
				void recover()
					.catch((error: unknown) => console.warn('Taking back the unfinished import failed', error))
					.finally(() => reject(new Error(CRASHED)));
			};
			current.addEventListener('error', onCrash);
		});
		const running = Promise.race([api.commit(options), crashed]);
		committing = running.catch(() => undefined);
		try {
			const result = await running;
			// Refused (a value taken since the check...): the worker still holds it, Complete may run again.
			if (!result.ok) {
				if (current === worker) committable = analysis;
				// Already the admin's sentence (importErrorMessage in the worker); nothing was written.
				throw new ImportRefusedError(result.message);
			}
			return result.value;
		} finally {
			committing = undefined;
			current.removeEventListener('error', onCrash!);
			if (current === worker) idleLater();
		}
	}

	return { analyse, commit, whole, errorsFile, stop };
}

const bridge = createImportBridge();

/** Reads, maps and checks a file in the import worker: see createImportBridge. */
export const analyse = bridge.analyse;

/** Commits an Analysis in the import worker, if it still holds it: see createImportBridge. */
export const commitInWorker = bridge.commit;

/** Every row of an Analysis the worker holds, for the page to commit it itself: see createImportBridge. */
export const wholeAnalysis = bridge.whole;

/** The errors file of an Analysis, built in the import worker if it still holds it: see createImportBridge. */
export const errorsFileInWorker = bridge.errorsFile;

/** Stops the import worker now (leaving the Import page). */
export const stopImportWorker = bridge.stop;
