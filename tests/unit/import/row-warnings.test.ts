import { describe, expect, it } from 'vitest';
import { emailKey } from '../../../src/lib/domain/email';
import { defaultPolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import { defaultImportLimits } from '../../../src/lib/domain/settings';
import { mapHeaders, type HeaderMapping } from '../../../src/lib/import/headers';
import { analyseFile, headOf, sliceOf } from '../../../src/lib/import/pipeline';
import { RowChecker, type CheckOptions } from '../../../src/lib/import/rows';
import { gb } from './helpers';

/**
 * Values Rollcall keeps as typed without being able to check them (an optional phone it cannot read):
 * warnings beside the errors, which never block a row.
 */

const withPhones: FieldPolicy = { ...defaultPolicy, mobilePhone: 'optional', businessPhone: 'optional' };
const headers = ['First name', 'Last name', 'Email', 'Mobile phone', 'Business phone', 'Country'];

/** The file's header mapping, with its country column as given (null: none) or as mapHeaders finds it. */
function mappingOf(policy: FieldPolicy, countryColumn?: number | null): HeaderMapping {
	const mapping = mapHeaders(headers, policy);
	if (countryColumn === undefined) return mapping;
	return { ...mapping, countryColumns: countryColumn === null ? [] : [countryColumn] };
}

function checker(options: Partial<CheckOptions> & { countryColumn?: number | null } = {}) {
	const { countryColumn, ...rest } = options;
	const policy = rest.policy ?? withPhones;
	return new RowChecker(mappingOf(policy, countryColumn), { policy, context: gb, ...rest });
}

const row = (mobile: string, business: string, country = '', email = 'ann@example.com') => [
	'Ann',
	'Lee',
	email,
	mobile,
	business,
	country
];

describe('warnings of a row', () => {
	it('keeps an optional phone it cannot read as typed, with a warning where the admin finds it', () => {
		const checked = checker().check(row('07400 123456', ' 12345 '), 2);
		expect(checked.status).toBe('new');
		expect(checked.errors).toEqual([]);
		expect(checked.values).toMatchObject({ mobilePhone: '+447400123456', businessPhone: '12345' });
		expect(checked.warnings).toEqual([
			{
				row: 2,
				column: 4,
				header: 'Business phone',
				field: 'businessPhone',
				message: 'Business phone "12345" is not a phone number Rollcall can read: kept as typed.'
			}
		]);
	});

	it('gives no warnings array to a row without any', () => {
		const checked = checker().check(row('07400 123456', '61425555010'), 2);
		expect(checked).not.toHaveProperty('warnings');
		// Digits whose + Excel dropped: an Australian number.
		expect(checked.values.businessPhone).toBe('+61425555010');
		expect(checker().check(['', '', '', '', '', ''], 3)).not.toHaveProperty('warnings');
	});

	it('keeps a number Excel rounded, saying so', () => {
		const checked = checker().check(row('4.42079E+12', ''), 2);
		expect(checked.status).toBe('new');
		expect(checked.values.mobilePhone).toBe('4.42079E+12');
		expect(checked.warnings?.[0]?.message).toMatch(/^Mobile phone "4\.42079E\+12" was rounded by Excel/u);
	});

	it('still refuses a required phone it cannot read', () => {
		const policy: FieldPolicy = { ...withPhones, mobilePhone: 'required' };
		const checked = checker({ policy }).check(row('12345', '12345'), 2);
		expect(checked.status).toBe('error');
		expect(checked.errors.map((e) => [e.field, e.message])).toEqual([
			['mobilePhone', 'Mobile phone is not a valid GB number; for another country start with + and its code.']
		]);
		expect(checked.warnings?.map((w) => w.field)).toEqual(['businessPhone']);
	});

	it('keeps warnings of a row in error: the admin sees them when fixing it', () => {
		const checked = checker().check(row('', '12345', '', 'not an email'), 5);
		expect(checked.status).toBe('error');
		expect(checked.warnings).toHaveLength(1);
	});
});

describe("a row's own country", () => {
	const hidesCountry: FieldPolicy = { ...withPhones, country: 'hidden' };

	it('reads national numbers with the country column even when the policy hides Country', () => {
		const check = checker({ policy: hidesCountry, countryColumn: 5 });
		const rows = [
			check.check(row('0425 555 010', '(02) 9374 4000', 'Australia'), 2),
			check.check(row('0425 555 010', '', 'AU', 'bo@example.com'), 3),
			check.check(row('0170 1234567', '', 'Deutschland', 'cy@example.com'), 4),
			check.check(row('06 12 34 56 78', '', 'france', 'di@example.com'), 5)
		];
		expect(rows.map((r) => [r.status, r.values.mobilePhone, r.warnings])).toEqual([
			['new', '+61425555010', undefined],
			['new', '+61425555010', undefined],
			['new', '+491701234567', undefined],
			['new', '+33612345678', undefined]
		]);
		expect(rows[0]?.values.businessPhone).toBe('+61293744000');
		// Hidden: read for the phones, never kept.
		for (const checked of rows) expect(checked.values).not.toHaveProperty('country');
	});

	it('falls back to the default country for a row with no country, or one that is no country', () => {
		const check = checker({ policy: hidesCountry, countryColumn: 5 });
		expect(check.check(row('07400 123456', '', ''), 2).values.mobilePhone).toBe('+447400123456');
		expect(check.check(row('07400 123456', '', 'Atlantis'), 3).values.mobilePhone).toBe('+447400123456');
		// An Australian number in a row without its country: kept as typed, with a warning.
		const unread = check.check(row('0425 555 010', '', ''), 4);
		expect(unread.values.mobilePhone).toBe('0425 555 010');
		expect(unread.warnings?.map((w) => w.field)).toEqual(['mobilePhone']);
	});

	it('reads the cell as the other cells are: a formula-escaped one unescaped', () => {
		const check = checker({ policy: hidesCountry, countryColumn: 5 });
		expect(check.check(row('0425 555 010', '', "'AU"), 2).values.mobilePhone).toBe('+61425555010');
	});

	it('finds the Country column the policy hides', () => {
		expect(mappingOf(hidesCountry).countryColumns).toEqual([5]);
		const checked = checker({ policy: hidesCountry }).check(row('0425 555 010', '', 'Australia'), 2);
		expect(checked.values.mobilePhone).toBe('+61425555010');
	});

	it('without the column, reads with the default country', () => {
		const checked = checker({ policy: hidesCountry, countryColumn: null }).check(
			row('0425 555 010', '', 'Australia'),
			2
		);
		expect(checked.values.mobilePhone).toBe('0425 555 010');
		expect(checked.warnings).toHaveLength(1);
	});

	it('when Country is a field of the policy, reads and keeps the mapped cell', () => {
		const policy: FieldPolicy = { ...withPhones, country: 'optional' };
		const checked = checker({ policy, countryColumn: 5 }).check(row('0425 555 010', '', 'Australia'), 2);
		expect(checked.values).toMatchObject({ country: 'AU', mobilePhone: '+61425555010' });
	});
});

describe('a row of an Entra bulk-create file: Country, else its usage location', () => {
	const entra = [
		'Name [displayName] Required',
		'User name [userPrincipalName] Required',
		'Usage location [usageLocation]',
		'Country or region [country]',
		'Mobile phone [mobile]'
	];
	const entraRow = (usage: string, country: string, mobile: string) => [
		'Ann Lee',
		'ann@contoso.com',
		usage,
		country,
		mobile
	];

	it.each<[string, FieldPolicy]>([
		['Country a field', { ...withPhones, country: 'optional' }],
		['Country hidden', { ...withPhones, country: 'hidden' }]
	])('reads the phone with the usage location where Country is empty (%s)', (_, policy) => {
		const mapping = mapHeaders(entra, policy);
		expect(mapping.countryColumns).toEqual([3, 2]);
		const check = new RowChecker(mapping, { policy, context: gb });
		const checked = check.check(entraRow('AU', '', '0425 555 010'), 2);
		expect(checked).toMatchObject({ status: 'new', values: { mobilePhone: '+61425555010' } });
		expect(checked).not.toHaveProperty('warnings');
		// The usage location is read, never stored: it says where licences are used.
		expect(checked.values.country).toBeUndefined();
		// A Country cell wins over the usage location.
		const both = check.check(entraRow('AU', 'France', '06 12 34 56 78'), 3);
		expect(both.values.mobilePhone).toBe('+33612345678');
	});
});

describe('an update whose optional phone cannot be read', () => {
	const stored = {
		firstName: 'Ann',
		lastName: 'Lee',
		email: 'ann@example.com',
		mobilePhone: '+447400123456'
	};
	const updating = (values: Record<string, string>) =>
		checker({
			updateExisting: true,
			directory: new Map([[emailKey('ann@example.com'), { id: 7, values: { ...stored, ...values } }]])
		});

	it('keeps the stored number: the cell is no change, and the warning says so', () => {
		const checked = updating({}).check(row('12345', ''), 2);
		expect(checked.status).toBe('unchanged');
		expect(checked.values.mobilePhone).toBe('+447400123456');
		expect(checked.warnings?.map((w) => [w.header, w.message])).toEqual([
			['Mobile phone', 'Mobile phone "12345" cannot be read: the stored number is kept.']
		]);
		// Another cell's change updates the user, the phone still kept.
		const other = updating({ firstName: 'Anne' }).check(row('12345', ''), 2);
		expect(other).toMatchObject({ status: 'update', changes: ['firstName'] });
		expect(other.values.mobilePhone).toBe('+447400123456');
	});

	it('keeps the cell as typed where no number is stored, or only one kept as typed', () => {
		for (const mobilePhone of ['', 'call reception']) {
			const checked = updating({ mobilePhone }).check(row('12345', ''), 2);
			expect(checked).toMatchObject({ status: 'update', changes: ['mobilePhone'] });
			expect(checked.values.mobilePhone).toBe('12345');
			expect(checked.warnings?.[0]?.message).toBe(
				'Mobile phone "12345" is not a phone number Rollcall can read: kept as typed.'
			);
		}
	});
});

describe("warnings and 'Send login details by SMS'", () => {
	const withPassword: FieldPolicy = { ...withPhones, password: 'optional' };
	const smsHeaders = [...headers, 'Password'];
	const smsRow = (mobile: string, password: string, email = 'ann@example.com') => [
		...row(mobile, '', '', email),
		password
	];
	const smsChecker = (options: Partial<CheckOptions> = {}) =>
		new RowChecker(mapHeaders(smsHeaders, withPassword), {
			policy: withPassword,
			context: gb,
			...options
		});

	it("makes a new user's unreadable mobile an error: their login details go to it", () => {
		const checked = smsChecker({ sendsSms: true }).check(smsRow('12345', 'correct horse battery'), 2);
		expect(checked.status).toBe('error');
		expect(checked.errors.map((e) => [e.header, e.message])).toEqual([
			[
				'Mobile phone',
				`Mobile phone "12345" is not a phone number Rollcall can read, and this new user's login details go to it by SMS: correct it, or turn off 'Send login details by SMS'.`
			]
		]);
		expect(checked).not.toHaveProperty('warnings');
	});

	it('leaves it a warning when no SMS goes: the switch off, no password, or an existing user', () => {
		expect(smsChecker().check(smsRow('12345', 'correct horse battery'), 2).status).toBe('new');
		expect(smsChecker({ sendsSms: true }).check(smsRow('12345', ''), 2)).toMatchObject({
			status: 'new',
			warnings: [{ field: 'mobilePhone' }]
		});
		const existing = smsChecker({
			sendsSms: true,
			updateExisting: true,
			directory: new Map([[emailKey('ann@example.com'), 7]])
		}).check(smsRow('12345', 'correct horse battery'), 2);
		expect(existing).toMatchObject({ status: 'update', existingId: 7, warnings: [{ field: 'mobilePhone' }] });
	});

	it('a readable mobile is no problem with the switch on', () => {
		const checked = smsChecker({ sendsSms: true }).check(smsRow('61425555010', 'correct horse battery'), 2);
		expect(checked).toMatchObject({ status: 'new', values: { mobilePhone: '+61425555010' } });
	});
});

describe('warnings through the pipeline', () => {
	const csv = [
		headers.join(','),
		row('07400 123456', '12345').join(','),
		row('61425555010', '', '', 'bob@example.com').join(','),
		row('4.42079E+12', 'call reception', '', 'cy@example.com').join(','),
		row('', '', '', 'not an email').join(','),
		row('', '555', '', 'also not an email').join(',')
	].join('\r\n');
	const analysis = () => {
		const result = analyseFile(
			{ name: 'people.csv', bytes: new TextEncoder().encode(csv) },
			{ policy: withPhones, context: gb, limits: defaultImportLimits }
		);
		if (!result.ok) throw new Error(result.message);
		return result.value;
	};

	it('counts rows with warnings apart from what the rows would do', () => {
		const { counts, rowsWithWarnings, warnings } = analysis();
		expect(counts).toEqual({ new: 3, update: 0, unchanged: 0, error: 2, blank: 0 });
		expect(rowsWithWarnings).toBe(3);
		expect(warnings.map((w) => [w.row, w.header])).toEqual([
			[2, 'Business phone'],
			[4, 'Mobile phone'],
			[4, 'Business phone'],
			[6, 'Business phone']
		]);
	});

	it('sends the count in the head and the warnings with their rows', () => {
		const whole = analysis();
		expect(headOf(whole)).toMatchObject({ rowsWithWarnings: 3 });
		expect(headOf(whole)).not.toHaveProperty('warnings');
		const slice = sliceOf(whole, 0, 3);
		expect(slice.rows.map((r) => r.warnings?.length ?? 0)).toEqual([1, 0, 2]);
	});

	it('turns the warnings of SMS mobiles into errors when asked', () => {
		const withPassword: FieldPolicy = { ...withPhones, password: 'optional' };
		const file = `${[...headers, 'Password'].join(',')}\r\n${[...row('12345', ''), 'correct horse battery'].join(',')}`;
		const result = analyseFile(
			{ name: 'people.csv', bytes: new TextEncoder().encode(file) },
			{ policy: withPassword, context: gb, limits: defaultImportLimits, sendsSms: true }
		);
		expect(result.ok && [result.value.counts.error, result.value.rowsWithWarnings]).toEqual([1, 0]);
	});
});
