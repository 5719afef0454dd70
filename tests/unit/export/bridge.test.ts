import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
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
