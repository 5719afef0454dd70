import { countryName, countryNames, parseCountry } from './country';
import { parseEmail } from './email';
import { readLicenseKey } from './license-key';
import { languageName, languageSuggestions, parseLanguage, parseTimeZone, timeZoneNames } from './locale';
import { formatPhone, parsePhone, type CountryCode } from './phone';
import { fail, ok, type Parsed } from './result';
import { cleanText, parseText } from './text';

/** Every built-in field a Rollcall user can have. The registry below is the only place that lists them. */
export type BuiltinFieldKey =
	| 'firstName'
	| 'lastName'
	| 'displayName'
	| 'email'
	| 'username'
	| 'password'
	| 'userType'
	| 'site'
	| 'mobilePhone'
	| 'businessPhone'
	| 'company'
	| 'jobTitle'
	| 'department'
	| 'customerCode'
	| 'udid'
	| 'inGlobalAddressBook'
	| 'streetAddress'
	| 'city'
	| 'region'
	| 'postalCode'
	| 'country'
	| 'office'
	| 'employeeNumber'
	| 'costCenter'
	| 'division'
	| 'organization'
	| 'manager'
	| 'preferredLanguage'
	| 'timeZone'
	| 'groups'
	| 'roles'
	| 'entitlements'
	| 'webAccess'
	| 'licenseKey';

/**
 * A custom attribute the admin added (a column of their files Rollcall has no field for): 'custom:' and its
 * name. The name is part of the key so that wherever a key travels (a policy, a stored user, a worker
 * message) the field it names is known without a second list; the policy's custom keys are the list.
 */
export type CustomFieldKey = `custom:${string}`;

export type FieldKey = BuiltinFieldKey | CustomFieldKey;

const CUSTOM_PREFIX = 'custom:';

/** The longest name of a custom attribute, and of its value. */
export const CUSTOM_NAME_MAX = 64;
export const CUSTOM_VALUE_MAX = 1024;

export function isCustomKey(key: string): key is CustomFieldKey {
	return key.startsWith(CUSTOM_PREFIX) && key.length > CUSTOM_PREFIX.length;
}

/** The name of a custom attribute, from its key. */
export const customName = (key: CustomFieldKey) => key.slice(CUSTOM_PREFIX.length);

/** The key of the custom attribute named `name` (trimmed, inner spaces collapsed). */
export function customKey(name: string): CustomFieldKey {
	return `${CUSTOM_PREFIX}${name.trim().replace(/\s+/gu, ' ')}`;
}

/**
 * How a field is entered and shown: drives the form control and the list cell. A 'list' holds several
 * names joined by '; ' (a user's groups, roles, licenses): one text value, so it travels through forms,
 * files and exports as any other field does, and its names are kept apart in the user's keys (see userKeys).
 */
export type FieldType = 'text' | 'email' | 'password' | 'phone' | 'choice' | 'boolean' | 'list';

export type FieldValue = string | boolean;

/** Where a field sits among the others, so long lists (the policy, the form) read in parts. */
export const fieldGroups = [
	'Person',
	'Organisation',
	'Address',
	'Language and time',
	'Access and licenses',
	'Custom attributes'
] as const;
export type FieldGroup = (typeof fieldGroups)[number];

/** What parsing needs to know about the organisation. */
export interface FieldContext {
	/** Country assumed for phone numbers typed without +code. */
	defaultCountry: CountryCode;
}

export const userTypes = ['Standard', 'Privileged'] as const;
export type UserType = (typeof userTypes)[number];

/** The products a license pool counts seats of (DESIGN.md workflow A). */
export const products = ['Desktop', 'Web', 'Mobile'] as const;
export type Product = (typeof products)[number];

/** What separates the names of a 'list' field, as stored and written. */
export const LIST_SEPARATOR = '; ';
/** The longest name in a list (a group's, a role's). */
export const LIST_NAME_MAX = 64;

