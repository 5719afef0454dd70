import { fail, ok, type Parsed } from './result.ts';

/**
 * Text in Unicode NFC. Printable ASCII is NFC already, and testing for it costs a browser a fraction of
 * normalize(). (The relay runs this module as it is, so it imports no text.ts, which has the like for names.)
 */
const ASCII = /^[\x20-\x7e]*$/u;
const toNfc = (text: string): string => (ASCII.test(text) ? text : text.normalize('NFC'));

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * A domain that is ASCII already, in labels of letters, digits and hyphens, none of them punycode ('xn--',
 * which IDNA checks) and the last one starting with a letter (one of digits, or '0x...', makes the URL
 * parser read an IPv4 address): the URL parser only lower-cases it. Nearly every address of a file is so,
 * and the parser costs more than all the rest of an address's check.
 */
const PLAIN_DOMAIN = /^(?:(?!xn--)[a-z0-9-]+\.)*(?!xn--)[a-z][a-z0-9-]*$/iu;

/** A domain in its ASCII (punycode) form, or null when it cannot be one: IDNA through the platform's URL. */
export function toAsciiDomain(domain: string): string | null {
	if (PLAIN_DOMAIN.test(domain)) return domain.toLowerCase();
	if (!domain || /[\s/?#@:[\]\\%]/u.test(domain)) return null;
	try {
		return new URL(`http://${domain}`).hostname;
	} catch {
		return null;
	}
}

/**
 * Reads an email address of the form name@domain.tld. Internationalised domains are accepted and kept
 * as typed; the local part is the ASCII dot-atom that every directory (Entra, Google, Okta) accepts.
 */
export function parseEmail(raw: string): Parsed<string> {
	const value = toNfc(raw).trim();
	if (value === '') return fail('Enter an email address.');
	if (/\s/u.test(value)) return fail('An email address cannot contain spaces.');
	const at = value.lastIndexOf('@');
	if (at < 0) return fail('An email address needs an @, as in name@example.com.');
	if (value.indexOf('@') !== at) return fail('An email address has only one @.');
	const local = value.slice(0, at);
	const domain = value.slice(at + 1);
	if (local === '') return fail('The email address needs a name before the @, as in name@example.com.');
	if (domain === '') return fail('The email address needs a domain after the @, as in name@example.com.');
	if (local.length > 64) {
		return fail('The part of the email address before the @ is too long: at most 64 characters.');
	}
	if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
		return fail(
			'The part of the email address before the @ cannot start or end with a dot, or have two dots in a row.'
		);
	}
	if (!local.split('.').every((part) => ATEXT.test(part))) {
		return fail('The part of the email address before the @ has a character an email address cannot have.');
	}
	const ascii = toAsciiDomain(domain.replace(/\.$/u, ''));
	if (ascii === null) return fail(`"${domain}" is not a valid email domain.`);
	const labels = ascii.split('.');
	const tld = labels[labels.length - 1] ?? '';
	if (labels.length < 2 || !TLD.test(tld)) {
		return fail('The email domain needs an ending such as .com or .org, as in name@example.com.');
	}
	if (!labels.every((label) => LABEL.test(label))) return fail(`"${domain}" is not a valid email domain.`);
	if (local.length + 1 + ascii.length > 254) return fail('This email address is too long.');
	return ok(`${local}@${domain.replace(/\.$/u, '').toLowerCase()}`);
}

/**
 * The key under which an address is unique in the directory: case, surrounding spaces, Unicode
 * normalisation form and the Unicode/punycode spelling of the domain all collide.
 */
export function emailKey(email: string): string {
	const value = toNfc(email).trim().toLowerCase();
	const at = value.lastIndexOf('@');
	if (at < 0) return value;
	const domain = value.slice(at + 1).replace(/\.$/u, '');
	return `${value.slice(0, at)}@${toAsciiDomain(domain) ?? domain}`;
}
