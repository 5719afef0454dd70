import * as XLSX from '@e965/xlsx';
import type { CellObject } from '@e965/xlsx';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
	DEFAULT_MAX_CELLS,
	NOT_A_SPREADSHEET,
	TEXT_FILE,
	WEB_PAGE,
	cellText,
	readWorkbook,
	type SheetTable,
	type WorkbookOptions
} from '../../../src/lib/import/xlsx';
import { DAMAGED, PASSWORD_PROTECTED } from '../../../src/lib/import/zip';
import { sheetXml, xlsxParts, zip } from '../../fixtures/workbooks';
import { fixture } from './helpers';

// SheetJS itself, watched: the files refused before it reads them must never reach it (a check that
// holds on any machine, where a time limit only made it likely).
vi.mock('@e965/xlsx', async (importOriginal) => {
	const actual = await importOriginal<typeof XLSX>();
	return { ...actual, read: vi.fn(actual.read) };
});
beforeEach(() => {
	vi.mocked(XLSX.read).mockClear();
});

const utf8 = (text: string) => new TextEncoder().encode(text);

function read(bytes: Uint8Array, options: Partial<WorkbookOptions> = {}) {
	return readWorkbook(bytes, { maxCells: DEFAULT_MAX_CELLS, ...options });
}

function sheet(name: string, options: Partial<WorkbookOptions> = {}): SheetTable {
	const result = read(fixture(name), options);
	if (!result.ok) throw new Error(`${name}: ${result.message}`);
	return result.value;
}

const refused = (message: string | RegExp) => ({
	ok: false,
	message: typeof message === 'string' ? message : (expect.stringMatching(message) as string)
});

describe.each([
	['workbook.xlsx', 'xlsx'],
	['workbook.xls', 'xls']
] as const)('%s, written by SheetJS', (name, format) => {
	it('lists the visible sheets and reads the first one with values (not the hidden list sheet)', () => {
		const table = sheet(name);
		expect(table).toMatchObject({ format, sheets: ['Users', 'Other site'], sheet: 'Users', headerRow: 1 });
		expect(table.headers).toEqual([
			'First name',
			'Last name',
			'Email',
			'Mobile phone',
			'Customer code',
			'Department',
			'Start date',
			'Global address book'
		]);
	});

	it('gives every cell as the admin sees it: no 4.9E+12, no lost zeros, no serials, no formulas', () => {
		expect(sheet(name).rows).toEqual([
			['Ada', 'Lovelace', 'ada@example.com', '447400123456', '00123', 'R&D', '05/03/2024', 'TRUE'],
			['Grace', 'Hopper', 'grace@example.com', '+44 7400 123456', '000124', '3', '06/03/2024', 'FALSE'],
			['Alan', 'Turing', 'alan@example', '4915123456789', '000125', 'Ops', '07/03/2024', 'FALSE']
		]);
	});

	it('has the phones SheetJS alone would give as 4.474E+11 and 4.91512E+12', () => {
		const workbook = XLSX.read(fixture(name), { type: 'array', dense: true });
		const rows = workbook.Sheets.Users!['!data']!;
		expect([rows[1]![3]!.w, rows[3]![3]!.w]).toEqual(['4.474E+11', '4.91512E+12']);
	});

	it('reads another sheet: header on row 3, an empty column A, a blank row kept for numbering', () => {
		expect(sheet(name, { sheet: 'Other site' })).toMatchObject({
			sheet: 'Other site',
			headerRow: 3,
			headers: ['', 'Email', 'First name', 'Site'],
			rows: [
				['', 'linus@example.org', 'Linus', 'Helsinki'],
				['', '', '', ''],
				['', 'margaret@example.org', 'Margaret', 'Boston']
			]
		});
	});

	it('reads a hidden sheet when asked for by name, and names the sheets when one does not exist', () => {
		expect(sheet(name, { sheet: 'Lists' }).headers).toEqual(['Standard']);
		expect(read(fixture(name), { sheet: 'Staff' })).toEqual(
			refused('This workbook has no sheet named "Staff"; its sheets are "Users", "Other site".')
		);
	});

	it('refuses a workbook with more cells than the limit, with advice to save it as CSV', () => {
		expect(read(fixture(name), { maxCells: 31 })).toEqual(
			refused(
				/^The sheet "Users" has more than 31 filled cells, more than .* browser\. Split it, or save it as CSV/u
			)
		);
		// 9 filled cells, but 4 rows by 4 columns to read (rows 3 to 6, from column A).
		expect(read(fixture(name), { sheet: 'Other site', maxCells: 10 })).toEqual(
			refused(
				/^The sheet "Other site" reaches cell D6 \(6 rows by 4 columns\), more than .* \(10 cells\)\. .*CSV UTF-8/u
			)
		);
		expect(sheet(name, { maxCells: 32 }).rows).toHaveLength(3);
	});
});

