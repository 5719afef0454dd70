import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/lib/domain/policy';
import { MB, defaultImportLimits } from '../../../src/lib/domain/settings';
import {
	analyseFile,
	analyseSource,
	createAnalyser,
	headOf,
	sliceOf,
	type AnalyseOptions,
	type Analysis,
	type SourceTable
} from '../../../src/lib/import/pipeline';
import { NOT_A_SPREADSHEET, WEB_PAGE } from '../../../src/lib/import/xlsx';
import { PASSWORD_PROTECTED } from '../../../src/lib/import/zip';
import { everything, fixture, gb, preset } from './helpers';

const base: AnalyseOptions = { policy: everything, context: gb, limits: defaultImportLimits };

function analysed(name: string, options: Partial<AnalyseOptions> = {}): Analysis {
	const result = analyseFile({ name, bytes: fixture(name) }, { ...base, ...options });
	if (!result.ok) throw new Error(`${name}: ${result.message}`);
	return result.value;
}

const refusal = (name: string, options: Partial<AnalyseOptions> = {}, bytes = fixture(name)) => {
	const result = analyseFile({ name, bytes }, { ...base, ...options });
	return result.ok ? 'read' : result.message;
};

/** 'Start date' has no field: the admin ignores it. */
const ignoreStartDate = new Map([[6, 'ignored' as const]]);

describe('workbooks through the whole pipeline', () => {
	it.each(['workbook.xlsx', 'workbook.xls', 'workbook.ods'])(
		'%s: the values of the users as they will be stored',
		(name) => {
			const analysis = analysed(name, { choices: ignoreStartDate });
			expect(analysis).toMatchObject({ format: name.split('.')[1], sheet: 'Users', headerRow: 1 });
			expect(analysis.mapping.isReady).toBe(true);
			expect(analysis.rows[0]).toMatchObject({
				row: 2,
				status: 'new',
				values: {
					firstName: 'Ada',
					email: 'ada@example.com',
					mobilePhone: '+447400123456',
					customerCode: '00123',
					department: 'R&D'
				}
			});
			expect(analysis.rows[1]?.values).toMatchObject({
				mobilePhone: '+447400123456',
				customerCode: '000124',
				department: '3'
			});
		}
	);

	it('reports errors by the row and column the admin sees in Excel', () => {
		const analysis = analysed('workbook.xlsx', { choices: ignoreStartDate });
		expect(analysis.counts).toEqual({ new: 2, update: 0, unchanged: 0, error: 1, blank: 0 });
		expect(analysis.errors.map((error) => [error.row, error.column, error.header])).toEqual([
			[4, 2, 'Email']
		]);
		// A German mobile typed into a General cell: Excel dropped its +, the digits read back as one.
		expect(analysis.rows[2]?.values.mobilePhone).toBe('+4915123456789');
		expect(analysis.rows[0]?.values.inGlobalAddressBook).toBe(true);
	});

	it('leaves an unknown column for the admin to map, and takes their choice', () => {
		const unmapped = analysed('workbook.xlsx');
		expect(unmapped.mapping.isReady).toBe(false);
		expect(unmapped.mapping.columns[6]).toMatchObject({ header: 'Start date', status: 'unmapped' });
		const chosen = analysed('workbook.xlsx', { choices: new Map([[6, 'jobTitle']]) });
		expect(chosen.rows[0]?.values.jobTitle).toBe('05/03/2024');
	});

	it('reads the sheet the admin picks, numbering rows as the sheet does', () => {
		const analysis = analysed('workbook.xlsx', { sheet: 'Other site' });
		expect(analysis).toMatchObject({ sheets: ['Users', 'Other site'], sheet: 'Other site', headerRow: 3 });
		expect(analysis.rows.map((row) => [row.row, row.status])).toEqual([
			[4, 'new'],
			[5, 'blank'],
			[6, 'new']
		]);
		expect(analysis.rows[2]?.values).toMatchObject({ email: 'margaret@example.org', site: 'Boston' });
		expect(analysis.table.rows[0]).toEqual(['', 'linus@example.org', 'Linus', 'Helsinki']);
	});

	it('refuses a headers-only or empty sheet with a clear message naming the file', () => {
		expect(refusal('headers-only.xlsx')).toBe(
			'The sheet "Sheet1" in headers-only.xlsx has a header row but no users under it: add them, one per row.'
		);
		expect(refusal('empty.xlsx')).toBe('The sheet "Sheet1" in empty.xlsx is empty.');
	});
});

