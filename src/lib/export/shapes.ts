import type { BuiltinFieldKey, FieldKey } from '$lib/domain/fields';
import { visibleFields, type FieldPolicy } from '$lib/domain/policy';
import { nameOf, type User } from '$lib/domain/user';
import { countryName } from '$lib/domain/country';
import { isoTime, textOf } from './values';

/** Whose import file a CSV or XLSX export follows: Rollcall's own, or a vendor's bulk-upload file. */
export const exportShapes = ['rollcall', 'microsoft-365', 'entra', 'google', 'okta'] as const;
export type ExportShape = (typeof exportShapes)[number];

/** What the admin calls each shape, for the 'Shaped for' choice. */
export const shapeNames: Record<ExportShape, string> = {
	rollcall: 'Rollcall',
	'microsoft-365': 'Microsoft 365',
	entra: 'Microsoft Entra ID',
	google: 'Google Workspace',
	okta: 'Okta'
};

/** One column of a shaped file: its header, exactly as the vendor's template has it, and its cell. */
export interface ShapeColumn {
	header: string;
	/** The cell's text (before formula escaping and quoting). */
	cell(user: User): string;
}

/** The columns, rows above the header and limits of one shape, for one policy. */
export interface TableShape {
	shape: ExportShape;
	/** What the admin calls it: 'Microsoft 365'. */
	name: string;
	/** Rows above the header, as the vendor's template has them (Entra's 'version:v1.0'). */
	preamble: readonly (readonly string[])[];
	columns: readonly ShapeColumn[];
	/** The most users one file may hold (Microsoft 365: 249); Infinity when the vendor sets no cap. */
	maxUsersPerFile: number;
	/** What the admin must know before uploading the file there, in plain words (shown by the runner). */
	notes: readonly string[];
}

/** The sentence every vendor shape carries: custom attributes have no column in another system's file. */
const NO_CUSTOM = 'Custom attributes are not part of this file: its columns are exactly the template.';

/**
 * A builder of columns that respects the policy: a field the policy hides is not exported (its cell is
 * empty; the column stays, since the vendor's template has it). The email is never hidden.
 */
function columnsFor(policy: FieldPolicy) {
	const shown = (key: FieldKey) => policy[key] !== undefined && policy[key] !== 'hidden';
	const value = (user: User, key: BuiltinFieldKey) => (shown(key) ? textOf(user, key) : '');
	return {
		/** A column holding a field's stored text. */
		field: (header: string, key: BuiltinFieldKey): ShapeColumn => ({
			header,
			cell: (user) => value(user, key)
		}),
		/** A column the vendor's template has and Rollcall has nothing for: always empty. */
		empty: (header: string): ShapeColumn => ({ header, cell: () => '' }),
		/** A column computed from the user (the policy still applies to the fields it reads). */
		computed: (header: string, cell: (user: User, get: (key: BuiltinFieldKey) => string) => string) => ({
			header,
			cell: (user: User) => cell(user, (key) => value(user, key))
		})
	};
}

/** A display name for the vendors that require one: the user's, else what Rollcall lists them under. */
const displayNameOf = (user: User, get: (key: BuiltinFieldKey) => string) =>
	get('displayName') || nameOf(user);

/** An ISO alpha-2 country code, or '' for a country kept as a name (before the country field parsed codes). */
const countryCodeOf = (get: (key: BuiltinFieldKey) => string) =>
	/^[A-Z]{2}$/u.test(get('country')) ? get('country') : '';

/** Rollcall's own: every field the policy shows, by its registry label (so the import maps it back). */
function rollcallShape(policy: FieldPolicy): TableShape {
	const fieldColumns = visibleFields(policy)
		.filter((def) => !def.isSensitive)
		.map((def): ShapeColumn => ({ header: def.label, cell: (user) => textOf(user, def.key) }));
	return {
		shape: 'rollcall',
		name: shapeNames['rollcall'],
		preamble: [],
		columns: [
			...fieldColumns,
			{ header: EXPORT_ONLY_HEADERS.status, cell: (user) => user.status },
			{ header: EXPORT_ONLY_HEADERS.activatedAt, cell: (user) => isoTime(user.activatedAt) },
			{ header: EXPORT_ONLY_HEADERS.lastLoginAt, cell: (user) => isoTime(user.lastLoginAt) }
		],
		maxUsersPerFile: Infinity,
		notes: []
	};
}

/**
 * The headers of what Rollcall's own export adds to the fields: set by Rollcall itself, so its import
 * ignores them (known-columns.ts lists them) and the file maps back with no manual step.
 */
