import { describe, expect, it } from 'vitest';
import { emailKey } from '../../../src/lib/domain/email';
import type { FieldPolicy } from '../../../src/lib/domain/policy';
import type { UserFields } from '../../../src/lib/domain/user';
import type { CsvTable } from '../../../src/lib/import/csv';
import { mapHeaders } from '../../../src/lib/import/headers';
import {
	checkRows,
	rowErrorText,
	type CheckOptions,
	type ExistingUser,
	type RowCheck
} from '../../../src/lib/import/rows';
import { everything, gb, preset, table } from './helpers';

/** A fixture through the whole pure pipeline: decode, parse, map headers, check rows. */
function check(name: string, policy: FieldPolicy, options: Partial<CheckOptions> = {}): RowCheck {
	const file = table(name);
	return checkTable(file, policy, options);
}

function checkTable(
	file: Pick<CsvTable, 'headers' | 'rows' | 'headerRow'>,
	policy: FieldPolicy,
	options: Partial<CheckOptions> = {}
) {
	const mapping = mapHeaders(file.headers, policy);
	return checkRows(file.rows, mapping, { policy, context: gb, firstRow: file.headerRow + 1, ...options });
}

const inline = (headers: string[], ...rows: string[][]) => ({ headers, rows, headerRow: 1 });

