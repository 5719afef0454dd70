import { describe, expect, it } from 'vitest';
import { fields, type FieldKey } from '../../../src/lib/domain/fields';
import { defaultPolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import {
	columnLetter,
	customNameProblem,
	guessColumn,
	nameFromHeader,
	headerCandidates,
	mapHeaders,
	normaliseHeader,
	type ColumnTarget
} from '../../../src/lib/import/headers';
import { everything, preset, table } from './helpers';

/** Header -> field for the mapped columns, header -> status for the others. */
function outcome(headers: readonly string[], policy: FieldPolicy, choices?: Map<number, ColumnTarget>) {
	const mapping = mapHeaders(headers, policy, { choices });
	return Object.fromEntries(
		mapping.columns.map((c) => [c.header, c.status === 'mapped' ? c.field : c.status])
	);
}

/** What the header problem of a required field with no column says to do. */
const TO_DO = 'which is required: map a column to it, or make it optional in Settings → Field policy.';

describe('normaliseHeader', () => {
	it.each([
		['Email Address [Required]', 'email address'],
		['User name*', 'user name'],
		['* Email *', 'email'],
		['  First   name (required) ', 'first name'],
		['Last name (Required)', 'last name'],
		['E-MAIL', 'e mail'],
		['first_name', 'first name'],
		['Prénom', 'prenom'],
		['Ｅｍａｉｌ', 'email'],
		['Password Hash Function [UPLOAD ONLY]', 'password hash function'],
		['User name [userPrincipalName] Required', 'user name userprincipalname'],
		['Block sign in (Yes/No) [accountEnabled] Required', 'block sign in yes no accountenabled'],
		['名前', '名前']
	])('%j -> %j', (header, normalised) => {
		expect(normaliseHeader(header)).toBe(normalised);
	});

	it('puts the bracketed attribute of Microsoft 365 templates first', () => {
		expect(headerCandidates('User name [userPrincipalName] Required')).toEqual([
			'userprincipalname',
			'user name',
			'user name userprincipalname'
		]);
		expect(headerCandidates('Email Address [Required]')).toEqual(['email address']);
	});
});

describe('templates of other systems map with no manual work', () => {
	it('Microsoft 365 / Entra bulk-create template (with its bracketed attribute names)', () => {
		const { headers } = table('entra-bulk-create.csv');
		const mapping = mapHeaders(headers, preset('field-heavy'));
		expect(Object.fromEntries(mapping.columns.map((c) => [c.header, c.field ?? c.status]))).toEqual({
			'Name [displayName] Required': 'ignored', // the field-heavy policy hides the display name
			'User name [userPrincipalName] Required': 'email',
			'Initial password [passwordProfile] Required': 'password',
			'Block sign in (Yes/No) [accountEnabled] Required': 'ignored',
			'First name [givenName]': 'firstName',
			'Last name [surname]': 'lastName',
			'Job title [jobTitle]': 'ignored',
			'Department [department]': 'ignored',
			'Usage location [usageLocation]': 'ignored',
			'Street address [streetAddress]': 'ignored',
			'State or province [state]': 'ignored',
			'Country or region [country]': 'ignored',
			'Office [physicalDeliveryOfficeName]': 'ignored',
			'City [city]': 'ignored',
			'ZIP or postal code [postalCode]': 'ignored',
			'Office phone [telephoneNumber]': 'businessPhone',
			'Mobile phone [mobile]': 'mobilePhone'
		});
		// The field-heavy policy also needs a username, which Entra's template has no column for.
		expect(mapping.missing).toEqual(['username']);
		expect(mapping.shape?.name).toBe('Microsoft Entra bulk create template');
		expect(mapping.columns[3]?.reason).toBe(
			"Entra's Block sign in: Rollcall accounts start Pending and are activated by email."
		);
		expect(mapping.columns[0]?.reason).toBe('Display name is hidden by the field policy.');
		expect(mapHeaders(headers, defaultPolicy).isReady).toBe(true);
	});

	it('Microsoft 365 column names as the admin centre and the brief spell them', () => {
		expect(
			outcome(
				[
					'User name [userPrincipalName] Required',
					'First name [givenName]',
					'Display name [displayName] Required',
					'Initial password [passwordProfile] Required',
					'Block sign in (Yes/No) [accountEnabled]',
					'Job title [jobTitle]',
					'Department [department]',
					'Usage location [usageLocation]',
					'Mobile phone [mobile]',
					'Office phone [telephoneNumber]'
				],
				everything
			)
		).toEqual({
			'User name [userPrincipalName] Required': 'email',
			'First name [givenName]': 'firstName',
			'Display name [displayName] Required': 'displayName',
			'Initial password [passwordProfile] Required': 'password',
			'Block sign in (Yes/No) [accountEnabled]': 'ignored',
			'Job title [jobTitle]': 'jobTitle',
			'Department [department]': 'department',
			'Usage location [usageLocation]': 'ignored',
			'Mobile phone [mobile]': 'mobilePhone',
			'Office phone [telephoneNumber]': 'businessPhone'
		});
	});

	it('Google Workspace upload template', () => {
		const { headers } = table('google-workspace.csv');
		const mapping = mapHeaders(headers, everything);
		expect(mapping.isReady).toBe(true);
		const mapped = Object.fromEntries(
			mapping.columns.filter((c) => c.status === 'mapped').map((c) => [c.header, c.field])
		);
		expect(mapped).toEqual({
			'First Name [Required]': 'firstName',
			'Last Name [Required]': 'lastName',
			'Email Address [Required]': 'email',
			'Password [Required]': 'password',
			'Work Phone': 'businessPhone',
			'Mobile Phone': 'mobilePhone',
			'Employee Title': 'jobTitle',
			'Employee ID': 'employeeNumber',
			'Manager Email': 'manager',
			Department: 'department',
			'Cost Center': 'costCenter'
		});
		expect(mapping.columns.filter((c) => c.status !== 'mapped').every((c) => c.status === 'ignored')).toBe(
			true
		);
		// Under Rollcall's default policy the password is not asked for: its column is ignored, not an error.
		expect(mapHeaders(headers, defaultPolicy).columns[3]).toMatchObject({
			status: 'ignored',
			reason: 'Password is hidden by the field policy.'
		});
	});

	it('Okta CSV import', () => {
		const mapping = mapHeaders(table('okta.csv').headers, everything);
		expect(mapping.isReady).toBe(true);
		const mapped = Object.fromEntries(
			mapping.columns.filter((c) => c.status === 'mapped').map((c) => [c.header, c.field])
		);
		expect(mapped).toEqual({
			login: 'username',
			firstName: 'firstName',
			lastName: 'lastName',
			email: 'email',
			title: 'jobTitle',
			displayName: 'displayName',
			mobilePhone: 'mobilePhone',
			primaryPhone: 'businessPhone',
			streetAddress: 'streetAddress',
			city: 'city',
			state: 'region',
			zipCode: 'postalCode',
			countryCode: 'country',
			preferredLanguage: 'preferredLanguage',
			timezone: 'timeZone',
			employeeNumber: 'employeeNumber',
			costCenter: 'costCenter',
			organization: 'organization',
			division: 'division',
			department: 'department'
		});
		expect(mapping.shape?.name).toBe('Okta user import');
		expect(mapping.columns.find((c) => c.header === 'managerId')?.reason).toBe(
			"Okta's manager ID: Rollcall names a manager by email."
		);
		// Okta's user type is free text, and its manager a name unless every value is an address.
		expect(mapping.columns.find((c) => c.header === 'userType')?.status).toBe('ignored');
		expect(mapping.columns.find((c) => c.header === 'manager')?.status).toBe('ignored');
		const managers = mapHeaders(table('okta.csv').headers, everything, {
			isEmailColumn: (i) => table('okta.csv').headers[i] === 'manager'
		});
		expect(managers.columns.find((c) => c.header === 'manager')?.field).toBe('manager');
	});

	it('Active Directory export, where one attribute comes under two names', () => {
		const mapping = mapHeaders(table('active-directory.csv').headers, everything);
		expect(mapping.problems).toEqual([]);
		const mapped = Object.fromEntries(
			mapping.columns.filter((c) => c.status === 'mapped').map((c) => [c.header, c.field])
		);
		expect(mapped).toEqual({
			GivenName: 'firstName',
			Name: 'displayName',
			SamAccountName: 'username',
			Surname: 'lastName',
			UserPrincipalName: 'email',
			sn: 'lastName',
			mail: 'email',
			EmailAddress: 'email',
			displayName: 'displayName',
			OfficePhone: 'businessPhone',
			MobilePhone: 'mobilePhone',
			telephoneNumber: 'businessPhone',
			mobile: 'mobilePhone',
			title: 'jobTitle',
			department: 'department',
			company: 'company'
		});
		expect(mapping.shape?.name).toBe('Active Directory export (Get-ADUser)');
		// The second name of an attribute is read where the first is empty.
		expect(mapping.columns.find((c) => c.header === 'sn')).toMatchObject({
			backupOf: 8,
			reason: 'Read where column I ("Surname") is empty.'
		});
		expect(mapping.columns.find((c) => c.header === 'UserPrincipalName')?.backupOf).toBe(12);
		expect(mapping.columns.find((c) => c.header === 'EmailAddress')?.backupOf).toBe(11);
	});

	it('Active Directory attributes on their own', () => {
		expect(
			outcome(
				[
					'sAMAccountName',
					'givenName',
					'sn',
					'mail',
					'displayName',
					'telephoneNumber',
					'mobile',
					'title',
					'department',
					'company'
				],
				everything
			)
		).toEqual({
			sAMAccountName: 'username',
			givenName: 'firstName',
			sn: 'lastName',
			mail: 'email',
			displayName: 'displayName',
			telephoneNumber: 'businessPhone',
			mobile: 'mobilePhone',
			title: 'jobTitle',
			department: 'department',
			company: 'company'
		});
	});

	it('Zendesk user import ("name" is the full name)', () => {
		expect(outcome(table('zendesk.csv').headers, everything)).toEqual({
			name: 'displayName',
			email: 'email',
			external_id: 'ignored',
			details: 'ignored',
			notes: 'ignored',
			phone: 'businessPhone',
			role: 'ignored',
			restriction: 'ignored',
			organization: 'organization',
			tags: 'ignored'
		});
	});

	it.each<[string, string, Record<string, FieldKey | 'ignored'>]>([
		['workflow-a.csv', 'portal', { 'First name': 'firstName', 'Last name': 'lastName', Email: 'email' }],
		[
			'workflow-b.csv',
			'groups',
			{ 'User type': 'userType', 'First name': 'firstName', 'Last name': 'lastName', Email: 'email' }
		],
		[
			'workflow-d.csv',
			'field-heavy',
			{
				'First name': 'firstName',
				'Last name': 'lastName',
				Username: 'username',
				Password: 'password',
				'Mobile phone': 'mobilePhone',
				Email: 'email',
				'Business phone': 'businessPhone',
				Company: 'company',
				'Unique customer code': 'customerCode',
				UDID: 'udid',
				'Add to global address book': 'inGlobalAddressBook'
			}
		]
	])('reference workflow template %s under its preset', (name, presetId, expected) => {
		const mapping = mapHeaders(table(name).headers, preset(presetId));
		expect(mapping.isReady).toBe(true);
		expect(Object.fromEntries(mapping.columns.map((c) => [c.header, c.field ?? c.status]))).toEqual(expected);
	});

	it("workflow-c.csv under its preset: 'User name*' of sign-in names stays the username, Display name is missing", () => {
		const mapping = mapHeaders(table('workflow-c.csv').headers, preset('multi-customer'), {
			isNameColumn: () => false
		});
		expect(Object.fromEntries(mapping.columns.map((c) => [c.header, c.field ?? c.status]))).toEqual({
			'User name*': 'username',
			'Email*': 'email',
			'User type': 'userType',
			Site: 'site'
		});
		expect(mapping.missing).toEqual(['displayName']);
		expect(mapping.problems).toEqual([`No column for Display name, ${TO_DO}`]);
	});

	it('every field by its label and every alias, and nothing claimed twice once spaces are ignored', () => {
		for (const f of fields) {
			expect(guessColumn(f.label), f.label).toMatchObject({ field: f.key });
			for (const alias of f.aliases) expect(guessColumn(alias), alias).toMatchObject({ field: f.key });
		}
	});
});

describe('mapping problems are explicit', () => {
	it('leaves unknown headers unmapped until the admin maps or ignores them', () => {
		const headers = ['Email', 'Favourite colour', 'Badge'];
		const guessed = mapHeaders(headers, everything);
		expect(guessed.columns[1]).toMatchObject({ status: 'unmapped', isChosen: false });
		expect(guessed.isReady).toBe(false);
		expect(guessed.problems).toEqual([
			'Column B ("Favourite colour"): Unknown column: choose its field, or Ignore.',
			'Column C ("Badge"): Unknown column: choose its field, or Ignore.'
		]);
		const chosen = mapHeaders(headers, everything, {
			choices: new Map<number, ColumnTarget>([
				[1, 'ignored'],
				[2, 'customerCode']
			])
		});
		expect(chosen.isReady).toBe(true);
		expect(chosen.columns[1]).toMatchObject({ status: 'ignored', reason: 'Ignored by you.', isChosen: true });
		expect(chosen.columns[2]).toMatchObject({ status: 'mapped', field: 'customerCode', isChosen: true });
	});

	it('refuses to map a column to a field the policy hides', () => {
		const mapping = mapHeaders(['Email', 'Code'], defaultPolicy, { choices: new Map([[1, 'customerCode']]) });
		expect(mapping.columns[1]).toMatchObject({
			status: 'error',
			reason: 'Customer code is hidden by the field policy; choose another field or Ignore.'
		});
	});

	it('reports prototype-named headers, never dropping them', () => {
		const mapping = mapHeaders(table('proto-header.csv').headers, everything);
		expect(mapping.columns.map((c) => c.status)).toEqual([
			'error',
			'mapped',
			'error',
			'mapped',
			'mapped',
			'error'
		]);
		expect(mapping.problems[0]).toBe(
			'Column A ("__proto__"): "__proto__" is not a usable column name: choose its field, or Ignore.'
		);
		const ignored = new Map<number, ColumnTarget>([
			[0, 'ignored'],
			[2, 'ignored'],
			[5, 'ignored']
		]);
		expect(mapHeaders(table('proto-header.csv').headers, everything, { choices: ignored }).isReady).toBe(
			true
		);
	});

	it('reports identical headers, two columns for one field, and a blank header', () => {
		const { headers } = table('duplicate-headers.csv');
		const mapping = mapHeaders(headers, everything);
		expect(mapping.problems).toEqual([
			'Column C ("E-mail"): Column A ("Email") is already Email: choose another field for this one, or Ignore it.',
			'Column E: This column has no header: choose its field, or Ignore.',
			'Column F ("Surname"): Column D ("Last name") is already Last name: choose another field for this one, or Ignore it.',
			'Column H ("Department"): Same header as column G ("Department"): choose which one to use and Ignore the other.',
			'Column I ("Favourite colour"): Unknown column: choose its field, or Ignore.'
		]);
		const resolved = mapHeaders(headers, everything, {
			choices: new Map<number, ColumnTarget>([
				[2, 'ignored'],
				[4, 'ignored'],
				[5, 'ignored'],
				[7, 'jobTitle'],
				[8, 'ignored']
			])
		});
		expect(resolved.problems).toEqual([]);
		// Choosing cannot put two columns into one field either.
		const twice = mapHeaders(headers, everything, { choices: new Map([[7, 'department']]) });
		expect(twice.columns[7]?.status).toBe('error');
	});

	it('ignores a blank-headed column that is empty in every row (trailing delimiters)', () => {
		const mapping = mapHeaders(['Email', ''], everything, { isColumnEmpty: (i) => i === 1 });
		expect(mapping.columns[1]).toMatchObject({
			status: 'ignored',
			reason: 'An empty column with no header.'
		});
		expect(mapping.isReady).toBe(true);
	});

	it('names the required fields no column maps to', () => {
		const mapping = mapHeaders(table('workflow-a.csv').headers, preset('field-heavy'));
		expect(mapping.missing).toEqual(['username', 'password', 'mobilePhone']);
		expect(mapping.problems).toEqual([
			`No column for Username, ${TO_DO}`,
			`No column for Password, ${TO_DO}`,
			`No column for Mobile phone, ${TO_DO}`
		]);
		expect(mapping.isReady).toBe(false);
	});

	it('ignores the Errors column of a Rollcall errors file uploaded again', () => {
		expect(mapHeaders(['Email', 'Errors'], everything).columns[1]).toMatchObject({
			status: 'ignored',
			reason: 'The Errors column of a Rollcall errors file.'
		});
	});
});

describe('columnLetter', () => {
	it.each([
		[0, 'A'],
		[25, 'Z'],
		[26, 'AA'],
		[51, 'AZ'],
		[701, 'ZZ'],
		[702, 'AAA'],
		[16383, 'XFD']
	])('%i -> %s', (index, letters) => {
		expect(columnLetter(index)).toBe(letters);
	});
});

describe('custom attributes', () => {
	const policy: FieldPolicy = {
		...defaultPolicy,
		'custom:Badge colour': 'optional',
		'custom:Locker': 'hidden',
		'custom:Shoe size': 'required'
	};

	it('maps a header that names one, as other headers are compared, and asks for a required one', () => {
		expect(outcome(['Email', 'First name', 'Last name', 'BADGE-COLOUR *', 'Locker', 'Wing'], policy)).toEqual(
			{
				Email: 'email',
				'First name': 'firstName',
				'Last name': 'lastName',
				'BADGE-COLOUR *': 'custom:Badge colour',
				Locker: 'ignored',
				Wing: 'unmapped'
			}
		);
		const mapping = mapHeaders(['Email', 'First name', 'Last name'], policy);
		expect(mapping.missing).toEqual(['custom:Shoe size']);
		expect(mapping.problems).toContain(`No column for Shoe size, ${TO_DO}`);
	});

	it('takes a column chosen for one, and says when it is hidden or unknown to the policy', () => {
		const chosen = mapHeaders(['Email', 'Colour', 'Box'], policy, {
			choices: new Map<number, ColumnTarget>([
				[1, 'custom:Badge colour'],
				[2, 'custom:Gone']
			])
		});
		expect(chosen.columns.map((c) => [c.status, c.reason])).toEqual([
			['mapped', 'Recognised as Email.'],
			['mapped', 'Mapped to Badge colour by you.'],
			[
				'error',
				"Gone is no longer a custom attribute (renamed or deleted in Settings): choose this column's field again, or Ignore."
			]
		]);
	});

	it('wins over a column of another system, never over a built-in field', () => {
		const withForeign = { ...defaultPolicy, 'custom:Employee type': 'optional' as const };
		expect(outcome(['Employee type'], withForeign)).toEqual({ 'Employee type': 'custom:Employee type' });
	});
});

describe('customNameProblem', () => {
	const policy: FieldPolicy = { ...defaultPolicy, 'custom:Badge colour': 'optional' };

	it.each([
		['Locker', undefined],
		['  Shoe   size ', undefined],
		['', 'Type a name for the attribute.'],
		['***', '"***" cannot be matched to a column of a file: use letters or digits.'],
		['E-mail address', '"E-mail address" is already the name of the field Email: choose another name.'],
		['FIRST NAME*', '"FIRST NAME*" is already the name of the field First name: choose another name.'],
		[
			'Badge Colour',
			'"Badge Colour" is already the name of the custom attribute Badge colour: choose another name.'
		],
		[
			'badge-colöur',
			'"badge-colöur" is already the name of the custom attribute Badge colour: choose another name.'
		],
		// Columns Rollcall itself writes next to the fields: an attribute of that name would take them all.
		['Status', '"Status" is a column Rollcall adds to its exports: choose another name.'],
		['last login', '"last login" is a column Rollcall adds to its exports: choose another name.'],
		['Activated', '"Activated" is a column Rollcall adds to its exports: choose another name.'],
		['Errors', '"Errors" is a column Rollcall adds to its errors files: choose another name.']
	])('%j -> %j', (name, problem) => {
		expect(customNameProblem(name, policy)).toBe(problem);
	});

	it('refuses a name over 64 characters, and lets an attribute keep its own name in other letters', () => {
		expect(customNameProblem('x'.repeat(65), policy)).toMatch(/65 characters long; a name has at most 64/u);
		expect(customNameProblem('x'.repeat(64), policy)).toBeUndefined();
		expect(customNameProblem('badge colour', policy, 'custom:Badge colour')).toBeUndefined();
	});
});

describe('nameFromHeader', () => {
	it.each([
		['  Badge   colour ', 'Badge colour'],
		['Badge colour *', 'Badge colour'],
		['Shoe size [Required]', 'Shoe size'],
		['Locker (optional)', 'Locker'],
		['Cost centre Required', 'Cost centre'],
		['Région (FR)', 'Région (FR)']
	])('%j -> %j', (header, name) => {
		expect(nameFromHeader(header)).toBe(name);
		expect(normaliseHeader(name)).toBe(normaliseHeader(header));
	});
});

describe("French Outlook's 'Titre', written twice", () => {
	// The start of a French Outlook contacts export: the personal title first, the job title later.
	const headers = ['Titre', 'Prénom', 'Nom', 'Société', 'Service', 'Titre', 'Adresse de messagerie'];

	it('the last is the Job title and the first is ignored as a personal title, with no error', () => {
		const mapping = mapHeaders(headers, everything);
		expect(mapping.columns[5]).toMatchObject({ status: 'mapped', field: 'jobTitle' });
		expect(mapping.columns[0]).toMatchObject({
			status: 'ignored',
			reason:
				'A personal title (M., Mme): column F ("Titre"), the last of the same header, is the Job title, as in French Outlook\'s files.'
		});
		expect(mapping.columns[0]?.field).toBeUndefined();
		expect(mapping.isReady).toBe(true);
	});

	it('written once, it is the Job title; chosen by the admin, it is what they chose', () => {
		expect(outcome(['Titre', 'Prénom', 'Adresse de messagerie'], everything).Titre).toBe('jobTitle');
		const chosen = mapHeaders(headers, everything, { choices: new Map([[0, 'ignored']]) });
		expect(chosen.columns[5]).toMatchObject({ status: 'mapped', field: 'jobTitle' });
	});

	it("Dutch 'Titel' is ignored as a personal title, its reason naming Dutch address books too", () => {
		expect(mapHeaders(['Titel', 'Voornaam', 'E-mailadres'], everything).columns[0]).toMatchObject({
			status: 'ignored',
			reason: 'A column of German and Dutch address books files that Rollcall has no field for.'
		});
	});
});
