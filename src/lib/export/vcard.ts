import { customName, isCustomKey, type BuiltinFieldKey, type FieldKey } from '$lib/domain/fields';
import { fields } from '$lib/domain/fields';
import { visibleFields, type FieldPolicy } from '$lib/domain/policy';
import { nameOf, type User } from '$lib/domain/user';
import { countryName } from '$lib/domain/country';
import { textOf } from './values';

/**
 * vCard 4.0 (RFC 6350) of the people in the global address book. The fields a vCard has a property for
 * use it (N, EMAIL, TEL, ORG, TITLE, ADR); every other field the policy shows, and each custom attribute,
 * goes in an X- property (§6.10) that other address books ignore and Rollcall's import reads back.
 */

/** The product id that says a card is Rollcall's: its X- properties are then read back too. */
export const VCARD_PRODID = '-//Rollcall//Rollcall export//EN';
/** X-ROLLCALL-FIELD:<registry key>;<value> and X-ROLLCALL-CUSTOM:<name>;<value>. */
export const VCARD_FIELD = 'X-ROLLCALL-FIELD';
export const VCARD_CUSTOM = 'X-ROLLCALL-CUSTOM';

/** The fields with a vCard property of their own; the address parts in ADR's order (after PO box and extended). */
export const vcardAddress: readonly BuiltinFieldKey[] = [
	'streetAddress',
	'city',
	'region',
	'postalCode',
	'country'
];
const standardFields = new Set<FieldKey>([
	'firstName',
	'lastName',
	'email',
	'mobilePhone',
	'businessPhone',
	'company',
	'department',
	'jobTitle',
	...vcardAddress
]);

/** Fields written as X-ROLLCALL-FIELD: all others but the password (and the display name, see below). */
export const vcardExtraFields = fields.filter((def) => !def.isSensitive && !standardFields.has(def.key));

/** Text value escaping (§3.4): backslash, comma, semicolon and line breaks. */
export function escapeVcardText(value: string): string {
	return value.replace(/[\\,;]/gu, (c) => `\\${c}`).replace(/\r\n|\r|\n/gu, '\\n');
}

const encoder = new TextEncoder();
const MAX_OCTETS = 75;

/**
 * A content line folded at 75 octets (§3.2): CRLF and a space before each continuation, never inside a
 * UTF-8 sequence. Returns the line's bytes with its CRLF.
 */
export function foldLine(line: string): Uint8Array {
	const bytes = encoder.encode(line);
	if (bytes.length <= MAX_OCTETS) return encoder.encode(`${line}\r\n`);
	const out: number[] = [];
	let start = 0;
	let room = MAX_OCTETS;
	while (start < bytes.length) {
		let end = Math.min(bytes.length, start + room);
		// Back off to the start of a character: UTF-8 continuation bytes are 10xxxxxx.
		while (end < bytes.length && end > start && (bytes[end]! & 0xc0) === 0x80) end--;
		if (start > 0) out.push(0x20);
		for (let i = start; i < end; i++) out.push(bytes[i]!);
		out.push(0x0d, 0x0a);
		start = end;
		room = MAX_OCTETS - 1;
	}
	return Uint8Array.from(out);
}

/** One user's card, as content lines before folding. */
export function vcardLines(user: User, shown: ReadonlySet<FieldKey>): string[] {
	const text = (key: FieldKey) => (shown.has(key) ? textOf(user, key) : '');
	const esc = escapeVcardText;
	const lines = ['BEGIN:VCARD', 'VERSION:4.0', `PRODID:${VCARD_PRODID}`];
	// FN is required: the display name, else the name Rollcall lists the person under.
	const listed = nameOf({
		firstName: text('firstName'),
		lastName: text('lastName'),
		username: text('username'),
		email: user.email
	});
	lines.push(`FN:${esc(text('displayName') || listed)}`);
	lines.push(`N:${esc(text('lastName'))};${esc(text('firstName'))};;;`);
	if (text('company') || text('department'))
		lines.push(`ORG:${esc(text('company'))};${esc(text('department'))}`);
	if (text('jobTitle')) lines.push(`TITLE:${esc(text('jobTitle'))}`);
	lines.push(`EMAIL;TYPE=work:${esc(user.email)}`);
	// tel: URIs (RFC 3966) take the stored E.164 number as it is, an extension as ';ext=' too.
	if (text('mobilePhone')) lines.push(`TEL;VALUE=uri;TYPE=cell:tel:${text('mobilePhone')}`);
	if (text('businessPhone')) lines.push(`TEL;VALUE=uri;TYPE="work,voice":tel:${text('businessPhone')}`);
	// ADR's last part is the country's name (RFC 6350 §6.3.1): an address book shows it as it is, not 'GB'.
	const address = vcardAddress.map((key) => (key === 'country' ? countryName(text(key)) : text(key)));
	if (address.some(Boolean)) lines.push(`ADR;TYPE=work:;;${address.map(esc).join(';')}`);
	for (const def of vcardExtraFields) {
		const value = text(def.key);
		if (value) lines.push(`${VCARD_FIELD}:${esc(def.key)};${esc(value)}`);
	}
	for (const key of shown) {
		if (!isCustomKey(key)) continue;
		const value = text(key);
		if (value) lines.push(`${VCARD_CUSTOM}:${esc(customName(key))};${esc(value)}`);
	}
	lines.push('END:VCARD');
	return lines;
}

/**
 * Whether a user's card is exported: only people in the global address book, when the policy shows that
 * field. A policy that hides it does not use the address book flag at all, and every user is exported.
 */
export function inAddressBook(policy: FieldPolicy) {
	const usesFlag = policy.inGlobalAddressBook !== 'hidden';
	return (user: User) => !usesFlag || user.inGlobalAddressBook === true;
}

export function vcardNotes(policy: FieldPolicy): string[] {
	return policy.inGlobalAddressBook !== 'hidden'
		? ['Only users in the global address book are in this file.']
		: [
				'Every user is in this file: your field policy hides “In global address book”, so no one is left out.'
			];
}

/** The cards of a page of users, CRLF line ends, folded; users outside the address book are skipped. */
export function vcardPieces(policy: FieldPolicy) {
	const shown = new Set(visibleFields(policy).map((def) => def.key));
	const includes = inAddressBook(policy);
	return {
		includes,
		begin: () => new Uint8Array(),
		write(users: readonly User[]): Uint8Array {
			const pieces: Uint8Array[] = [];
			let size = 0;
			for (const user of users) {
				if (!includes(user)) continue;
				for (const line of vcardLines(user, shown)) {
					const bytes = foldLine(line);
					pieces.push(bytes);
					size += bytes.length;
				}
			}
			const out = new Uint8Array(size);
			let at = 0;
			for (const piece of pieces) {
				out.set(piece, at);
				at += piece.length;
			}
			return out;
		},
		end: () => new Uint8Array()
	};
}
