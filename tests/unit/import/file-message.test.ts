import { describe, expect, it } from 'vitest';
import { defaultImportLimits } from '../../../src/lib/domain/settings';
import { aboutFile } from '../../../src/lib/import/file-message';
import { readSource } from '../../../src/lib/import/pipeline';
import { fixture, fixtureNames } from './helpers';

describe('aboutFile', () => {
	it.each([
		['The file is empty.', 'staff.csv is empty.'],
		['This file is password-protected, so...', 'staff.xlsx is password-protected, so...'],
		['This workbook has no sheet named "Staff".', 'staff.xlsx has no sheet named "Staff".'],
		['This is a Word document, not a spreadsheet.', 'staff.xlsx is a Word document, not a spreadsheet.'],
		['The sheet "Users" is empty.', 'The sheet "Users" in staff.xlsx is empty.'],
		['Row 4 (line 5) opens a quoted value...', 'Row 4 of staff.csv (line 5) opens a quoted value...'],
		['Nothing was imported: row 3 has no email.', 'Nothing was imported from staff.csv: row 3 has no email.'],
		['The disk is full.', 'staff.csv: The disk is full.']
	])('%s', (message, named) => {
		const name = named.match(/staff\.\w+/u)![0];
		expect(aboutFile(name, message)).toBe(named);
	});

	it('leaves a message that names the file already, so the session may pass on what readSource said', () => {
		const once = aboutFile('staff.csv', 'The file is empty.');
		expect(aboutFile('staff.csv', once)).toBe(once);
		expect(aboutFile('people.json', '“people.json” is not valid JSON.')).toBe(
			'“people.json” is not valid JSON.'
		);
		for (const message of [
			'Row 4 of staff.csv (line 5) opens...',
			'The sheet "Users" in staff.csv is empty.'
		]) {
			expect(aboutFile('staff.csv', message)).toBe(message);
		}
	});

	it('is not fooled by a name that is also a word of the message', () => {
		expect(aboutFile('a', 'This file is a web page.')).toBe('a is a web page.');
		expect(aboutFile('Users (1).csv', 'The file is empty.')).toBe('Users (1).csv is empty.');
		expect(aboutFile('Users (1).csv', 'Users (1).csv is empty.')).toBe('Users (1).csv is empty.');
	});
});

describe('every refusal of a file names it', () => {
	const limits = { ...defaultImportLimits, maxCells: 100_000 };
	const refused = fixtureNames().flatMap((name) => {
		const result = readSource({ name, bytes: fixture(name) }, { limits });
		return result.ok ? [] : [[name, result.message] as const];
	});

	it('finds the bad fixtures', () => {
		// Empty, headers only, not text, a web page, random bytes, password-protected, damaged, bombs...
		expect(refused.length).toBeGreaterThanOrEqual(12);
	});

	it.each(refused)('%s', (name, message) => {
		expect(message).toContain(name);
		expect(message).not.toMatch(/\b(?:This|The) (?:file|workbook)\b/u);
	});
});
