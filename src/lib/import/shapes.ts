import { fields, type BuiltinFieldKey } from '$lib/domain/fields';
import { presets, visibleFields, type FieldPolicy } from '$lib/domain/policy';
import { EXPORT_ONLY_HEADERS, tableShape } from '$lib/export/shapes';
import { templateHeader } from './template-header';
import { normaliseHeader, type CellRule, type RecognisedShape } from './headers';

/**
 * The files admins bring from other systems (VENDOR-FORMATS.md), each known by its whole header row: a
 * recognised file's columns all map with no hand work, and those Rollcall has no use for are ignored
 * with the vendor's reason. The catalogue is data; `recogniseShape` is the one rule that reads it.
 */

/**
 * What a shape's column becomes: a field; ignored, with why; a field only when every value is an
 * address; or a field or ignored column whose cell can void a field of its row (see CellRule).
 */
export type ShapeTarget =
	| BuiltinFieldKey
	| { ignored: string; rule?: CellRule }
	| { ifEmails: BuiltinFieldKey; ignored: string }
	| { field: BuiltinFieldKey; rule: CellRule };

export interface FileShape extends RecognisedShape {
	/**
	 * Every column the shape knows, under every header it has had. Two columns of one field: the first
	 * listed is read, the others only where it is empty (Active Directory's 'mail', then 'EmailAddress').
	 */
	columns: readonly (readonly [header: string, target: ShapeTarget])[];
	/** The header rows the shape comes as; without, its columns in order. */
	variants?: readonly (readonly string[])[];
	/** Headers every file of the shape has: without one of them, the file is not of this shape. */
	keys: readonly string[];
	/** Recognised only with its columns in their order: the vendor reads them by position, whatever their labels. */
	isByPosition?: boolean;
	/**
	 * Recognised only when the header row is one of its variants exactly as written (each cell's text and
	 * marks, in any order), plus at most the columns of `extras`: Rollcall's own files, whose headers are
	 * common words ('First name, Last name, Email' is many a hand-typed sheet).
	 */
	isExact?: boolean;
	/** Columns an exact shape's file may have besides its own: an errors file's Errors. */
	extras?: readonly string[];
	/**
	 * An exact shape's header row as the organisation's own policy writes it (a preset changed, custom
	 * attributes added), beside its variants: Rollcall's template and export of the current policy.
	 */
	variantOf?: (policy: FieldPolicy) => readonly string[];
}

const no = (ignored: string) => ({ ignored });

/** A header row as the vendor's file has it, from its text (none of these headers holds a comma). */
const headerRow = (line: string) => line.split(',');

// Reasons shared by several shapes, in the admin's words.
const STARTS_PENDING = 'Rollcall accounts start Pending and are activated by email.';
const ONE_ADDRESS = 'Rollcall keeps one address per user.';
const OWN_LICENSES = 'Rollcall hands out its own licenses.';
const OWN_PASSWORD = 'Rollcall users choose their password when they activate.';
const USAGE_LOCATION = "Microsoft's usage location says where licenses may be used, not where the user is.";
const MICROSOFT_ID = "Microsoft's object ID: each system gives its users its own IDs.";
const FAX = "Microsoft 365's fax number: Rollcall keeps no fax numbers.";
const MS_SYNC =
	"Microsoft 365's directory sync record: it says where Microsoft got the user, not something Rollcall sets.";
const GOOGLE_READ_ONLY =
	"A read-only column of Google Workspace's download (status, sign-ins, storage): Google fills it in, and an upload ignores it too.";
const AD_ENTRY =
	"Active Directory's own record of the account (its entry, IDs, update numbers, flags): not about the person.";
const AD_SIGN_IN = "Active Directory's sign-in and password record: Rollcall keeps its own.";
const AD_DN =
	"Active Directory's distinguished name (CN=...,DC=...): where the account sits in the directory.";
const NO_PASSWORD = 'so this user gets none; they choose one when they activate.';
const AD_HOME_PHONE = "Active Directory's home phone: Rollcall keeps work and mobile numbers only.";

const microsoft365Template = [
	['User Name', 'email'],
	['First Name', 'firstName'],
	['Last Name', 'lastName'],
	['Display Name', 'displayName'],
	['Job Title', 'jobTitle'],
	['Department', 'department'],
	['Office Number', 'office'],
	['Office Phone', 'businessPhone'],
	['Mobile Phone', 'mobilePhone'],
	['Fax', no(FAX)],
	[
		'Alternate email address',
		no(`Microsoft 365's alternate email address: ${ONE_ADDRESS} (the sign-in one, in User Name)`)
	],
	['Address', 'streetAddress'],
	['City', 'city'],
	['State or Province', 'region'],
	['ZIP or Postal Code', 'postalCode'],
	['Country or Region', 'country']
] as const satisfies FileShape['columns'];

