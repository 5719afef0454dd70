import { describe, expect, it } from 'vitest';
import { defaultPolicy, presets } from '../../../src/lib/domain/policy';
import { exportShapes, type ExportShape } from '../../../src/lib/export/shapes';
import { createWriter, type ExportFormat } from '../../../src/lib/export/writer';
import { parseCsv } from '../../../src/lib/import/csv';
import { analyseSource, readSource } from '../../../src/lib/import/pipeline';
import { request, storedUser, text, writeAll } from './helpers';

/** The header rows exactly as /work/shared/VENDOR-FORMATS.md gives them (§1a, §2a, §3a, §4a). */
const vendorHeaders: Record<Exclude<ExportShape, 'rollcall'>, string> = {
	'microsoft-365':
		'User Name,First Name,Last Name,Display Name,Job Title,Department,Office Number,Office Phone,Mobile Phone,Fax,Alternate email address,Address,City,State or Province,ZIP or Postal Code,Country or Region',
	entra:
		'Name [displayName] Required,User name [userPrincipalName] Required,Initial password [passwordProfile] Required,Block sign in (Yes/No) [accountEnabled] Required,First name [givenName],Last name [surname],Job title [jobTitle],Department [department],Usage location [usageLocation],Street address [streetAddress],State or province [state],Country or region [country],Office [physicalDeliveryOfficeName],City [city],ZIP or postal code [postalCode],Office phone [telephoneNumber],Mobile phone [mobile]',
	google:
		'First Name [Required],Last Name [Required],Email Address [Required],Password [Required],Password Hash Function [UPLOAD ONLY],Org Unit Path [Required],New Primary Email [UPLOAD ONLY],Recovery Email,Home Secondary Email,Work Secondary Email,Recovery Phone [MUST BE IN THE E.164 FORMAT],Work Phone,Home Phone,Mobile Phone,Work Address,Home Address,Employee ID,Employee Type,Employee Title,Manager Email,Department,Cost Center,Building ID,Floor Name,Floor Section,Change Password at Next Sign-In,New Status [UPLOAD ONLY],New Licenses [UPLOAD ONLY],Advanced Protection Program enrollment',
	okta: 'login,firstName,lastName,middleName,honorificPrefix,honorificSuffix,email,title,displayName,nickName,profileUrl,secondEmail,mobilePhone,primaryPhone,streetAddress,city,state,zipCode,countryCode,postalAddress,preferredLanguage,locale,timezone,userType,employeeNumber,costCenter,organization,division,department,managerId,manager'
};

/** Every field on, so the vendor columns are filled wherever Rollcall has a value. */
const everything = presets.find((p) => p.id === 'field-heavy')!.policy;
const allOn = Object.fromEntries(
	Object.keys(everything).map((key) => [
		key,
		key === 'email' ? 'required' : key === 'password' ? 'hidden' : 'optional'
	])
) as typeof everything;

const ada = storedUser(
	{
		firstName: 'Ada',
		lastName: 'Lovelace',
		email: 'ada@example.com',
		username: 'ada',
		jobTitle: 'Engineer',
		department: 'Research',
		mobilePhone: '+447911123456',
		businessPhone: '+442079460958',
		streetAddress: '12 Analytical Row',
		city: 'London',
		region: 'Greater London',
		postalCode: 'EC1A 1BB',
		country: 'GB',
		office: '2nd floor',
		employeeNumber: '000042',
		costCenter: 'CC-100',
		manager: 'grace@example.com'
	},
	{ status: 'Suspended' }
);

function csvOf(shape: ExportShape, policy = allOn) {
	const writer = createWriter(request({ shape }, policy));
	const csv = text(writeAll(writer, [ada]));
	return { writer, csv, table: parseCsv(csv.slice(1)) };
}

