// The import worker's JavaScript heap and speed in Node (issue 15), driving the worker's own API
// (worker-api.ts) as the page does through the bridge: analyseFile, the preview's slice, every problem, the
// errors file, then the commit into fake-indexeddb. The heap is read with V8's own counters: the peak
// `used_heap_size` sampled at each progress report and between the calls (garbage included, as DevTools
// shows it), and what stays after a full collection. The CSV is the import bench's (people.ts, 12 columns).
// Prints, never asserts a timing or a size:
//   npx vitest run --config tests/bench/vitest.config.ts tests/bench/import-heap.bench.test.ts
// IMPORT_HEAP_ROWS (default 1,000,000) sizes the file; IMPORT_HEAP_COMMIT=1 commits it too (minutes);
// IMPORT_HEAP_TRACE=1 prints every sample (rows checked, MiB used, ms); IMPORT_HEAP_SNAPSHOT=file.heapsnapshot writes what the heap keeps at the preview, for DevTools' Memory tab;
// IMPORT_HEAP_SPEED=100000 instead times analyseFile on a file of that many rows, IMPORT_HEAP_REPEATS times.
import 'fake-indexeddb/auto';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics, setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as Comlink from 'comlink';
import { describe, expect, test } from 'vitest';
import { createDb } from '$lib/db/database';
import { defaultPolicy } from '$lib/domain/policy';
import { createWorkerApi } from '$lib/import/worker-api';
import { cacheKey } from './cache';
import { importFile } from './import-files';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FILES = `${ROOT}node_modules/.cache/rollcall-bench-import`;
const FILE_KEY = cacheKey(ROOT, ['tests/bench/people.ts', 'tests/bench/import-files.ts'], 'import-files');
const ROWS = Number(process.env.IMPORT_HEAP_ROWS ?? 1_000_000);
const SPEED_ROWS = Number(process.env.IMPORT_HEAP_SPEED ?? 0);
const REPEATS = Number(process.env.IMPORT_HEAP_REPEATS ?? 5);
const isCommitted = process.env.IMPORT_HEAP_COMMIT === '1';
const SNAPSHOT = process.env.IMPORT_HEAP_SNAPSHOT;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const load = () =>
	os
		.loadavg()
		.map((n) => n.toFixed(2))
		.join(' / ');

/** The peak of the heap used (garbage included) over the samples taken. */
class HeapPeak {
	peak = 0;
	sample = (done?: unknown): void => {
		const used = getHeapStatistics().used_heap_size;
		if (process.env.IMPORT_HEAP_TRACE)
			console.log('sample', done, Math.round(used / 2 ** 20), Math.round(performance.now()));
		this.peak = Math.max(this.peak, used);
	};
	/** What the heap keeps: used after a full collection. */
	static kept(): number {
		gc();
		gc();
		return getHeapStatistics().used_heap_size;
	}
}

const options = {
	policy: defaultPolicy,
	context: { defaultCountry: 'GB' },
	limits: { maxFileBytes: 1024 * 2 ** 20, maxRows: 5_000_000 },
	readsDirectory: true
} as const;

/** A progress callback as the worker gets the page's (a Comlink proxy: each call a promise, released after). */
function progressOf(sample: (done: number) => void) {
	return Object.assign((done: number) => Promise.resolve(sample(done)), {
		[Comlink.releaseProxy]: () => undefined
	});
}

function fileOf(rows: number) {
	const file = importFile(FILES, FILE_KEY, 'csv', rows);
	return { name: 'people.csv', bytes: new Uint8Array(readFileSync(file.path)) };
}

describe.skipIf(SPEED_ROWS > 0)(`the import worker's heap, ${ROWS.toLocaleString('en')} rows`, () => {
	test('analyse, preview, problems, errors file' + (isCommitted ? ', commit' : ''), async () => {
		const input = fileOf(ROWS);
		const heap = new HeapPeak();
		const api = createWorkerApi(() => createDb(`rollcall-heap-${Date.now()}`));
		const before = HeapPeak.kept();
		const lines = [`load average ${load()} at the start; the file ${mib(input.bytes.length)}`];
		heap.sample();
		const started = performance.now();
		const head = await api.analyseFile(input, options, progressOf(heap.sample));
		heap.sample();
		if (!head.ok) throw new Error(head.message);
		expect(head.value.rowCount).toBe(ROWS);
		const analysed = performance.now() - started;
		const preview = api.slice(0, 50);
		expect(preview?.rows).toHaveLength(50);
		let problems = 0;
		for (let start = 0; start < ROWS; start += 50_000) {
			problems += api.problems(start, start + 50_000)!.errors.length;
			heap.sample();
		}
		const atPreview = heap.peak;
		const kept = HeapPeak.kept();
		// Typed arrays' bytes are outside the JS heap (the compact table's UTF-8 and offsets): said beside it.
		const buffers = process.memoryUsage().arrayBuffers - input.bytes.length;
		lines.push(
			`analyseFile ${(analysed / 1000).toFixed(1)} s; counts ${JSON.stringify(head.value.counts)}, ${problems} errors`,
			`preview: peak used ${mib(atPreview)} (heap before ${mib(before)}), kept after GC ${mib(kept)}, and ${mib(buffers)} of ArrayBuffers beside the heap (the file's own bytes left out)`
		);
		if (SNAPSHOT) writeHeapSnapshot(SNAPSHOT);
		const errorsFile = api.errorsFile();
		heap.sample();
		lines.push(`errors file ${mib(errorsFile!.bytes.length)}: peak so far ${mib(heap.peak)}`);
		if (isCommitted) {
			const committing = new HeapPeak();
			const timer = setInterval(committing.sample, 250);
			const at = performance.now();
			const summary = await api.commit({ fileName: 'people.csv', mode: 'valid-rows', updateExisting: false });
			clearInterval(timer);
			if (!summary.ok) throw new Error(summary.message);
			lines.push(
				`commit ${((performance.now() - at) / 1000).toFixed(0)} s, ${summary.value.counts.created} created: peak used ${mib(committing.peak)} (sampled every 250 ms; fake-indexeddb keeps the database in this same heap)`
			);
		}
		lines.push(`load average ${load()} at the end`);
		console.log(lines.join('\n'));
	});
});

describe.runIf(SPEED_ROWS > 0)(`analyseFile's speed, ${SPEED_ROWS.toLocaleString('en')} rows`, () => {
	test('repeated', async () => {
		const input = fileOf(SPEED_ROWS);
		const times: number[] = [];
		for (let i = 0; i < REPEATS; i++) {
			const api = createWorkerApi(() => createDb(`rollcall-speed-${Date.now()}-${i}`));
			HeapPeak.kept();
			const started = performance.now();
			const head = await api.analyseFile({ ...input, bytes: input.bytes.slice() }, options);
			times.push(performance.now() - started);
			if (!head.ok) throw new Error(head.message);
			expect(head.value.rowCount).toBe(SPEED_ROWS);
		}
		const sorted = [...times].sort((a, b) => a - b);
		console.log(
			`analyseFile, ${SPEED_ROWS} rows: ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s; median ${(sorted[sorted.length >> 1]! / 1000).toFixed(2)} s; load average ${load()}`
		);
	});
});