/** The German admin center's labels for the same 16 columns (VENDOR-FORMATS §1a): read by position. */
const germanLabels = headerRow(
	'Benutzername,Vorname,Nachname,Anzeigename,Position,Abteilung,Telefon – Geschäftlich,Telefon (geschäftlich),Mobiltelefon,Fax,Alternative E-Mail-Adresse,Adresse,Ort,Bundesstaat,Postleitzahl,Land oder Region'
);

/** A header row without one of its columns: the 15-column template of 2020 has no Alternate email address. */
const withoutColumn = (headers: readonly string[], index: number) => headers.filter((_, i) => i !== index);

const microsoft365Export = [
	['Display name', 'displayName'],
	['User principal name', 'email'],
	['First name', 'firstName'],
	['Last name', 'lastName'],
	['Title', 'jobTitle'],
	['Department', 'department'],
	['Office', 'office'],
	['Phone number', 'businessPhone'],
	['Mobile Phone', 'mobilePhone'],
	['Street address', 'streetAddress'],
	['City', 'city'],
	['State', 'region'],
	['StateOrProvince', 'region'],
	['State/Province', 'region'],
	['Postal code', 'postalCode'],
	['Country/Region', 'country'],
	['CountryOrRegion', 'country'],
	['Preferred language', 'preferredLanguage'],
	['Usage location', no(USAGE_LOCATION)],
	['Object Id', no(MICROSOFT_ID)],
	['DirSyncEnabled', no(MS_SYNC)],
	['Last dirsync time', no(MS_SYNC)],
	['When created', no("Microsoft 365's creation date: Rollcall records when it creates each user.")],
	[
		'Soft deletion time stamp',
		no(
			"Microsoft 365's soft deletion time stamp: when the user was deleted there, which Rollcall does not take."
		)
	],
	[
		'Preferred data location',
		no("Microsoft 365's preferred data location (a multi-geo tenant's region): a Microsoft 365 setting.")
	],
	['Block credential', no(`Microsoft 365's Block credential: ${STARTS_PENDING}`)],
	['Licenses', no(`Microsoft 365's licenses: ${OWN_LICENSES}`)],
	['License assignment details', no(`Microsoft 365's licenses: ${OWN_LICENSES}`)],
	['Password never expires', no(`Microsoft 365's password settings: ${OWN_PASSWORD}`)],
	['Strong password required', no(`Microsoft 365's password settings: ${OWN_PASSWORD}`)],
	['Last password change time stamp', no(`Microsoft 365's password settings: ${OWN_PASSWORD}`)],
	[
		'Oath token meta data',
		no("Microsoft 365's hardware token data: a sign-in method, which Rollcall does not take.")
	],
	[
		'Release track',
		no("Microsoft 365's release track (when the user gets new features): a Microsoft 365 setting.")
	],
	['Fax', no(FAX)],
	['Proxy addresses', no(`Microsoft 365's proxy addresses (the user's other addresses): ${ONE_ADDRESS}`)],
	['AgeGroup', no("Microsoft 365's age group (for minors): Rollcall keeps no ages.")]
] as const satisfies FileShape['columns'];

const entraBulkCreate = [
	['Name [displayName] Required', 'displayName'],
	['User name [userPrincipalName] Required', 'email'],
	// A third-party tool's spelling of the same column.
	['User principal name [userPrincipalName] Required', 'email'],
	['Initial password [passwordProfile] Required', 'password'],
	['Block sign in (Yes/No) [accountEnabled] Required', no(`Entra's Block sign in: ${STARTS_PENDING}`)],
	['First name [givenName]', 'firstName'],
	['Last name [surname]', 'lastName'],
	['Job title [jobTitle]', 'jobTitle'],
	['Department [department]', 'department'],
	['Usage location [usageLocation]', no(USAGE_LOCATION)],
	['Street address [streetAddress]', 'streetAddress'],
	['State or province [state]', 'region'],
	['Country or region [country]', 'country'],
	['Office [physicalDeliveryOfficeName]', 'office'],
	['City [city]', 'city'],
	['ZIP or postal code [postalCode]', 'postalCode'],
	['Office phone [telephoneNumber]', 'businessPhone'],
	['Mobile phone [mobile]', 'mobilePhone']
] as const satisfies FileShape['columns'];

