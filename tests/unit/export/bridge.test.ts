import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDb, type RollcallDb } from '$lib/db/database';
import { usersStore } from '$lib/db/users';
import { defaultPolicy } from '$lib/domain/policy';
import { CRASHED, createExportBridge, type ExportJob } from '$lib/export/bridge';
import { createExportWorkerApi } from '$lib/export/worker-api';
import { person } from '../db/helpers';
import { FakeWorker } from '../fake-worker';

const databases: RollcallDb[] = [];
afterEach(() => {
	for (const db of databases.splice(0)) db.close();
});

async function directory(count: number) {
	const db = createDb(`rollcall-export-bridge-${Date.now()}-${Math.random()}`);
	databases.push(db);
	const users = usersStore(db);
	const ids: number[] = [];
	for (let i = 0; i < count; i++) ids.push((await users.add(person({ email: `u${i}@example.com` }))).id);
	return { db, ids };
}

const job = (scope: ExportJob['scope']): ExportJob => ({
	request: {
		format: 'csv',
		shape: 'rollcall',
		delimiter: ',',
		policy: defaultPolicy,
		context: { defaultCountry: 'GB' },
		now: Date.UTC(2026, 11, 7)
	},
	scope
});

describe('the export bridge', () => {
	it('runs the export in the worker and hands back the file as a Blob, with progress', async () => {
		const { db, ids } = await directory(5);
		const worker = new FakeWorker(createExportWorkerApi(() => db, 2));
		const bridge = createExportBridge(() => worker as unknown as Worker);
		const progress: number[] = [];
		const chosen = Uint32Array.from([ids[4]!, ids[1]!, ids[2]!]);
		const done = await bridge.run(
			job({ kind: 'ids', ids: chosen }),
			undefined,
			(n) => progress.push(n),
			new AbortController().signal
		);
		expect(done).toMatchObject({ fileName: 'rollcall-users-2026-12-07.csv', count: 3, files: 1 });
		const text = await done.blob!.text();
		expect(text.match(/u\d@example\.com/gu)).toEqual(['u1@example.com', 'u2@example.com', 'u4@example.com']);
		// The ids moved to the worker: the page's copy is gone.
		expect(chosen.length).toBe(0);
		await expect.poll(() => progress).toEqual([2, 3]);
		bridge.stop();
	});

	it('plans the file before it runs: name, type, notes and limit', async () => {
		const { db } = await directory(0);
		const bridge = createExportBridge(
			() => new FakeWorker(createExportWorkerApi(() => db)) as unknown as Worker
		);
		const plan = await bridge.plan({ ...job({ kind: 'everyone' }).request, shape: 'microsoft-365' }, 600);
		expect(plan).toMatchObject({
			fileName: 'microsoft-365-users-2026-12-07.zip',
			mimeType: 'application/zip'
		});
		expect(plan.notes.length).toBeGreaterThan(0);
		expect(plan.limit).toBeUndefined();
		bridge.stop();
	});

	it('stops the worker at once on Cancel, even while it waits, with the signal’s reason', async () => {
		const worker = new FakeWorker({ run: () => new Promise(() => {}) });
		const bridge = createExportBridge(() => worker as unknown as Worker);
		const controller = new AbortController();
		const running = bridge.run(job({ kind: 'everyone' }), undefined, () => {}, controller.signal);
		const reason = new DOMException('The export was cancelled.', 'AbortError');
		controller.abort(reason);
		await expect(running).rejects.toBe(reason);
		expect(worker.isTerminated).toBe(true);
	});

	it('on Cancel, the worker lets go of the chosen file first; then it is stopped and the file removed', async () => {
		const steps: string[] = [];
		const worker: FakeWorker = new FakeWorker({
			run: () => new Promise(() => {}),
			release: () => void steps.push(worker.isTerminated ? 'released after the stop' : 'released')
		});
		const file = {
			remove: () => void steps.push(worker.isTerminated ? 'removed' : 'removed before the stop')
		} as unknown as FileSystemFileHandle;
		const bridge = createExportBridge(() => worker as unknown as Worker);
		const controller = new AbortController();
		const running = bridge.run(job({ kind: 'everyone' }), file, () => {}, controller.signal);
		controller.abort();
		await expect(running).rejects.toMatchObject({ name: 'AbortError' });
		expect(steps).toEqual(['released', 'removed']);
		expect(worker.isTerminated).toBe(true);
	});

	it('stops a worker that does not let go of the file in time, and removes the file once unlocked', async () => {
		const worker = new FakeWorker({ run: () => new Promise(() => {}), release: () => new Promise(() => {}) });
		let tries = 0;
		const file = {
			remove: () => {
				tries++;
				return tries < 3
					? Promise.reject(new DOMException('The file is locked.', 'NoModificationAllowedError'))
					: Promise.resolve();
			}
		} as unknown as FileSystemFileHandle;
		const bridge = createExportBridge(() => worker as unknown as Worker, 60_000, 10);
		const controller = new AbortController();
		const running = bridge.run(job({ kind: 'everyone' }), file, () => {}, controller.signal);
		controller.abort();
		await expect(running).rejects.toMatchObject({ name: 'AbortError' });
		expect(worker.isTerminated).toBe(true);
		expect(tries).toBe(3);
	});

	it('says so when the worker crashes, and when the export fails', async () => {
		const crashing = new FakeWorker({ run: () => new Promise(() => {}) });
		const bridge = createExportBridge(() => crashing as unknown as Worker);
		const running = bridge.run(job({ kind: 'everyone' }), undefined, () => {}, new AbortController().signal);
		crashing.dispatchEvent(new Event('error', { cancelable: true }));
		await expect(running).rejects.toThrow(CRASHED);
		expect(crashing.isTerminated).toBe(true);

		const failing = createExportBridge(
			() => new FakeWorker({ run: () => Promise.reject(new Error('The disk is full.')) }) as unknown as Worker
		);
		await expect(
			failing.run(job({ kind: 'everyone' }), undefined, () => {}, new AbortController().signal)
		).rejects.toThrow('The export failed: The disk is full.');
	});
});

