import { describe, expect, it } from 'vitest';
import { defaultImportLimits } from '../../../src/lib/domain/settings';
import { PEEK_ROWS, peekBytes, peekFile } from '../../../src/lib/import/peek';
import { analyseFile } from '../../../src/lib/import/pipeline';
import { everything, fixture, gb } from './helpers';

const encode = (text: string) => new TextEncoder().encode(text);
const options = { policy: everything, context: gb, limits: defaultImportLimits };

/** A big file's first bytes as the bridge sends them: cut anywhere, maybe inside a character. */
function start(bytes: Uint8Array, length: number): Uint8Array {
	return bytes.slice(0, length);
}

function people(count: number): string {
	const lines = ['First name;Last name;Email'];
	for (let i = 0; i < count; i++) lines.push(`Zoë;Ødegaard-${i};zoe.${i}@example.com`);
	return `${lines.join('\r\n')}\r\n`;
}

describe('peeking at the start of a big file', () => {
	it('cuts after the last line break, so no row and no character is read in half', () => {
		const bytes = encode('Email\nada@example.com\nzoë@exa');
		// Cut inside the two bytes of ë.
		const cut = start(bytes, bytes.indexOf(0xc3) + 1);
		expect(new TextDecoder().decode(peekBytes(cut))).toBe('Email\nada@example.com\n');
		expect(peekBytes(encode('Email'))).toBeUndefined();
	});

	it('leaves UTF-16 files to the whole read (a line feed byte is half of a character there)', () => {
		expect(peekBytes(fixture('utf16le-unicode-text.txt'))).toBeUndefined();
		expect(peekBytes(fixture('utf16be-unicode-text.txt'))).toBeUndefined();
	});

	it('shows what the whole file shows for its first rows: encoding, delimiter, mapping, rows', () => {
		const bytes = encode(people(5_000));
		const whole = analyseFile({ name: 'people.csv', bytes }, options);
		// 'Zoë' starts with a two-byte character at every 40-odd bytes: this cut falls in many a row.
		const peek = peekFile({ name: 'people.csv', bytes: start(bytes, 64 * 1024 + 7) }, options);
		if (!whole.ok || !peek.ok) throw new Error('both should read');
		expect(peek.value.encoding).toEqual(whole.value.encoding);
		expect(peek.value.delimiter).toBe(';');
		expect(peek.value.mapping).toEqual(whole.value.mapping);
		expect(peek.value.rows).toHaveLength(PEEK_ROWS);
		expect(peek.value.rows).toEqual(whole.value.rows.slice(0, PEEK_ROWS));
	});

	it('fails, for the admin to wait for the whole file, when the start cannot be read alone', () => {
		const quoted = encode(`Email,Note\nada@example.com,"a note\nthat goes on`);
		expect(peekFile({ name: 'notes.csv', bytes: quoted }, options).ok).toBe(false);
		expect(peekFile({ name: 'workbook.xlsx', bytes: fixture('workbook.xlsx') }, options).ok).toBe(false);
	});
});