const entraSignIn = "Entra's sign-in verification details: a sign-in method, which Rollcall does not take.";
const entraDownload = [
	// A guest's userPrincipalName is a made-up name (…#EXT#@…): mail is the address, and such a name is never read.
	['mail', 'email'],
	[
		'userPrincipalName',
		{
			field: 'email',
			rule: {
				refuses: '#EXT#',
				because:
					"This user is a guest: Entra made up their userPrincipalName (…#EXT#@…), and their address is only in mail (an address of the guest's own domain). Fill in this row's mail column with their address, or remove the row."
			}
		}
	],
	['displayName', 'displayName'],
	['givenName', 'firstName'],
	['surname', 'lastName'],
	['jobTitle', 'jobTitle'],
	['department', 'department'],
	['companyName', 'company'],
	['physicalDeliveryOfficeName', 'office'],
	['officeLocation', 'office'],
	['streetAddress', 'streetAddress'],
	['city', 'city'],
	['state', 'region'],
	['postalCode', 'postalCode'],
	['country', 'country'],
	['telephoneNumber', 'businessPhone'],
	['mobile', 'mobilePhone'],
	['mobilePhone', 'mobilePhone'],
	['objectId', no(MICROSOFT_ID)],
	['id', no(MICROSOFT_ID)],
	['userType', no("Entra's user type says Member or Guest, not Rollcall's Standard or Privileged.")],
	['accountEnabled', no(`Entra's account enabled: ${STARTS_PENDING}`)],
	['usageLocation', no(USAGE_LOCATION)],
	['authenticationPhoneNumber', no(entraSignIn)],
	['authenticationAlternativePhoneNumber', no(entraSignIn)],
	['authenticationEmail', no(entraSignIn)],
	['alternateEmailAddress', no(`Entra's alternate email address: ${ONE_ADDRESS}`)],
	['ageGroup', no("Entra's age group (for minors): Rollcall keeps no ages.")],
	['consentProvidedForMinor', no("Entra's consent for a minor: Rollcall keeps no ages.")],
	['legalAgeGroupClassification', no("Entra's legal age group (for minors): Rollcall keeps no ages.")],
	['creationType', no("Entra's creation type (how the account was made there): not about the person.")],
	[
		'directorySynced',
		no("Entra's directory sync flag: it says where Entra got the user, not something Rollcall sets.")
	],
	[
		'invitationState',
		no("Entra's invitation state (a guest's invitation): Rollcall sends its own activation email.")
	],
	['identityIssuer', no("Entra's identity issuer (who signs the user in): not about the person.")],
	['createdDateTime', no("Entra's creation date: Rollcall records when it creates each user.")]
] as const satisfies FileShape['columns'];

/** The 25 attributes Microsoft documents for Download users, in its order. */
const entraDocumented = headerRow(
	'userPrincipalName,displayName,surname,mail,givenName,objectId,userType,jobTitle,department,accountEnabled,usageLocation,streetAddress,state,country,physicalDeliveryOfficeName,city,postalCode,telephoneNumber,mobile,authenticationAlternativePhoneNumber,authenticationEmail,alternateEmailAddress,ageGroup,consentProvidedForMinor,legalAgeGroupClassification'
);

const googleUpload = [
	['First Name [Required]', 'firstName'],
	['Last Name [Required]', 'lastName'],
	['Email Address [Required]', 'email'],
	[
		'Password [Required]',
		{
			field: 'password',
			// Google's "leave the password unchanged": no password to give.
			rule: {
				voids: 'password',
				when: '****',
				because:
					"Password is ****, Google Workspace's way of saying the password stays unchanged: Rollcall takes no password from it",
				outcome: NO_PASSWORD
			}
		}
	],
	[
		'Password Hash Function [UPLOAD ONLY]',
		{
			ignored: "Google Workspace's password hash function: Rollcall never takes password hashes.",
			// With a hash function (SHA-1, MD5, crypt), the row's Password cell is a hash, never a password.
			rule: {
				voids: 'password',
				because: 'Password is a hash ({cell}): Rollcall never takes password hashes',
				outcome: NO_PASSWORD
			}
		}
	],
	[
		'Org Unit Path [Required]',
		no(
			"Google Workspace's organisational unit (/Sales): a place in Google's tree, which Rollcall does not have."
		)
	],
	[
		'New Primary Email [UPLOAD ONLY]',
		no("Google Workspace's new primary email renames a user there: Rollcall reads Email Address.")
	],
	[
		'Recovery Email',
		no("Google Workspace's recovery email: for Google's account recovery, not the user's work address.")
	],
	['Home Secondary Email', no(`Google Workspace's secondary email: ${ONE_ADDRESS}`)],
	['Work Secondary Email', no(`Google Workspace's secondary email: ${ONE_ADDRESS}`)],
	[
		'Recovery Phone [MUST BE IN THE E.164 FORMAT]',
		no("Google Workspace's recovery phone: for Google's account recovery, not the user's phone.")
	],
	['Work Phone', 'businessPhone'],
	['Home Phone', no("Google Workspace's home phone: Rollcall keeps work and mobile numbers only.")],
	['Mobile Phone', 'mobilePhone'],
	[
		'Work Address',
		no("Google Workspace's work address is one block of text, not Rollcall's street, city and postal code.")
	],
	['Home Address', no("Google Workspace's home address: Rollcall keeps work addresses only.")],
	['Employee ID', 'employeeNumber'],
	[
		'Employee Type',
		no(
			"Google Workspace's employee type is free text (Employee, Contractor), not Rollcall's Standard/Privileged."
		)
	],
	['Employee Title', 'jobTitle'],
	['Manager Email', 'manager'],
	['Department', 'department'],
	['Cost Center', 'costCenter'],
	[
		'Building ID',
		no(
			"Google Workspace's building and floor (for room booking): Rollcall has Office for where someone sits."
		)
	],
	[
		'Floor Name',
		no(
			"Google Workspace's building and floor (for room booking): Rollcall has Office for where someone sits."
		)
	],
	[
		'Floor Section',
		no(
			"Google Workspace's building and floor (for room booking): Rollcall has Office for where someone sits."
		)
	],
	['Change Password at Next Sign-In', no(`Google Workspace's password setting: ${OWN_PASSWORD}`)],
	['New Status [UPLOAD ONLY]', no(`Google Workspace's new status (Active, Suspended): ${STARTS_PENDING}`)],
	['New Licenses [UPLOAD ONLY]', no(`Google Workspace's licenses: ${OWN_LICENSES}`)],
	[
		'Advanced Protection Program enrollment',
		no("Google Workspace's Advanced Protection enrolment: a Google security setting.")
	]
] as const satisfies FileShape['columns'];

