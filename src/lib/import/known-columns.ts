import type { BuiltinFieldKey } from '$lib/domain/fields';

/** The 'system' of the columns only Rollcall's exports have. */
export const ROLLCALL_EXPORT = 'Rollcall export';

/**
 * Columns of the templates and exports of other systems that Rollcall keeps no field for: ignored
 * without asking, so those files import with no manual work. Compared without spaces.
 */
export const foreignColumns: Record<string, readonly string[]> = {
	'Microsoft 365': [
		'accountenabled',
		'blocksignin',
		'usagelocation',
		'fax',
		'faxnumber',
		'alternateemailaddress',
		// The German template's Alternate email address.
		'alternativeemailadresse'
	],
	'Google Workspace': [
		'passwordhashfunction',
		'orgunitpath',
		'newprimaryemail',
		'recoveryemail',
		'homesecondaryemail',
		'worksecondaryemail',
		'recoveryphone',
		'homephone',
		'workaddress',
		'homeaddress',
		'employeetype',
		'buildingid',
		'floorname',
		'floorsection',
		'changepasswordatnextsignin',
		'newstatus',
		'newlicenses',
		'advancedprotectionprogramenrollment'
	],
	Okta: [
		'middlename',
		'honorificprefix',
		'honorificsuffix',
		'nickname',
		'profileurl',
		'secondemail',
		'postaladdress',
		'locale',
		'managerid'
	],
	'Active Directory': [
		'cn',
		'dn',
		'distinguishedname',
		'enabled',
		'objectguid',
		'objectsid',
		'sid',
		'objectclass',
		'description',
		'memberof',
		'whencreated',
		'whenchanged',
		'lastlogondate',
		'initials'
	],
	// Personal titles (Dr., Frau, Dhr.), which German address books head 'Anrede' or 'Titel' and Dutch ones
	// 'Titel': not a job title (Dutch Outlook's job title is 'Functie').
	'German and Dutch address books': ['anrede', 'titel'],
	Zendesk: ['role', 'externalid', 'details', 'notes', 'restriction', 'tags', 'brand', 'organizationid'],
	// The column a Rollcall errors file adds, when the admin uploads the corrected file again.
	Rollcall: ['errors'],
	// What Rollcall's own exports add to the fields (export/shapes.ts EXPORT_ONLY_HEADERS): set by Rollcall
	// itself, so a list exported and imported again maps with no manual step.
	[ROLLCALL_EXPORT]: ['status', 'activated', 'lastlogin']
};

/**
 * Headers an address book writes twice, a personal title first (M., Mme) and the job title last: French
 * Outlook's 'Titre'. Written once, the header is the job title. Compared without spaces.
 */
export const titleTwice: ReadonlySet<string> = new Set(['titre']);

/**
 * Aliases of a phone field that name another field when most of the column's values are not phone
 * numbers: Italian Outlook's 'Ufficio' is the business phone, a hand-typed Italian sheet's the office
 * ('Sede Milano'). Compared without spaces.
 */
export const phoneUnlessText: ReadonlyMap<string, BuiltinFieldKey> = new Map([['ufficio', 'office']]);

/**
 * Aliases that name a field only when no other column does. Active Directory exports name one attribute
 * twice ('Surname' and 'sn', 'EmailAddress' and 'mail', 'OfficePhone' and 'telephoneNumber'), and have
 * 'Name' beside 'DisplayName', 'UserPrincipalName' beside 'mail'. Compared without spaces.
 */
export const fallbackAliases = new Set([
	'name',
	'userprincipalname',
	'upn',
	'sn',
	'mail',
	'telephonenumber',
	'mobile',
	'physicaldeliveryofficename',
	// Active Directory: 'co' is the country's name beside 'c', its ISO code.
	'co'
]);