describe('workbook.ods, as LibreOffice saves it', () => {
	it('reads the displayed text of every cell', () => {
		expect(sheet('workbook.ods')).toMatchObject({
			format: 'ods',
			sheets: ['Users', 'Notes'],
			sheet: 'Users',
			headers: [
				'First name',
				'Last name',
				'Email',
				'Mobile phone',
				'Customer code',
				'Department',
				'Start date'
			],
			rows: [
				['Ada', 'Lovelace', 'ada@example.com', '447400123456', '00123', 'R&D', '05/03/2024'],
				['Grace', 'Hopper', 'grace@example.com', '+44 7400 123456', '000124', '3', '']
			]
		});
	});

	it('trims the empty rows repeated down to row 1,048,576 and the 1,024 empty columns', () => {
		const table = sheet('workbook.ods');
		expect(table.rows).toHaveLength(2);
		expect(table.rows.every((cells) => cells.length === 7)).toBe(true);
	});

	it('refuses a 1 KB .ods whose filled row repeats a million times, before SheetJS builds a cell', () => {
		expect(read(fixture('repeat-bomb.ods'))).toEqual(
			refused(
				/^This workbook has 17,179,852,801 filled cells, more than .* \(2,000,000\)\. Split it, or save it as CSV/u
			)
		);
		expect(XLSX.read).not.toHaveBeenCalled();
	});

	it('reads the second sheet', () => {
		expect(sheet('workbook.ods', { sheet: 'Notes' })).toMatchObject({
			headers: ['Email', 'First name'],
			rows: [['alan@example.com', 'Alan']]
		});
	});
});

describe('sheets whose range claims a million rows and 16,384 columns', () => {
	it('are refused in well under a second when a cell really is at XFD1048576', () => {
		const started = performance.now();
		const result = read(fixture('huge-range.xlsx'));
		const took = performance.now() - started;
		expect(result).toEqual(
			refused(
				/^The sheet "Users" reaches cell XFD1048576 \(1,048,576 rows by 16,384 columns\).*Delete anything stray .* or save it as CSV/u
			)
		);
		expect(took).toBeLessThan(500);
	});

	it('are read when the claim is only a stray dimension: the cells present decide', () => {
		expect(sheet('stray-dimension.xlsx')).toMatchObject({
			headers: ['Email', 'First name'],
			rows: [['ada@example.com', 'Ada']]
		});
	});

	it('are refused when the dimension understates a cell far away', () => {
		const lying = zip(
			xlsxParts({ data: utf8(sheetXml('A1:B2', { A1: 'Email', A2: 'ada@example.com', XFD1048576: 'x' })) })
		);
		expect(read(lying)).toEqual(refused(/reaches cell XFD1048576/u));
	});
});

