import { describe, expect, it } from 'vitest';
import { parsePhone } from '../../../src/lib/domain/phone';

// parsePhone answers a number it read lately from memory: the very same answer, not a second reading.
describe('parsePhone, a number read again', () => {
	it('reads an office number repeated on every row once, and gives that answer each time', () => {
		const first = parsePhone('020 7946 0991', 'Business phone', 'GB');
		expect(first).toEqual({ ok: true, value: '+442079460991' });
		for (let row = 0; row < 100; row++)
			expect(parsePhone('020 7946 0991', 'Business phone', 'GB')).toBe(first);
		expect(Object.isFrozen(first)).toBe(true);
	});

	it('answers each country and each label for itself', () => {
		expect(parsePhone('06 12 34 56 78', 'Mobile phone', 'FR')).toEqual({ ok: true, value: '+33612345678' });
		expect(parsePhone('06 12 34 56 78', 'Mobile phone', 'GB')).toEqual({
			ok: false,
			message: 'Mobile phone is not a valid GB number; for another country start with + and its code.'
		});
		expect(parsePhone('06 12 34 56 78', 'Business phone', 'GB')).toEqual({
			ok: false,
			message: 'Business phone is not a valid GB number; for another country start with + and its code.'
		});
	});

	it('keeps no more than it may: after a file of numbers all different, the first is read again, and right', () => {
		const first = parsePhone('07400 100000', 'Mobile phone', 'GB');
		// Answers kept too, and quick ones: text that is no number at all.
		for (let i = 0; i < 12_000; i++) parsePhone(`call ${i}`, 'Mobile phone', 'GB');
		const again = parsePhone('07400 100000', 'Mobile phone', 'GB');
		expect(again).not.toBe(first);
		expect(again).toEqual({ ok: true, value: '+447400100000' });
	});
});