describe('vendor shapes', () => {
	it.each(Object.entries(vendorHeaders))('%s: the header row is exactly the template', (shape, header) => {
		const { csv } = csvOf(shape as ExportShape);
		const lines = csv.slice(1).split('\r\n');
		const headerLine = shape === 'entra' ? lines[1] : lines[0];
		expect(headerLine).toBe(header);
		if (shape === 'entra') expect(lines[0]).toBe('version:v1.0');
	});

	it('Microsoft 365: the sign-in email as User Name, the country by name, 249 users a file', () => {
		const { writer, table } = csvOf('microsoft-365');
		const row = Object.fromEntries(table.headers.map((h, i) => [h, table.rows[0]![i]]));
		expect(row).toMatchObject({
			'User Name': 'ada@example.com',
			'Display Name': 'Ada Lovelace',
			'Office Number': '2nd floor',
			'Office Phone': '+442079460958',
			'Country or Region': 'United Kingdom',
			Fax: ''
		});
		expect(writer.maxUsersPerFile).toBe(249);
		// Rollcall allows a longer job title and department than Microsoft 365 takes: the admin is told.
		expect(writer.notes.join(' ')).toMatch(/at most 64 characters in Job Title and in Department/u);
		expect(writer.fileName(2, 5)).toBe('microsoft-365-users-2026-12-07-part-2-of-5.csv');
	});

	it('Entra: no password ever, sign-in blocked for a suspended user, usage location as a code', () => {
		const { writer, table } = csvOf('entra');
		expect(table.preamble).toEqual([['version:v1.0']]);
		const row = Object.fromEntries(table.headers.map((h, i) => [h, table.rows[0]![i]]));
		expect(row).toMatchObject({
			'Initial password [passwordProfile] Required': '',
			'Block sign in (Yes/No) [accountEnabled] Required': 'Yes',
			'Usage location [usageLocation]': 'GB',
			'Country or region [country]': 'United Kingdom'
		});
		expect(writer.notes.join(' ')).toMatch(/Initial password/u);
	});

	it('Google: Org Unit Path / by default, the password left empty and said so, E.164 phones as they are', () => {
		const { writer, table } = csvOf('google');
		const row = Object.fromEntries(table.headers.map((h, i) => [h, table.rows[0]![i]]));
		expect(row).toMatchObject({
			'Password [Required]': '',
			'Org Unit Path [Required]': '/',
			'Mobile Phone': '+447911123456',
			'Employee ID': '000042',
			'Manager Email': 'grace@example.com',
			'New Status [UPLOAD ONLY]': 'Suspended',
			'Work Address': '12 Analytical Row, London, Greater London, EC1A 1BB, United Kingdom'
		});
		expect(writer.notes.join(' ')).toMatch(/Password/u);
		expect(writer.notes.join(' ')).toMatch(/names of at most 60 characters/u);
	});

	it('Okta: login and email both the email, the country as its code', () => {
		const { table } = csvOf('okta');
		const row = Object.fromEntries(table.headers.map((h, i) => [h, table.rows[0]![i]]));
		expect(row).toMatchObject({
			login: 'ada@example.com',
			email: 'ada@example.com',
			countryCode: 'GB',
			zipCode: 'EC1A 1BB'
		});
	});

	it('fields the policy hides are left empty in a vendor file', () => {
		const { table } = csvOf('okta', defaultPolicy);
		const row = Object.fromEntries(table.headers.map((h, i) => [h, table.rows[0]![i]]));
		expect(row).toMatchObject({ firstName: 'Ada', city: '', countryCode: '', employeeNumber: '' });
	});

	describe.each(['csv', 'xlsx'] as ExportFormat[])('%s read back', (format) => {
		it.each(exportShapes)('%s maps with no manual step', (shape) => {
			for (const policy of [defaultPolicy, allOn]) {
				const writer = createWriter(request({ format, shape }, policy));
				const file = { name: writer.fileName(1, 1), bytes: writeAll(writer, [ada]) };
				const source = readSource(file, { limits: { maxFileBytes: 1 << 24, maxRows: 100 } });
				if (!source.ok) throw new Error(source.message);
				const analysis = analyseSource(source.value, { policy, context: { defaultCountry: 'GB' } });
				expect(analysis.mapping.problems).toEqual([]);
				expect(analysis.mapping.isReady).toBe(true);
				expect(analysis.rows[0]!.values).toMatchObject({
					email: 'ada@example.com',
					firstName: 'Ada',
					lastName: 'Lovelace'
				});
			}
		});
	});
});
