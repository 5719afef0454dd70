import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeFormula, unescapeFormula } from '../../../src/lib/import/formula';

const DANGER = ['=', '+', '-', '@', '\t', '＝', '＋', '－', '＠'];

describe('formula escaping, every line of a cell', () => {
	it.each([
		['=1+1', "'=1+1"],
		['a\n=cmd|x', "a\n'=cmd|x"],
		['ok\r\n+1\r\n-2', "ok\r\n'+1\r\n'-2"],
		['\n=x', "'\n'=x"],
		['\r@x', "'\r'@x"],
		['a\n\nb', 'a\n\nb'],
		["'=x", "''=x"],
		["a\n''＝x", "a\n'''＝x"],
		["'plain", "'plain"],
		["O'Brien", "O'Brien"],
		['\tx', "'\tx"]
	])('%j -> %j, and back', (cell, escaped) => {
		expect(escapeFormula(cell)).toBe(escaped);
		expect(unescapeFormula(escaped)).toBe(cell);
	});

	it('leaves no line of an escaped cell starting with a dangerous character', () => {
		const piece = fc.oneof(
			fc.constantFrom(...DANGER, "'", '\n', '\r', '\r\n', 'x', ' '),
			fc.string({ maxLength: 3 })
		);
		fc.assert(
			fc.property(
				fc.array(piece, { maxLength: 12 }).map((p) => p.join('')),
				(cell) => {
					const escaped = escapeFormula(cell);
					expect(unescapeFormula(escaped)).toBe(cell);
					for (const line of escaped.split(/\r\n|\n|\r/u)) expect(DANGER).not.toContain(line.charAt(0));
					expect(['\r', '\n']).not.toContain(escaped.charAt(0));
				}
			),
			{ numRuns: 2000 }
		);
	});

	it('keeps a cell that is only a phone number when asked, and nothing that merely starts like one', () => {
		const keep = { keepPhoneNumbers: true };
		expect(escapeFormula('+14155550100', keep)).toBe('+14155550100');
		expect(escapeFormula('+1 (415) 555-0100', keep)).toBe('+1 (415) 555-0100');
		// Rollcall stores an extension so: a vendor file needs it without an apostrophe too.
		expect(escapeFormula('+442079460958;ext=12', keep)).toBe('+442079460958;ext=12');
		expect(escapeFormula('+1;ext=12+cmd|x', keep)).toBe("'+1;ext=12+cmd|x");
		expect(escapeFormula('+1;ext=', keep)).toBe("'+1;ext=");
		expect(escapeFormula('+1;ext=1;ext=2', keep)).toBe("'+1;ext=1;ext=2");
		expect(escapeFormula('+1+cmd|x', keep)).toBe("'+1+cmd|x");
		expect(escapeFormula('-1', keep)).toBe("'-1");
		expect(escapeFormula('+', keep)).toBe("'+");
		expect(escapeFormula('+14155550100')).toBe("'+14155550100");
	});
});
