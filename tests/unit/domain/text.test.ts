import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanText, foldText, parseText } from '../../../src/lib/domain/text';

/**
 * Any string of code points, lone surrogates too. Built here, while the file loads, not inside a test:
 * fast-check's first 'binary' string arbitrary builds its table of every code point (cached for the process),
 * seconds of work (2 s on a quiet machine, over 5 s on a busy one) that would otherwise count against the
 * first test's time limit.
 */
const binaryText = fc.string({ unit: 'binary' });
const shortBinaryText = fc.string({ unit: 'binary', maxLength: 80 });

const range = (from: number, to: number) =>
	Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

/** Letters of Latin (with its accented extensions), Greek and Cyrillic, and spaces. */
const nameLetters = [
	...range(0x41, 0x5a),
	...range(0x61, 0x7a),
	...range(0xc0, 0x24f).filter((c) => /\p{L}/u.test(c)),
	...range(0x386, 0x3ce).filter((c) => /\p{L}/u.test(c)),
	...range(0x400, 0x45f),
	' '
];

describe('cleanText', () => {
	it.each([
		['  Ada  ', 'Ada'],
		['Mary   Ann', 'Mary Ann'],
		['Jean\tLuc\r\nPicard', 'Jean Luc Picard'],
		['Ana\u00a0María', 'Ana María'],
		['\u3000山田\u3000太郎\u3000', '山田 太郎'],
		['E\u0301lodie', 'Élodie'],
		['', '']
	])('cleans %j to %j', (raw, expected) => {
		expect(cleanText(raw)).toBe(expected);
	});

	it('brings decomposed (NFD) text to the composed (NFC) form', () => {
		const nfd = 'Zoë Brontë'.normalize('NFD');
		expect(nfd).not.toBe('Zoë Brontë'.normalize('NFC'));
		expect(cleanText(nfd)).toBe('Zoë Brontë'.normalize('NFC'));
	});

	it('is idempotent', () => {
		fc.assert(
			fc.property(binaryText, (raw) => {
				const once = cleanText(raw);
				expect(cleanText(once)).toBe(once);
			}),
			{ numRuns: 2000 }
		);
	});

	it('never leaves surrounding, repeated or non-space whitespace, and is NFC', () => {
		fc.assert(
			fc.property(binaryText, (raw) => {
				const value = cleanText(raw);
				expect(value).toBe(value.trim());
				expect(value).not.toMatch(/\s\s/u);
				expect(value).not.toMatch(/[^\S ]/u);
				expect(value).toBe(value.normalize('NFC'));
			}),
			{ numRuns: 2000 }
		);
	});
});

describe('parseText', () => {
	it.each([
		['  Ada  ', 'Ada'],
		['Mary   Ann', 'Mary Ann'],
		['E\u0301lodie', 'Élodie'],
		["O'Brien-Smith", "O'Brien-Smith"],
		['李小龍', '李小龍'],
		['Øystein', 'Øystein'],
		// ZWNJ and ZWJ are part of how Persian and Indic scripts are written: kept.
		['می\u200cخواهم', 'می\u200cخواهم'],
		['क्\u200dष', 'क्\u200dष'],
		['a'.repeat(64), 'a'.repeat(64)],
		// Length counts characters, not UTF-16 code units.
		['𝒜'.repeat(64), '𝒜'.repeat(64)]
	])('accepts %j as %j', (raw, expected) => {
		expect(parseText(raw, 'First name', 64)).toEqual({ ok: true, value: expected });
	});

	it.each([
		['a NUL', 'Ada\u0000'],
		['a bell', 'Ada\u0007'],
		['an escape', '\u001b[31mAda'],
		['a NEL', 'Ada\u0085Lovelace'],
		['a right-to-left override', '\u202eadA'],
		['a left-to-right isolate', 'Ada\u2066x\u2069'],
		['a zero-width space', 'A\u200bda'],
		['a soft hyphen', 'Love\u00adlace'],
		['a private-use character', 'Ada\ue000'],
		['a lone surrogate', 'Ada\ud800']
	])('rejects a name with %s', (_what, raw) => {
		expect(parseText(raw, 'First name', 64)).toEqual({
			ok: false,
			message: 'First name contains an invisible or control character; retype it without copying.'
		});
	});

	it.each([
		['a'.repeat(65), 64, 'First name'],
		['𝒜'.repeat(65), 64, 'First name'],
		['x'.repeat(129), 128, 'Company']
	])('rejects a value over the limit (%#)', (raw, max, label) => {
		expect(parseText(raw, label, max)).toEqual({
			ok: false,
			message: `${label} is too long: at most ${max} characters.`
		});
	});

	it('measures the length after cleaning, so surrounding spaces do not count', () => {
		expect(parseText(`   ${'a'.repeat(64)}   `, 'First name', 64)).toEqual({
			ok: true,
			value: 'a'.repeat(64)
		});
	});

	it('is idempotent: a parsed value parses to itself', () => {
		fc.assert(
			fc.property(shortBinaryText, (raw) => {
				const first = parseText(raw, 'Company', 64);
				if (first.ok) expect(parseText(first.value, 'Company', 64)).toEqual(first);
			}),
			{ numRuns: 1000 }
		);
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (raw) => {
				const first = parseText(raw, 'Company', 64);
				if (first.ok) expect(parseText(first.value, 'Company', 64)).toEqual(first);
				else expect(first.message).toMatch(/^Company /u);
			}),
			{ numRuns: 1000 }
		);
	});
});

