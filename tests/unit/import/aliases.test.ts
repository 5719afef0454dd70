import { describe, expect, it } from 'vitest';
import { fields, type FieldKey } from '../../../src/lib/domain/fields';
import { headerCandidates, mapHeaders } from '../../../src/lib/import/headers';
import { everything } from './helpers';

/**
 * Column headers as real files spell them, and the field each must land in: written out here, not
 * derived from the registry, so that an alias dropped from the registry ('dept') fails its row. Vendor
 * headers are those of /work/shared/VENDOR-FORMATS.md (Microsoft 365 §1, Entra §2, Google Workspace §3,
 * Okta §4, Active Directory §5, others §6, Outlook §9); 'typed by hand' rows are the names people give
 * columns of their own sheets, which the registry takes on purpose.
 */
const HEADERS: readonly (readonly [header: string, field: FieldKey, from: string])[] = [
	// header                                      field                  where it is written
	['First Name', 'firstName', 'Microsoft 365 template'],
	['Last Name', 'lastName', 'Microsoft 365 template'],
	['Display Name', 'displayName', 'Microsoft 365 template'],
	['User Name', 'username', 'Microsoft 365 template'],
	['Job Title', 'jobTitle', 'Microsoft 365 template'],
	['Department', 'department', 'Microsoft 365 template'],
	['Office Phone', 'businessPhone', 'Microsoft 365 template'],
	['Mobile Phone', 'mobilePhone', 'Microsoft 365 template'],
	['Position', 'jobTitle', 'Microsoft 365 template (German)'],
	['User principal name', 'email', 'Microsoft 365 export'],
	['Title', 'jobTitle', 'Microsoft 365 export'],
	['Office', 'office', 'Microsoft 365 export'],
	['Phone number', 'businessPhone', 'Microsoft 365 export'],
	['Name [displayName] Required', 'displayName', 'Entra bulk create'],
	['User name [userPrincipalName] Required', 'email', 'Entra bulk create'],
	['Initial password [passwordProfile] Required', 'password', 'Entra bulk create'],
	['First name [givenName]', 'firstName', 'Entra bulk create'],
	['Last name [surname]', 'lastName', 'Entra bulk create'],
	['Job title [jobTitle]', 'jobTitle', 'Entra bulk create'],
	['Department [department]', 'department', 'Entra bulk create'],
	['Office [physicalDeliveryOfficeName]', 'office', 'Entra bulk create'],
	['Office phone [telephoneNumber]', 'businessPhone', 'Entra bulk create'],
	['Mobile phone [mobile]', 'mobilePhone', 'Entra bulk create'],
	['userPrincipalName', 'email', 'Entra download'],
	['displayName', 'displayName', 'Entra download'],
	['surname', 'lastName', 'Entra download'],
	['mail', 'email', 'Entra download'],
	['givenName', 'firstName', 'Entra download'],
	['userType', 'userType', 'Entra download'],
	['jobTitle', 'jobTitle', 'Entra download'],
	['department', 'department', 'Entra download'],
	['physicalDeliveryOfficeName', 'office', 'Entra download'],
	['telephoneNumber', 'businessPhone', 'Entra download'],
	['mobile', 'mobilePhone', 'Entra download'],
	['mobilePhone', 'mobilePhone', 'Entra download (Graph names)'],
	['companyName', 'company', 'Entra download (Graph names)'],
	['First Name [Required]', 'firstName', 'Google Workspace'],
	['Last Name [Required]', 'lastName', 'Google Workspace'],
	['Email Address [Required]', 'email', 'Google Workspace'],
	['Password [Required]', 'password', 'Google Workspace'],
	['Work Phone', 'businessPhone', 'Google Workspace'],
	['Mobile Phone', 'mobilePhone', 'Google Workspace'],
	['Employee Title', 'jobTitle', 'Google Workspace'],
	['Department', 'department', 'Google Workspace'],
	['login', 'username', 'Okta'],
	['firstName', 'firstName', 'Okta'],
	['lastName', 'lastName', 'Okta'],
	['email', 'email', 'Okta'],
	['title', 'jobTitle', 'Okta'],
	['displayName', 'displayName', 'Okta'],
	['mobilePhone', 'mobilePhone', 'Okta'],
	['primaryPhone', 'businessPhone', 'Okta'],
	['userType', 'userType', 'Okta'],
	['organization', 'organization', 'Okta'],
	['department', 'department', 'Okta'],
	['sn', 'lastName', 'Active Directory csvde'],
	['title', 'jobTitle', 'Active Directory csvde'],
	['physicalDeliveryOfficeName', 'office', 'Active Directory csvde'],
	['telephoneNumber', 'businessPhone', 'Active Directory csvde'],
	['givenName', 'firstName', 'Active Directory csvde'],
	['displayName', 'displayName', 'Active Directory csvde'],
	['department', 'department', 'Active Directory csvde'],
	['company', 'company', 'Active Directory csvde'],
	['name', 'displayName', 'Active Directory csvde'],
	['sAMAccountName', 'username', 'Active Directory csvde'],
	['userPrincipalName', 'email', 'Active Directory csvde'],
	['mail', 'email', 'Active Directory csvde'],
	['mobile', 'mobilePhone', 'Active Directory csvde'],
	['GivenName', 'firstName', 'Active Directory Get-ADUser'],
	['Surname', 'lastName', 'Active Directory Get-ADUser'],
	['Name', 'displayName', 'Active Directory Get-ADUser'],
	['SamAccountName', 'username', 'Active Directory Get-ADUser'],
	['UserPrincipalName', 'email', 'Active Directory Get-ADUser'],
	['EmailAddress', 'email', 'Active Directory Get-ADUser'],
	['OfficePhone', 'businessPhone', 'Active Directory Get-ADUser'],
	['MobilePhone', 'mobilePhone', 'Active Directory Get-ADUser'],
	['Office', 'office', 'Active Directory Get-ADUser'],
	['name', 'displayName', 'Zendesk'],
	['email', 'email', 'Zendesk'],
	['phone', 'businessPhone', 'Zendesk'],
	['organization', 'organization', 'Zendesk'],
	['FirstName', 'firstName', 'JumpCloud'],
	['LastName', 'lastName', 'JumpCloud'],
	['Username', 'username', 'JumpCloud'],
	['Email', 'email', 'JumpCloud'],
	['Password', 'password', 'JumpCloud'],
	['jobTitle', 'jobTitle', 'JumpCloud'],
	['company', 'company', 'JumpCloud'],
	['location', 'site', 'JumpCloud'],
	['mobile_number', 'mobilePhone', 'JumpCloud'],
	['username', 'username', 'Atlassian'],
	['full_name', 'displayName', 'Atlassian'],
	['E-mail Address', 'email', 'Outlook (Spanish, Portuguese)'],
	['E-mail', 'email', 'typed by hand (French, Dutch)'],
	['Business Phone', 'businessPhone', 'Rollcall template'],
	['Mobile phone', 'mobilePhone', 'Rollcall template'],
	['Company', 'company', 'Rollcall template'],
	['User type', 'userType', 'Rollcall template'],
	['Site', 'site', 'Rollcall template'],
	['Customer code', 'customerCode', 'Rollcall template'],
	['Unique customer code', 'customerCode', 'Rollcall template (workflow D)'],
	['UDID', 'udid', 'Rollcall template'],
	['In global address book', 'inGlobalAddressBook', 'Rollcall template'],
	['Add to global address book', 'inGlobalAddressBook', 'Rollcall template (workflow D)'],
	['Forename', 'firstName', 'typed by hand'],
	['Family name', 'lastName', 'typed by hand'],
	['Full name', 'displayName', 'typed by hand'],
	['Primary email', 'email', 'typed by hand'],
	['Work email', 'email', 'typed by hand'],
	['UPN', 'email', 'typed by hand'],
	['Login name', 'username', 'typed by hand'],
	['Sign-in name', 'username', 'typed by hand'],
	['Temporary password', 'password', 'typed by hand'],
	['Type', 'userType', 'typed by hand'],
	['Account type', 'userType', 'typed by hand'],
	['Role type', 'userType', 'typed by hand'],
	['Cell', 'mobilePhone', 'typed by hand'],
	['Cell phone', 'mobilePhone', 'typed by hand'],
	['Telephone', 'businessPhone', 'typed by hand'],
	['Organisation', 'organization', 'typed by hand'],
	['Dept', 'department', 'typed by hand'],
	['Dept.', 'department', 'typed by hand'],
	['Customer ID', 'customerCode', 'typed by hand'],
	['Customer number', 'customerCode', 'typed by hand'],
	['Device ID', 'udid', 'typed by hand'],
	['Device UDID', 'udid', 'typed by hand'],
	['Global address book', 'inGlobalAddressBook', 'typed by hand'],
	['GAL', 'inGlobalAddressBook', 'typed by hand'],
	['Address', 'streetAddress', 'Microsoft 365 template'],
	['City', 'city', 'Microsoft 365 template'],
	['State or Province', 'region', 'Microsoft 365 template'],
	['ZIP or Postal Code', 'postalCode', 'Microsoft 365 template'],
	['Country or Region', 'country', 'Microsoft 365 template'],
	['Office Number', 'office', 'Microsoft 365 template'],
	['Street address', 'streetAddress', 'Microsoft 365 export'],
	['State', 'region', 'Microsoft 365 export'],
	['StateOrProvince', 'region', 'Microsoft 365 export (2025)'],
	['State/Province', 'region', 'Microsoft 365 export (2025)'],
	['Country/Region', 'country', 'Microsoft 365 export'],
	['CountryOrRegion', 'country', 'Microsoft 365 export (2025)'],
	['Postal code', 'postalCode', 'Microsoft 365 export'],
	['Preferred language', 'preferredLanguage', 'Microsoft 365 export'],
	['Street address [streetAddress]', 'streetAddress', 'Entra bulk create'],
	['State or province [state]', 'region', 'Entra bulk create'],
	['Country or region [country]', 'country', 'Entra bulk create'],
	['City [city]', 'city', 'Entra bulk create'],
	['ZIP or postal code [postalCode]', 'postalCode', 'Entra bulk create'],
	['officeLocation', 'office', 'Entra download (Graph names)'],
	['Employee ID', 'employeeNumber', 'Google Workspace'],
	['Manager Email', 'manager', 'Google Workspace'],
	['Cost Center', 'costCenter', 'Google Workspace'],
	['streetAddress', 'streetAddress', 'Okta'],
	['city', 'city', 'Okta'],
	['state', 'region', 'Okta'],
	['zipCode', 'postalCode', 'Okta'],
	['countryCode', 'country', 'Okta'],
	['preferredLanguage', 'preferredLanguage', 'Okta'],
	['timezone', 'timeZone', 'Okta'],
	['employeeNumber', 'employeeNumber', 'Okta'],
	['costCenter', 'costCenter', 'Okta'],
	['division', 'division', 'Okta'],
	['manager', 'manager', 'Okta'],
	['l', 'city', 'Active Directory Get-ADUser'],
	['st', 'region', 'Active Directory Get-ADUser'],
	['postalCode', 'postalCode', 'Active Directory Get-ADUser'],
	['c', 'country', 'Active Directory Get-ADUser'],
	['co', 'country', 'Active Directory Get-ADUser'],
	['EmployeeID', 'employeeNumber', 'Active Directory Get-ADUser'],
	['StreetAddress', 'streetAddress', 'Active Directory Get-ADUser'],
	['Country', 'country', 'Active Directory Get-ADUser'],
	['Street', 'streetAddress', 'typed by hand'],
	['Town', 'city', 'typed by hand'],
	['Locality', 'city', 'typed by hand (SCIM addresses.locality)'],
	['Province', 'region', 'typed by hand'],
	['Region', 'region', 'typed by hand (SCIM addresses.region)'],
	['County', 'region', 'typed by hand'],
	['ZIP', 'postalCode', 'typed by hand'],
	['ZIP code', 'postalCode', 'typed by hand'],
	['Postcode', 'postalCode', 'typed by hand'],
	['Country code', 'country', 'typed by hand'],
	['Office location', 'office', 'typed by hand'],
	['Employee number', 'employeeNumber', 'Rollcall template'],
	['Employee no.', 'employeeNumber', 'typed by hand'],
	['Cost centre', 'costCenter', 'Rollcall template'],
	['Organization', 'organization', 'typed by hand'],
	['Language', 'preferredLanguage', 'typed by hand'],
	['Time zone', 'timeZone', 'Rollcall template'],
	['State or region', 'region', 'Rollcall template']
];