const googleHeaders = googleUpload.map(([header]) => header);
/** The upload template of 2019-2021, before recovery details, statuses, licenses and Advanced Protection. */
const googleOlder = googleHeaders.filter(
	(header) => !/^(?:Recovery|New Status|New Licenses|Advanced Protection)/u.test(header)
);

const googleReadOnly = headerRow(
	'Status [READ ONLY],Last Sign In [READ ONLY],2sv Enrolled [READ ONLY],2sv Enforced [READ ONLY],Email Usage [READ ONLY],Drive Usage [READ ONLY],Total Storage [READ ONLY],Photos Usage [READ ONLY],Licenses [READ ONLY],Storage Used [READ ONLY]'
);

/** The download of 2019-2021 (34 columns, VENDOR-FORMATS §3b), its read-only columns among the template's. */
const googleDownloaded = [
	...googleHeaders.slice(0, 7),
	'Status [READ ONLY]',
	'Last Sign In [READ ONLY]',
	...googleHeaders.slice(7, 22),
	'2sv Enrolled [READ ONLY]',
	'2sv Enforced [READ ONLY]',
	...googleHeaders.slice(22, 25),
	'Email Usage [READ ONLY]',
	'Drive Usage [READ ONLY]',
	'Total Storage [READ ONLY]',
	...googleHeaders.slice(25, 27)
];

const oktaProfile = [
	['login', 'username'],
	['firstName', 'firstName'],
	['lastName', 'lastName'],
	['middleName', no("Okta's middle name: Rollcall keeps first, last and display names.")],
	['honorificPrefix', no("Okta's honorific (Dr., Ms.): Rollcall keeps no personal titles.")],
	['honorificSuffix', no("Okta's honorific suffix (Jr., PhD): Rollcall keeps no personal titles.")],
	['email', 'email'],
	['title', 'jobTitle'],
	['displayName', 'displayName'],
	['nickName', no("Okta's nickname: Rollcall keeps first, last and display names.")],
	['profileUrl', no("Okta's profile URL: a link to a page elsewhere, not kept by Rollcall.")],
	['secondEmail', no(`Okta's second email: ${ONE_ADDRESS}`)],
	['mobilePhone', 'mobilePhone'],
	['primaryPhone', 'businessPhone'],
	['streetAddress', 'streetAddress'],
	['city', 'city'],
	['state', 'region'],
	['zipCode', 'postalCode'],
	['countryCode', 'country'],
	[
		'postalAddress',
		no("Okta's postal address is one block of text, not Rollcall's street, city and postal code.")
	],
	['preferredLanguage', 'preferredLanguage'],
	['locale', no("Okta's locale (en_US, for dates and numbers): Rollcall keeps the preferred language.")],
	['timezone', 'timeZone'],
	[
		'userType',
		no("Okta's user type is free text (Employee, Contractor), not Rollcall's Standard/Privileged.")
	],
	['employeeNumber', 'employeeNumber'],
	['costCenter', 'costCenter'],
	['organization', 'organization'],
	['division', 'division'],
	['department', 'department'],
	['managerId', no("Okta's manager ID: Rollcall names a manager by email.")],
	[
		'manager',
		{
			ifEmails: 'manager',
			ignored: "Okta's manager is free text (a name), while Rollcall names a manager by email."
		}
	]
] as const satisfies FileShape['columns'];

const oktaKept = (what: string) => no(`Okta's ${what}: kept by Okta, not something an import sets.`);
const oktaExport = [
	['id', no("Okta's user ID: each system gives its users its own IDs.")],
	['status', oktaKept('status')],
	['created', oktaKept('creation date')],
	['activated', oktaKept('activation date')],
	['statusChanged', oktaKept('status change date')],
	['lastLogin', oktaKept('last sign-in')],
	['lastUpdated', oktaKept('last update')],
	['passwordChanged', oktaKept('password change date')],
	...oktaProfile
] as const satisfies FileShape['columns'];

