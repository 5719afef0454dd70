import { describe, expect, it } from 'vitest';
import { readSource } from '../../../src/lib/import/pipeline';

// readText reads a CSV to one row past the limit, and again whole only past it: a file of exactly
// the limit's rows (the bench's million) is parsed once. What it reads must be what a read without
// the limit reads, whatever blank lines end the file.

const limits = (maxRows: number) => ({ maxFileBytes: 1024 * 1024, maxRows });
const input = (lines: string[]) => ({
	name: 'people.csv',
	bytes: new TextEncoder().encode(lines.join('\r\n'))
});
const people = (n: number) => Array.from({ length: n }, (_, i) => `Ann${i},ann${i}@example.com`);

describe('a CSV file near the row limit', () => {
	it('of exactly as many rows as the limit is read whole', () => {
		const lines = ['Name,Email', ...people(3), ''];
		const read = readSource(input(lines), { limits: limits(3) });
		expect(read).toEqual(readSource(input(lines), { limits: limits(1000) }));
		expect(read.ok && read.value.rows).toHaveLength(3);
	});

	it('reads as a read without the limit would, blank lines at the end and past the limit included', () => {
		for (const lines of [
			['Name,Email', ...people(3), '', ''],
			['Name,Email', ...people(3), ',', ''],
			['Name,Email', ...people(2), '', ...people(1), ''],
			['Name,Email', ...people(3), '', '', '']
		]) {
			expect(readSource(input(lines), { limits: limits(3) })).toEqual(
				readSource(input(lines), { limits: limits(1000) })
			);
		}
	});

	it('of more users than the limit is refused with their number', () => {
		const read = readSource(input(['Name,Email', ...people(3), '', ...people(2)]), { limits: limits(3) });
		expect(read.ok).toBe(false);
		expect(!read.ok && read.message).toContain('has 5 rows of users; one import takes at most 3.');
	});
});
