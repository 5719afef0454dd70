import { read, utils, type WorkSheet } from '@e965/xlsx';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { field, fieldKeys, type FieldContext, type FieldKey } from '../../../src/lib/domain/fields';
import { presets, visibleFields, type FieldPolicy } from '../../../src/lib/domain/policy';
import { validateUser } from '../../../src/lib/domain/user';
import { parseCsv } from '../../../src/lib/import/csv';
import { decodeText } from '../../../src/lib/import/decode';
import { unescapeFormula } from '../../../src/lib/import/formula';
import { mapHeaders } from '../../../src/lib/import/headers';
import { checkRows } from '../../../src/lib/import/rows';
import {
	csvTemplate,
	SENSITIVE_PLACEHOLDER,
	templateFileName,
	xlsxTemplate
} from '../../../src/lib/import/template';
import { crc32, zipStored } from '../../../src/lib/files/zip-writer';
import { LIST_LAST_ROW, writeXlsx, xmlText } from '../../../src/lib/import/xlsx-writer';
import { everything } from './helpers';

// As restorePolicy keeps it: a generated field (the license key) is never required.
const allRequired = Object.fromEntries(
	fieldKeys.map((key) => [key, field(key).isGenerated ? 'optional' : 'required'])
) as FieldPolicy;
const policies: [string, FieldPolicy][] = [
	...presets.map((p): [string, FieldPolicy] => [p.name, p.policy]),
	['every field optional', everything],
	['every field required', allRequired]
];
const countries: FieldContext[] = ['GB', 'US', 'FR', 'JP'].map(
	(c) => ({ defaultCountry: c }) as FieldContext
);

const fieldD = presets.find((p) => p.id === 'field-heavy')!.policy;

function readCsv(bytes: Uint8Array) {
	const decoded = decodeText(bytes);
	if (!decoded.ok) throw new Error(decoded.message);
	return { decoded: decoded.value, table: parseCsv(decoded.value.text) };
}

/** Header -> field of every mapped column; fails on anything not mapped. */
function expectExactMapping(headers: readonly string[], policy: FieldPolicy) {
	const mapping = mapHeaders(headers, policy);
	expect(mapping.problems).toEqual([]);
	expect(mapping.isReady).toBe(true);
	expect(mapping.columns.map((c) => [c.status, c.isFallback ?? false])).toEqual(
		headers.map(() => ['mapped', false])
	);
	// A generated field (the license key) has no column: Rollcall gives it.
	const typed = visibleFields(policy).filter((f) => !f.isGenerated);
	expect(mapping.columns.map((c) => c.field)).toEqual(typed.map((f) => f.key));
	return mapping;
}