describe('choosing the reader by the bytes, not the name', () => {
	it('reads a tab-separated text file named .xls as text, keeping its leading zeros', () => {
		const analysis = analysed('tab-text.xls');
		expect(analysis).toMatchObject({ format: 'csv', delimiter: '\t', encoding: { encoding: 'utf-8' } });
		expect(analysis.rows[0]?.values).toMatchObject({ email: 'ada@example.com', customerCode: '000123' });
	});

	it('refuses a web page named .xls, random bytes named .xlsx, binary named .csv, each by its name', () => {
		expect(refusal('web-page.xls')).toBe(WEB_PAGE.replace('This file', 'web-page.xls'));
		expect(refusal('random-bytes.xlsx')).toBe(NOT_A_SPREADSHEET.replace('This file', 'random-bytes.xlsx'));
		expect(refusal('not-text.csv')).toBe(
			'not-text.csv is not a spreadsheet: it holds binary data, not text. Choose a CSV, TSV or Excel file.'
		);
	});

	it('reads a workbook whatever its name says', () => {
		expect(analyseFile({ name: 'users.csv', bytes: fixture('workbook.ods') }, base).ok).toBe(true);
	});

	it.each([
		['zip-bomb.xlsx', /zip bomb/u],
		['huge-range.xlsx', /reaches cell XFD1048576/u],
		['repeat-bomb.ods', /17,179,852,801 filled cells/u],
		[
			'password-protected.xlsx',
			/^password-protected\.xlsx is password-protected, so Rollcall cannot read it\./u
		],
		['zip-encrypted.xlsx', PASSWORD_PROTECTED.replace('This file', 'zip-encrypted.xlsx')],
		['truncated.xlsx', /damaged or incomplete/u]
	])('refuses %s quickly', (name, message) => {
		const started = performance.now();
		expect(refusal(name)).toMatch(message);
		expect(performance.now() - started).toBeLessThan(500);
	});
});

describe('CSV through the whole pipeline', () => {
	it('reads workflow D: values checked, passwords set apart from everything shown', () => {
		const analysis = analysed('workflow-d.csv', { policy: preset('field-heavy') });
		expect(analysis).toMatchObject({
			format: 'csv',
			delimiter: ',',
			encoding: { encoding: 'utf-8', hasBom: true }
		});
		expect(analysis.counts).toMatchObject({ new: 1, error: 2 });
		expect(analysis.passwords).toEqual(
			new Map([
				[2, 'correct horse battery'],
				[4, 'enigma machine 1']
			])
		);
		const shown = JSON.stringify({ ...analysis, passwords: undefined });
		for (const password of ['correct horse battery', 'short', 'enigma machine 1']) {
			expect(shown).not.toContain(password);
		}
		expect(analysis.table.headers[3]).toBe('Password');
		expect(analysis.table.rows.map((cells) => cells[3])).toEqual(['', '', '']);
	});

	it('empties a password column even when the policy hides it', () => {
		const analysis = analysed('workflow-d.csv', { policy: preset('portal') });
		expect(analysis.passwords.size).toBe(0);
		expect(JSON.stringify(analysis)).not.toContain('correct horse battery');
	});

	it('keeps the preamble and the admin’s delimiter', () => {
		const entra = analysed('entra-bulk-create.csv');
		expect(entra.headerRow).toBe(2);
		expect(entra.table.preamble?.[0]?.[0]).toBe('version:v1.0');
		expect(entra.rows[0]?.row).toBe(3);
		const pipe = analysed('pipe.txt', { delimiter: '|' });
		expect(pipe.delimiter).toBe('|');
	});

	it('refuses an empty file, a header with no users, an unterminated quote', () => {
		expect(refusal('empty.csv')).toBe('empty.csv is empty (0 bytes): choose the file that holds the users.');
		expect(refusal('headers-only.csv')).toBe(
			'headers-only.csv has a header row but no users under it: add them, one per row.'
		);
		expect(refusal('unterminated-quote.csv')).toMatch(
			/^Row \d+ of unterminated-quote\.csv \(line \d+\) .* never closed/u
		);
	});
});