/** A file system call that did its work (`work`, already evaluated) and resolves with nothing. */
const done = (work: unknown): Promise<void> => Promise.resolve(void work);

describe("the export worker's chosen file", () => {
	it('is let go of when the page asks, even while the browser still opens it; the run then fails', async () => {
		const { db } = await directory(3);
		const api = createExportWorkerApi(() => db);
		const events: string[] = [];
		const writable = {
			write: () =>
				events.includes('abort')
					? Promise.reject(new DOMException('The stream is closed.', 'InvalidStateError'))
					: done(events.push('write')),
			close: () => done(events.push('close')),
			abort: () => done(events.push('abort'))
		};
		let open: ((stream: typeof writable) => void) | undefined;
		const file = { createWritable: () => new Promise((resolve) => (open = resolve)) };
		const running = api.run(job({ kind: 'everyone' }), file as unknown as FileSystemFileHandle);
		const failed = expect(running).rejects.toThrow('The stream is closed.');
		await vi.waitFor(() => expect(open).toBeDefined());
		const releasing = api.release();
		open!(writable);
		await releasing;
		await failed;
		expect(events).toContain('abort');
		expect(events).not.toContain('close');
	});

	it('is written and closed when nobody cancels', async () => {
		const { db } = await directory(2);
		const api = createExportWorkerApi(() => db);
		const chunks: string[] = [];
		const writable = {
			write: (bytes: Uint8Array) => done(chunks.push(new TextDecoder().decode(bytes))),
			close: () => done(chunks.push('<closed>')),
			abort: () => done(chunks.push('<aborted>'))
		};
		const file = { createWritable: () => Promise.resolve(writable) };
		const outcome = await api.run(job({ kind: 'everyone' }), file as unknown as FileSystemFileHandle);
		expect(outcome.count).toBe(2);
		expect(chunks.at(-1)).toBe('<closed>');
		expect(chunks.join('')).toContain('u1@example.com');
		// Nothing left to let go of.
		await api.release();
		expect(chunks.filter((chunk) => chunk === '<aborted>')).toEqual([]);
	});
});
