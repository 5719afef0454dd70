import * as Comlink from 'comlink';
import type { ExportRequest } from './writer';
import type { ExportDone, ExportJob, ExportPlan, ExportWorkerApi } from './worker-api';

/**
 * The page's side of the export worker, and the only module that starts it (types aside, nothing here
 * imports the writers). The worker starts on first use and stops on Cancel (at once, even in the middle
 * of a read), when it crashes, or after a minute idle.
 */

export type { ExportDone, ExportJob, ExportPlan };

export const CRASHED = 'The export stopped (the browser may have run out of memory). Nothing was saved.';

const IDLE_MS = 60_000;

const startWorker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

/** Why the run was cancelled: the signal's reason, always an Error (an AbortError by default). */
const cancelled = (signal: AbortSignal): Error =>
	signal.reason instanceof Error
		? signal.reason
		: new DOMException('The export was cancelled.', 'AbortError');

/** Removes a file the admin chose for an export that did not finish (Chromium can; others keep it empty). */
async function discard(file: FileSystemFileHandle | undefined): Promise<void> {
	const remove: unknown = file && Reflect.get(file, 'remove');
	if (typeof remove !== 'function') return;
	await Promise.resolve(remove.call(file)).catch(() => undefined);
}

/** Creates a bridge; the app uses the one below, tests give another worker. */
export function createExportBridge(start: () => Worker = startWorker, idleMs = IDLE_MS) {
	let worker: Worker | undefined;
	let remote: Comlink.Remote<ExportWorkerApi> | undefined;
	let idle: ReturnType<typeof setTimeout> | undefined;

	function stop(): void {
		clearTimeout(idle);
		worker?.terminate();
		worker = remote = undefined;
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
	 * then the worker is stopped (nothing more is written) and the chosen file removed where possible.
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
			const finish = (settle: () => void, isFailure: boolean) => {
				if (isSettled) return;
				isSettled = true;
				signal.removeEventListener('abort', onAbort);
				current.removeEventListener('error', onCrash);
				if (isFailure) {
					stop();
					void discard(file);
				} else if (current === worker) {
					idle = setTimeout(stop, idleMs);
				}
				settle();
			};
			const onAbort = () => finish(() => reject(cancelled(signal)), true);
			const onCrash = (event: Event) => {
				event.preventDefault();
				finish(() => reject(new Error(CRASHED)), true);
			};
			signal.addEventListener('abort', onAbort);
			current.addEventListener('error', onCrash);
			// A million ids are moved to the worker, not copied.
			const moved =
				job.scope.kind === 'ids' && job.scope.ids instanceof Uint32Array ? [job.scope.ids.buffer] : [];
			api.run(Comlink.transfer(job, moved), file, Comlink.proxy(onProgress)).then(
				(done) => finish(() => resolve(done), false),
				(error: unknown) => {
					const message = error instanceof Error ? error.message : String(error);
					finish(() => reject(new Error(`The export failed: ${message}`)), true);
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