describe('the limits in Settings', () => {
	it('refuses a file over the size limit before reading a byte of it', () => {
		const bytes = new Uint8Array(Math.round(1.5 * MB)).fill(0xff);
		expect(refusal('huge.csv', { limits: { maxFileBytes: MB, maxRows: 10 } }, bytes)).toBe(
			'huge.csv is 1.5 MB; the limit is 1 MB (Settings).'
		);
		expect(
			refusal('x.csv', { limits: { maxFileBytes: 100 * MB, maxRows: 10 } }, new Uint8Array(120 * MB))
		).toBe('x.csv is 120 MB; the limit is 100 MB (Settings).');
	});

	it('refuses more rows than the limit, naming the count', () => {
		const limits = { maxFileBytes: MB, maxRows: 2 };
		expect(refusal('workflow-c.csv', { limits })).toBe(
			'workflow-c.csv has 3 rows of users; one import takes at most 2. Split it, or raise the limit (Settings → Import limits).'
		);
		expect(refusal('workbook.xlsx', { limits })).toBe(
			'The sheet "Users" in workbook.xlsx has 3 rows of users; one import takes at most 2. Split it, or raise the limit (Settings → Import limits).'
		);
		expect(
			analyseFile(
				{ name: 'c.csv', bytes: fixture('workflow-c.csv') },
				{ ...base, limits: { ...limits, maxRows: 3 } }
			).ok
		).toBe(true);
	});

	it('counts users, not lines: a quoted value spans lines, blank rows do not count', () => {
		const csv = new TextEncoder().encode(
			'Email,Note\r\na@example.com,"one\r\ntwo"\r\nb@example.com,x\r\n\r\nc@example.com,y\r\n'
		);
		expect(refusal('notes.csv', { limits: { maxFileBytes: MB, maxRows: 2 } }, csv)).toMatch(
			/^notes\.csv has 3 rows of users; one import takes at most 2\./u
		);
	});

	it('never drops the users after blank rows at the limit', () => {
		const csv = new TextEncoder().encode('Email\na@example.com\n\n\n\nc@example.com\n');
		const result = analyseFile(
			{ name: 'gaps.csv', bytes: csv },
			{ ...base, limits: { maxFileBytes: MB, maxRows: 2 } }
		);
		expect(
			result.ok && result.value.rows.filter((row) => row.status === 'new').map((row) => row.values.email)
		).toEqual(['a@example.com', 'c@example.com']);
	});
});

describe('checking against the directory, with progress', () => {
	it('updates or refuses the users already there, as the admin chose', () => {
		const directory = new Map([
			['ada@example.com', { id: 7, values: { email: 'ada@example.com', firstName: 'Ada' } }]
		]);
		const refused = analysed('workbook.xlsx', { choices: ignoreStartDate, directory });
		expect(refused.rows[0]).toMatchObject({ status: 'error', existingId: 7 });
		const updated = analysed('workbook.xlsx', { choices: ignoreStartDate, directory, updateExisting: true });
		expect(updated.rows[0]).toMatchObject({ status: 'update', existingId: 7 });
		expect(updated.counts.update).toBe(1);
	});

	it('reports progress from (0, total) to (total, total)', () => {
		const lines = [
			'Email,First name',
			...Array.from({ length: 5_000 }, (_, i) => `user${i}@example.com,User${i}`)
		];
		const bytes = new TextEncoder().encode(lines.join('\n'));
		const calls: [number, number][] = [];
		const result = analyseFile(
			{ name: 'many.csv', bytes },
			{ ...base, onProgress: (done, total) => calls.push([done, total]) }
		);
		expect(result.ok).toBe(true);
		expect(calls[0]).toEqual([0, 5_000]);
		expect(calls.at(-1)).toEqual([5_000, 5_000]);
		expect(calls.every(([done], i) => i === 0 || done >= calls[i - 1]![0])).toBe(true);
	});

	it('never throws: a failure while checking is a message', () => {
		const directory = () => {
			throw new Error('the directory went away');
		};
		expect(refusal('workflow-a.csv', { directory })).toBe(
			'The file could not be read (the directory went away): save it again from the program that made it, as CSV UTF-8 or Excel, and choose it again.'
		);
	});
});

