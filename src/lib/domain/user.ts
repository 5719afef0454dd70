import { parseCountry } from './country';
import { emailKey } from './email';
import {
	field,
	fields,
	isCustomKey,
	listNames,
	type CustomFieldKey,
	type FieldContext,
	type FieldKey,
	type FieldValue,
	type UserType
} from './fields';
import { isCountryCode, keptPhoneWarning } from './phone';
import { fieldsOf, type FieldPolicy } from './policy';
import { INNER_START, MIN_INFIX, WORD_START, textMatches } from './search-match';
import { foldText } from './text';

export { INNER_START, isInfixTerm, MIN_INFIX, textMatches, WORD_START } from './search-match';

export const userStatuses = ['Pending', 'Active', 'Suspended'] as const;
export type UserStatus = (typeof userStatuses)[number];

/** The values of a user's fields, normalised. Sensitive fields (the password) are never part of it. */
export interface UserFields {
	firstName?: string;
	lastName?: string;
	displayName?: string;
	email: string;
	username?: string;
	userType: UserType;
	site: string;
	mobilePhone?: string;
	businessPhone?: string;
	company?: string;
	jobTitle?: string;
	department?: string;
	customerCode?: string;
	udid?: string;
	inGlobalAddressBook: boolean;
	streetAddress?: string;
	city?: string;
	region?: string;
	postalCode?: string;
	/** ISO 3166-1 alpha-2. */
	country?: string;
	office?: string;
	employeeNumber?: string;
	costCenter?: string;
	division?: string;
	organization?: string;
	/** The manager's email. */
	manager?: string;
	/** A canonical BCP 47 tag. */
	preferredLanguage?: string;
	/** An IANA time zone name. */
	timeZone?: string;
	/** The names of the user's groups, of their roles and the products they are licensed for, joined by '; '. */
	groups?: string;
	roles?: string;
	entitlements?: string;
	/** Whether the person may sign in on the web (the relay refuses them otherwise). */
	webAccess?: boolean;
	/** Their license key, in its grouped form (license-key.ts): unique on the device. */
	licenseKey?: string;
	/** Custom attributes, each under its own key (see CustomFieldKey): text, never empty. */
	[key: CustomFieldKey]: string | undefined;
}

/** The custom attributes a user has values for, whatever the policy says of them now. */
export function customValues(user: Partial<UserFields>): [CustomFieldKey, string][] {
	return Object.entries(user).filter(
		(entry): entry is [CustomFieldKey, string] => isCustomKey(entry[0]) && typeof entry[1] === 'string'
	);
}

/** Keys derived from the fields, stored beside them so IndexedDB can sort, search and keep them unique. */
export interface UserKeys {
	/** Folded name for the alphabetical order. */
	nameKey: string;
	emailKey: string;
	usernameKey?: string;
	customerCodeKey?: string;
	/** The words a search finds the user by, each after a mark: see searchText. Not an index. */
	searchText: string;
	/**
	 * The user's entries in the one unique index of the users table (see uniqueEntry): email, username and
	 * customer code within the customer, license key on the device. One multi-entry index, not four.
	 */
	uniqueKeys: string[];
	/**
	 * The user's groups, roles and licensed products as `<customerId>:<folded name>`: one multi-entry index
	 * each finds a customer's members of a group, holders of a role, or seats taken of a product.
	 */
	groupKeys: string[];
	roleKeys: string[];
	entitlementKeys: string[];
}

/** A computer a user's license is activated on, as the relay reported it. */
export interface Computer {
	name: string;
	activatedAt: number;
	/** When the admin asked the relay to free its slot; the computer stays listed until the relay has done so. */
	deactivationQueuedAt?: number;
}

/** The customer every directory starts with (and every user stored before customers existed belongs to). */
export const DEFAULT_CUSTOMER_ID = 1;

export interface User extends UserFields, UserKeys {
	/** Stable local id, given by the database. */
	id: number;
	/** The customer the user belongs to: their email, username and customer code are unique within it. */
	customerId: number;
	/** The computers their Desktop license is activated on (at most 2, the relay's rule). */
	computers?: Computer[];
	status: UserStatus;
	/** Whether an initial password was given (it is never kept readable here). */
	hasPassword: boolean;
	createdAt: number;
	updatedAt: number;
	activatedAt: number | null;
	/** Milliseconds since the epoch; 0 when the person has never signed in (kept a number so it can be sorted). */
	lastLoginAt: number;
}

/** What the admin entered: raw text per field (checkboxes as booleans). */
export type UserInput = Partial<Record<FieldKey, FieldValue>>;

