import { fields, type BuiltinFieldKey, type FieldDef } from '$lib/domain/fields';

/**
 * Where Rollcall's fields live in a SCIM 2.0 User (RFC 7643 §4.1 core, §4.3 enterprise extension), for
 * the writer and the reader alike. Fields with no SCIM attribute go to Rollcall's own extension under
 * their registry key, so this maps attributes to fields; it lists no fields of its own.
 */

export const SCIM_CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Rollcall's extension: every other field, the status, activation and last login, custom attributes. */
export const SCIM_ROLLCALL = 'urn:rollcall:params:scim:schemas:extension:rollcall:2.0:User';
export const SCIM_LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** A single-valued attribute: its path from the resource (an extension's URN first), and its field. */
export interface ScimAttribute {
	path: readonly string[];
	key: BuiltinFieldKey;
}

export const scimAttributes: readonly ScimAttribute[] = [
	{ path: ['name', 'givenName'], key: 'firstName' },
	{ path: ['name', 'familyName'], key: 'lastName' },
	{ path: ['displayName'], key: 'displayName' },
	{ path: ['title'], key: 'jobTitle' },
	{ path: ['userType'], key: 'userType' },
	{ path: ['preferredLanguage'], key: 'preferredLanguage' },
	{ path: ['timezone'], key: 'timeZone' },
	{ path: [SCIM_ENTERPRISE, 'employeeNumber'], key: 'employeeNumber' },
	{ path: [SCIM_ENTERPRISE, 'costCenter'], key: 'costCenter' },
	{ path: [SCIM_ENTERPRISE, 'organization'], key: 'organization' },
	{ path: [SCIM_ENTERPRISE, 'division'], key: 'division' },
	{ path: [SCIM_ENTERPRISE, 'department'], key: 'department' },
	// SCIM's manager.value is the manager's id; Rollcall knows managers by email, and writes that.
	{ path: [SCIM_ENTERPRISE, 'manager', 'value'], key: 'manager' }
];

/** phoneNumbers entries by type. */
export const scimPhones: readonly { type: string; key: BuiltinFieldKey }[] = [
	{ type: 'mobile', key: 'mobilePhone' },
	{ type: 'work', key: 'businessPhone' }
];

/** The sub-attributes of the work address. */
export const scimAddress: readonly { attribute: string; key: BuiltinFieldKey }[] = [
	{ attribute: 'streetAddress', key: 'streetAddress' },
	{ attribute: 'locality', key: 'city' },
	{ attribute: 'region', key: 'region' },
	{ attribute: 'postalCode', key: 'postalCode' },
	{ attribute: 'country', key: 'country' }
];

/**
 * Multi-valued attributes holding the names of a 'list' field, one entry `{"value": name}` each: the core
 * User's roles (RFC 7643 §4.1.2), which a role-based service reads as they are.
 */
export const scimLists: readonly { attribute: string; key: BuiltinFieldKey }[] = [
	{ attribute: 'roles', key: 'roles' }
];

/** The key in Rollcall's extension of the custom attributes (an object of name -> value). */
export const SCIM_CUSTOM = 'customAttributes';

/** Rollcall's extension's keys for what Rollcall itself sets. */
export const SCIM_STATUS = {
	status: 'status',
	activatedAt: 'activatedAt',
	lastLoginAt: 'lastLoginAt'
} as const;

const inCoreOrEnterprise = new Set<BuiltinFieldKey>([
	'email',
	// A User's core 'groups' ({value, display} of each Group resource, RFC 7643 §4.1.2).
	'groups',
	...scimAttributes.map((a) => a.key),
	...scimPhones.map((p) => p.key),
	...scimAddress.map((a) => a.key),
	...scimLists.map((l) => l.key)
]);

/**
 * The built-in fields that go to Rollcall's extension: all but those above, the password and the license
 * key (a credential: a SCIM service has no use for it, and it would sit in another system's logs). The
 * username is there too: SCIM's userName is required, so it holds the email when a user has no username,
 * and the extension says which it was.
 */
export const extensionFields: readonly FieldDef[] = fields.filter(
	(def) => !def.isSensitive && !def.isCredential && !inCoreOrEnterprise.has(def.key as BuiltinFieldKey)
);