describe('an analyser that remembers the table it read', () => {
	it('checks it again with a new mapping without the file', () => {
		const analyser = createAnalyser();
		expect(analyser.reanalyse(base)).toBeUndefined();
		const first = analyser.analyseFile({ name: 'w.xlsx', bytes: fixture('workbook.xlsx') }, base);
		expect(first.ok && first.value.mapping.isReady).toBe(false);
		const again = analyser.reanalyse({ ...base, choices: ignoreStartDate });
		expect(again?.ok && again.value.mapping.isReady).toBe(true);
		expect(again?.ok && again.value.sheet).toBe('Users');
		analyser.analyseFile({ name: 'r.xlsx', bytes: fixture('random-bytes.xlsx') }, base);
		expect(analyser.reanalyse(base)).toBeUndefined();
		expect(analyser.uniqueKeys(base)).toBeUndefined();
	});

	it("gives the directory keys of the file's emails, under the mapping chosen, to look up first", () => {
		const analyser = createAnalyser();
		const csv = [
			'Email,Other email,Name',
			// Case, spaces, a Unicode domain and an errors file's formula escape all fold to the stored key.
			'  Ada@Example.COM ,x@example.com,Ada',
			'ada@example.com,,Ada again',
			"'@odd@example.com,,Odd",
			'grace@bücher.example,,Grace',
			',,No email',
			'not an email,,Nobody'
		].join('\n');
		expect(analyser.read({ name: 'e.csv', bytes: new TextEncoder().encode(csv) }, base).ok).toBe(true);
		expect(analyser.uniqueKeys(base)?.email).toEqual([
			'ada@example.com',
			'@odd@example.com',
			'grace@xn--bcher-kva.example',
			'not an email'
		]);
		const other = new Map([
			[0, 'ignored' as const],
			[1, 'email' as const]
		]);
		expect(analyser.uniqueKeys({ ...base, choices: other })?.email).toEqual(['x@example.com']);
		expect(analyser.uniqueKeys({ ...base, choices: new Map([[0, 'ignored' as const]]) })?.email).toEqual([]);
	});
});

describe('an Analysis sent as a head and slices', () => {
	it('puts the rows, table rows and passwords back together', () => {
		const analysis = analysed('workflow-d.csv', { policy: preset('field-heavy') });
		const head = headOf(analysis);
		expect(head.rowCount).toBe(3);
		expect(head).not.toHaveProperty('rows');
		expect(head).not.toHaveProperty('passwords');
		expect(head.table).toEqual({ preamble: [], headers: analysis.table.headers });
		const [first, second] = [sliceOf(analysis, 0, 2), sliceOf(analysis, 2, 4)];
		expect([...first.rows, ...second.rows]).toEqual(analysis.rows);
		expect([...first.tableRows, ...second.tableRows]).toEqual(analysis.table.rows);
		expect(new Map([...first.passwords, ...second.passwords])).toEqual(analysis.passwords);
		expect(structuredClone(head)).toEqual(head);
	});
});

describe('the values that decide a mapping are read once per column', () => {
	it('however many mappings a file that fits no policy tries (findPresetFit maps it about 10 more times)', () => {
		let reads = 0;
		// Each row counts the reads of its first cell: 'User name', of addresses, is the email (by its values).
		const rows = Array.from(
			{ length: 20 },
			(_, i) =>
				new Proxy([`user${i}@example.com`, 'Paris'], {
					get(target, key, receiver) {
						if (key === '0') reads++;
						return Reflect.get(target, key, receiver) as unknown;
					}
				})
		);
		const source: SourceTable = {
			format: 'csv',
			preamble: [],
			headerRow: 1,
			headers: ['User name', 'Site'],
			rows
		};
		const analysis = analyseSource(source, { policy: defaultPolicy, context: gb });
		expect(analysis.mapping.columns[0]?.field).toBe('email');
		expect(analysis.mapping.isReady).toBe(false);
		// Deciding names, addresses and phones once each, and checking the row (its blank and extra cells, its username).
		expect(reads / rows.length).toBeLessThanOrEqual(6);
	});
});

describe("'Ufficio', decided by its values", () => {
	const source = (offices: string[]): SourceTable => ({
		format: 'csv',
		preamble: [],
		headerRow: 1,
		headers: ['Nome', 'Cognome', 'Email', 'Ufficio'],
		rows: offices.map((office, i) => ['Anna', 'Rossi', `anna${i}@example.it`, office])
	});

	it("of places ('Sede Milano', typed by hand) is the office, never a phone", () => {
		const analysis = analyseSource(source(['Sede Milano', 'Sede Roma', '']), {
			policy: everything,
			context: gb
		});
		expect(analysis.mapping.columns[3]).toMatchObject({ status: 'mapped', field: 'office' });
		expect(analysis.rows.map((r) => [r.values.office, r.values.businessPhone])).toEqual([
			['Sede Milano', undefined],
			['Sede Roma', undefined],
			[undefined, undefined]
		]);
		expect(analysis.warnings).toEqual([]);
	});

	it("of phone numbers (Italian Outlook's) is the business phone", () => {
		const analysis = analyseSource(source(['+39 02 1234 5678', '(02) 555-0101', 'Sede Roma']), {
			policy: everything,
			context: gb
		});
		expect(analysis.mapping.columns[3]).toMatchObject({ status: 'mapped', field: 'businessPhone' });
	});
});