describe('csvTemplate', () => {
	it('is UTF-8 with a BOM and CRLF line ends', () => {
		const bytes = csvTemplate(fieldD, { example: true });
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const text = new TextDecoder().decode(bytes.slice(3));
		expect(text.endsWith('\r\n')).toBe(true);
		expect(text.replace(/\r\n/gu, '')).not.toMatch(/[\r\n]/u);
		expect(text).toContain('José');
		expect(readCsv(bytes).decoded).toMatchObject({ encoding: 'utf-8', hasBom: true });
	});

	it('has the visible fields as columns, required ones marked with *', () => {
		const { table } = readCsv(csvTemplate(fieldD));
		expect(table.headers).toEqual([
			'First name *',
			'Last name *',
			'Email *',
			'Username *',
			'Password *',
			'Mobile phone *',
			'Business phone',
			'Company',
			'Customer code',
			'UDID',
			'In global address book'
		]);
		expect(table.errors).toEqual([
			{ row: 2, message: 'The file has a header row but no users under it: add them, one per row.' }
		]);
	});

	it.each(policies)('maps back to exactly its fields: %s', (_, policy) => {
		const { table } = readCsv(csvTemplate(policy, { example: true }));
		expect(table.errors).toEqual([]);
		expectExactMapping(table.headers, policy);
	});

	it.each(policies)('has example rows the import accepts: %s', (_, policy) => {
		const { table } = readCsv(csvTemplate(policy, { example: true }));
		expect(table.rows).toHaveLength(2);
		const mapping = mapHeaders(table.headers, policy);
		for (const context of countries) {
			const check = checkRows(table.rows, mapping, { policy, context });
			expect(check.errors).toEqual([]);
			expect(check.counts.new).toBe(2);
			// validateUser directly too, as the form would (cells unescaped as the import does).
			for (const row of table.rows) {
				const input = Object.fromEntries(
					mapping.columns.map((c) => [c.field, unescapeFormula(row[c.index] ?? '')])
				) as Partial<Record<FieldKey, string>>;
				expect(validateUser(input, policy, context).errors).toEqual({});
			}
		}
	});

	it('keeps realistic values: leading zeros, +44 phones, Standard, and no real password', () => {
		const { table } = readCsv(csvTemplate(fieldD, { example: true }));
		const column = (header: string) => table.rows.map((row) => row[table.headers.indexOf(header)]);
		expect(column('Customer code')).toEqual(['000123', '004567']);
		expect(column('Mobile phone *')[0]).toBe("'+44 7911 123456");
		expect(column('Password *')).toEqual([SENSITIVE_PLACEHOLDER, SENSITIVE_PLACEHOLDER]);
		const check = checkRows(table.rows, mapHeaders(table.headers, fieldD), {
			policy: fieldD,
			context: { defaultCountry: 'GB' }
		});
		expect(check.rows[0]!.values).toMatchObject({
			mobilePhone: '+447911123456',
			customerCode: '000123',
			inGlobalAddressBook: true
		});
		expect(check.rows[0]!.hasPassword).toBe(true);
		const everyField = readCsv(csvTemplate(everything, { example: true })).table;
		expect(everyField.rows[0]![everyField.headers.indexOf('User type')]).toBe('Standard');
	});

	it('escapes every cell that a spreadsheet would read as a formula', () => {
		const { table } = readCsv(csvTemplate(everything, { example: true }));
		for (const cell of [...table.headers, ...table.rows.flat()]) expect(cell).not.toMatch(/^[=+\-@]/u);
		expect(table.rows.flat().filter((cell) => cell.startsWith("'+"))).toHaveLength(4);
	});

	it('leaves hidden fields out', () => {
		const portal = presets.find((p) => p.id === 'portal')!.policy;
		const { table } = readCsv(csvTemplate(portal, { example: true }));
		expect(table.headers).toEqual([
			'First name *',
			'Last name *',
			'Email *',
			'Company',
			'Licenses',
			'Web access'
		]);
	});

	it('has the visible custom attributes as columns, after the others, mapped back and valid', () => {
		const portal = presets.find((p) => p.id === 'portal')!.policy;
		const policy: FieldPolicy = {
			...portal,
			'custom:Badge colour': 'required',
			'custom:Locker': 'optional',
			'custom:Secret': 'hidden'
		};
		const { table } = readCsv(csvTemplate(policy, { example: true }));
		expect(table.headers.slice(-2)).toEqual(['Badge colour *', 'Locker']);
		const mapping = expectExactMapping(table.headers, policy);
		const checked = checkRows(table.rows, mapping, { policy, context: { defaultCountry: 'GB' } });
		expect(checked.errors).toEqual([]);
		expect(checked.rows.map((row) => row.values['custom:Badge colour'])).toEqual([
			'Badge colour 1',
			'Badge colour 2'
		]);
	});
});

/**
 * Reads a store-only ZIP strictly, from its central directory: each entry's local header must agree with
 * it, and its bytes with their CRC-32.
 */
function unzipStored(zip: Uint8Array): Map<string, Uint8Array> {
	const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
	const end = zip.length - 22;
	expect(view.getUint32(end, true)).toBe(0x06054b50);
	const count = view.getUint16(end + 10, true);
	let at = view.getUint32(end + 16, true);
	expect(at + view.getUint32(end + 12, true)).toBe(end);
	const decoder = new TextDecoder('utf-8', { fatal: true });
	const entries = new Map<string, Uint8Array>();
	for (let i = 0; i < count; i++) {
		expect(view.getUint32(at, true)).toBe(0x02014b50);
		const [method, crc, size] = [
			view.getUint16(at + 10, true),
			view.getUint32(at + 16, true),
			view.getUint32(at + 24, true)
		];
		expect(method).toBe(0);
		expect(view.getUint32(at + 20, true)).toBe(size);
		const nameLength = view.getUint16(at + 28, true);
		const name = decoder.decode(zip.subarray(at + 46, at + 46 + nameLength));
		const local = view.getUint32(at + 42, true);
		expect(view.getUint32(local, true)).toBe(0x04034b50);
		expect(zip.subarray(local + 8, local + 26)).toEqual(zip.subarray(at + 10, at + 28));
		expect(decoder.decode(zip.subarray(local + 30, local + 30 + nameLength))).toBe(name);
		const start = local + 30 + nameLength + view.getUint16(local + 28, true);
		const data = zip.subarray(start, start + size);
		expect(crc32(data)).toBe(crc);
		entries.set(name, data);
		at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
	}
	return entries;
}

