import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDb, type RollcallDb } from '../../../src/lib/db/database';
import { defaultImportLimits } from '../../../src/lib/domain/settings';
import { analyseFile } from '../../../src/lib/import/pipeline';
import { analysisErrorsFile } from '../../../src/lib/import/errors-file';
import { createImportBridge, isWhole, type BridgeOptions } from '../../../src/lib/import/bridge';
import { createWorkerApi, type ImportWorkerApi } from '../../../src/lib/import/worker-api';
import { everything, gb } from './helpers';
import { FakeWorker } from '../fake-worker';

/**
 * A file of more rows than the bridge brings to the page (WHOLE_ROWS, lowered here): the page holds the
 * head, the rows the preview shows and every error and warning; the rest stays in the worker, which builds
 * the errors file and gives every row only when the page must commit them itself.
 */

let databases: RollcallDb[] = [];
let workers: FakeWorker[] = [];
afterEach(() => {
	for (const worker of workers) worker.terminate();
	for (const db of databases) db.close();
	workers = [];
	databases = [];
});

const timing = { stallMs: 60_000, idleMs: 50, readMsPerMb: { workbook: 0, text: 0 } };

function bridgeOf(wholeRows: number) {
	return createImportBridge({
		start: () => {
			const db = createDb(`rollcall-bridge-big-${Date.now()}-${Math.random()}`);
			databases.push(db);
			const worker = new FakeWorker((): ImportWorkerApi => createWorkerApi(() => db));
			workers.push(worker);
			return worker as unknown as Worker;
		},
		timing,
		wholeRows
	});
}

/** 120 people, every 40th with an address that is not one, and a password each. */
const text = [
	'First name,Last name,Email,Password',
	...Array.from({ length: 120 }, (_, i) =>
		[
			`Ann${i}`,
			`Lee${i}`,
			i % 40 === 39 ? `ann${i}.example.com` : `ann${i}@example.com`,
			`correct horse ${i}`
		].join(',')
	)
].join('\n');
const file = new File([text], 'people.csv');
const options: BridgeOptions = { policy: everything, context: gb, limits: defaultImportLimits };

describe('a file of more rows than the page takes', () => {
	it('leaves its rows in the worker: the page gets the preview rows, the counts, every error and warning', async () => {
		const bridge = bridgeOf(100);
		const analysis = await bridge.analyse(file, options);
		const inProcess = analyseFile({ name: 'people.csv', bytes: new TextEncoder().encode(text) }, options);
		if (!inProcess.ok) throw new Error(inProcess.message);
		expect(isWhole(analysis)).toBe(false);
		expect(analysis.rowCount).toBe(120);
		expect(analysis.rows).toEqual(inProcess.value.rows.slice(0, 50));
		expect(analysis.table.rows).toEqual(inProcess.value.table.rows.slice(0, 50));
		expect(analysis.counts).toEqual(inProcess.value.counts);
		expect(analysis.errors).toEqual(inProcess.value.errors);
		expect(analysis.errors.map((error) => error.row)).toEqual([41, 81, 121]);
		expect(analysis.summary).toEqual(inProcess.value.summary);
		expect(analysis.passwords.size).toBe(0);

		// Every row, with the passwords, when the page must commit them itself.
		const whole = await bridge.whole(analysis);
		expect(whole.rows).toEqual(inProcess.value.rows);
		expect(whole.table.rows).toEqual(inProcess.value.table.rows);
		expect(whole.passwords).toEqual(inProcess.value.passwords);
		expect(whole.passwords.size).toBe(120);

		// The errors file is the worker's, the same as one made from every row.
		const made = await bridge.errorsFile(analysis);
		const steps = analysisErrorsFile(inProcess.value);
		let step = steps.next();
		while (!step.done) step = steps.next();
		expect(made?.isWorkbook).toBe(false);
		expect(new TextDecoder().decode(made!.bytes)).toBe(new TextDecoder().decode(step.value.bytes));
		bridge.stop();
		await expect(bridge.whole(analysis)).rejects.toThrow('The file is no longer in memory: choose it again.');
		await expect(bridge.errorsFile(analysis)).resolves.toBeUndefined();
	});

	it('keeps the worker while it holds rows the page does not have; a small file’s is stopped when idle', async () => {
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
		try {
			const big = bridgeOf(100);
			await big.analyse(file, options);
			vi.advanceTimersByTime(1_000);
			expect(workers[0]!.isTerminated).toBe(false);
			const small = bridgeOf(1_000);
			const analysis = await small.analyse(file, options);
			expect(isWhole(analysis)).toBe(true);
			expect(analysis.rows).toHaveLength(120);
			vi.advanceTimersByTime(50);
			expect(workers[1]!.isTerminated).toBe(true);
			big.stop();
		} finally {
			vi.useRealTimers();
		}
	});
});
