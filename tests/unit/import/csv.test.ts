import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	delimiterNames,
	delimiters,
	detectDelimiter,
	normaliseLineEndings,
	parseCsv,
	type Delimiter
} from '../../../src/lib/import/csv';
import { decodeText } from '../../../src/lib/import/decode';
import { fixture, fixtureNames, table } from './helpers';

describe('delimiter detection on real files', () => {
	it.each<[string, Delimiter]>([
		['utf8-bom.csv', ','],
		['windows-1252.csv', ','],
		['utf16le-unicode-text.txt', '\t'],
		['utf16be-unicode-text.txt', '\t'],
		['semicolon-decimal-commas.csv', ';'],
		['pipe.txt', '|'],
		['quoted.csv', ','],
		['one-column.csv', ','],
		['entra-bulk-create.csv', ','],
		['active-directory.csv', ',']
	])('%s is split on %j', (name, delimiter) => {
		expect(table(name).delimiter).toBe(delimiter);
	});

	it('reads a semicolon file with decimal commas (and a comma in a header) by semicolons', () => {
		const { headers, rows } = table('semicolon-decimal-commas.csv');
		expect(headers).toEqual(['First name', 'Last name', 'Email', 'Hours (weekly, contracted)']);
		expect(rows.map((r) => r[3])).toEqual(['37,5', '20,25', '0,5']);
		expect(rows[2]?.[0]).toBe('Marie; Claire');
	});

	it('reads the tab-delimited Unicode Text of Excel with commas inside values', () => {
		expect(table('utf16le-unicode-text.txt').rows[0]).toEqual([
			'Łukasz',
			'Żółć',
			'lukasz@example.pl',
			'Kraków, Sp. z o.o.'
		]);
	});

	it.each<[string, Delimiter]>([
		['a;b;c\n1,5;2,5;3,5\n4,0;5,0;6,0', ';'],
		['a,b\n"x;y",z', ','],
		['name\temail\nDoe, Jane\tjane@example.com', '\t'],
		['a|b\n1|2', '|'],
		['email\nada@example.com', ','],
		['', ',']
	])('detects %j as %j', (text, delimiter) => {
		expect(detectDelimiter(text)).toBe(delimiter);
	});

	it('finds the delimiter of any table whose header has two or more columns', () => {
		const cell = fc.string({ maxLength: 8 });
		const header = fc.array(fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,8}$/u), { minLength: 2, maxLength: 6 });
		fc.assert(
			fc.property(
				fc.constantFrom(...delimiters),
				header,
				fc.array(cell, { maxLength: 60 }),
				(d, head, cells) => {
					const width = head.length;
					const rows = Array.from({ length: Math.ceil(cells.length / width) }, (_, i) =>
						Array.from({ length: width }, (_, j) => cells[i * width + j] ?? 'x')
					);
					const quote = (c: string) =>
						/["\n\r,;\t|]/u.test(c) || c.trim() !== c ? `"${c.replace(/"/gu, '""')}"` : c;
					const text = [head, ...rows].map((r) => r.map(quote).join(d)).join('\r\n');
					expect(detectDelimiter(text)).toBe(d);
				}
			)
		);
	});

	it('lets the admin override the delimiter', () => {
		const byComma = table('pipe.txt', { delimiter: ',' });
		expect(byComma.delimiter).toBe(',');
		expect(byComma.headers).toEqual(['first name|last name|email|department']);
		expect(byComma.rows[0]).toEqual(['Ada|Lovelace|ada@example.com|R&D', ' Engines']);
		expect(delimiterNames[byComma.delimiter]).toBe('Comma');
		// A wrong choice is explained, not silently misread: "Marie; Claire" is quoted for semicolons.
		expect(table('semicolon-decimal-commas.csv', { delimiter: ',' }).errors[0]?.row).toBe(4);
	});
});

describe('line endings and quotes', () => {
	it('leaves no carriage return in any cell of any fixture', () => {
		for (const name of fixtureNames()) {
			const text = decodeText(fixture(name));
			if (!text.ok) continue;
			const { headers, rows } = parseCsv(text.value.text);
			for (const cell of [...headers, ...rows.flat()]) expect(cell, name).not.toMatch(/\r/u);
		}
	});

	it('reads LF, CRLF, CR and a mix of them, and line breaks inside quotes, the same', () => {
		const { headers, rows } = table('mixed-line-endings.csv');
		expect(headers).toEqual(['First name', 'Last name', 'Email', 'Job title']);
		expect(rows).toEqual([
			['Ada', 'Lovelace', 'ada@example.com', 'Analyst'],
			['Grace', 'Hopper', 'grace@example.com', 'Rear\nadmiral'],
			['Alan', 'Turing', 'alan@example.com', 'Mathematician'],
			['Tim', 'Berners-Lee', 'tim@example.com', 'Engineer']
		]);
		expect(table('cr-only.csv').rows).toEqual([['Ada', 'Lovelace', 'ada@example.com']]);
		expect(normaliseLineEndings('a\r\nb\rc\n\r\n')).toBe('a\nb\nc\n\n');
	});

	it('reads quoted values with delimiters, doubled quotes and line breaks', () => {
		expect(table('quoted.csv').rows).toEqual([
			['Ada', 'Lovelace', 'ada@example.com', 'Analytical Engines, Ltd.', 'Head of "Notes"'],
			['Grace', 'Hopper', 'grace@example.com', 'Navy\nReserve', 'Rear admiral'],
			['Jean-Luc', 'Picard', 'jl@example.com', 'Starfleet', 'Captain, "Enterprise"'],
			['', 'Nobody', 'nobody@example.com', '', '']
		]);
		expect(table('pipe.txt').rows[1]).toEqual(['Grace', 'Hopper', 'grace@example.com', 'Navy | Reserve']);
	});

	it('rejects an unterminated quote, naming the row (and line) where it opened', () => {
		const result = table('unterminated-quote.csv');
		expect(result.rows).toEqual([]);
		expect(result.errors).toEqual([
			{
				row: 4,
				message:
					'Row 4 (line 5) opens a quoted value that is never closed, so the rest of the file would be read into one cell. Add the missing closing quote (") or remove the stray one.'
			}
		]);
	});

	it('rejects text after a closing quote', () => {
		const result = parseCsv('a,b\n1,"x"y\n2,3\n');
		expect(result.rows).toEqual([]);
		expect(result.errors[0]).toEqual({
			row: 2,
			message:
				'Row 2 (line 2) has text after the closing quote of a quoted value. A quote inside a quoted value must be doubled ("").'
		});
	});

	it('reads any table written with any delimiter back exactly (line breaks as LF)', () => {
		const cell = fc.string({ maxLength: 10 });
		fc.assert(
			fc.property(
				fc.constantFrom(...delimiters),
				fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
				(d, data) => {
					const head = ['a', 'b', 'c'];
					// Rows whose cells are all empty would read as blank rows, which is right but not this property.
					const rows = data.filter((r) => r.some((c) => c.trim() !== ''));
					fc.pre(rows.length > 0);
					const quote = (c: string) => `"${c.replace(/"/gu, '""')}"`;
					const text = [head, ...rows].map((r) => r.map(quote).join(d)).join('\r\n');
					const result = parseCsv(text, { delimiter: d });
					expect(result.errors).toEqual([]);
					expect(result.rows).toEqual(rows.map((r) => r.map(normaliseLineEndings)));
				}
			)
		);
	});
});

