import * as Comlink from 'comlink';
import type { ExportRequest } from './writer';
import type { ExportDone, ExportJob, ExportPlan, ExportWorkerApi } from './worker-api';

/**
 * The page's side of the export worker, and the only module that starts it (types aside, nothing here
 * imports the writers). The worker starts on first use and stops on Cancel (even in the middle of a read,
 * once it has let go of the file it writes), when it crashes, or after a minute idle.
 */

export type { ExportDone, ExportJob, ExportPlan };

export const CRASHED = 'The export stopped (the browser may have run out of memory). Nothing was saved.';

const IDLE_MS = 60_000;

/** The files worker (src/lib/files/worker.ts), started to serve exports. */
const startWorker = () =>
	new Worker(new URL('../files/worker.ts', import.meta.url), { type: 'module', name: 'export' });

/** Why the run was cancelled: the signal's reason, always an Error (an AbortError by default). */
const cancelled = (signal: AbortSignal): Error =>
	signal.reason instanceof Error
		? signal.reason
		: new DOMException('The export was cancelled.', 'AbortError');

/** How long a Cancel waits for the worker to let go of the chosen file before stopping it anyway. */
const RELEASE_MS = 2_000;

/** Tries to remove a file still locked by a writable being closed: a few times, a little later each. */
const REMOVE_TRIES = 8;

const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Removes a file the admin chose for an export that did not finish (Chromium can; others keep it empty).
 * A writable the stopped worker had open keeps the file locked until the browser closes it.
 */
async function discard(file: FileSystemFileHandle | undefined): Promise<void> {
	const remove: unknown = file && Reflect.get(file, 'remove');
	if (typeof remove !== 'function') return;
	for (let attempt = 1; ; attempt++) {
		try {
			await remove.call(file);
			return;
		} catch (error) {
			const isLocked = error instanceof DOMException && error.name === 'NoModificationAllowedError';
			if (!isLocked || attempt === REMOVE_TRIES) return;
			await later(25 * 2 ** attempt);
		}
	}
}

/** Waits for `task` (its failure ignored), at most `ms`. */
async function within(task: Promise<unknown>, ms: number): Promise<void> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	await Promise.race([
		task.catch(() => undefined),
		new Promise((resolve) => (timer = setTimeout(resolve, ms)))
	]);
	clearTimeout(timer);
}

/** Creates a bridge; the app uses the one below, tests give another worker. */
export function createExportBridge(
	start: () => Worker = startWorker,
	idleMs = IDLE_MS,
	releaseMs = RELEASE_MS
) {
	let worker: Worker | undefined;
	let remote: Comlink.Remote<ExportWorkerApi> | undefined;
	let idle: ReturnType<typeof setTimeout> | undefined;

	function stop(): void {
		clearTimeout(idle);
		worker?.terminate();
		worker = remote = undefined;
	}

	/** Stops `target` (the worker of a run that failed or was cancelled), if it is still the one in use. */
	function stopRun(target: Worker): void {
		if (target === worker) stop();
		else target.terminate();
	}

	function started(): [Worker, Comlink.Remote<ExportWorkerApi>] {
		clearTimeout(idle);
		worker ??= start();
		remote ??= Comlink.wrap<ExportWorkerApi>(worker);
		return [worker, remote];
	}

	/** The file an export of `total` users would write, or why it cannot (asked before a save picker). */
	async function plan(request: Omit<ExportRequest, 'total'>, total: number): Promise<ExportPlan> {
		const [current, api] = started();
		try {
			return await api.plan(request, total);
		} finally {
			if (current === worker) idle = setTimeout(stop, idleMs);
		}
	}

	/**
	 * Runs an export in the worker, into `file` when given, else into the Blob it resolves with. Rejects
	 * with the admin's message when it fails or the worker crashes, and with the signal's reason on Cancel:
	 * then the worker lets go of the chosen file, is stopped (nothing more is written), and the file is
	 * removed where possible, all before the promise settles.
	 */
	function run(
		job: ExportJob,
		file: FileSystemFileHandle | undefined,
		onProgress: (done: number, total: number) => void,
		signal: AbortSignal
	): Promise<ExportDone> {
		if (signal.aborted) return Promise.reject(cancelled(signal));
		const [current, api] = started();
		return new Promise<ExportDone>((resolve, reject) => {
			let isSettled = false;
			/** Settles once; a run that did not finish stops the worker and removes the chosen file first. */
			const finish = (settle: () => void, ending?: 'cancelled' | 'crashed' | 'failed') => {
				if (isSettled) return;
				isSettled = true;
				signal.removeEventListener('abort', onAbort);
				current.removeEventListener('error', onCrash);
				if (!ending) {
					if (current === worker) idle = setTimeout(stop, idleMs);
					settle();
					return;
				}
				void (async () => {
					// A live worker first lets go of the file it writes, so no lock or swap file outlives it.
					if (ending === 'cancelled' && file) await within(api.release(), releaseMs);
					stopRun(current);
					await discard(file);
					settle();
				})();
			};
			const onAbort = () => finish(() => reject(cancelled(signal)), 'cancelled');
			const onCrash = (event: Event) => {
				event.preventDefault();
				finish(() => reject(new Error(CRASHED)), 'crashed');
			};
			signal.addEventListener('abort', onAbort);
			current.addEventListener('error', onCrash);
			// A million ids are moved to the worker, not copied.
			const moved =
				job.scope.kind === 'ids' && job.scope.ids instanceof Uint32Array ? [job.scope.ids.buffer] : [];
			api.run(Comlink.transfer(job, moved), file, Comlink.proxy(onProgress)).then(
				(done) => finish(() => resolve(done)),
				(error: unknown) => {
					const message = error instanceof Error ? error.message : String(error);
					finish(() => reject(new Error(`The export failed: ${message}`)), 'failed');
				}
			);
		});
	}

	return { plan, run, stop };
}

const bridge = createExportBridge();

/** The file an export would write: see createExportBridge. */
export const planExport = bridge.plan;

/** Runs an export in the export worker: see createExportBridge. */
export const runExportInWorker = bridge.run;