export const EXPORT_ONLY_HEADERS = {
	status: 'Status',
	activatedAt: 'Activated',
	lastLoginAt: 'Last login'
} as const;

/** Microsoft 365 admin center, Add multiple users (VENDOR-FORMATS.md §1a): 16 columns, 249 users a file. */
function microsoft365Shape(policy: FieldPolicy): TableShape {
	const c = columnsFor(policy);
	return {
		shape: 'microsoft-365',
		name: shapeNames['microsoft-365'],
		preamble: [],
		columns: [
			// The sign-in name (UPN): an address in email form, which is what Rollcall's email is.
			c.field('User Name', 'email'),
			c.field('First Name', 'firstName'),
			c.field('Last Name', 'lastName'),
			c.computed('Display Name', displayNameOf),
			c.field('Job Title', 'jobTitle'),
			c.field('Department', 'department'),
			c.field('Office Number', 'office'),
			c.field('Office Phone', 'businessPhone'),
			c.field('Mobile Phone', 'mobilePhone'),
			c.empty('Fax'),
			c.empty('Alternate email address'),
			c.field('Address', 'streetAddress'),
			c.field('City', 'city'),
			c.field('State or Province', 'region'),
			c.field('ZIP or Postal Code', 'postalCode'),
			c.computed('Country or Region', (_, get) => countryName(get('country')))
		],
		maxUsersPerFile: 249,
		notes: [
			'Microsoft 365 takes at most 249 users per file: larger lists come as several files, each uploaded on its own.',
			'Sign-in status, licenses and usage location are chosen in the Add multiple users wizard, for the whole file.',
			// Rollcall allows 128 characters in both, and any length of email: nothing is cut short here.
			'Microsoft 365 takes at most 64 characters in Job Title and in Department, and 79 in User Name: a user with a longer value fails there, so shorten it in the file first.',
			NO_CUSTOM
		]
	};
}

/** Microsoft Entra ID, Bulk create users (VENDOR-FORMATS.md §2a): 'version:v1.0', then bracketed headers. */
function entraShape(policy: FieldPolicy): TableShape {
	const c = columnsFor(policy);
	return {
		shape: 'entra',
		name: shapeNames['entra'],
		preamble: [['version:v1.0']],
		columns: [
			c.computed('Name [displayName] Required', displayNameOf),
			c.field('User name [userPrincipalName] Required', 'email'),
			// Required by Entra, and never exported: the admin fills it in (see the note).
			c.empty('Initial password [passwordProfile] Required'),
			// 'Yes' blocks sign-in (accountEnabled false): only a suspended user's account is blocked.
			c.computed('Block sign in (Yes/No) [accountEnabled] Required', (user) =>
				user.status === 'Suspended' ? 'Yes' : 'No'
			),
			c.field('First name [givenName]', 'firstName'),
			c.field('Last name [surname]', 'lastName'),
			c.field('Job title [jobTitle]', 'jobTitle'),
			c.field('Department [department]', 'department'),
			// Entra's sample gives a two-letter country code here.
			c.computed('Usage location [usageLocation]', (_, get) => countryCodeOf(get)),
			c.field('Street address [streetAddress]', 'streetAddress'),
			c.field('State or province [state]', 'region'),
			c.computed('Country or region [country]', (_, get) => countryName(get('country'))),
			c.field('Office [physicalDeliveryOfficeName]', 'office'),
			c.field('City [city]', 'city'),
			c.field('ZIP or postal code [postalCode]', 'postalCode'),
			c.field('Office phone [telephoneNumber]', 'businessPhone'),
			c.field('Mobile phone [mobile]', 'mobilePhone')
		],
		maxUsersPerFile: Infinity,
		notes: [
			'Passwords are never exported: fill the Initial password column (as your tenant’s password policy asks) before uploading to Entra, which requires it.',
			'Block sign in is Yes for suspended users and No for everyone else.',
			NO_CUSTOM
		]
	};
}