export interface FieldDef {
	key: FieldKey;
	/** The part of the policy and the form it is shown in. */
	group: FieldGroup;
	/** A custom attribute the admin added, not a built-in field. */
	isCustom?: boolean;
	/** The label the admin sees, in the form, the list and the templates. */
	label: string;
	type: FieldType;
	/** A short hint under the form control. */
	hint?: string;
	/** For choice fields: the allowed values, the first being the default. */
	choices?: readonly string[];
	/** Taken when the admin leaves the field empty. */
	defaultValue?: FieldValue;
	/** Sensitive values are write-only: never displayed, exported or kept readable. */
	isSensitive: boolean;
	/** Unique in the directory (case-insensitively); checked live as the admin types. */
	isUnique: boolean;
	/** The address of the person: always required, a policy cannot hide it. */
	isIdentity: boolean;
	/**
	 * Given by Rollcall, never typed (the license key): the form and the templates leave it out, and a
	 * policy can show it but never require it (the form could not be saved).
	 */
	isGenerated?: boolean;
	/**
	 * Lets the person in (the license key signs a desktop in): files for other systems (SCIM and the vendor
	 * shapes) never carry it; Rollcall's own export (to move users between devices) and the backup do.
	 */
	isCredential?: boolean;
	/** Shown as a column of the Users list when the policy does not hide it. */
	isListed?: boolean;
	/**
	 * How colleagues reach or find the person (a phone, a title, where they sit): shown for each entry of
	 * the global address book page when the policy does not hide it. The name is its heading.
	 */
	isContact?: boolean;
	/**
	 * Its words are found by the Users list's search (see searchText). Names and email are always
	 * searched, by rules of their own.
	 */
	isSearched?: boolean;
	/**
	 * Other names a spreadsheet column may have for this field (normalised: lower case, no accents or
	 * punctuation), in English and in the languages of European Excel users: Outlook's contact headers in
	 * German, French, Spanish, Italian, Dutch and Portuguese, the Microsoft 365 German template's labels
	 * and the names people type by hand (VENDOR-FORMATS §9).
	 */
	aliases: readonly string[];
	/** HTML autocomplete token and virtual-keyboard hint for the form. */
	autocomplete: string;
	inputMode?: 'text' | 'email' | 'tel';
	/** Values the form suggests as the admin types (a datalist): names it reads, not the only ones allowed. */
	suggestions?: () => readonly string[];
	/** Normalises and validates one non-empty raw value. */
	parse(raw: string, context: FieldContext): Parsed<FieldValue>;
	/** The value as the admin reads it. */
	format(value: FieldValue, context: FieldContext): string;
}

const asText = (value: FieldValue) => (typeof value === 'string' ? value : value ? 'Yes' : 'No');

function textField(
	key: FieldKey,
	label: string,
	maxLength: number,
	rest: Partial<FieldDef> & Pick<FieldDef, 'autocomplete' | 'aliases'>
): FieldDef {
	return {
		key,
		group: 'Person',
		label,
		type: 'text',
		isSensitive: false,
		isUnique: false,
		isIdentity: false,
		parse: (raw) => parseText(raw, label, maxLength),
		format: asText,
		...rest
	};
}

function phoneField(key: FieldKey, label: string, autocomplete: string, aliases: string[]): FieldDef {
	return {
		key,
		group: 'Person',
		label,
		type: 'phone',
		hint: 'With +country code for numbers abroad.',
		isContact: true,
		isSensitive: false,
		isUnique: false,
		isIdentity: false,
		aliases,
		autocomplete,
		inputMode: 'tel',
		parse: (raw, context) => parsePhone(raw, label, context.defaultCountry),
		format: (value, context) => formatPhone(asText(value), context.defaultCountry)
	};
}

const YES = new Set(['yes', 'y', 'true', '1', 'x', 'on', 'oui', 'ja', 'si', 'sí']);
const NO = new Set(['no', 'n', 'false', '0', 'off', 'non', 'nein']);