describe('what a file holds', () => {
	it('keeps every value as text: leading zeros, long numbers, dates', () => {
		expect(parseCsv('code,phone,date\n00042,0612345678,2024-01-02\n').rows).toEqual([
			['00042', '0612345678', '2024-01-02']
		]);
	});

	it('does not count the final line break as a row, but keeps blank rows so row numbers stay right', () => {
		expect(parseCsv('a,b\n1,2\n').rows).toEqual([['1', '2']]);
		expect(parseCsv('a,b\n1,2\n\n3,4\n').rows).toEqual([['1', '2'], [''], ['3', '4']]);
	});

	it('strips a BOM left in the text', () => {
		expect(parseCsv('\uFEFFEmail\nada@example.com').headers).toEqual(['Email']);
	});

	it('refuses an empty file and a file of blank lines', () => {
		const message = [
			{ row: 1, message: 'The file is empty: it has only blank lines. Choose the file that holds the users.' }
		];
		expect(parseCsv('').errors).toEqual(message);
		expect(parseCsv('\r\n\r\n  \n').errors).toEqual(message);
	});

	it('refuses a header with no users under it, keeping the header', () => {
		const result = table('headers-only.csv');
		expect(result.headers).toEqual(['First name', 'Last name', 'Email']);
		expect(result.rows).toEqual([]);
		expect(result.errors).toEqual([
			{ row: 2, message: 'The file has a header row but no users under it: add them, one per row.' }
		]);
		expect(parseCsv('Email\n\n,\n').errors[0]?.message).toBe(
			'The file has a header row but no users under it: add them, one per row.'
		);
	});

	it("skips the 'version:v1.0' line of Microsoft Entra templates", () => {
		const result = table('entra-bulk-create.csv');
		expect(result.preamble).toEqual([['version:v1.0']]);
		expect(result.headerRow).toBe(2);
		expect(result.headers[0]).toBe('Name [displayName] Required');
		expect(result.rows).toHaveLength(1);
		expect(parseCsv('version:v1.0,,\nEmail,Name\na@example.com,A\n').headers).toEqual(['Email', 'Name']);
	});

	it("skips the '#TYPE' line of Windows PowerShell's Export-Csv", () => {
		const result = table('active-directory.csv');
		expect(result.preamble).toEqual([['#TYPE Microsoft.ActiveDirectory.Management.ADUser']]);
		expect(result.headers[0]).toBe('DistinguishedName');
		expect(result.rows[0]?.[0]).toBe('CN=Walter Skinner,OU=Staff,DC=example,DC=com');
	});

	it('refuses a file over the row limit before reading it all', () => {
		expect(table('workflow-a.csv', { maxRows: 2 }).errors).toEqual([]);
		expect(table('workflow-a.csv', { maxRows: 1 })).toMatchObject({
			rows: [],
			errors: [
				{
					row: 3,
					message:
						'The file has more than 1 rows of users, the most one import takes: split it, or raise the limit (Settings → Import limits).'
				}
			]
		});
		const big = `Email\n${'a@example.com\n'.repeat(1500)}`;
		expect(parseCsv(big, { maxRows: 1000 }).errors[0]?.message).toContain('more than 1,000 rows');
		// Exactly at the limit, with the newline that ends the last row: taken whole.
		const atLimit = `Email\n${'a@example.com\n'.repeat(3)}`;
		expect(parseCsv(atLimit, { maxRows: 3 })).toMatchObject({ errors: [], rows: { length: 3 } });
		// A blank line just past the limit is not the end of the file: the rows after it are not dropped.
		const blankPastLimit = `Email\n${'a@example.com\n'.repeat(3)}\nb@example.com\nc@example.com\n`;
		expect(parseCsv(blankPastLimit, { maxRows: 3 }).errors[0]?.message).toContain('more than 3 rows');
	});
});