/** The parts of an XLSX, as text. */
const xlsxParts = (xlsx: Uint8Array) =>
	new Map([...unzipStored(xlsx)].map(([name, data]) => [name, new TextDecoder().decode(data)]));

const cellText = (sheet: WorkSheet, ref: string) => (sheet[ref] as { v?: unknown } | undefined)?.v;

describe('xlsxTemplate', () => {
	const bytes = xlsxTemplate(fieldD, { example: true });
	const workbook = read(bytes, { type: 'array', cellNF: true });
	const users = workbook.Sheets['Users']!;
	const parts = xlsxParts(bytes);
	const sheetXml = parts.get('xl/worksheets/sheet1.xml')!;

	it('is a workbook with a Users sheet first and an Instructions sheet', () => {
		expect(workbook.SheetNames).toEqual(['Users', 'Instructions']);
		expect([...parts.keys()].sort()).toEqual([
			'[Content_Types].xml',
			'_rels/.rels',
			'xl/_rels/workbook.xml.rels',
			'xl/styles.xml',
			'xl/workbook.xml',
			'xl/worksheets/sheet1.xml',
			'xl/worksheets/sheet2.xml'
		]);
	});

	it.each(policies)('has headers that map back to exactly its fields: %s', (_, policy) => {
		const sheet = read(xlsxTemplate(policy), { type: 'array' }).Sheets['Users']!;
		const [headers = []] = utils.sheet_to_json<string[]>(sheet, { header: 1, raw: false });
		expectExactMapping(headers, policy);
	});

	it.each(policies)('has example rows the import accepts, read as text: %s', (_, policy) => {
		const sheet = read(xlsxTemplate(policy, { example: true }), { type: 'array' }).Sheets['Users']!;
		const [headers = [], ...rows] = utils.sheet_to_json<string[]>(sheet, {
			header: 1,
			raw: false,
			defval: ''
		});
		expect(rows).toHaveLength(2);
		const check = checkRows(rows, mapHeaders(headers, policy), { policy, context: { defaultCountry: 'US' } });
		expect(check.errors).toEqual([]);
	});

	it('keeps example values as Text cells: 000123 stays 000123, phones are not numbers', () => {
		const headers = utils.sheet_to_json<string[]>(users, { header: 1 })[0]!;
		const at = (header: string, row: number) => `${utils.encode_col(headers.indexOf(header))}${row}`;
		expect(users[at('Customer code', 2)]).toMatchObject({ t: 's', v: '000123', z: '@' });
		expect(users[at('Mobile phone *', 2)]).toMatchObject({ t: 's', v: '+44 7911 123456' });
		expect(users[at('First name *', 3)]).toMatchObject({ t: 's', v: 'José' });
		expect(cellText(users, at('Password *', 2))).toBe(SENSITIVE_PLACEHOLDER);
		expect(sheetXml).toContain('<is><t xml:space="preserve">000123</t></is>');
	});

	it('formats every column as Text and marks the header bold and frozen', () => {
		const styles = parts.get('xl/styles.xml')!;
		expect(styles).toMatch(
			/<cellXfs count="3">.*<xf numFmtId="49" fontId="0".*<xf numFmtId="49" fontId="1"/u
		);
		expect(styles).toMatch(/<fonts count="2">.*<font><b\/>/u);
		const columns = [...sheetXml.matchAll(/<col min="(\d+)" max="\d+" width="(\d+)" style="1"/gu)];
		expect(columns).toHaveLength(visibleFields(fieldD).length);
		for (const [, , width] of columns) expect(Number(width)).toBeGreaterThanOrEqual(10);
		expect(sheetXml).toMatch(/<c r="A1" s="2" t="inlineStr"><is><t xml:space="preserve">First name \*<\/t>/u);
		expect(sheetXml).toMatch(/<c r="A2" s="1" t="inlineStr">/u);
		expect(sheetXml).toContain('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
		// Excel's 'Convert to Number' fix for a text cell of digits would drop the leading zeros: not offered.
		expect(sheetXml).toContain('<ignoredError sqref="A1:K10000" numberStoredAsText="1"/>');
	});

	it('offers drop-downs for user type and Yes/No columns down to row 10000', () => {
		const groups = presets.find((p) => p.id === 'groups')!.policy;
		const xml = xlsxParts(xlsxTemplate(groups)).get('xl/worksheets/sheet1.xml')!;
		// Groups (B): User type is the third visible column after First name and Last name.
		expect(visibleFields(groups).map((f) => f.key)).toEqual([
			'firstName',
			'lastName',
			'email',
			'userType',
			'groups'
		]);
		expect(xml).toMatch(
			new RegExp(
				`<dataValidation type="list"[^>]*sqref="D2:D${LIST_LAST_ROW}"><formula1>"Standard,Privileged"</formula1>`,
				'u'
			)
		);
		// Field-heavy (D): 'In global address book' is column K.
		expect(sheetXml).toMatch(/sqref="K2:K10000"><formula1>"Yes,No"<\/formula1>/u);
		expect(sheetXml).toContain('<dataValidations count="1">');
	});

	it("offers the customer's sites in the Site column, open to a new one, and uses them in the examples", () => {
		const multi = presets.find((p) => p.id === 'multi-customer')!.policy;
		const column = visibleFields(multi).findIndex((f) => f.key === 'site');
		expect(column).toBeGreaterThan(-1);
		const letter = String.fromCharCode(65 + column);
		const bytes = xlsxTemplate(multi, { example: true, sites: ['HQ', 'Leeds'] });
		const xml = xlsxParts(bytes).get('xl/worksheets/sheet1.xml')!;
		expect(xml).toMatch(
			new RegExp(
				`showErrorMessage="0"[^>]*sqref="${letter}2:${letter}${LIST_LAST_ROW}"><formula1>"HQ,Leeds"</formula1>`,
				'u'
			)
		);
		const rows = utils.sheet_to_json<string[]>(read(bytes, { type: 'array' }).Sheets['Users']!, {
			header: 1
		});
		expect(rows.slice(1).map((row) => row[column])).toEqual(['HQ', 'Leeds']);
		// A site with a comma cannot be in an in-cell list: no drop-down then, rather than a broken one.
		const withComma = xlsxParts(xlsxTemplate(multi, { sites: ['HQ', 'Leeds, North'] })).get(
			'xl/worksheets/sheet1.xml'
		)!;
		expect(withComma).not.toContain(`sqref="${letter}2:`);
	});

	it('explains each column on the Instructions sheet', () => {
		const rows = utils.sheet_to_json<string[]>(workbook.Sheets['Instructions']!, { header: 1 });
		expect(rows[0]).toEqual(['Column', 'Required', 'What to enter']);
		expect(rows.slice(1).map((row) => row[0])).toEqual(
			utils.sheet_to_json<string[]>(users, { header: 1 })[0]
		);
		expect(rows).toContainEqual([
			'Password *',
			'Required',
			'At least 8 characters. Never shown again or exported.'
		]);
		expect(rows).toContainEqual(['In global address book', 'Optional', 'Yes or No. Left empty: No.']);
		const rollcall = read(xlsxTemplate(presets[0]!.policy), { type: 'array' }).Sheets['Instructions']!;
		expect(utils.sheet_to_json<string[]>(rollcall, { header: 1 })).toContainEqual([
			'User type',
			'Optional',
			'Standard or Privileged. Left empty: Standard.'
		]);
	});

	it('is byte-for-byte the same each time', () => {
		// SheetJS's read adds properties to the array it was given: compare the bytes alone.
		expect(Buffer.from(xlsxTemplate(fieldD, { example: true })).equals(Buffer.from(bytes))).toBe(true);
	});
});

const hasCommand = (command: string) => spawnSync(command, ['--version']).status === 0;

describe('xlsx-writer', () => {
	it('computes the standard CRC-32', () => {
		expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
		expect(crc32(new Uint8Array())).toBe(0);
	});

	it('writes a ZIP that a strict reader takes back entry by entry', () => {
		const data = new Uint8Array([0, 1, 2, 255]);
		const zip = zipStored([
			{ name: 'a.txt', data: new TextEncoder().encode('héllo') },
			{ name: 'dir/b.bin', data }
		]);
		expect([...unzipStored(zip)]).toEqual([
			['a.txt', new TextEncoder().encode('héllo')],
			['dir/b.bin', data]
		]);
		expect(unzipStored(zipStored([])).size).toBe(0);
	});

	it('escapes XML and the _xHHHH_ escapes Excel would decode, and drops characters XML cannot hold', () => {
		expect(xmlText('<a href="x">&amp;</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;');
		expect(xmlText('a\u0000b\u0007c\td\uFFFEe\uD800f')).toBe('abc\tdef');
		expect(xmlText('_x0041_ and _x00e9_')).toBe('_x005F_x0041_ and _x005F_x00e9_');
		expect(xmlText('😀 José')).toBe('😀 José');
	});

	it('gives back every awkward value exactly, as text', () => {
		const values = ['<b>&"\'</b>', '=1+1', '_x0041_', '  spaced  ', 'line\nbreak', '0012', '4.9E+12', '😀'];
		const bytes = writeXlsx([{ name: 'Odd <&> "name"', rows: [['Header'], ...values.map((v) => [v])] }]);
		const workbook = read(bytes, { type: 'array' });
		expect(workbook.SheetNames).toEqual(['Odd <&> "name"']);
		const sheet = workbook.Sheets[workbook.SheetNames[0]!]!;
		expect(sheet['A3']).toMatchObject({ t: 's', v: '=1+1' });
		expect(sheet['A3']).not.toHaveProperty('f');
		const column = utils.sheet_to_json<string[]>(sheet, { header: 1, raw: false }).map((row) => row[0]);
		expect(column).toEqual(['Header', ...values]);
	});

	it('writes an empty sheet', () => {
		const workbook = read(writeXlsx([{ name: 'Empty', rows: [] }]), { type: 'array' });
		expect(workbook.SheetNames).toEqual(['Empty']);
	});

	it.skipIf(!hasCommand('python3'))('is a well-formed ZIP of well-formed XML for Python too', () => {
		const path = join(mkdtempSync(join(tmpdir(), 'rollcall-template-')), templateFileName('xlsx'));
		writeFileSync(path, xlsxTemplate(everything, { example: true }));
		const script = [
			'import sys, zipfile, xml.etree.ElementTree as ET',
			'z = zipfile.ZipFile(sys.argv[1])',
			'assert z.testzip() is None',
			'for n in z.namelist(): ET.fromstring(z.read(n))',
			'print(len(z.namelist()))'
		].join('\n');
		const result = spawnSync('python3', ['-c', script, path], { encoding: 'utf-8' });
		expect(result.stderr).toBe('');
		expect(result.stdout.trim()).toBe('7');
	});

	// LibreOffice is not installed on the build machine (and is not worth installing for this): when it is,
	// it converts the template back to CSV, which shows a real spreadsheet read the Text cells as text.
	it.skipIf(!hasCommand('soffice'))('opens in LibreOffice with leading zeros kept', () => {
		const folder = mkdtempSync(join(tmpdir(), 'rollcall-template-'));
		const path = join(folder, 'template.xlsx');
		writeFileSync(path, xlsxTemplate(presets.find((p) => p.id === 'field-heavy')!.policy, { example: true }));
		const result = spawnSync('soffice', ['--headless', '--convert-to', 'csv', '--outdir', folder, path], {
			timeout: 60_000
		});
		expect(result.status).toBe(0);
		const csv = readFileSync(join(folder, 'template.csv'), 'utf-8');
		expect(csv).toContain('000123');
		expect(csv).toContain('+44 7911 123456');
	});
});

describe('templateFileName', () => {
	it.each([
		['xlsx', undefined, 'rollcall-users-template.xlsx'],
		['csv', undefined, 'rollcall-users-template.csv'],
		[
			'xlsx',
			'Accounts with phone and password',
			'rollcall-users-template-accounts-with-phone-and-password.xlsx'
		],
		['csv', 'Users & Groups', 'rollcall-users-template-users-groups.csv'],
		['csv', 'Équipe ', 'rollcall-users-template-equipe.csv'],
		['csv', '***', 'rollcall-users-template.csv']
	] as const)('%s %j -> %s', (kind, preset, name) => {
		expect(templateFileName(kind, preset)).toBe(name);
	});
});
