import { describe, expect, it } from 'vitest';
import { namesInWords } from '$lib/components/format';

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