describe('files that are not a workbook Rollcall can read', () => {
	it.each([
		['zip-bomb.xlsx', /zip bomb/u],
		['truncated.xlsx', DAMAGED],
		['zip-encrypted.xlsx', PASSWORD_PROTECTED],
		['password-protected.xlsx', PASSWORD_PROTECTED],
		['random-bytes.xlsx', NOT_A_SPREADSHEET],
		['web-page.xls', WEB_PAGE],
		['tab-text.xls', TEXT_FILE],
		['empty.xlsx', 'The sheet "Sheet1" is empty.'],
		['empty.csv', 'The file is empty.']
	])('%s: %s', (name, message) => {
		expect(read(fixture(name))).toEqual(refused(message));
	});

	it('refuses the zip bomb without unpacking it', () => {
		expect(read(fixture('zip-bomb.xlsx'))).toEqual(refused(/zip bomb/u));
		expect(XLSX.read).not.toHaveBeenCalled();
	});

	it('says damaged, never throws, when SheetJS fails inside a sound ZIP', () => {
		// (Corrupt deflate data is another matter: SheetJS's inflater can spin on it until the bridge's
		// watchdog stops the worker, so it is not tried here.)
		const parts = xlsxParts({ data: utf8(sheetXml('A1:A1', { A1: 'Email' })) });
		for (const workbook of ['<<not xml', '']) {
			const bytes = zip(
				parts.map((part) => (part.name === 'xl/workbook.xml' ? { ...part, data: utf8(workbook) } : part))
			);
			expect(read(bytes)).toEqual(refused(DAMAGED));
		}
	});

	it('says password-protected for an encrypted OpenDocument file', () => {
		const manifest = `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"><manifest:algorithm manifest:algorithm-name="Blowfish CFB"/></manifest:encryption-data></manifest:file-entry></manifest:manifest>`;
		const bytes = zip([
			{ name: 'mimetype', data: utf8('application/vnd.oasis.opendocument.spreadsheet'), isStored: true },
			{ name: 'content.xml', data: new Uint8Array(64).fill(0x9c), isStored: true },
			{ name: 'styles.xml', data: utf8('<x/>') },
			{ name: 'META-INF/manifest.xml', data: utf8(manifest) }
		]);
		expect(read(bytes)).toEqual(refused(PASSWORD_PROTECTED));
	});

	it('names other ZIP files: an .xlsb, a text document, any archive', () => {
		const xlsb = zip([
			{ name: '[Content_Types].xml', data: utf8('<Types/>') },
			{ name: 'xl/workbook.bin', data: new Uint8Array(10) }
		]);
		expect(read(xlsb)).toEqual(refused(/Excel Binary Workbook \(\.xlsb\)/u));
		const odt = zip([
			{ name: 'mimetype', data: utf8('application/vnd.oasis.opendocument.text'), isStored: true }
		]);
		expect(read(odt)).toEqual(refused(/text document or presentation, not a spreadsheet/u));
		const archive = zip([{ name: 'readme.txt', data: utf8('hello') }]);
		expect(read(archive)).toEqual(
			refused(/This file is a ZIP archive, not an Excel \(\.xlsx\) or OpenDocument \(\.ods\) workbook/u)
		);
	});

	it('reads ZIPs that streaming and .NET writers produce (data descriptors, ZIP64)', () => {
		for (const name of ['streamed.xlsx', 'zip64.xlsx']) {
			expect(sheet(name)).toMatchObject({
				headers: ['Email', 'First name'],
				rows: [['ada@example.com', 'Ada']]
			});
		}
	});
});

describe('a cell as the admin sees it', () => {
	const cell = (value: Partial<CellObject>) => cellText(value as CellObject);

	it('gives whole numbers in General in full, and keeps every other format', () => {
		expect(cell({ t: 'n', v: 4915123456789, w: '4.91512E+12' })).toBe('4915123456789');
		expect(cell({ t: 'n', v: 4915123456789 })).toBe('4915123456789');
		expect(cell({ t: 'n', v: 123, w: '00123' })).toBe('00123');
		expect(cell({ t: 'n', v: 0.25, w: '25%' })).toBe('25%');
		expect(cell({ t: 'n', v: 45356, w: '05/03/2024' })).toBe('05/03/2024');
		expect(cell({ t: 'n', v: 0.1 + 0.2 })).toBe('0.3');
		expect(cell({ t: 'n', v: 1.5e300, w: '1.5E+300' })).toBe('1.5E+300');
	});

	it('gives text, booleans, errors and dates as shown, and nothing for empty cells', () => {
		expect(cell({ t: 's', v: '=1+1', w: '=1+1' })).toBe('=1+1');
		expect(cell({ t: 's', v: 'plain' })).toBe('plain');
		expect(cell({ t: 'b', v: true })).toBe('TRUE');
		expect(cell({ t: 'b', v: false, w: 'FALSE' })).toBe('FALSE');
		expect(cell({ t: 'e', v: 42, w: '#N/A' })).toBe('#N/A');
		expect(cell({ t: 'd', v: new Date(Date.UTC(2024, 2, 5)) })).toBe('2024-03-05');
		expect(cell({ t: 'z' })).toBe('');
		expect(cellText(undefined)).toBe('');
	});
});
