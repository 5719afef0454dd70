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
		'alternateemailaddress'
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
	Zendesk: ['role', 'externalid', 'details', 'notes', 'restriction', 'tags', 'brand', 'organizationid'],
	// The column a Rollcall errors file adds, when the admin uploads the corrected file again.
	Rollcall: ['errors']
};

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
