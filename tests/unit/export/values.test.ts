import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '$lib/export/values';

describe('isoTime', () => {
	it('writes exactly what Date writes, for any moment from 1970 to the year 9999 and beyond', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 253_402_300_799_999 }), (ms) => {
				expect(isoTime(ms)).toBe(new Date(ms).toISOString());
			}),
			{ numRuns: 20_000 }
		);
		fc.assert(
			fc.property(fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }), (ms) => {
				expect(isoTime(ms)).toBe(ms === 0 ? '' : new Date(ms).toISOString());
			})
		);
	});

	it('gets the edges of days, months, leap years and centuries right', () => {
		const moments = [
			'1970-01-01T00:00:00.001Z',
			'1999-12-31T23:59:59.999Z',
			'2000-02-29T12:00:00.000Z',
			'2000-03-01T00:00:00.000Z',
			'2024-02-29T23:59:59.999Z',
			'2026-12-07T09:30:00.000Z',
			'2100-02-28T23:59:59.999Z',
			'2100-03-01T00:00:00.000Z',
			'9999-12-31T23:59:59.999Z'
		];
		for (const moment of moments) expect(isoTime(Date.parse(moment))).toBe(moment);
	});

	it('writes nothing for a moment that never happened (0, null, NaN), and leaves odd ones to Date', () => {
		expect(isoTime(0)).toBe('');
		expect(isoTime(null)).toBe('');
		expect(isoTime(1.7)).toBe(new Date(1.7).toISOString());
		expect(isoTime(-1)).toBe('1969-12-31T23:59:59.999Z');
		expect(isoTime(Number.NaN)).toBe('');
	});
});