describe('foldText', () => {
	it.each([
		['Élodie', 'elodie'],
		['ÉLODIE', 'elodie'],
		['E\u0301lodie', 'elodie'],
		['Øystein', 'oystein'],
		['Straße', 'strasse'],
		['Æsa Œdipe', 'aesa oedipe'],
		['Łukasz', 'lukasz'],
		['Đorđe', 'dorde'],
		['Þóra', 'thora'],
		['İstanbul', 'istanbul'],
		['ﬁona', 'fiona'],
		['  Mary \t Ann  ', 'mary ann'],
		['ＡＢＣ', 'abc']
	])('folds %j to %j', (raw, expected) => {
		expect(foldText(raw)).toBe(expected);
	});

	it('gives accented and plain spellings the same key', () => {
		expect(foldText('Zoë')).toBe(foldText('ZOE'));
		expect(foldText('José Núñez')).toBe(foldText('jose nunez'));
	});

	it('is idempotent', () => {
		fc.assert(
			fc.property(binaryText, (raw) => {
				const once = foldText(raw);
				expect(foldText(once)).toBe(once);
			}),
			{ numRuns: 2000 }
		);
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme-composite' }), (raw) => {
				const once = foldText(raw);
				expect(foldText(once)).toBe(once);
			}),
			{ numRuns: 1000 }
		);
	});

	it('ignores the normalisation form', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme-composite' }), (raw) => {
				expect(foldText(raw.normalize('NFD'))).toBe(foldText(raw.normalize('NFC')));
			}),
			{ numRuns: 1000 }
		);
	});

	it('ignores case in the alphabets names are written in', () => {
		fc.assert(
			fc.property(fc.string({ unit: fc.constantFrom(...nameLetters), maxLength: 12 }), (raw) => {
				expect(foldText(raw.toUpperCase())).toBe(foldText(raw.toLowerCase()));
			}),
			{ numRuns: 2000 }
		);
	});

	it('folds the Greek final sigma like the other sigma, so an upper-case search prefix matches', () => {
		expect(foldText('ΟΔΥΣ')).toBe(foldText('Οδυσσεύς').slice(0, 4));
		expect(foldText('Σ')).toBe(foldText('ς'));
	});
});

/**
 * cleanText, parseText and foldText skip the Unicode work for printable ASCII (most cells of most files):
 * they must answer exactly as the whole Unicode definitions below, written out as they were before the
 * short cut. Text mostly of ASCII, with runs of spaces, tabs, controls and the odd letter beyond it, so that
 * both paths and the edge between them are taken.
 */
const asciiMostly = fc.string({
	unit: fc.oneof(
		{ weight: 20, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
		{ weight: 4, arbitrary: fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\u007f', '\u0000') },
		{
			weight: 1,
			arbitrary: fc.constantFrom('é', 'E\u0301', 'ß', 'Æ', '\u00a0', '\u200b', '\u200d', 'ﬁ', 'Σ')
		}
	),
	maxLength: 70
});

const fullClean = (raw: string) => raw.normalize('NFC').replace(/\s+/gu, ' ').trim();

const fullFold = (value: string) =>
	value
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(
			/[ßæœøłđðþıς]/gu,
			(c) => ({ ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ς: 'σ' })[c] ?? c
		)
		.replace(/\s+/gu, ' ')
		.trim();

function fullParse(raw: string, maxLength: number): ReturnType<typeof parseText> {
	const value = fullClean(raw);
	if (/[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]/u.test(value.replace(/[\u200c\u200d]/gu, '')))
		return {
			ok: false,
			message: 'Company contains an invisible or control character; retype it without copying.'
		};
	if ([...value].length > maxLength)
		return { ok: false, message: `Company is too long: at most ${maxLength} characters.` };
	return { ok: true, value };
}

describe('the printable ASCII short cut', () => {
	it('cleans, parses and folds text as the whole Unicode definitions do', () => {
		fc.assert(
			fc.property(asciiMostly, fc.integer({ min: 0, max: 40 }), (raw, maxLength) => {
				expect(cleanText(raw)).toBe(fullClean(raw));
				expect(foldText(raw)).toBe(fullFold(raw));
				expect(parseText(raw, 'Company', maxLength)).toEqual(fullParse(raw, maxLength));
			}),
			{ numRuns: 2000 }
		);
	});

	it.each([
		['  Ada   Lovelace ', 'Ada Lovelace', 'ada lovelace'],
		['J.  O\u0027Brien-Smith', "J. O'Brien-Smith", "j. o'brien-smith"],
		['Tab\tinside', 'Tab inside', 'tab inside'],
		['', '', '']
	])('reads %j as %j, folded %j', (raw, clean, folded) => {
		expect(cleanText(raw)).toBe(clean);
		expect(foldText(raw)).toBe(folded);
	});

	it('counts a long name by its characters, not its code units', () => {
		// Five characters in ten code units: within a limit of five.
		expect(parseText('😀😀😀😀😀', 'Company', 5)).toEqual({ ok: true, value: '😀😀😀😀😀' });
		expect(parseText('😀😀😀😀😀😀', 'Company', 5).ok).toBe(false);
	});
});