describe('validating rows with the registry', () => {
	it('fills defaults for empty cells (workflow C: type Standard, site HQ)', () => {
		const result = check('workflow-c.csv', preset('multi-customer'));
		expect(result.rows.map((r) => [r.row, r.status])).toEqual([
			[2, 'new'],
			[3, 'new'],
			[4, 'error']
		]);
		// Its 'User name*' holds sign-in names, so it stays the username: the missing Display name is the
		// header's problem (mapping.missing), said once, not in every row.
		expect(result.rows[0]?.values).toEqual({
			username: 'jdoe',
			email: 'jane.doe@example.com',
			userType: 'Privileged',
			site: 'Paris'
		});
		expect(result.rows[1]?.values).toMatchObject({ userType: 'Standard', site: 'HQ' });
		expect(result.errors).toEqual([
			{
				row: 4,
				column: 2,
				header: 'User type',
				field: 'userType',
				message: 'User type must be Standard or Privileged.'
			}
		]);
		expect(result.counts).toEqual({ new: 2, update: 0, unchanged: 0, error: 1, blank: 0 });
	});

	it('reports every error of workflow D by row, column and header', () => {
		const result = check('workflow-d.csv', preset('field-heavy'));
		expect(result.counts).toMatchObject({ new: 1, error: 2 });
		expect(result.errors.map((e) => [e.row, e.header, e.message])).toEqual([
			[3, 'Email', 'The email domain needs an ending such as .com or .org, as in name@example.com.'],
			[3, 'Password', 'Password needs at least 8 characters.'],
			[4, 'Mobile phone', 'Mobile phone is required.'],
			[
				4,
				'UDID',
				'UDID must be 40 hexadecimal digits, or 8 and 16 joined by a hyphen (00008030-001A2B3C4D5E6F70).'
			],
			[4, 'Add to global address book', 'In global address book must be Yes or No.']
		]);
		// An optional phone that is no number is kept as typed: a warning, not an error.
		expect(result.rows[2]?.warnings?.map((e) => [e.row, e.header, e.message])).toEqual([
			[4, 'Business phone', 'Business phone "=1+2" is not a phone number Rollcall can read: kept as typed.']
		]);
		expect(result.rows[0]?.values).toEqual({
			firstName: 'Ada',
			lastName: 'Lovelace',
			username: 'alovelace',
			mobilePhone: '+447400123456',
			email: 'ada@example.com',
			businessPhone: undefined,
			company: 'Engines Ltd',
			customerCode: '000123',
			udid: '00008030-001A2B3C4D5E6F70',
			inGlobalAddressBook: true
		});
	});

	it('never puts a password in a checked row or an error, only whether there was one', () => {
		const result = check('workflow-d.csv', preset('field-heavy'));
		const shown = JSON.stringify(result);
		for (const password of ['correct horse battery', 'short', 'enigma machine 1']) {
			expect(shown).not.toContain(password);
		}
		expect(result.rows.map((r) => r.hasPassword)).toEqual([true, false, true]);
		expect(result.rows.every((r) => !('password' in r.values))).toBe(true);
	});

	it('checks the users of real files in every encoding', () => {
		for (const name of [
			'utf8-bom.csv',
			'utf16le-unicode-text.txt',
			'utf16be-unicode-text.txt',
			'windows-1252.csv'
		]) {
			const result = check(name, everything);
			expect(result.errors, name).toEqual([]);
			expect(JSON.stringify(result), name).not.toContain('\uFFFD');
		}
		expect(check('windows-1252.csv', everything).rows[1]?.values).toMatchObject({
			firstName: 'Jürgen',
			lastName: 'Weiß',
			company: 'Müller & Söhne'
		});
		expect(check('utf8-bom.csv', everything).rows[2]?.values.site).toBe('HQ');
	});

	it('numbers rows under a preamble line from the header', () => {
		const result = check('entra-bulk-create.csv', everything);
		expect(result.rows[0]).toMatchObject({ row: 3, status: 'new', hasPassword: true });
		expect(result.rows[0]?.values).toMatchObject({
			displayName: 'Chris Green',
			email: 'chris@contoso.com',
			office: 'London',
			businessPhone: '+442079460958'
		});
	});

	it('passes over blank rows without shifting the row numbers', () => {
		const result = checkTable(inline(['Email'], ['a@example.com'], [''], ['  '], ['bad']), everything);
		expect(result.rows.map((r) => [r.row, r.status])).toEqual([
			[2, 'new'],
			[3, 'blank'],
			[4, 'blank'],
			[5, 'error']
		]);
	});

	it('does not validate the column of a field the policy hides', () => {
		const result = check('workflow-d.csv', preset('portal'));
		expect(result.errors.map((e) => e.header)).toEqual(['Email']);
	});

	it('reports a value past the last column (a delimiter that needed quotes)', () => {
		const result = checkTable(
			inline(['Email', 'Company'], ['a@example.com', 'Acme', ' Ltd'], ['b@example.com', 'B', '']),
			everything
		);
		expect(result.rows[0]?.errors).toEqual([
			{
				row: 2,
				column: 2,
				header: 'Column C',
				message:
					'This row has a value in column C, past the 2 columns of the header: a value that contains the delimiter must be in quotes.'
			}
		]);
		expect(result.rows[1]?.status).toBe('new');
	});

	it('reports the replacement character left by an earlier bad conversion', () => {
		const result = checkTable(inline(['Email', 'Last name'], ['a@example.com', 'M\uFFFDller']), everything);
		expect(result.errors[0]?.message).toBe(
			'Last name contains �, a character lost by an earlier conversion of the file: retype it.'
		);
	});

	it('reads back a cell escaped against formulae in an errors file', () => {
		const result = checkTable(
			inline(['Email', 'Business phone'], ['a@example.com', "'+44 20 7946 0958"]),
			everything
		);
		expect(result.rows[0]?.values.businessPhone).toBe('+442079460958');
	});

	it('writes errors in one line per row for the errors file', () => {
		const result = check('workflow-d.csv', preset('field-heavy'));
		expect(rowErrorText(result.rows[0]!)).toBe('');
		expect(rowErrorText(result.rows[1]!)).toBe(
			'Email: The email domain needs an ending such as .com or .org, as in name@example.com. Password: Password needs at least 8 characters.'
		);
	});
});

describe('duplicates inside the file', () => {
	it('finds repeats of an email in another case, with spaces, in NFD or punycode, naming the row repeated', () => {
		const result = check('duplicate-emails.csv', everything);
		expect(result.errors.map((e) => [e.row, e.header, e.message])).toEqual([
			[3, 'Email', 'Row 2 already has the email ada@example.com.'],
			[5, 'Email', 'Row 4 already has the email bea@bücher.de.'],
			[6, 'Email', 'Row 4 already has the email bea@xn--bcher-kva.de.'],
			[7, 'Username', 'Row 2 already has the username ADA.'],
			[7, 'Customer code', 'Row 2 already has the customer code 00042.']
		]);
		expect(result.rows.map((r) => r.status)).toEqual(['new', 'error', 'new', 'error', 'error', 'error']);
	});
});

