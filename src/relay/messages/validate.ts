// Checks one message of a batch before the relay promises to send it. The relay only ever sends its own
// templates to one address per message, so everything here is about refusing what could turn it into an
// open relay: a second recipient, header injection, values a template does not use.
import { parseEmail } from '../../lib/domain/email.ts';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { readLicenseKey } from '../../lib/domain/license-key.ts';
import {
	IDEMPOTENCY_KEY_PATTERN,
	LICENSED_PRODUCTS,
	MAX_COMPUTER_NAME,
	type LicensedProduct,
	type LicenseFacts,
	type MessageTemplate,
	type OutgoingMessage
} from '../../lib/domain/relay-protocol.ts';

export const TEMPLATES: readonly MessageTemplate[] = ['activation', 'welcome', 'sms-login'];

/** A message the relay will send: the recipient normalised, nothing the template does not use. */
export interface ValidMessage {
	readonly idempotencyKey: string;
	readonly template: MessageTemplate;
	readonly to: string;
	readonly user: {
		readonly id: string;
		readonly email?: string;
		readonly username?: string;
		readonly displayName?: string;
		/** The license the message carries (all three license fields, or none). */
		readonly license?: LicenseFacts;
	};
	readonly values: { readonly licenseKey?: string; readonly password?: string };
}

export type Validation = { ok: true; message: ValidMessage } | { ok: false; reason: string };