export type FieldErrors = Partial<Record<FieldKey, string>>;

export interface ValidatedUser {
	/** The visible fields' normalised values; an emptied optional field is present and undefined. */
	values: Partial<UserFields>;
	/** The password as entered, when the policy asks for one: only ever passed on, never stored. */
	password?: string;
	errors: FieldErrors;
	/**
	 * Values kept as typed that could not be checked (see ValidateOptions.isLenient), each with what was
	 * done; absent when there are none (an import of 100,000 rows builds no object for them).
	 */
	warnings?: FieldErrors;
	isValid: boolean;
}

export interface ValidateOptions {
	/**
	 * Keeps an optional phone number that cannot be read as typed, with a warning, instead of refusing it:
	 * an import keeps what the admin's files hold (they can correct it later); the form, where the number
	 * can be retyped at once, does not.
	 */
	isLenient?: boolean;
	/**
	 * The person's country when the input's Country is empty or absent (a file's column for a Country the
	 * policy hides, a usage location): their phone numbers are read with it, and it is never stored.
	 */
	country?: string;
}

/** What validating one value gives: the value to keep, or the message to show, and a warning for a value kept unchecked. */
export interface ValidatedValue {
	value?: FieldValue;
	error?: string;
	warning?: string;
}

/** Validates one value of one field under the policy: the message to show, or the value to keep. */
export function validateField(
	key: FieldKey,
	raw: FieldValue | undefined,
	policy: FieldPolicy,
	context: FieldContext,
	isLenient = false
): ValidatedValue {
	const def = field(key);
	const requirement = policy[key];
	if (requirement === 'hidden') return {};
	if (typeof raw === 'boolean' && def.type === 'boolean') return { value: raw };
	// A spreadsheet TRUE/FALSE cell in a text column is read as its text, never kept as a boolean.
	const text = typeof raw === 'boolean' ? String(raw) : (raw ?? '');
	if (text.trim() === '') {
		if (requirement === 'required' && def.type !== 'boolean') return { error: `${def.label} is required.` };
		return { value: def.defaultValue };
	}
	const parsed = def.parse(text, context);
	if (parsed.ok) return { value: parsed.value };
	// Only a phone is kept unread: a number nothing depends on yet. A required one must be a number.
	if (isLenient && def.type === 'phone' && requirement === 'optional')
		return { value: text.trim(), warning: keptPhoneWarning(text, def.label, context.defaultCountry) };
	return { error: parsed.message };
}

/**
 * The context one user's values are read and shown in: the person's own country, when they have one and
 * it has phone numbers, is where their numbers typed without +code are (a Lyon office's '06 12 34 56 78'
 * in a British organisation); otherwise the organisation's default country. The country counts even when
 * the policy hides Country: it still says where the person is.
 */
export function contextOf(
	input: Pick<UserInput, 'country'> | Pick<UserFields, 'country'>,
	context: FieldContext
): FieldContext {
	return countryContext(input.country, context);
}

function countryContext(raw: FieldValue | undefined, context: FieldContext): FieldContext {
	if (typeof raw !== 'string' || raw.trim() === '') return context;
	const country = parseCountry(raw);
	return country.ok && isCountryCode(country.value) ? { defaultCountry: country.value } : context;
}

/** Validates a whole form or import row under the policy; uniqueness is checked against the directory apart. */
export function validateUser(
	input: UserInput,
	policy: FieldPolicy,
	context: FieldContext,
	options: ValidateOptions = {}
): ValidatedUser {
	const values: Record<string, FieldValue | undefined> = {};
	const errors: FieldErrors = {};
	let warnings: FieldErrors | undefined;
	let password: string | undefined;
	const given = typeof input.country === 'string' && input.country.trim() !== '';
	const own = countryContext(given ? input.country : options.country, context);
	for (const def of fieldsOf(policy)) {
		if (policy[def.key] === 'hidden') continue;
		const { value, error, warning } = validateField(def.key, input[def.key], policy, own, options.isLenient);
		if (error) errors[def.key] = error;
		else if (def.isSensitive) password = typeof value === 'string' ? value : undefined;
		else values[def.key] = value;
		if (warning) (warnings ??= {})[def.key] = warning;
	}
	return {
		// Built from the policy's fields, each value checked by its field's parse: a Partial<UserFields>.
		values: values as Partial<UserFields>,
		password,
		errors,
		...(warnings && { warnings }),
		isValid: Object.keys(errors).length === 0
	};
}