/** Google Workspace, bulk upload (VENDOR-FORMATS.md §3a): the 29 columns of the current template. */
function googleShape(policy: FieldPolicy): TableShape {
	const c = columnsFor(policy);
	return {
		shape: 'google',
		name: shapeNames['google'],
		preamble: [],
		columns: [
			c.field('First Name [Required]', 'firstName'),
			c.field('Last Name [Required]', 'lastName'),
			c.field('Email Address [Required]', 'email'),
			// Never exported; not '****' either, which keeps an existing user's password and fails for a new one.
			c.empty('Password [Required]'),
			c.empty('Password Hash Function [UPLOAD ONLY]'),
			c.computed('Org Unit Path [Required]', () => '/'),
			c.empty('New Primary Email [UPLOAD ONLY]'),
			c.empty('Recovery Email'),
			c.empty('Home Secondary Email'),
			c.empty('Work Secondary Email'),
			// A way back into the account is the admin's decision, not a copy of the mobile phone.
			c.empty('Recovery Phone [MUST BE IN THE E.164 FORMAT]'),
			c.field('Work Phone', 'businessPhone'),
			c.empty('Home Phone'),
			c.field('Mobile Phone', 'mobilePhone'),
			c.computed('Work Address', (_, get) =>
				[get('streetAddress'), get('city'), get('region'), get('postalCode'), countryName(get('country'))]
					.filter(Boolean)
					.join(', ')
			),
			c.empty('Home Address'),
			c.field('Employee ID', 'employeeNumber'),
			c.empty('Employee Type'),
			c.field('Employee Title', 'jobTitle'),
			c.field('Manager Email', 'manager'),
			c.field('Department', 'department'),
			c.field('Cost Center', 'costCenter'),
			c.empty('Building ID'),
			c.empty('Floor Name'),
			c.empty('Floor Section'),
			c.empty('Change Password at Next Sign-In'),
			c.computed('New Status [UPLOAD ONLY]', (user) =>
				user.status === 'Suspended' ? 'Suspended' : 'Active'
			),
			c.empty('New Licenses [UPLOAD ONLY]'),
			c.empty('Advanced Protection Program enrollment')
		],
		maxUsersPerFile: Infinity,
		notes: [
			'Passwords are never exported: fill the Password column (at least 8 characters) for new users, or write **** to keep an existing user’s password, before uploading to Google.',
			'Org Unit Path is / (the top level) for everyone: change it to place users in another organisational unit.',
			// Rollcall allows 64: nothing is cut short here.
			'Google takes first and last names of at most 60 characters: a user with a longer one fails there, so shorten it in the file first.',
			NO_CUSTOM
		]
	};
}

/** Okta, Import Users from CSV (VENDOR-FORMATS.md §4a): the 31 default base attributes, in template order. */
function oktaShape(policy: FieldPolicy): TableShape {
	const c = columnsFor(policy);
	return {
		shape: 'okta',
		name: shapeNames['okta'],
		preamble: [],
		columns: [
			// Okta's login is in email form by default.
			c.field('login', 'email'),
			c.field('firstName', 'firstName'),
			c.field('lastName', 'lastName'),
			c.empty('middleName'),
			c.empty('honorificPrefix'),
			c.empty('honorificSuffix'),
			c.field('email', 'email'),
			c.field('title', 'jobTitle'),
			c.field('displayName', 'displayName'),
			c.empty('nickName'),
			c.empty('profileUrl'),
			c.empty('secondEmail'),
			c.field('mobilePhone', 'mobilePhone'),
			c.field('primaryPhone', 'businessPhone'),
			c.field('streetAddress', 'streetAddress'),
			c.field('city', 'city'),
			c.field('state', 'region'),
			c.field('zipCode', 'postalCode'),
			c.computed('countryCode', (_, get) => countryCodeOf(get)),
			c.empty('postalAddress'),
			c.field('preferredLanguage', 'preferredLanguage'),
			c.empty('locale'),
			c.field('timezone', 'timeZone'),
			c.field('userType', 'userType'),
			c.field('employeeNumber', 'employeeNumber'),
			c.field('costCenter', 'costCenter'),
			c.field('organization', 'organization'),
			c.field('division', 'division'),
			c.field('department', 'department'),
			c.empty('managerId'),
			c.field('manager', 'manager')
		],
		maxUsersPerFile: Infinity,
		notes: [
			'Each user’s login is their email, as Okta expects by default.',
			'Passwords are never exported: choose activation or password options in Okta’s import dialog.',
			NO_CUSTOM
		]
	};
}

const builders: Record<ExportShape, (policy: FieldPolicy) => TableShape> = {
	rollcall: rollcallShape,
	'microsoft-365': microsoft365Shape,
	entra: entraShape,
	google: googleShape,
	okta: oktaShape
};

/** The columns, preamble, cap and notes of a shape under the organisation's policy. */
export function tableShape(shape: ExportShape, policy: FieldPolicy): TableShape {
	return builders[shape](policy);
}
