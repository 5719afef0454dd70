import { describe, expect, it } from 'vitest';
import { formatMoment, formatShortMoment, namesInWords } from '$lib/components/format';

const NOW = Date.parse('2026-12-07T15:00:00Z');
const at = (iso: string) => Date.parse(iso);

describe('formatShortMoment', () => {
	it('says how long ago within the last week, in the locale’s words', () => {
		expect(formatShortMoment(at('2026-12-07T14:59:30Z'), NOW, 'Never', 'en-US')).toBe('now');
		expect(formatShortMoment(at('2026-12-07T14:35:00Z'), NOW, 'Never', 'en-US')).toBe('25 minutes ago');
		expect(formatShortMoment(at('2026-12-07T09:30:00Z'), NOW, 'Never', 'en-US')).toBe('5 hours ago');
		expect(formatShortMoment(at('2026-12-06T09:30:00Z'), NOW, 'Never', 'en-US')).toBe('yesterday');
		expect(formatShortMoment(at('2026-12-04T23:00:00Z'), NOW, 'Never', 'en-US')).toBe('3 days ago');
		expect(formatShortMoment(at('2026-12-04T23:00:00Z'), NOW, 'Never', 'fr')).toBe('il y a 3 jours');
	});

	it('late last night is hours ago, not yesterday, until half a day has passed', () => {
		const morning = at('2026-12-07T07:00:00Z');
		expect(formatShortMoment(at('2026-12-06T23:00:00Z'), morning, 'Never', 'en-US')).toBe('8 hours ago');
		expect(formatShortMoment(at('2026-12-06T06:00:00Z'), morning, 'Never', 'en-US')).toBe('yesterday');
	});

	it('gives the day, without the time, from a week back (and for a moment in the future)', () => {
		expect(formatShortMoment(at('2026-11-30T09:30:00Z'), NOW, 'Never', 'en-US')).toBe('Nov 30, 2026');
		expect(formatShortMoment(at('2026-11-30T09:30:00Z'), NOW, 'Never', 'en-GB')).toBe('30 Nov 2026');
		expect(formatShortMoment(at('2026-12-08T09:30:00Z'), NOW, 'Never', 'en-GB')).toBe('8 Dec 2026');
	});

	it('is shorter than the whole moment, and says never as asked', () => {
		const time = at('2026-10-02T14:05:00Z');
		expect(formatShortMoment(time, NOW).length).toBeLessThan(formatMoment(time).length);
		expect(formatShortMoment(null, NOW)).toBe('Never');
		expect(formatShortMoment(null, NOW, '—')).toBe('—');
	});
});

describe('namesInWords', () => {
	const three = ['Ann Lee', 'Bo Chen', 'Cy Dee'];
	it.each<[string[], number, string]>([
		[['Ann Lee'], 1, 'Ann Lee'],
		[['Ann Lee', 'Bo Chen'], 2, 'Ann Lee and Bo Chen'],
		[three, 3, 'Ann Lee, Bo Chen and Cy Dee'],
		[three, 4, 'Ann Lee, Bo Chen and 2 others'],
		[three, 5, 'Ann Lee, Bo Chen and 3 others'],
		[[], 0, '0 users']
	])('names %j of %i as %j', (names, count, words) => {
		expect(namesInWords(names, count)).toBe(words);
	});
});