const activeDirectory = [
	['mail', 'email'],
	['EmailAddress', 'email'],
	// A sign-in name, which is only usually an address: read where the user has no mail.
	['userPrincipalName', 'email'],
	['sAMAccountName', 'username'],
	['givenName', 'firstName'],
	['Surname', 'lastName'],
	['sn', 'lastName'],
	['displayName', 'displayName'],
	['Name', 'displayName'],
	['OfficePhone', 'businessPhone'],
	['telephoneNumber', 'businessPhone'],
	['MobilePhone', 'mobilePhone'],
	['mobile', 'mobilePhone'],
	['title', 'jobTitle'],
	['department', 'department'],
	['company', 'company'],
	['Office', 'office'],
	['physicalDeliveryOfficeName', 'office'],
	['StreetAddress', 'streetAddress'],
	['City', 'city'],
	['l', 'city'],
	['State', 'region'],
	['st', 'region'],
	['postalCode', 'postalCode'],
	// c is the ISO code (Country is its friendly name), co the country's name.
	['c', 'country'],
	['Country', 'country'],
	['co', 'country'],
	['EmployeeID', 'employeeNumber'],
	['employeeNumber', 'employeeNumber'],
	[
		'countryCode',
		no("Active Directory's numeric country code (826 for the United Kingdom): the country is read from c.")
	],
	['manager', no("Active Directory's manager is a distinguished name (CN=...), not the manager's email.")],
	['Enabled', no(`Active Directory's Enabled: ${STARTS_PENDING}`)],
	['DN', no(AD_DN)],
	['DistinguishedName', no(AD_DN)],
	['cn', no("Active Directory's common name: the entry's name; Rollcall reads displayName.")],
	['initials', no("Active Directory's initials: Rollcall keeps first, last and display names.")],
	['description', no("Active Directory's description: a note about the account, not kept by Rollcall.")],
	['homePhone', no(AD_HOME_PHONE)],
	['memberOf', no("Active Directory's groups: Rollcall takes no groups from a file.")],
	['proxyAddresses', no(`Active Directory's proxy addresses (the user's other addresses): ${ONE_ADDRESS}`)],
	['ObjectClass', no(AD_ENTRY)],
	['ObjectGUID', no(AD_ENTRY)],
	['SID', no(AD_ENTRY)],
	['objectSid', no(AD_ENTRY)],
	['objectCategory', no(AD_ENTRY)],
	['instanceType', no(AD_ENTRY)],
	['uSNCreated', no(AD_ENTRY)],
	['uSNChanged', no(AD_ENTRY)],
	['userAccountControl', no(AD_ENTRY)],
	['codePage', no(AD_ENTRY)],
	['primaryGroupID', no(AD_ENTRY)],
	['dSCorePropagationData', no(AD_ENTRY)],
	['whenCreated', no(AD_ENTRY)],
	['whenChanged', no(AD_ENTRY)],
	['accountExpires', no(AD_SIGN_IN)],
	['pwdLastSet', no(AD_SIGN_IN)],
	['badPasswordTime', no(AD_SIGN_IN)],
	['badPwdCount', no(AD_SIGN_IN)],
	['lastLogon', no(AD_SIGN_IN)],
	['lastLogonTimestamp', no(AD_SIGN_IN)],
	['LastLogonDate', no(AD_SIGN_IN)],
	['logonCount', no(AD_SIGN_IN)]
] as const satisfies FileShape['columns'];

/** Rollcall's own templates (and errors files) head each column with its field's label. */
const rollcallFields = fields.map((f): [string, ShapeTarget] => [f.label, f.key as BuiltinFieldKey]);
const rollcallKept = no(
	'Kept by Rollcall itself (status, activation, last sign-in): an export shows it, an import does not set it.'
);
/** The export's header row, as the export writes it (export/shapes.ts): the fields, then what Rollcall keeps. */
const exportHeaders = (policy: FieldPolicy) =>
	tableShape('rollcall', policy).columns.map((column) => column.header);
/** The template's header row, as template.ts writes it: required fields marked ' *'. */
const templateHeaders = (policy: FieldPolicy) => visibleFields(policy).map((f) => templateHeader(f, policy));
const exportOnly = Object.values(EXPORT_ONLY_HEADERS);
/** The column an errors file adds (errors-file.ts ERRORS_HEADER; not imported: that module imports this one). */
const ERRORS_HEADER = 'Errors';

const fieldHeavy = [
	['First name', 'firstName'],
	['Last name', 'lastName'],
	['Username', 'username'],
	['Password', 'password'],
	['Mobile Phone number', 'mobilePhone'],
	['Mobile phone', 'mobilePhone'],
	['Email', 'email'],
	['Business Phone number', 'businessPhone'],
	['Business phone', 'businessPhone'],
	['Company', 'company'],
	['Unique customer code', 'customerCode'],
	['UDID', 'udid'],
	['Add to global address book', 'inGlobalAddressBook']
] as const satisfies FileShape['columns'];

