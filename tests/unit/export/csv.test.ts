import { describe, expect, it } from 'vitest';
import { createWriter } from '../../../src/lib/export/writer';
import { request, storedUser, text, writeAll } from './helpers';

describe('CSV export, Rollcall shape', () => {
	it('writes a BOM, the visible fields by label plus status and times, CRLF line ends', () => {
		const writer = createWriter(request());
		const ada = storedUser({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' });
		const csv = text(writeAll(writer, [ada]));
		expect(csv.startsWith('\uFEFF')).toBe(true);
		const [header, row, rest] = csv.slice(1).split('\r\n');
		expect(header).toBe(
			'First name,Last name,Display name,Email,Username,User type,Site,Mobile phone,Business phone,Company,Job title,Department,Status,Activated,Last login'
		);
		expect(row).toBe(
			'Ada,Lovelace,,ada@example.com,,Standard,HQ,,,,,,Active,2026-01-03T08:00:00.000Z,2026-12-06T17:45:00.000Z'
		);
		expect(rest).toBe('');
		expect(writer.fileName(1, 1)).toBe('rollcall-users-2026-12-07.csv');
		expect(writer.fileName(2, 5)).toBe('rollcall-users-2026-12-07-part-2-of-5.csv');
	});

	it('quotes as RFC 4180 says and neutralises formulas, with ; for European Excel', () => {
		const writer = createWriter(request({ delimiter: ';' }));
		const user = storedUser({
			firstName: 'Jean; "JJ"',
			lastName: '=HYPERLINK("x")',
			email: 'jj@example.com',
			mobilePhone: '+33612345678'
		});
		const [, row] = text(writeAll(writer, [user]))
			.slice(1)
			.split('\r\n');
		expect(row!.startsWith(`"Jean; ""JJ""";"'=HYPERLINK(""x"")";`)).toBe(true);
		expect(row).toContain(';+33612345678;');
	});
});
