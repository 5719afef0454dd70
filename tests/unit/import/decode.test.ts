import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	createChunkDecoder,
	decodeText,
	encodingName,
	type TextEncoding
} from '../../../src/lib/import/decode';
import { decoded, fixture } from './helpers';

describe('decodeText on real files', () => {
	it.each<[string, TextEncoding, boolean]>([
		['utf8-bom.csv', 'utf-8', true],
		['utf8-no-bom.csv', 'utf-8', false],
		['utf16le-unicode-text.txt', 'utf-16le', true],
		['utf16be-unicode-text.txt', 'utf-16be', true],
		['utf16le-no-bom.txt', 'utf-16le', false],
		['windows-1252.csv', 'windows-1252', false],
		['semicolon-decimal-commas.csv', 'utf-8', true]
	])('reads %s as %s (BOM: %s)', (name, encoding, hasBom) => {
		const { text, ...info } = decoded(name);
		expect(info).toEqual({ encoding, hasBom });
		expect(text).not.toContain('\uFFFD');
		expect(text).not.toContain('\uFEFF');
	});

	it('keeps accents, ligatures and symbols of Windows-1252 files', () => {
		const { text } = decoded('windows-1252.csv');
		for (const word of ['Renée', 'Dupré', 'Weiß', 'Müller & Söhne', 'O’Brien', 'Ævar', 'Þórsson', '– €']) {
			expect(text).toContain(word);
		}
	});

	it('reads the same text from UTF-8 with and without BOM', () => {
		expect(decoded('utf8-bom.csv').text.replace(/\r\n/gu, '\n')).toBe(decoded('utf8-no-bom.csv').text);
		expect(decoded('utf8-bom.csv').text).toContain('山田');
	});

	it("reads Excel's Unicode Text the same in both byte orders, with or without BOM", () => {
		const le = decoded('utf16le-unicode-text.txt').text;
		expect(decoded('utf16be-unicode-text.txt').text).toBe(le);
		expect(decoded('utf16le-no-bom.txt').text).toBe(le);
		expect(le).toContain('Silva 😀');
		expect(le).toContain('Żółć');
		expect(le).toContain('Παπαδόπουλος');
	});

	it.each([
		['empty.csv', 'The file is empty.'],
		[
			'not-text.csv',
			'This file is not a spreadsheet: it holds binary data, not text. Choose a CSV, TSV or Excel file.'
		],
		['workbook-named.csv', 'This is a ZIP file (an Excel .xlsx or .ods workbook?), not a CSV text file.']
	])('refuses %s with a clear message', (name, message) => {
		expect(decodeText(fixture(name))).toEqual({ ok: false, message });
	});

	it('refuses an old Excel workbook and UTF-32 by their first bytes', () => {
		const xls = decodeText(Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));
		expect(xls).toEqual({
			ok: false,
			message: 'This is an Excel 97-2003 (.xls) workbook, not a CSV text file.'
		});
		const utf32 = decodeText(Uint8Array.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]));
		expect(utf32.ok).toBe(false);
	});
});

describe('decodeText fallbacks', () => {
	const bytes = (...values: number[]) => Uint8Array.from(values);

	it('reads bytes that are not valid UTF-8 as Windows-1252, never as U+FFFD', () => {
		// "Renée" in Windows-1252, then a UTF-8 sequence cut short.
		expect(decodeText(bytes(0x52, 0x65, 0x6e, 0xe9, 0x65))).toEqual({
			ok: true,
			value: { text: 'Renée', encoding: 'windows-1252', hasBom: false }
		});
		const cut = decodeText(bytes(0x41, 0xc3));
		expect(cut.ok && cut.value.text).toBe('AÃ');
	});

	it('reads Windows-1252 text after a UTF-8 BOM as Windows-1252', () => {
		expect(decodeText(bytes(0xef, 0xbb, 0xbf, 0x52, 0x65, 0x6e, 0xe9, 0x65))).toEqual({
			ok: true,
			value: { text: 'Renée', encoding: 'windows-1252', hasBom: false }
		});
	});

	it('refuses damaged UTF-16 (a lone surrogate) instead of guessing', () => {
		const result = decodeText(bytes(0xff, 0xfe, 0x41, 0x00, 0x00, 0xd8));
		expect(result).toEqual({
			ok: false,
			message:
				'This file starts as UTF-16 LE but is damaged: save it again as CSV UTF-8 and import that file.'
		});
	});

	it('keeps a second BOM as content, not as a lost character', () => {
		const result = decodeText(bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x41));
		expect(result.ok && result.value.text).toBe('\uFEFFA');
	});

	it('names encodings for the preview', () => {
		expect(encodingName({ encoding: 'utf-8', hasBom: true })).toBe('UTF-8 with BOM');
		expect(encodingName({ encoding: 'utf-16be', hasBom: false })).toBe('UTF-16 BE');
		expect(encodingName({ encoding: 'windows-1252', hasBom: false })).toBe('Windows-1252 (Western European)');
	});
});

describe('createChunkDecoder', () => {
	function decodeInSlices(bytes: Uint8Array, encoding: TextEncoding, cuts: number[]): string {
		const decoder = createChunkDecoder(encoding);
		let text = '';
		let start = 0;
		for (const cut of [...cuts, bytes.length]) {
			const part = decoder.push(bytes.subarray(start, cut));
			if (!part.ok) throw new Error(part.message);
			text += part.value;
			start = cut;
		}
		const end = decoder.end();
		if (!end.ok) throw new Error(end.message);
		return text + end.value;
	}

	it.each<[string, TextEncoding]>([
		['utf8-bom.csv', 'utf-8'],
		['utf16le-unicode-text.txt', 'utf-16le'],
		['utf16be-unicode-text.txt', 'utf-16be'],
		['windows-1252.csv', 'windows-1252']
	])('keeps every character of %s whole, wherever the slices are cut', (name, encoding) => {
		const bytes = fixture(name);
		const whole = decoded(name).text;
		for (let cut = 0; cut <= bytes.length; cut++) {
			expect(decodeInSlices(bytes, encoding, [cut]), `cut at ${cut}`).toBe(whole);
		}
	});

	it('keeps any text whole in UTF-8 slices of any sizes', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme' }), fc.array(fc.nat()), (text, rawCuts) => {
				const bytes = new TextEncoder().encode(text);
				const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
				expect(decodeInSlices(bytes, 'utf-8', cuts)).toBe(text);
			})
		);
	});

	it('reports a character left incomplete at the end of the file', () => {
		const decoder = createChunkDecoder('utf-8');
		expect(decoder.push(Uint8Array.from([0x41, 0xc3]))).toEqual({ ok: true, value: 'A' });
		expect(decoder.end()).toEqual({
			ok: false,
			message:
				'This file is not valid UTF-8 text: save it again as CSV UTF-8 (Excel: Save As, CSV UTF-8) and choose it again.'
		});
	});
});