const headersOf = (columns: FileShape['columns']) => columns.map(([header]) => header);
const except = (headers: readonly string[], ...left: string[]) => headers.filter((h) => !left.includes(h));

/** Every shape Rollcall recognises; recogniseShape decides between two that fit one header row. */
export const shapes: readonly FileShape[] = [
	{
		id: 'microsoft-365-template',
		name: 'Microsoft 365 user template',
		system: 'Microsoft 365',
		columns: microsoft365Template,
		variants: [headersOf(microsoft365Template), withoutColumn(headersOf(microsoft365Template), 10)],
		keys: ['User Name']
	},
	{
		id: 'microsoft-365-template-de',
		name: 'Microsoft 365 user template (German)',
		system: 'Microsoft 365',
		// Microsoft 365 reads the template by position: its German labels name two columns 'Telefon geschäftlich'.
		columns: microsoft365Template.map(([, target], i) => [germanLabels[i]!, target] as const),
		variants: [germanLabels, withoutColumn(germanLabels, 10)],
		keys: ['Benutzername'],
		isByPosition: true
	},
	{
		id: 'microsoft-365-export',
		name: 'Microsoft 365 user export',
		system: 'Microsoft 365',
		columns: microsoft365Export,
		variants: [
			// The admin center's export of 2021-2022 (32 columns, alphabetical) and of 2025 (28 columns).
			headerRow(
				'Block credential,City,Country/Region,Department,DirSyncEnabled,Display name,Fax,First name,Last dirsync time,Last name,Last password change time stamp,License assignment details,Licenses,Mobile Phone,Oath token meta data,Object Id,Office,Password never expires,Phone number,Postal code,Preferred data location,Preferred language,Proxy addresses,Release track,Soft deletion time stamp,State,Street address,Strong password required,Title,Usage location,User principal name,When created'
			),
			headerRow(
				'Display name,DirSyncEnabled,User principal name,Object Id,First name,Last name,When created,Soft deletion time stamp,Title,Department,Preferred data location,City,CountryOrRegion,Office,StateOrProvince,Usage location,Last dirsync time,Block credential,Licenses,Password never expires,Last password change time stamp,Mobile Phone,Phone number,Postal code,Preferred language,Street address,Fax,Proxy addresses'
			)
		],
		keys: ['User principal name', 'Object Id']
	},
	{
		id: 'entra-bulk-create',
		name: 'Microsoft Entra bulk create template',
		system: 'Microsoft Entra ID',
		columns: entraBulkCreate,
		variants: [
			except(headersOf(entraBulkCreate), 'User principal name [userPrincipalName] Required'),
			except(headersOf(entraBulkCreate), 'User name [userPrincipalName] Required')
		],
		keys: ['Initial password [passwordProfile] Required']
	},
	{
		id: 'entra-download',
		name: 'Microsoft Entra user download',
		system: 'Microsoft Entra ID',
		columns: entraDownload,
		variants: [
			entraDocumented,
			// An observed file: the documented list with authenticationPhoneNumber after mobile.
			[...entraDocumented.slice(0, 19), 'authenticationPhoneNumber', ...entraDocumented.slice(19)],
			// Graph's names (2021).
			headerRow(
				'userPrincipalName,displayName,surname,mail,givenName,id,userType,jobTitle,department,accountEnabled,usageLocation,streetAddress,state,country,officeLocation,city,postalCode,telephoneNumber,mobilePhone,alternateEmailAddress,ageGroup,consentProvidedForMinor,legalAgeGroupClassification,companyName,creationType,directorySynced,invitationState,identityIssuer,createdDateTime'
			)
		],
		keys: ['userPrincipalName', 'userType']
	},
	{
		id: 'google-upload',
		name: 'Google Workspace bulk upload template',
		system: 'Google Workspace',
		columns: googleUpload,
		variants: [googleHeaders, googleOlder],
		keys: ['Email Address [Required]', 'Org Unit Path [Required]']
	},
	{
		id: 'google-download',
		name: 'Google Workspace user download',
		system: 'Google Workspace',
		columns: [
			// Google never exports passwords: its download's '****' stands for "leave the password unchanged".
			...googleUpload.map(([header, target]) =>
				typeof target === 'object' && 'field' in target && target.field === 'password'
					? ([
							header,
							no("Google Workspace's download never holds passwords: its '****' means unchanged.")
						] as const)
					: ([header, target] as const)
			),
			...googleReadOnly.map((header) => [header, no(GOOGLE_READ_ONLY)] as const),
			['Gemini Enterprise', no(`Google Workspace's Gemini license: ${OWN_LICENSES}`)]
		],
		variants: [
			googleDownloaded,
			[
				...googleDownloaded,
				'New Licenses [UPLOAD ONLY]',
				'Advanced Protection Program enrollment',
				'Gemini Enterprise',
				'Photos Usage [READ ONLY]',
				'Licenses [READ ONLY]',
				'Storage Used [READ ONLY]'
			]
		],
		keys: ['Email Address [Required]', 'Last Sign In [READ ONLY]']
	},
	{
		id: 'okta-import',
		name: 'Okta user import',
		system: 'Okta',
		columns: oktaProfile,
		keys: ['login', 'email']
	},
	{
		id: 'okta-export',
		name: 'Okta user export',
		system: 'Okta',
		columns: oktaExport,
		keys: ['login', 'email', 'status', 'lastLogin']
	},
	{
		id: 'okta-password-health',
		name: 'Okta Password Health report',
		system: 'Okta',
		columns: [
			['User', 'displayName'],
			// Okta's login is usually an address: it becomes the email when every value is one (see headers.ts).
			['Login', 'username'],
			['Status', oktaKept('status')],
			['Activation date', oktaKept('activation date')],
			[
				'Authentication Source',
				no("Okta's authentication source (Okta or a directory): how the user signs in there.")
			],
			['Last Login', oktaKept('last sign-in')],
			['Last Password Change', oktaKept('password change date')]
		],
		keys: ['Login', 'Authentication Source']
	},
	{
		id: 'active-directory-csvde',
		name: 'Active Directory export (csvde)',
		system: 'Active Directory',
		columns: activeDirectory,
		variants: [
			// Without -l: the attributes the users have, in order of first appearance; with -l, DN and the list.
			headerRow(
				'DN,objectClass,cn,sn,title,description,physicalDeliveryOfficeName,telephoneNumber,givenName,initials,distinguishedName,instanceType,whenCreated,whenChanged,displayName,uSNCreated,uSNChanged,department,company,name,userAccountControl,codePage,countryCode,accountExpires,sAMAccountName,userPrincipalName,mail,homePhone,mobile'
			),
			headerRow(
				'DN,sAMAccountName,userPrincipalName,mail,givenName,sn,displayName,telephoneNumber,mobile,title,department,company,l,st,postalCode,c,co'
			),
			// The least an export of users has (the DN column alone says csvde).
			headerRow('DN,sAMAccountName,userPrincipalName,givenName,sn,displayName,mail')
		],
		keys: ['DN']
	},
	{
		id: 'active-directory-get-aduser',
		name: 'Active Directory export (Get-ADUser)',
		system: 'Active Directory',
		columns: activeDirectory,
		variants: [
			// Get-ADUser's default properties, and a typical migration export (VENDOR-FORMATS §5b).
			headerRow(
				'DistinguishedName,Enabled,GivenName,Name,ObjectClass,ObjectGUID,SamAccountName,SID,Surname,UserPrincipalName'
			),
			headerRow(
				'userPrincipalName,sAMAccountName,mail,givenName,sn,displayName,telephoneNumber,mobile,l,st,postalCode,c,co,department,title,company,manager,employeeID,Enabled'
			),
			// A short selection with the friendly names.
			headerRow('SamAccountName,UserPrincipalName,GivenName,Surname,DisplayName,EmailAddress,Enabled')
		],
		keys: ['SamAccountName', 'UserPrincipalName']
	},
	{
		id: 'field-heavy-example',
		name: 'Field-heavy accounts example file',
		system: 'Workflow D',
		columns: fieldHeavy,
		variants: [
			except(headersOf(fieldHeavy), 'Mobile phone', 'Business phone'),
			except(headersOf(fieldHeavy), 'Mobile Phone number', 'Business Phone number')
		],
		keys: ['Email', 'Unique customer code']
	},
	{
		id: 'multi-customer-upload',
		name: 'Multi-customer upload file',
		system: 'Workflow C',
		columns: [
			// Often the person's name ('Ann Lee'): headers.ts reads such values as the display name.
			['User name*', 'username'],
			['Email*', 'email'],
			['User type', 'userType'],
			['Site', 'site']
		],
		keys: ['User name*', 'Email*']
	},
	{
		id: 'rollcall-export',
		name: 'Rollcall export',
		system: 'Rollcall',
		columns: [...rollcallFields, ...exportOnly.map((header) => [header, rollcallKept] as const)],
		variants: presets.map((p) => exportHeaders(p.policy)),
		keys: ['Email', EXPORT_ONLY_HEADERS.status, EXPORT_ONLY_HEADERS.lastLoginAt],
		isExact: true,
		variantOf: exportHeaders,
		extras: [ERRORS_HEADER]
	},
	{
		// Workflows A and B upload Rollcall's own template of their preset: First name, Last name, Email...
		id: 'rollcall-template',
		name: 'Rollcall template',
		system: 'Rollcall',
		columns: rollcallFields,
		variants: presets.map((p) => templateHeaders(p.policy)),
		keys: ['Email'],
		isExact: true,
		variantOf: templateHeaders,
		extras: [ERRORS_HEADER]
	}
];