/** Where one column with this header goes, through the mapping the import pipeline uses. */
const mappedAlone = (header: string) => mapHeaders([header], everything).columns[0];

/** A header as the registry's aliases are compared: its candidates without spaces (see headers.ts). */
const compared = (header: string) => headerCandidates(header).map((words) => words.replace(/ /gu, ''));

const aliases = fields.flatMap((f) => f.aliases.map((alias) => ({ alias, field: f.key })));

describe('every header alias', () => {
	it.each(HEADERS)('%j lands in %s (%s)', (header, field) => {
		expect(mappedAlone(header)).toMatchObject({ status: 'mapped', field });
	});

	it('of the registry maps to its own field, and there are as many as the registry had when written', () => {
		// A floor, not the exact count: an alias added is welcome (the next test asks for its row here).
		expect(aliases.length).toBeGreaterThanOrEqual(75);
		const wrong = aliases.filter(({ alias, field }) => {
			const column = mappedAlone(alias);
			return column?.status !== 'mapped' || column.field !== field;
		});
		expect(wrong).toEqual([]);
	});

	it('of the registry is a header of the table above, for the same field', () => {
		const uncovered = aliases.filter(
			({ alias, field }) =>
				!HEADERS.some(
					([header, expected]) => expected === field && compared(header).includes(alias.replace(/ /gu, ''))
				)
		);
		expect(uncovered, 'aliases no real header exercises: add a row for each').toEqual([]);
		expect(HEADERS.length).toBeGreaterThan(aliases.length);
	});
});
