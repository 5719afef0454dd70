import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../src/lib/pwa/format-bytes.ts';

describe('formatBytes', () => {
	it.each([
		[0, '0 bytes'],
		[1, '1 byte'],
		[999, '999 bytes'],
		[1000, '1 kB'],
		[12_345_678, '12.3 MB'],
		[2_100_000_000, '2.1 GB'],
		[5e15, '5,000 TB'],
		[-3, '0 bytes']
	])('%d -> %s', (bytes, text) => {
		expect(formatBytes(bytes)).toBe(text);
	});
});