/** A header as shapes compare them: normalised (headers.ts), spaces ignored ('User name' = 'userName'). */
const keyOf = (header: string) => normaliseHeader(header).replace(/ /gu, '');

interface IndexedShape {
	shape: FileShape;
	keys: string[];
	/** Each header's positions among the shape's columns (the German template has one header twice). */
	positions: Map<string, number[]>;
	variants: string[][];
	/** An exact shape's header rows as written (trimmed), as sets. */
	exact?: Set<string>[];
}

let indexed: IndexedShape[] | undefined;

/** The catalogue by compared header, made on first use (headers.ts, which compares them, imports this module). */
function catalogue(): IndexedShape[] {
	indexed ??= shapes.map((shape) => {
		const positions = new Map<string, number[]>();
		shape.columns.forEach(([header], i) => {
			const key = keyOf(header);
			positions.set(key, [...(positions.get(key) ?? []), i]);
		});
		const variants = shape.variants ?? [headersOf(shape.columns)];
		const exact = shape.isExact ? variants.map((v) => new Set(v)) : undefined;
		return {
			shape,
			keys: shape.keys.map(keyOf),
			positions,
			variants: variants.map((v) => v.map(keyOf)),
			exact
		};
	});
	return indexed;
}

/** How many of a header row's columns one of the shape's header rows finds; 0 when it does not fit at all. */
function found(variant: readonly string[], file: readonly string[], isByPosition: boolean): number {
	if (isByPosition) return variant.every((key, i) => file[i] === key) ? variant.length : 0;
	const present = new Set(file);
	return variant.filter((key) => present.has(key)).length;
}

