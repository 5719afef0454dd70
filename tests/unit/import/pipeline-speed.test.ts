import { serialize, deserialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { FieldPolicy } from '../../../src/lib/domain/policy';
import { analyseSource, readSource, sliceOf, type ReadOptions } from '../../../src/lib/import/pipeline';
import { sharedStringsXlsx } from '../../fixtures/workbooks';
import { gb, preset } from './helpers';

/**
 * How long the pipeline takes in Node for 100,000 realistic users, printed and never asserted (npm run
 * bench measures the browser). Slow (the XLSX alone reads for 5-20 s here), so it runs only when asked:
 *   IMPORT_SPEED=1 npm exec -- vitest run tests/unit/import/pipeline-speed.test.ts
 */

const ROWS = 100_000;
const departments = ['Sales', 'R&D', 'Operations', 'Finance', 'Support'];

function people(count: number): string[][] {
	const header = [
		'First name',
		'Last name',
		'Email',
		'Username',
		'Mobile phone',
		'Company',
		'Department',
		'Job title',
		'Site',
		'Customer code'
	];
	const rows = Array.from({ length: count }, (_, i) => [
		`First${i}`,
		`Last${i % 977}`,
		`user${i}@example.com`,
		`user${i}`,
		`+44 7400 ${String(100_000 + (i % 900_000)).padStart(6, '0')}`,
		'Example Ltd',
		departments[i % departments.length]!,
		'Engineer',
		i % 7 === 0 ? '' : 'London',
		String(i).padStart(7, '0')
	]);
	return [header, ...rows];
}

const read: ReadOptions = { limits: { maxFileBytes: 1024 * 1024 * 1024, maxRows: 1_000_000 } };
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function measure(label: string, name: string, bytes: Uint8Array, policies: [string, FieldPolicy][]): void {
	const started = performance.now();
	const source = readSource({ name, bytes }, read);
	const readTook = performance.now() - started;
	if (!source.ok) throw new Error(source.message);
	const lines = [`${label}, ${(bytes.length / 2 ** 20).toFixed(1)} MB: read ${seconds(readTook)}`];
	for (const [policyName, policy] of policies) {
		const checking = performance.now();
		const analysis = analyseSource(source.value, { policy, context: gb });
		const checkTook = performance.now() - checking;
		expect(analysis.rows).toHaveLength(ROWS);
		const whole = serialize(analysis);
		const receiving = performance.now();
		deserialize(whole);
		const wholeTook = performance.now() - receiving;
		const slices: number[] = [];
		for (let start = 0; start < ROWS; start += 2_000) {
			const slice = serialize(sliceOf(analysis, start, start + 2_000));
			const at = performance.now();
			deserialize(slice);
			slices.push(performance.now() - at);
		}
		slices.sort((a, b) => a - b);
		const [median, slowest] = [slices[slices.length >> 1]!, slices.at(-1)!];
		lines.push(
			`  ${policyName}: map + check ${seconds(checkTook)}; receiving the Analysis in one message ${seconds(wholeTook)} (${(whole.length / 2 ** 20).toFixed(0)} MiB), in 2,000-row slices ${median.toFixed(0)} ms each (median; slowest ${slowest.toFixed(0)} ms)`
		);
	}
	console.log(lines.join('\n'));
}

describe.skipIf(!process.env.IMPORT_SPEED)('the pipeline with 100,000 users (printed, not asserted)', () => {
	const table = people(ROWS);
	const policies: [string, FieldPolicy][] = [
		['workflow C policy (no phone)', preset('multi-customer')],
		['Rollcall default policy (with mobile phone)', preset('rollcall')]
	];

	it('CSV', { timeout: 300_000 }, () => {
		const csv = new TextEncoder().encode(table.map((cells) => cells.join(',')).join('\r\n') + '\r\n');
		measure('100,000-row CSV', 'users.csv', csv, policies);
	});

	it('XLSX', { timeout: 300_000 }, () => {
		const xlsx = sharedStringsXlsx(table);
		measure('100,000-row XLSX', 'users.xlsx', xlsx, policies.slice(0, 1));
	});
});
