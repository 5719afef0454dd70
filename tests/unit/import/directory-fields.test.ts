import { describe, expect, it } from 'vitest';
import type { FieldKey } from '../../../src/lib/domain/fields';
import { defaultPolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import { defaultImportLimits } from '../../../src/lib/domain/settings';
import { hiddenFields, type ColumnTarget } from '../../../src/lib/import/headers';
import { analyseFile, type AnalyseOptions, type Analysis } from '../../../src/lib/import/pipeline';
import { cellText } from '../../../src/lib/import/xlsx';
import { everything, fixture, gb } from './helpers';

function analysed(name: string, policy: FieldPolicy, choices?: Map<number, ColumnTarget>): Analysis {
	const options: AnalyseOptions = { policy, context: gb, limits: defaultImportLimits, choices };
	const result = analyseFile({ name, bytes: fixture(name) }, options);
	if (!result.ok) throw new Error(`${name}: ${result.message}`);
	return result.value;
}

/** What 'Turn on all N fields' does: the policy with the hidden fields the file names made optional. */
const turnedOn = (policy: FieldPolicy, keys: readonly FieldKey[]): FieldPolicy => ({
	...policy,
	...Object.fromEntries(keys.map((key) => [key, 'optional']))
});

const errorsOf = (analysis: Analysis, row: number) =>
	analysis.errors.filter((e) => e.row === row).map((e) => [e.header, e.message]);

describe("Microsoft 365 'Add multiple users', addresses typed by people", () => {
	// Its 'User Name' is the sign-in address: the admin maps it to Email (Rollcall reads 'User Name' as Username).
	const userNameIsEmail = new Map<number, ColumnTarget>([[0, 'email']]);

	it('offers the address fields the default policy hides, instead of dropping their columns', () => {
		const { mapping } = analysed('microsoft-365-add-users.csv', defaultPolicy, userNameIsEmail);
		expect(hiddenFields(mapping)).toEqual([
			'office',
			'streetAddress',
			'city',
			'region',
			'postalCode',
			'country'
		]);
		expect(mapping.columns.find((c) => c.header === 'City')).toMatchObject({
			status: 'ignored',
			reason: 'City is hidden by the field policy.',
			hiddenField: 'city'
		});
		// Nothing is turned on by reading the file: the mapping is ready with those columns ignored.
		expect(mapping.isReady).toBe(true);
		expect(mapping.columns.find((c) => c.header === 'Fax')?.status).toBe('ignored');
		expect(mapping.columns.find((c) => c.header === 'Alternate email address')?.status).toBe('ignored');
	});

	it('once turned on, stores each field as the directories keep it', () => {
		const first = analysed('microsoft-365-add-users.csv', defaultPolicy, userNameIsEmail);
		const analysis = analysed(
			'microsoft-365-add-users.csv',
			turnedOn(defaultPolicy, hiddenFields(first.mapping)),
			userNameIsEmail
		);
		expect(hiddenFields(analysis.mapping)).toEqual([]);
		expect(analysis.counts).toMatchObject({ new: 4, error: 1 });
		expect(analysis.rows.map((r) => r.values)).toMatchObject([
			{
				email: 'ada@contoso.com',
				office: 'B-204',
				streetAddress: '12 Analytical Row, Flat 2',
				city: 'London',
				region: 'Greater London',
				postalCode: 'EC1A 1BB',
				country: 'GB',
				mobilePhone: '+447400123456'
			},
			// A French mobile typed without +33 is read as French: the row says France.
			{ email: 'jean.dupont@contoso.com', postalCode: '06000', country: 'FR', mobilePhone: '+33612345678' },
			{
				email: 'dana@contoso.com',
				region: 'MA',
				postalCode: '02108',
				country: 'US',
				businessPhone: '+16175550142'
			},
			{ email: 'klaus@contoso.com', city: 'München', country: 'DE', mobilePhone: '+4915123456789' },
			{ email: 'nemo@contoso.com' }
		]);
		expect(errorsOf(analysis, 6)).toEqual([
			[
				'Country or Region',
				'Country "Atlantis" is not a country Rollcall knows: give its name (United Kingdom) or its two-letter code (GB).'
			]
		]);
	});
});

describe('Okta CSV import with its profile attributes', () => {
	const analysis = analysed('okta-profile.csv', everything);

	it('reads countryCode, preferredLanguage, timezone and the enterprise attributes', () => {
		expect(analysis.rows[0]?.values).toMatchObject({
			streetAddress: '935 Pennsylvania Avenue NW',
			city: 'Washington',
			region: 'DC',
			postalCode: '20535',
			country: 'US',
			preferredLanguage: 'en-US',
			timeZone: 'America/New_York',
			employeeNumber: '000042',
			costCenter: 'CC-100',
			organization: 'FBI',
			division: 'Criminal Investigative',
			department: 'X-Files'
		});
		expect(analysis.rows[1]?.values).toMatchObject({
			postalCode: 'SW1A 1AA',
			country: 'GB',
			preferredLanguage: 'en-GB',
			timeZone: 'Europe/London',
			employeeNumber: '007001'
		});
		// Okta's own id of the manager and its locale have no field: ignored, not errors.
		expect(analysis.mapping.columns.find((c) => c.header === 'managerId')?.status).toBe('ignored');
		expect(analysis.mapping.columns.find((c) => c.header === 'locale')?.status).toBe('ignored');
		// Okta's manager is free text: with a name among its values, it is not Rollcall's (an email).
		expect(analysis.mapping.columns.find((c) => c.header === 'manager')).toMatchObject({
			status: 'ignored',
			reason: "Okta's manager is free text (a name), while Rollcall names a manager by email."
		});
	});

	it('says what is wrong with each value, by its column', () => {
		expect(errorsOf(analysis, 4)).toEqual([
			[
				'countryCode',
				'Country "XX" is not a country Rollcall knows: give its name (United Kingdom) or its two-letter code (GB).'
			],
			[
				'preferredLanguage',
				'Preferred language "Klingon" is not a language Rollcall knows: give a language code such as en-GB or fr, or a name such as English.'
			],
			[
				'timezone',
				'Time zone "GMT+1 (summer)" is not a time zone Rollcall knows: give its IANA name, such as Europe/London or America/New_York.'
			]
		]);
	});
});

describe('Active Directory Get-ADUser export with c, co and manager', () => {
	it("takes the ISO code of 'c' over the name in 'co', and ignores a manager DN, which is not an email", () => {
		const analysis = analysed('active-directory-addresses.csv', everything);
		expect(analysis.mapping.shape?.name).toBe('Active Directory export (Get-ADUser)');
		expect(analysis.mapping.problems).toEqual([]);
		const at = (header: string) => analysis.mapping.columns.find((c) => c.header === header);
		expect(at('c')).toMatchObject({ status: 'mapped', field: 'country' });
		expect(at('co')).toMatchObject({ status: 'mapped', field: 'country', backupOf: at('c')?.index });
		expect(at('userPrincipalName')).toMatchObject({ field: 'email', backupOf: at('mail')?.index });
		expect(at('manager')).toMatchObject({
			status: 'ignored',
			reason: "Active Directory's manager is a distinguished name (CN=...), not the manager's email."
		});
		expect(analysis.mapping.countryColumns).toEqual([at('c')?.index]);
	});

	it('imports every row with no choice of the admin', () => {
		const analysis = analysed('active-directory-addresses.csv', everything);
		expect(analysis.counts).toMatchObject({ new: 2, error: 0 });
		expect(analysis.rows.map((r) => r.values)).toMatchObject([
			{
				email: 'walter.skinner@example.com',
				city: 'Washington',
				region: 'DC',
				postalCode: '20535',
				country: 'US',
				employeeNumber: '000017'
			},
			// A German mobile without +49: the row's country says where it is.
			{
				city: 'München',
				region: 'Bayern',
				country: 'DE',
				mobilePhone: '+4915123456789',
				employeeNumber: '000018'
			}
		]);
	});

	it('reads the country name of co when the file has no c column', () => {
		const text = 'mail,co\r\nada@example.com,United Kingdom\r\n';
		const result = analyseFile(
			{ name: 'co.csv', bytes: new TextEncoder().encode(text) },
			{ policy: everything, context: gb, limits: defaultImportLimits }
		);
		expect(result.ok && result.value.rows[0]?.values.country).toBe('GB');
	});
});

describe('postal codes and employee numbers from workbooks', () => {
	it('keeps the leading zeros a 00000 format or a text cell shows', () => {
		expect(cellText({ t: 'n', v: 1234, w: '01234', z: '00000' })).toBe('01234');
		expect(cellText({ t: 's', v: '06000', w: '06000' })).toBe('06000');
	});

	it('reads a number typed into a General cell as Excel shows it: its zeros were lost before Rollcall saw it', () => {
		expect(cellText({ t: 'n', v: 1234, w: '1234' })).toBe('1234');
	});
});