/** The name a person is listed under: display name, else first and last, else username, else email. */
export function nameOf(user: Partial<UserFields>): string {
	const full = [user.firstName, user.lastName].filter(Boolean).join(' ');
	return user.displayName || full || user.username || user.email || '';
}

/**
 * Adds a value's words to `into`: the whole words ('jean-luc', "o'brien"), then their parts (a search term
 * must be a prefix of one stored word). A word with no - ' or . is its own only part, already in.
 */
function addWords(into: Set<string>, value: string | undefined): void {
	if (!value) return;
	const whole = foldText(value).split(' ');
	for (const word of whole) if (word) into.add(word);
	for (const word of whole) {
		if (!WORD_SEPARATOR.test(word)) continue;
		for (const part of word.split(WORD_SEPARATORS)) if (part) into.add(part);
	}
}

const WORD_SEPARATOR = /[-'.]/u;
const WORD_SEPARATORS = /[-'.]+/u;

/** A domain and its ends of two labels or more: 'mail.example.net', 'example.net'. */
function domainEnds(domain: string): string[] {
	const labels = domain.split('.');
	if (labels.length < 2) return [domain];
	return labels.slice(0, -1).map((_, start) => labels.slice(start).join('.'));
}

/** What parts of a username or an email's local part are split at, as a name's words are at - ' and '.'. */
const SEPARATORS = /[-'._+]+/u;

/**
 * A folded email's parts: the local part and its words ('j', 'smith' of 'j_smith+hr'); the domain, each of
 * its ends of two labels or more ('example.net' of 'mail.example.net': an organisation's mail often comes
 * from a subdomain), and its labels but the last: a 'com' or 'net' alone finds too many to be worth its
 * entry in every user's keys.
 */
function emailParts(email: string): { local: string[]; domain: string[] } {
	const at = email.lastIndexOf('@');
	if (at < 0) return { local: [], domain: [] };
	const local = email.slice(0, at);
	const domain = email.slice(at + 1);
	return {
		local: [local, ...local.split(SEPARATORS)].filter(Boolean),
		domain: [...domainEnds(domain), ...domain.split('.').slice(0, -1)].filter(Boolean)
	};
}

/** What never goes in a search text's words: its two marks (and the other controls with them). */
const CONTROLS = /\p{Cc}/gu;

/** The registry's fields whose words are searched (site, department...): read once, not per user written. */
const SEARCHED_FIELDS = fields.filter((def) => def.isSearched);

/**
 * The user's search text: every word a search term may start (names, the email whole, its local part's
 * words, its domain and the domain's ends and labels, the username and its parts, and the words of the
 * searched fields and custom attributes), each after a mark. The mark says whether a longer term is also
 * found inside the word: INNER_START for the name words, the username and the email's local part ('ones'
 * in Jones, 'smith' in jsmith), WORD_START for the rest. One string per user, kept on the record and in
 * the directory's catalogue (catalog.ts), where a search scans it: no index entry per word.
 */
export function searchText(user: UserFields): string {
	return searchTextOf(user, emailKey(user.email), user.username ? foldText(user.username) : undefined);
}

/** searchText, given the user's emailKey and folded username (userKeys has them already). */
function searchTextOf(user: UserFields, email: string, username: string | undefined): string {
	const keyed = emailParts(email);
	// The domain as typed too: emailKey keeps an internationalised one in punycode ('bücher' is searched).
	// Most addresses fold to their key: their parts are the key's, already in.
	const folded = foldText(user.email);
	const typed = folded === email ? undefined : emailParts(folded);
	// Not nameOf: with no name it falls back to the username or email, which have rules of their own.
	const names = new Set<string>();
	addWords(names, user.displayName);
	addWords(names, user.firstName);
	addWords(names, user.lastName);
	const usernameParts = username ? [username, ...username.split(SEPARATORS)].filter(Boolean) : [];
	const inner = new Set(names);
	for (const part of usernameParts) inner.add(part);
	for (const part of keyed.local) inner.add(part);
	const all = new Set(names);
	if (email) all.add(email);
	for (const part of keyed.local) all.add(part);
	for (const part of keyed.domain) all.add(part);
	for (const part of typed?.domain ?? []) all.add(part);
	for (const part of usernameParts) all.add(part);
	for (const def of SEARCHED_FIELDS) {
		const value = user[def.key as keyof UserFields];
		if (typeof value === 'string') addWords(all, value);
	}
	for (const key in user) {
		if (!isCustomKey(key)) continue;
		const value = user[key];
		if (typeof value === 'string') addWords(all, value);
	}
	let text = '';
	for (const word of all) {
		const clean = word.replace(CONTROLS, '');
		if (clean) text += (inner.has(word) ? INNER_START : WORD_START) + clean;
	}
	return text;
}

/** A list field's names as index keys within a customer: see UserKeys.groupKeys. */
export function memberKeys(customerId: number, value: string | undefined): string[] {
	return [...new Set(listNames(value).map((name) => memberKey(customerId, name)))];
}

/** The index key of one name of a list field (a group, a role, a product) within a customer. */
export const memberKey = (customerId: number, name: string) => `${customerId}:${foldText(name)}`;

/** The unique fields: email, username and customer code are unique within a customer. */
export type UniqueField = 'email' | 'username' | 'customerCode';

const UNIQUE_MARK: Record<UniqueField | 'licenseKey', string> = {
	email: 'e',
	username: 'u',
	customerCode: 'c',
	licenseKey: 'k'
};

/**
 * A unique field's entry in the users' uniqueKeys index: `<mark>:<key>\u0000<customerId>`. The customer
 * comes last, so one range holds every customer's holder of a key (emailElsewhere); a key never ends in
 * \u0000 and digits, so no two pairs give one entry. A license key is unique on the device: no customer.
 */
export function uniqueEntry(field: UniqueField, key: string, customerId: number): string {
	return `${UNIQUE_MARK[field]}:${key}\u0000${customerId}`;
}

/** The uniqueKeys entry of a license key (unique on the whole device). */
export const licenseEntry = (licenseKey: string) => `${UNIQUE_MARK.licenseKey}:${licenseKey}`;

/** The range of uniqueKeys entries holding `key` in any customer: [lower, upper). */
export const uniqueRange = (field: UniqueField, key: string): [string, string] => [
	`${UNIQUE_MARK[field]}:${key}\u0000`,
	`${UNIQUE_MARK[field]}:${key}\u0001`
];

function uniqueEntries(
	email: string,
	username: string | undefined,
	codeKey: string | undefined,
	licenseKey: string | undefined,
	customerId: number
): string[] {
	const entries = email ? [uniqueEntry('email', email, customerId)] : [];
	if (username) entries.push(uniqueEntry('username', username, customerId));
	if (codeKey) entries.push(uniqueEntry('customerCode', codeKey, customerId));
	if (licenseKey) entries.push(licenseEntry(licenseKey));
	return entries;
}

/** Derives the stored sort, search, uniqueness and membership keys from a user's fields, in their customer. */
export function userKeys(user: UserFields, customerId: number): UserKeys {
	const email = emailKey(user.email);
	const username = user.username ? foldText(user.username) : undefined;
	const codeKey = user.customerCode?.trim().toLowerCase() || undefined;
	return {
		// The email breaks ties between people of the same name, so the order is total and stable.
		nameKey: `${foldText(nameOf(user))}\u0000${email}`,
		emailKey: email,
		usernameKey: username,
		customerCodeKey: codeKey,
		searchText: searchTextOf(user, email, username),
		uniqueKeys: uniqueEntries(email, username, codeKey, user.licenseKey, customerId),
		groupKeys: memberKeys(customerId, user.groups),
		roleKeys: memberKeys(customerId, user.roles),
		entitlementKeys: memberKeys(customerId, user.entitlements)
	};
}

/** Whether every search term matches the user (see textMatches). */
export function matchesSearch(user: Pick<UserKeys, 'searchText'>, terms: readonly string[]): boolean {
	return terms.every((term) => textMatches(user.searchText, term));
}

/**
 * What the search box finds under a policy, in the admin's words, for its hint: names, email, then the
 * searched fields the policy shows (the registry's order), then custom attributes if there are any.
 */
export function searchHint(policy: FieldPolicy): string {
	const shown = fieldsOf(policy).filter((def) => def.isSearched && policy[def.key] !== 'hidden');
	const labels = [
		'name',
		'email (or its domain, whole or from any dot but the last)',
		...shown.filter((def) => !def.isCustom).map((def) => def.label.toLowerCase()),
		...(shown.some((def) => def.isCustom) ? ['custom attributes'] : [])
	];
	const listed = `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)!}`;
	// Only names, usernames and an email's local part are searched inside (searchText): say just that.
	return `Finds ${listed}. From ${MIN_INFIX} letters, also inside names, usernames and the part of an email before the @.`;
}
/** Folds a search the way the keys are folded, into the word prefixes that must all match. */
export function searchTerms(query: string): string[] {
	return foldText(query).split(/[\s]+/u).filter(Boolean);
}