/** Whether a header row is one of an exact shape's, as written, in any order, with at most its extras besides. */
function isExactly(entry: IndexedShape, headers: readonly string[], policy?: FieldPolicy): boolean {
	const extras = new Set(entry.shape.extras);
	const own = headers.map((header) => header.trim()).filter((header) => !extras.has(header));
	if (headers.length - own.length > extras.size) return false;
	const current = policy && entry.shape.variantOf ? [new Set(entry.shape.variantOf(policy))] : [];
	return [...entry.exact!, ...current].some(
		(variant) => own.length === variant.size && own.every((h) => variant.has(h))
	);
}

/** A file's column a recognised shape knows: what it becomes, and its place in the shape (lower is read first). */
export interface KnownColumn {
	target: ShapeTarget;
	rank: number;
}

export interface ShapeMatch {
	shape: RecognisedShape;
	/** The columns the shape knows, by the file's column index. */
	columns: Map<number, KnownColumn>;
}

/**
 * The shape a header row is, or undefined. A shape fits when the file has every one of its key
 * columns; one of its header rows is there but for at most a quarter of its columns (by position:
 * all of them, first and in order); and at least half the file's headers are the shape's. Of the
 * shapes that fit, the one that knows the most of the file's headers wins, then the one whose header
 * row is the most complete; two different shapes still level: none (aliases map the columns as before).
 * Rollcall's own files are known by their exact header rows: the presets', and the one `policy` writes.
 */
export function recogniseShape(headers: readonly string[], policy?: FieldPolicy): ShapeMatch | undefined {
	const file = headers.map(keyOf);
	const named = file.filter((key) => key !== '');
	let best: { entry: IndexedShape; known: number; complete: number } | undefined;
	let isTied = false;
	for (const entry of catalogue()) {
		if (!entry.keys.every((key) => file.includes(key))) continue;
		if (entry.exact && !isExactly(entry, headers, policy)) continue;
		const known = named.filter((key) => entry.positions.has(key)).length;
		if (known * 2 < named.length) continue;
		const complete = Math.max(
			...entry.variants.map((variant) => {
				const count = found(variant, file, entry.shape.isByPosition === true);
				return count >= variant.length - Math.floor(variant.length / 4) ? count / variant.length : 0;
			})
		);
		if (complete === 0) continue;
		const order = best ? known - best.known || complete - best.complete : 1;
		if (order > 0) [best, isTied] = [{ entry, known, complete }, false];
		else if (order === 0 && best?.entry.shape.id !== entry.shape.id) isTied = true;
	}
	if (!best || isTied) return undefined;
	const { shape, positions } = best.entry;
	const columns = new Map<number, KnownColumn>();
	const seen = new Map<string, number>();
	file.forEach((key, index) => {
		// The n-th column of a header goes to the n-th column of the shape with it; a repeat beyond is not the shape's.
		const occurrence = seen.get(key) ?? 0;
		seen.set(key, occurrence + 1);
		const rank = positions.get(key)?.[occurrence];
		if (rank !== undefined) columns.set(index, { target: shape.columns[rank]![1], rank });
	});
	return { shape: { id: shape.id, name: shape.name, system: shape.system }, columns };
}