const MESSAGE_FIELDS = new Set(['idempotencyKey', 'template', 'to', 'user', 'values']);
const USER_FIELDS = new Set([
	'id',
	'email',
	'username',
	'firstName',
	'lastName',
	'displayName',
	'licenseKey',
	'entitlements',
	'webAccess'
]);
const VALUES_BY_TEMPLATE: Record<MessageTemplate, readonly string[]> = {
	activation: [],
	welcome: ['licenseKey'],
	'sms-login': ['password']
};
// Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: none belongs in a name,
// and CR/LF is how a header is smuggled into a mail.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** Line breaks or other control characters: never in a name, an address or a header. */
export function hasControlCharacters(value: string): boolean {
	return CONTROL.test(value);
}
// What a name needs: letters and marks of any script, spaces, the punctuation names carry, and a few
// digits. Nothing a mail app turns into a link: no scheme, no @, no slash, no angle brackets.
const NAME_CHARACTER = /[\p{L}\p{M}\p{N}\p{Zs}'’‘"“”.,()·\u2010-]/u;
// A dot between letters, as in a domain (evil.example, www.x): mail apps link those even without a scheme.
const DOMAIN_LIKE = /[\p{L}\p{N}]\.[\p{L}\p{N}]{2,}/u;
// More digits than a name holds read as a phone number, which mail and SMS apps link too.
const MAX_NAME_DIGITS = 3;

/**
 * Why `name` (one line of text, as checkText left it) is not just a name, or undefined when it is. Names
 * are the only free text that reaches a mail, so they are kept to what a name needs.
 */
export function nameProblem(name: string, field: string): string | undefined {
	const other = [...name].find((character) => !NAME_CHARACTER.test(character));
	if (other !== undefined) {
		return `${field} can hold only letters, spaces and the marks names use (' - . , ( )), not "${other}": a name in a mail must not read as a web or mail address.`;
	}
	const domain = DOMAIN_LIKE.exec(name);
	if (domain) {
		return `${field} looks like a web address ("${domain[0]}"), which mail apps turn into a link. Put a space after the dot if it belongs to the name.`;
	}
	if ((name.match(/\p{N}/gu) ?? []).length > MAX_NAME_DIGITS) {
		return `${field} has more than ${MAX_NAME_DIGITS} digits, which mail apps can turn into a phone link: a name needs none.`;
	}
	return undefined;
}

const USER_ID = /^[A-Za-z0-9_-]{1,100}$/;
// Letters, digits and the marks keys are written with (base64's + / = too); no : or @, so no scheme or
// address, and no domain-like dot (checked apart): the key is the other free text that reaches a mail.
const LICENSE_KEY = /^[A-Za-z0-9._+/=-]{1,100}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * How deep objects and arrays may nest in one message. A message is an object whose user and values are
 * objects of text: two levels. Four leave room for what a newer app might add, and keep every walk over a
 * message (the body hash is one) far from the stack's end.
 */
export const MAX_MESSAGE_DEPTH = 4;
/** The JSON one message may take: the largest valid message (every field at its longest) is under 4 KiB. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

/**
 * Why a message is too deep or too big to look at, or undefined when it is not. Measured with a loop and a
 * stack of its own, never by recursion: this runs on whatever a client sent, before anything else does.
 */
export function shapeProblem(raw: unknown): string | undefined {
	const pending: { value: unknown; depth: number }[] = [{ value: raw, depth: 1 }];
	let bytes = 0;
	while (pending.length > 0) {
		const { value, depth } = pending.pop()!;
		if (typeof value === 'string') bytes += value.length + 2;
		else if (typeof value !== 'object' || value === null) bytes += 8;
		else {
			if (depth > MAX_MESSAGE_DEPTH) {
				return `nests objects and arrays more than ${MAX_MESSAGE_DEPTH} levels deep (a message is one object with user and values inside it)`;
			}
			for (const [key, item] of Object.entries(value)) {
				bytes += key.length + 4;
				pending.push({ value: item, depth: depth + 1 });
			}
		}
		if (bytes > MAX_MESSAGE_BYTES) {
			return `is larger than ${MAX_MESSAGE_BYTES / 1024} KiB (a message holds a few short fields)`;
		}
	}
	return undefined;
}

/** What is wrong with the first message of a batch that is too deep or too big, naming it; else undefined. */
export function batchShapeProblem(messages: readonly unknown[]): string | undefined {
	for (const [index, raw] of messages.entries()) {
		const problem = shapeProblem(raw);
		if (problem === undefined) continue;
		const key = keyOf(raw);
		return `Message ${index + 1} of the batch${key ? ` (idempotencyKey ${key})` : ''} ${problem}. Nothing in this request was accepted.`;
	}
	return undefined;
}

/** The key of a message, if it has a usable one (results are reported under it). */
export function keyOf(raw: unknown): string | undefined {
	if (!isRecord(raw) || typeof raw.idempotencyKey !== 'string') return undefined;
	return IDEMPOTENCY_KEY_PATTERN.test(raw.idempotencyKey) ? raw.idempotencyKey : undefined;
}

export function validateMessage(raw: unknown): Validation {
	if (!isRecord(raw)) return fail('Each message must be a JSON object.');
	const unknown = Object.keys(raw).filter((key) => !MESSAGE_FIELDS.has(key));
	if (unknown.length > 0)
		return fail(`The message has fields the relay does not take: ${unknown.join(', ')}.`);

	const idempotencyKey = keyOf(raw);
	if (!idempotencyKey) {
		return fail('idempotencyKey must be 16 to 128 characters of letters, digits, _ and -.');
	}
	const template = raw.template;
	if (typeof template !== 'string' || !(TEMPLATES as readonly string[]).includes(template)) {
		return fail(`template must be one of ${TEMPLATES.join(', ')}.`);
	}
	const known = template as MessageTemplate;

	const to = known === 'sms-login' ? checkPhone(raw.to) : checkEmail(raw.to, 'to');
	if (!to.ok) return to;

	const user = checkUser(raw.user);
	if (!user.ok) return user;
	if (known === 'sms-login' && !user.value.username && !user.value.email) {
		return fail(
			'user.username (or user.email) is required for SMS login details: it is what the person signs in with.'
		);
	}

	const values = checkValues(raw.values, known);
	if (!values.ok) return values;
	if (known === 'welcome') {
		// The key goes only to its owner: the welcome mail's address is the user's own, its key their own.
		if (user.value.email !== undefined && user.value.email.toLowerCase() !== to.value.toLowerCase()) {
			return fail(
				"to must be the user's own email (user.email): the welcome mail carries their license key."
			);
		}
		const own = user.value.license?.licenseKey;
		const sent = readLicenseKey(values.value.licenseKey ?? '');
		if (own !== undefined && !(sent.ok && sent.value === own)) {
			return fail("values.licenseKey must be the user's own key (user.licenseKey).");
		}
	}

	return {
		ok: true,
		message: { idempotencyKey, template: known, to: to.value, user: user.value, values: values.value }
	};
}

type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

function fail(reason: string): { ok: false; reason: string } {
	return { ok: false, reason };
}

function checkEmail(value: unknown, field: string): Checked<string> {
	if (typeof value !== 'string' || value.trim() === '') return fail(`${field} must be an email address.`);
	if (value.length > 254) return fail(`${field} is too long for an email address.`);
	if (CONTROL.test(value)) return fail(`${field} cannot contain line breaks or control characters.`);
	// One plain address only: no display names, comments, quoted names, groups or lists.
	if (/[<>(),;:"\\[\]\s]/u.test(value.trim())) {
		return fail(
			`${field} must be a single plain address such as name@example.com, with no name, comment or list.`
		);
	}
	const parsed = parseEmail(value);
	if (!parsed.ok) return fail(`${field}: ${parsed.message}`);
	return { ok: true, value: parsed.value };
}

function checkPhone(value: unknown): Checked<string> {
	if (typeof value !== 'string' || !E164.test(value)) {
		return fail('to must be a mobile number in international form, such as +447700900123.');
	}
	// "Possible" (right length for its country), not "valid": the app has checked the number against its
	// own rules already, and a number range the metadata does not know yet must not block a person's login.
	if (!parsePhoneNumberFromString(value)?.isPossible())
		return fail('to is not a possible phone number for its country.');
	return { ok: true, value };
}

function checkText(value: unknown, field: string, max: number): Checked<string | undefined> {
	if (value === undefined || value === null) return { ok: true, value: undefined };
	if (typeof value !== 'string') return fail(`${field} must be text.`);
	if (CONTROL.test(value)) return fail(`${field} cannot contain line breaks or control characters.`);
	const trimmed = value.normalize('NFC').trim();
	if ([...trimmed].length > max) return fail(`${field} is too long: at most ${max} characters.`);
	return { ok: true, value: trimmed === '' ? undefined : trimmed };
}

function checkUser(raw: unknown): Checked<ValidMessage['user']> {
	if (!isRecord(raw)) return fail('user must be an object with at least an id.');
	const unknown = Object.keys(raw).filter((key) => !USER_FIELDS.has(key));
	if (unknown.length > 0) return fail(`user has fields the relay does not take: ${unknown.join(', ')}.`);
	if (typeof raw.id !== 'string' || !USER_ID.test(raw.id)) {
		return fail("user.id must be the user's id: 1 to 100 letters, digits, _ and -.");
	}
	let email: string | undefined;
	if (raw.email !== undefined && raw.email !== null && raw.email !== '') {
		const checked = checkEmail(raw.email, 'user.email');
		if (!checked.ok) return checked;
		email = checked.value;
	}
	const username = checkText(raw.username, 'user.username', 100);
	if (!username.ok) return username;
	const names: Record<'firstName' | 'lastName' | 'displayName', string | undefined> = {
		firstName: undefined,
		lastName: undefined,
		displayName: undefined
	};
	for (const field of ['firstName', 'lastName', 'displayName'] as const) {
		const checked = checkText(raw[field], `user.${field}`, 100);
		if (!checked.ok) return checked;
		// A name that is not just a name (a web or mail address, a phone number) is left out rather than
		// refused: the mail still goes, greeting no one by name, and nothing in it can become a link. Refusing
		// would fail an admin's whole send over one odd name ("St.Clair", "Ann #2") they cannot see coming.
		const isJustAName = checked.value !== undefined && !nameProblem(checked.value, `user.${field}`);
		names[field] = isJustAName ? checked.value : undefined;
	}
	const displayName =
		names.displayName ?? ([names.firstName, names.lastName].filter(Boolean).join(' ') || undefined);
	const hasLicense = ['licenseKey', 'entitlements', 'webAccess'].some((key) => raw[key] !== undefined);
	const license = hasLicense
		? checkLicense(
				{ licenseKey: raw.licenseKey, entitlements: raw.entitlements, webAccess: raw.webAccess },
				'user'
			)
		: ({ ok: true, value: undefined } as const);
	if (!license.ok) return license;
	return {
		ok: true,
		value: {
			id: raw.id,
			...(email ? { email } : {}),
			...(username.value ? { username: username.value } : {}),
			...(displayName ? { displayName } : {}),
			...(license.value ? { license: license.value } : {})
		}
	};
}

/**
 * A license as a message's user or a 'license' command carries it: a key Rollcall gave (its check symbol
 * holds; kept in its grouped form), products from LICENSED_PRODUCTS (each once), web access true, false
 * or absent. `field` names where it was, for the reason.
 */
export function checkLicense(raw: unknown, field: string): Checked<LicenseFacts | undefined> {
	if (raw === undefined || raw === null) return { ok: true, value: undefined };
	if (!isRecord(raw)) return fail(`${field} must be an object with licenseKey, entitlements and webAccess.`);
	const extra = Object.keys(raw).filter((key) => !['licenseKey', 'entitlements', 'webAccess'].includes(key));
	if (extra.length > 0)
		return fail(`${field} has fields the relay does not take: ${extra.join(', ').slice(0, 200)}.`);
	const { licenseKey, entitlements, webAccess } = raw;
	const key =
		typeof licenseKey === 'string' && licenseKey.length <= 40 ? readLicenseKey(licenseKey) : undefined;
	if (!key?.ok) {
		return fail(
			`${field}.licenseKey must be a license key Rollcall gave: 20 letters and digits in groups of five.`
		);
	}
	if (
		!Array.isArray(entitlements) ||
		entitlements.length > LICENSED_PRODUCTS.length ||
		!entitlements.every((product) => (LICENSED_PRODUCTS as readonly unknown[]).includes(product)) ||
		new Set(entitlements).size !== entitlements.length
	) {
		return fail(
			`${field}.entitlements must be a list of ${LICENSED_PRODUCTS.join(', ')}, each at most once.`
		);
	}
	if (webAccess !== undefined && typeof webAccess !== 'boolean') {
		return fail(`${field}.webAccess must be true, false or absent.`);
	}
	return {
		ok: true,
		value: {
			licenseKey: key.value,
			entitlements: entitlements as LicensedProduct[],
			...(webAccess === undefined ? {} : { webAccess })
		}
	};
}

/** A computer's name as a desktop program reports it: 1-100 characters on one line, trimmed. */
export function checkComputerName(raw: unknown, field: string): Checked<string> {
	if (typeof raw !== 'string') return fail(`${field} must be the computer's name.`);
	if (CONTROL.test(raw)) return fail(`${field} cannot contain line breaks or control characters.`);
	const name = raw.normalize('NFC').trim();
	if (name === '') return fail(`${field} must be the computer's name: it is empty.`);
	if ([...name].length > MAX_COMPUTER_NAME) {
		return fail(`${field} is too long: a computer's name has at most ${MAX_COMPUTER_NAME} characters.`);
	}
	return { ok: true, value: name };
}

function checkValues(raw: unknown, template: MessageTemplate): Checked<ValidMessage['values']> {
	if (raw === undefined || raw === null) raw = {};
	if (!isRecord(raw)) return fail('values must be an object.');
	const allowed = VALUES_BY_TEMPLATE[template];
	const extra = Object.keys(raw).filter((key) => !allowed.includes(key));
	if (extra.length > 0) {
		return fail(
			`values.${extra[0]} is not used by the ${template} template${allowed.length ? ` (it takes only ${allowed.join(', ')})` : ' (it takes no values)'}.`
		);
	}
	if (template === 'welcome') {
		if (typeof raw.licenseKey !== 'string' || !LICENSE_KEY.test(raw.licenseKey)) {
			return fail(
				'values.licenseKey is required for the welcome mail: 1 to 100 letters, digits and . _ + / = -, no spaces.'
			);
		}
		if (DOMAIN_LIKE.test(raw.licenseKey)) {
			return fail(
				'values.licenseKey looks like a web address, which mail apps turn into a link: a license key cannot be one.'
			);
		}
		return { ok: true, value: { licenseKey: raw.licenseKey } };
	}
	if (template === 'sms-login') {
		const password = raw.password;
		if (typeof password !== 'string' || password.length === 0) {
			return fail('values.password is required for SMS login details.');
		}
		if (CONTROL.test(password))
			return fail('values.password cannot contain line breaks or control characters.');
		if ([...password].length > 256) return fail('values.password is too long: at most 256 characters.');
		return { ok: true, value: { password } };
	}
	return { ok: true, value: {} };
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON with object keys sorted at every level: equal messages hash equal however their keys were ordered.
 * It recurses: call it only on a message shapeProblem() passed.
 */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (isRecord(value)) {
		const keys = Object.keys(value).sort();
		return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

export type { OutgoingMessage };
