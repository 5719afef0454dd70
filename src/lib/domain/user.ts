import { parseCountry } from './country';
import { emailKey } from './email';
import {
	field,
	isCustomKey,
	type CustomFieldKey,
	type FieldContext,
	type FieldKey,
	type FieldValue,
	type UserType
} from './fields';
import { isCountryCode, keptPhoneWarning } from './phone';
import { fieldsOf, type FieldPolicy } from './policy';
import { foldText } from './text';

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
	/** Folded word prefixes a search can start with: names, email, username, custom attributes. */
	searchWords: string[];
}

export interface User extends UserFields, UserKeys {
	/** Stable local id, given by the database. */
	id: number;
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

function words(value: string | undefined): string[] {
	// Whole words ('jean-luc', "o'brien") and their parts: a search term must be a prefix of one stored word.
	const whole = value ? foldText(value).split(' ').filter(Boolean) : [];
	return [...whole, ...whole.flatMap((word) => word.split(/[-'.]+/u)).filter(Boolean)];
}

/** Derives the stored sort, search and uniqueness keys from a user's fields. */
export function userKeys(user: UserFields): UserKeys {
	const email = emailKey(user.email);
	const searchWords = new Set([
		...words(nameOf(user)),
		...words(user.firstName),
		...words(user.lastName),
		email,
		...words(email.split('@')[0]),
		...customValues(user).flatMap(([, value]) => words(value))
	]);
	const username = user.username ? foldText(user.username) : undefined;
	if (username) searchWords.add(username);
	return {
		// The email breaks ties between people of the same name, so the order is total and stable.
		nameKey: `${foldText(nameOf(user))}\u0000${email}`,
		emailKey: email,
		usernameKey: username,
		customerCodeKey: user.customerCode?.trim().toLowerCase() || undefined,
		searchWords: [...searchWords]
	};
}

/** Folds a search the way the keys are folded, into the word prefixes that must all match. */
export function searchTerms(query: string): string[] {
	return foldText(query).split(/[\s]+/u).filter(Boolean);
}
