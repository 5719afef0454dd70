import 'fake-indexeddb/auto';
import './node-self';
import { describe, expect, it } from 'vitest';
import { CRASHED, createBackupBridge } from '$lib/backup/bridge';
import { createBackupWorkerApi, type BackupWorkerApi } from '$lib/backup/worker-api';
import { usersStore } from '$lib/db/users';
import { freshDb, person } from '../db/helpers';
import { FakeWorker } from '../fake-worker';

function setup(api: (real: BackupWorkerApi) => object = (real) => real) {
	const db = freshDb('backup-bridge');
	const workers: FakeWorker[] = [];
	const bridge = createBackupBridge(() => {
		const worker = new FakeWorker(api(createBackupWorkerApi(() => db)));
		workers.push(worker);
		return worker as unknown as Worker;
	});
	return { db, bridge, workers };
}

const fileOf = async (blob: Blob, name: string) => new File([await blob.arrayBuffer()], name);

describe('backup bridge', () => {
	it('makes a backup in the worker with progress, restores it, and stops the worker after each', async () => {
		const { db, bridge, workers } = setup();
		await usersStore(db).add(person({ firstName: 'Ann', email: 'ann@example.com' }));
		let finished: (reached: number[]) => void = () => {};
		const reported = new Promise<number[]>((resolve) => (finished = resolve));
		const made = await bridge.backup((done, total) => done === total && finished([done, total]));
		expect(made.meta.counts.users).toBe(1);
		// Progress comes over its own channel: it may land after the answer. Two rows: Ann and the default customer.
		expect(await reported).toEqual([2, 2]);
		expect(workers.map((w) => w.isTerminated)).toEqual([true]);

		const opened = await bridge.open(await fileOf(made.file, made.name));
		expect(opened).toMatchObject({ ok: true, value: { counts: { users: 1 }, device: { users: 1 } } });
		expect(await bridge.restore()).toEqual({ ok: true, value: { users: 1 } });
		expect(workers.map((w) => w.isTerminated)).toEqual([true, true]);
	});

	it('refuses a file that is not a backup, naming it, and stops the worker', async () => {
		const { bridge, workers } = setup();
		bridge.warm();
		const opened = await bridge.open(new File(['a,b\n1,2\n'], 'list.json'));
		expect(opened.ok ? '' : opened.message).toMatch(/^“list\.json” looks like a spreadsheet/u);
		expect(workers[0]!.isTerminated).toBe(true);
	});

	it('keeps a warm worker while it works when the section is left, and stops an idle one', async () => {
		let release: () => void = () => {};
		const held = new Promise<void>((resolve) => (release = resolve));
		const { bridge, workers } = setup((real) => ({
			...real,
			async backup(...args: Parameters<BackupWorkerApi['backup']>) {
				await held;
				return real.backup(...args);
			}
		}));
		bridge.warm();
		expect(workers).toHaveLength(1);
		const making = bridge.backup();
		bridge.release();
		expect(workers[0]!.isTerminated).toBe(false);
		release();
		await making;
		expect(workers[0]!.isTerminated).toBe(true);
		bridge.warm();
		bridge.release();
		expect(workers[1]!.isTerminated).toBe(true);
	});

	it('rejects with the admin’s sentence when the worker dies', async () => {
		const { bridge, workers } = setup((real) => ({ ...real, backup: () => new Promise(() => {}) }));
		const making = bridge.backup();
		workers[0]!.dispatchEvent(new Event('error', { cancelable: true }));
		await expect(making).rejects.toThrow(CRASHED);
		expect(workers[0]!.isTerminated).toBe(true);
	});
});

describe('backup bridge, a large file', () => {
	/** A file of `size` bytes beginning with `start`, which records whether it was read whole. */
	function large(start: Blob, size: number, name: string) {
		const file = {
			name,
			size,
			wasReadWhole: false,
			slice: (from: number, to: number) => start.slice(from, to)
		};
		const read = () => {
			file.wasReadWhole = true;
			return Promise.reject(new Error('a gigabyte does not fit'));
		};
		return Object.assign(file, { arrayBuffer: read });
	}
	const GIGABYTE = 1024 ** 3;

	it('that is not a backup is refused from its first bytes, never read whole', async () => {
		const { bridge } = setup();
		const file = large(new Blob(['\u0000\u0000\u0000 ftypisom video']), GIGABYTE, 'holiday.json');
		const opened = await bridge.open(file as unknown as File);
		expect(opened.ok ? '' : opened.message).toMatch(/^“holiday\.json” is not a Rollcall backup/u);
		expect(file.wasReadWhole).toBe(false);
	});

	it('longer than its header says (a backup with a gigabyte added) is refused, never read whole', async () => {
		const { db, bridge } = setup();
		await usersStore(db).add(person({ firstName: 'Ann', email: 'ann@example.com' }));
		const made = await bridge.backup();
		const file = large(made.file, GIGABYTE, made.name);
		const opened = await bridge.open(file as unknown as File);
		expect(opened.ok ? '' : opened.message).toMatch(/is damaged: its contents do not match the checksum/u);
		expect(file.wasReadWhole).toBe(false);
	});
});