describe('comparing with the directory', () => {
	const stored: Partial<UserFields> = {
		firstName: 'Ada',
		lastName: 'Lovelace',
		email: 'ada@example.com',
		company: 'Engines Ltd',
		site: 'HQ',
		userType: 'Standard',
		inGlobalAddressBook: false
	};
	const file = inline(
		['First name', 'Last name', 'Email', 'Company'],
		['Ada', 'Lovelace', 'ADA@example.com', ''],
		['Ada', 'King', 'ada@example.com ', 'Engines Ltd'],
		['Grace', 'Hopper', 'grace@example.com', 'Navy']
	);
	const directory = (user: ExistingUser) => new Map([[emailKey('ada@example.com'), user]]);

	it('classifies rows as unchanged, update or new; empty cells never count as changes', () => {
		const rows = [file.rows[0]!, file.rows[2]!];
		const result = checkTable({ ...file, rows }, everything, {
			directory: directory({ id: 7, values: stored }),
			updateExisting: true
		});
		expect(result.rows.map((r) => [r.status, r.existingId])).toEqual([
			['unchanged', 7],
			['new', undefined]
		]);
		const changed = checkTable({ ...file, rows: [file.rows[1]!] }, everything, {
			directory: directory({ id: 7, values: stored }),
			updateExisting: true
		});
		expect(changed.rows[0]).toMatchObject({ status: 'update', existingId: 7, changes: ['lastName'] });
	});

	it("makes a changed existing user an error unless 'Update existing users' is on", () => {
		const options = { directory: directory({ id: 7, values: stored }) };
		expect(checkTable({ ...file, rows: [file.rows[0]!] }, everything, options).rows[0]?.status).toBe(
			'unchanged'
		);
		const changed = checkTable({ ...file, rows: [file.rows[1]!] }, everything, options);
		expect(changed.rows[0]?.status).toBe('error');
		expect(changed.rows[0]?.errors).toEqual([
			{
				row: 2,
				column: 2,
				header: 'Email',
				field: 'email',
				message:
					"A user with this email is already in the directory: turn on 'Update existing users' to update them, or remove this row."
			}
		]);
	});

	it('takes a plain Map of email keys to ids, or a lookup function', () => {
		const byId = checkTable(file, everything, {
			directory: new Map([['ada@example.com', 7]]),
			updateExisting: true
		});
		// Without stored values a match cannot be shown unchanged: every filled cell is an update.
		expect(byId.rows.map((r) => r.status)).toEqual(['update', 'error', 'new']);
		expect(byId.rows[0]?.changes).toEqual(['firstName', 'lastName', 'email']);
		const byFunction = checkTable(file, everything, {
			directory: (key) => (key === 'grace@example.com' ? 9 : undefined),
			updateExisting: true
		});
		expect(byFunction.rows.map((r) => [r.status, r.existingId])).toEqual([
			['new', undefined],
			['error', undefined],
			['update', 9]
		]);
	});

	it('refuses a username or customer code that another directory user has', () => {
		const result = checkTable(
			inline(
				['Email', 'Username', 'Customer code'],
				['new@example.com', 'JSmith', '00042'],
				['js@example.com', 'jsmith', '00042']
			),
			everything,
			{
				directory: {
					byEmail: new Map([['js@example.com', 3]]),
					byUsername: new Map([['jsmith', 3]]),
					byCustomerCode: (key) => (key === '00042' ? 3 : undefined)
				},
				updateExisting: true
			}
		);
		expect(result.rows[0]?.errors.map((e) => e.message)).toEqual([
			'Another user in the directory already has the username JSmith.',
			'Another user in the directory already has the customer code 00042.'
		]);
		// The same user keeping their own username and code is no conflict (only the file's repeat is).
		expect(result.rows[1]?.errors.map((e) => e.message)).toEqual([
			'Row 2 already has the username jsmith.',
			'Row 2 already has the customer code 00042.'
		]);
	});
});