function parseUsername(raw: string): Parsed<string> {
	const value = cleanText(raw);
	if (/\s/u.test(value)) return fail('Username cannot contain spaces.');
	if (!/^[\p{L}\p{N}._@'-]+$/u.test(value)) {
		return fail("Username can only contain letters, digits and . _ - @ '.");
	}
	// A string never has more characters than code units: counted only when it might be too long.
	if (value.length > 64 && [...value].length > 64)
		return fail('Username is too long: at most 64 characters.');
	return ok(value);
}

function parsePassword(raw: string): Parsed<string> {
	// NIST SP 800-63B: length is what counts; no composition rules, spaces allowed, long passphrases welcome.
	const length = [...raw.normalize('NFC')].length;
	if (length < 8) return fail('Password needs at least 8 characters.');
	if (length > 128) return fail('Password is too long: at most 128 characters.');
	if (raw.trim() === '') return fail('Password cannot be only spaces.');
	return ok(raw.normalize('NFC'));
}

function parseUdid(raw: string): Parsed<string> {
	const value = raw.trim().toUpperCase();
	// Apple device ids: 40 hex digits (before 2018) or 8-16 hex digits with a hyphen (since).
	if (/^[0-9A-F]{40}$/u.test(value) || /^[0-9A-F]{8}-[0-9A-F]{16}$/u.test(value)) return ok(value);
	return fail(
		'UDID must be 40 hexadecimal digits, or 8 and 16 joined by a hyphen (00008030-001A2B3C4D5E6F70).'
	);
}

function parseUserType(raw: string): Parsed<string> {
	const match = userTypes.find((type) => type.toLowerCase() === raw.trim().toLowerCase());
	return match ? ok(match) : fail(`User type must be ${userTypes.join(' or ')}.`);
}

function parseBoolean(raw: string, label: string): Parsed<boolean> {
	const value = raw.trim().toLowerCase();
	if (YES.has(value)) return ok(true);
	if (NO.has(value)) return ok(false);
	return fail(`${label} must be Yes or No.`);
}

/** Active Directory exports name a manager by distinguished name ('CN=Jane Roe,OU=Staff,DC=example,DC=com'). */
const DISTINGUISHED_NAME = /^\s*CN=(?:\\.|[^,\\])+,\s*(?:OU|DC|CN|O|L)=/iu;

/** A manager is named by email, the one key every directory (Google, Okta, SCIM) can find them by. */
function parseManager(raw: string): Parsed<string> {
	if (DISTINGUISHED_NAME.test(raw)) {
		return fail(
			"Manager is an Active Directory name (CN=...), not an email: give the manager's email instead."
		);
	}
	const email = parseEmail(raw);
	return email.ok ? email : fail(`Manager needs the manager's email address. ${email.message}`);
}

/** The names of a 'list' value, as stored ('Sales; Support'): trimmed, none empty. */
export function listNames(value: string | undefined): string[] {
	return value
		? value
				.split(';')
				.map((name) => name.trim().replace(/\s+/gu, ' '))
				.filter(Boolean)
		: [];
}

/**
 * Reads several names separated by ';' (a file's 'Groups' cell, 'Sales; Support'): each trimmed, the
 * same name twice kept once (case aside), each at most LIST_NAME_MAX characters, and, when the field has
 * choices, each one of them (in the choice's own spelling).
 */
function parseList(raw: string, label: string, choices?: readonly string[]): Parsed<string> {
	const kept = new Map<string, string>();
	for (const name of listNames(raw)) {
		if ([...name].length > LIST_NAME_MAX) {
			return fail(
				`${label}: “${name.slice(0, 20)}…” is too long: at most ${LIST_NAME_MAX} characters a name.`
			);
		}
		// A group or role is made from the name at commit: an invisible character would hide in it for good.
		const text = parseText(name, label, LIST_NAME_MAX);
		if (!text.ok) return text;
		const choice = choices ? choices.find((c) => c.toLowerCase() === name.toLowerCase()) : name;
		if (choice === undefined) return fail(`${label}: “${name}” is not one of ${choices!.join(', ')}.`);
		if (!kept.has(choice.toLowerCase())) kept.set(choice.toLowerCase(), choice);
	}
	return ok([...kept.values()].join(LIST_SEPARATOR));
}

function listField(
	key: FieldKey,
	label: string,
	rest: Partial<FieldDef> & Pick<FieldDef, 'aliases'>
): FieldDef {
	return {
		key,
		group: 'Access and licenses',
		label,
		type: 'list',
		hint: 'Several names separated by ;',
		isSensitive: false,
		isUnique: false,
		isIdentity: false,
		isListed: true,
		autocomplete: 'off',
		parse: (raw) => parseList(raw, label, rest.choices),
		format: asText,
		...rest
	};
}

/** The field registry: every field once, in the order the form and the templates show them. */
export const fields: readonly FieldDef[] = [
	textField('firstName', 'First name', 64, {
		autocomplete: 'given-name',
		aliases: [
			'first name',
			'firstname',
			'given name',
			'givenname',
			'forename',
			'vorname',
			'prenom',
			'nombre',
			'nome',
			'voornaam',
			'primeiro nome'
		]
	}),
	textField('lastName', 'Last name', 64, {
		autocomplete: 'family-name',
		aliases: [
			'last name',
			'lastname',
			'surname',
			'family name',
			'familyname',
			'sn',
			'nachname',
			// French: 'Nom' is the family name (and 'Titre' the job title).
			'nom',
			'nom de famille',
			'apellidos',
			'apellido',
			'cognome',
			'achternaam',
			'sobrenome',
			'apelido'
		]
	}),
	textField('displayName', 'Display name', 256, {
		hint: 'Left empty: first and last name.',
		autocomplete: 'name',
		aliases: ['display name', 'displayname', 'full name', 'name', 'anzeigename']
	}),
	{
		key: 'email',
		group: 'Person',
		isContact: true,
		label: 'Email',
		type: 'email',
		isSensitive: false,
		isUnique: true,
		isIdentity: true,
		aliases: [
			'email',
			'email address',
			'e mail',
			'mail',
			'primary email',
			'work email',
			// Microsoft 365 / Entra: the sign-in name, an address in email form, and its only address column.
			'user principal name',
			'upn',
			'e mail adresse',
			'adresse de messagerie',
			'courriel',
			'correo electronico',
			'indirizzo posta elettronica',
			'e mailadres',
			'endereco de correio electronico'
		],
		autocomplete: 'email',
		inputMode: 'email',
		parse: parseEmail,
		format: asText
	},
	{
		key: 'username',
		group: 'Person',
		label: 'Username',
		type: 'text',
		hint: 'The name used to sign in.',
		isSensitive: false,
		isUnique: true,
		isIdentity: false,
		isListed: true,
		isSearched: true,
		aliases: [
			'username',
			'user name',
			'login',
			'login name',
			'sign in name',
			'samaccountname',
			// Microsoft 365's German template: the sign-in address (see signInNameAsEmail).
			'benutzername'
		],
		autocomplete: 'username',
		parse: parseUsername,
		format: asText
	},
	{
		key: 'password',
		group: 'Person',
		label: 'Password',
		type: 'password',
		hint: 'At least 8 characters. Never shown again or exported.',
		isSensitive: true,
		isUnique: false,
		isIdentity: false,
		aliases: ['password', 'initial password', 'temporary password', 'password profile'],
		autocomplete: 'new-password',
		parse: parsePassword,
		format: () => '••••••••'
	},
	{
		key: 'userType',
		group: 'Person',
		label: 'User type',
		type: 'choice',
		choices: userTypes,
		defaultValue: 'Standard',
		isListed: true,
		isSensitive: false,
		isUnique: false,
		isIdentity: false,
		aliases: ['user type', 'usertype', 'type', 'account type', 'role type'],
		autocomplete: 'off',
		parse: parseUserType,
		format: asText
	},
	textField('site', 'Site', 128, {
		isContact: true,
		defaultValue: 'HQ',
		isListed: true,
		isSearched: true,
		hint: 'Left empty: HQ.',
		autocomplete: 'off',
		aliases: ['site', 'location']
	}),
	phoneField('mobilePhone', 'Mobile phone', 'tel', [
		'mobile phone',
		'mobile',
		'mobilephone',
		'cell',
		'cell phone',
		'mobile number',
		'mobile phone number',
		'mobiltelefon',
		'handy',
		'tel mobile',
		'portable',
		'movil',
		'cellulare',
		'mobiele telefoon',
		'mobiel',
		'telefone celular',
		'celular',
		'telemovel'
	]),
	phoneField('businessPhone', 'Business phone', 'work tel', [
		'business phone',
		'office phone',
		'work phone',
		'telephone number',
		'telephone',
		'phone',
		'phone number',
		'primary phone',
		'business phone number',
		'telefon geschaftlich',
		'telefon',
		'telephone bureau',
		'telefono del trabajo',
		'telefono',
		// Italian Outlook's business phone; a column of it that holds no phone numbers ('Sede Milano', typed
		// by hand) is the office instead (known-columns.ts phoneUnlessText).
		'ufficio',
		'telefoon op werk',
		'telefoon',
		'telefone comercial',
		'telefone da empresa',
		'telefone'
	]),
	textField('company', 'Company', 128, {
		isContact: true,
		group: 'Organisation',
		isSearched: true,
		autocomplete: 'organization',
		aliases: [
			'company',
			'company name',
			'firma',
			'societe',
			'entreprise',
			'organizacion',
			'empresa',
			'societa',
			'azienda',
			'bedrijf'
		]
	}),
	textField('jobTitle', 'Job title', 128, {
		isContact: true,
		group: 'Organisation',
		isSearched: true,
		autocomplete: 'organization-title',
		// Not German or Dutch 'Titel', nor 'Anrede': personal titles (Dr., Frau). French Outlook writes 'Titre'
		// twice, the personal title first: the last is the job title (known-columns.ts titleTwice).
		aliases: [
			'job title',
			'jobtitle',
			'title',
			'position',
			'employee title',
			'funktion',
			'titre',
			'fonction',
			'poste',
			'puesto',
			'cargo',
			'posizione',
			'ruolo',
			'functie'
		]
	}),
	textField('department', 'Department', 128, {
		isContact: true,
		group: 'Organisation',
		isListed: true,
		isSearched: true,
		autocomplete: 'off',
		aliases: ['department', 'dept', 'abteilung', 'service', 'departamento', 'reparto', 'afdeling']
	}),
	textField('customerCode', 'Customer code', 64, {
		hint: 'Kept exactly as typed, leading zeros too.',
		isUnique: true,
		autocomplete: 'off',
		aliases: ['customer code', 'unique customer code', 'customer id', 'customer number']
	}),
	{
		key: 'udid',
		group: 'Person',
		label: 'UDID',
		type: 'text',
		hint: "The device's unique identifier.",
		isSensitive: false,
		isUnique: false,
		isIdentity: false,
		aliases: ['udid', 'device id', 'device udid'],
		autocomplete: 'off',
		parse: parseUdid,
		format: asText
	},
	{
		key: 'inGlobalAddressBook',
		group: 'Person',
		label: 'In global address book',
		type: 'boolean',
		defaultValue: false,
		isSensitive: false,
		isUnique: false,
		isIdentity: false,
		aliases: ['add to global address book', 'global address book', 'in global address book', 'gal'],
		autocomplete: 'off',
		parse: (raw, _context) => parseBoolean(raw, 'In global address book'),
		format: asText
	},
	// The attributes the big directories share (SCIM 2.0 core and enterprise User, RFC 7643): hidden by
	// every preset, turned on by the admin (or by an import whose file has them) so lists keep them.
	textField('streetAddress', 'Street address', 1023, {
		isContact: true,
		group: 'Address',
		autocomplete: 'street-address',
		aliases: ['street address', 'streetaddress', 'address', 'street', 'adresse']
	}),
	textField('city', 'City', 128, {
		isContact: true,
		group: 'Address',
		autocomplete: 'address-level2',
		aliases: [
			'city',
			'town',
			'locality',
			'l',
			'ort',
			'ort geschaftlich',
			'stadt',
			'wohnort',
			'ville',
			'ciudad',
			'ciudad de trabajo',
			'citta',
			'plaats',
			'werkadres plaats',
			'cidade',
			'business city',
			'localidade da empresa'
		]
	}),
	textField('region', 'State or region', 128, {
		isContact: true,
		group: 'Address',
		autocomplete: 'address-level1',
		aliases: [
			'state',
			'state or region',
			'state or province',
			'state province',
			'province',
			'region',
			'county',
			'st',
			'bundesstaat',
			'bundesland'
		]
	}),
	textField('postalCode', 'Postal code', 40, {
		isContact: true,
		group: 'Address',
		hint: 'Kept exactly as typed, leading zeros too.',
		autocomplete: 'postal-code',
		aliases: [
			'postal code',
			'postalcode',
			'zip',
			'zip code',
			'zipcode',
			'zip or postal code',
			'postcode',
			'postleitzahl',
			'postleitzahl geschaftlich',
			'plz',
			'code postal',
			'codigo postal',
			'codigo postal del trabajo',
			'codigo postal da empresa',
			'cap',
			'werkadres postcode',
			'business postal code',
			'cep'
		]
	}),
	textField('country', 'Country', 128, {
		isContact: true,
		group: 'Address',
		hint: 'A name (Germany, Deutschland) or a code (DE).',
		autocomplete: 'country-name',
		suggestions: countryNames,
		parse: (raw) => parseCountry(raw),
		format: (value) => countryName(asText(value)),
		aliases: [
			'country',
			'country or region',
			'country region',
			'country code',
			'countrycode',
			'c',
			'co',
			'land',
			'land oder region',
			'land region',
			'land region geschaftlich',
			'pays',
			'pays region',
			'pais',
			'pais o region del trabajo',
			'paese',
			'nazione',
			'land regio',
			'pais regiao da empresa'
		]
	}),
	textField('office', 'Office', 128, {
		isContact: true,
		group: 'Organisation',
		autocomplete: 'off',
		aliases: ['office', 'office number', 'office location', 'physical delivery office name']
	}),
	textField('employeeNumber', 'Employee number', 64, {
		group: 'Organisation',
		hint: 'Kept exactly as typed, leading zeros too.',
		autocomplete: 'off',
		aliases: ['employee number', 'employeenumber', 'employee id', 'employeeid', 'employee no']
	}),
	textField('costCenter', 'Cost centre', 64, {
		group: 'Organisation',
		autocomplete: 'off',
		aliases: ['cost center', 'cost centre', 'costcenter']
	}),
	textField('division', 'Division', 128, {
		group: 'Organisation',
		autocomplete: 'off',
		aliases: ['division']
	}),
	textField('organization', 'Organisation', 128, {
		group: 'Organisation',
		autocomplete: 'off',
		aliases: ['organization', 'organisation']
	}),
	textField('manager', 'Manager', 320, {
		isContact: true,
		group: 'Organisation',
		hint: "The manager's email.",
		autocomplete: 'off',
		inputMode: 'email',
		parse: parseManager,
		aliases: ['manager', 'manager email', 'manageremail']
	}),
	textField('preferredLanguage', 'Preferred language', 35, {
		group: 'Language and time',
		hint: 'A language code (en-GB) or name (English).',
		autocomplete: 'language',
		suggestions: languageSuggestions,
		parse: (raw) => parseLanguage(raw),
		format: (value) => languageName(asText(value)),
		aliases: ['preferred language', 'preferredlanguage', 'language']
	}),
	textField('timeZone', 'Time zone', 64, {
		group: 'Language and time',
		hint: 'Its IANA name, such as Europe/London.',
		autocomplete: 'off',
		suggestions: timeZoneNames,
		parse: (raw) => parseTimeZone(raw),
		aliases: ['time zone', 'timezone']
	}),
	// Who the user belongs to and what they may use (DESIGN.md workflows A and B): names joined by '; '.
	listField('groups', 'Groups', {
		aliases: ['groups', 'group', 'member of', 'memberof', 'gruppen', 'groupes', 'grupos']
	}),
	// Not 'role' alone: Zendesk's and others' 'role' is an access level (end-user, agent), not a Rollcall role.
	listField('roles', 'Roles', { aliases: ['roles', 'user roles'] }),
	listField('entitlements', 'Licenses', {
		choices: products,
		hint: `Any of ${products.join(', ')}, separated by ;`,
		aliases: ['licenses', 'licences', 'license', 'licence', 'entitlements', 'products']
	}),
	{
		key: 'webAccess',
		group: 'Access and licenses',
		label: 'Web access',
		type: 'boolean',
		hint: 'With it off, the person cannot sign in on the web.',
		defaultValue: false,
		isSensitive: false,
		isUnique: false,
		isIdentity: false,
		aliases: ['web access', 'webaccess'],
		autocomplete: 'off',
		parse: (raw) => parseBoolean(raw, 'Web access'),
		format: asText
	},
	// Generated (users.add, the import commit), never typed. An import may carry one: users moved from another
	// device keep the keys their desktops were activated with (a key another user has is refused, and an
	// update never changes a key: only 'Regenerate' does, which tells the relay). Rollcall's own export carries
	// it when the policy shows it, for that move; vendor shapes never do (a key is a credential: it signs a
	// desktop in, and a file for Microsoft 365 or Okta has no use for it); the backup always keeps it.
	textField('licenseKey', 'License key', 23, {
		group: 'Access and licenses',
		isGenerated: true,
		isCredential: true,
		hint: 'Given by Rollcall: 20 letters and digits in groups of five.',
		autocomplete: 'off',
		parse: readLicenseKey,
		aliases: ['license key', 'licence key', 'licensekey', 'product key']
	})
];

/** A custom attribute: free text under the name the admin gave it, listed, searched and exported like any field. */
function customField(key: CustomFieldKey): FieldDef {
	const label = customName(key);
	return {
		...textField(key, label, CUSTOM_VALUE_MAX, { autocomplete: 'off', aliases: [] }),
		group: 'Custom attributes',
		isCustom: true,
		isListed: true,
		isSearched: true
	};
}

const byKey = new Map<FieldKey, FieldDef>(fields.map((field) => [field.key, field]));

/** The definition of a field, built-in or custom (a custom one is made from its key the first time). */
export function field(key: FieldKey): FieldDef {
	const found = byKey.get(key);
	if (found) return found;
	if (!isCustomKey(key)) throw new Error(`Unknown field ${key}`);
	const made = customField(key);
	byKey.set(key, made);
	return made;
}

export const fieldKeys: readonly BuiltinFieldKey[] = fields.map((f) => f.key as BuiltinFieldKey);
