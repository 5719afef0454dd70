import {
	parsePhoneNumberFromString,
	getCountries,
	getCountryCallingCode,
	type CountryCode,
	type PhoneNumber
} from 'libphonenumber-js/min';
import { fail, ok, type Parsed } from './result.ts';

export type { CountryCode };

/** Every country libphonenumber knows, for the default-country setting. */
export const countries: readonly CountryCode[] = getCountries();

export function isCountryCode(value: string): value is CountryCode {
	return (countries as readonly string[]).includes(value);
}

/**
 * A number Excel showed in scientific notation ('4.42079E+12', '4,42079E+12' in a French Excel): a CSV
 * saved from it holds only those digits, the rest of the number is lost.
 */
const ROUNDED_BY_EXCEL = /^\d(?:[.,]\d+)?E\+\d+$/iu;

/** Whether Excel rounded a number it held as a number (see ROUNDED_BY_EXCEL): it cannot be read back. */
export function isRoundedByExcel(raw: string): boolean {
	return ROUNDED_BY_EXCEL.test(raw.trim());
}

/** Digits alone, with no + and no leading 0: how Excel writes a number typed into a cell it took for a number. */
const DIGITS_ONLY = /^[1-9]\d+$/u;

const valid = (phone: PhoneNumber | undefined) => (phone?.isValid() ? phone : undefined);

/** Whether a number's national form has exactly these digits: its country's people write it so. */
const isWrittenSo = (phone: PhoneNumber, digits: string) =>
	phone.formatNational().replace(/\D/gu, '') === digits;

/**
 * Reads digits alone (see DIGITS_ONLY), whose '+' or leading 0 Excel may have dropped: +61 425 555 010
 * became 61425555010, an Italian 049 687370 became 49687370. In turn:
 * - digits that are a national number as its country writes it lost nothing (a US 2015550123, an
 *   Italian mobile 3471234567): national;
 * - digits that start with the country's own code are its number in full (a German 4915112345678 is
 *   +49 151 12345678, not a national 049 15112345678), unless they are short and the 0 put back reads
 *   another number of the country: then both readings;
 * - else something was dropped: the '0' (read nationally as they are, or with the 0 put back) or the
 *   '+'. When both readings are numbers and differ, a guess could store another person's number, so
 *   both are returned for the admin to choose.
 */
function readDigits(
	digits: string,
	country: CountryCode
): PhoneNumber | [PhoneNumber, PhoneNumber] | undefined {
	const asTyped = valid(parsePhoneNumberFromString(digits, country));
	if (asTyped && isWrittenSo(asTyped, digits)) return asTyped;
	const international = valid(parsePhoneNumberFromString(`+${digits}`));
	const withZero = valid(parsePhoneNumberFromString(`0${digits}`, country));
	const own = getCountryCallingCode(country);
	if (international && digits.startsWith(own)) {
		// Unless the 0 put back reads another number of the country (an Emden 04921 123456 is not
		// Düsseldorf's +49 211 23456), and the digits are too short to be a whole international number.
		const isWhole = !withZero || withZero.number === international.number;
		if (isWhole || digits.length - own.length >= 10) return international;
		return [withZero, international];
	}
	const national = asTyped ?? withZero;
	if (national && international && national.number !== international.number) return [national, international];
	return national ?? international;
}

/** Digits with two readings (see readDigits) as a message says them: "+39 049 687370 (IT) or +49 687370 (DE)". */
function readingsText(readings: [PhoneNumber, PhoneNumber]): string {
	return readings
		.map((phone) => `${phone.formatInternational()}${phone.country ? ` (${phone.country})` : ''}`)
		.join(' or ');
}

/** What to do with digits that have two readings: type the number the way only one of them reads it. */
const ONE_READING = 'type it with + and its country code, or with its leading 0';

/**
 * The last numbers read, by country, label and text, each with its answer. A file repeats its offices'
 * numbers on the row of every person there, and reading one (libphonenumber's patterns) costs about as
 * much as all the rest of a row's check. Emptied when full: a file of numbers all different gains nothing
 * and keeps no more than this many.
 */
const readLately = new Map<string, Parsed<string>>();
const READ_LATELY_MAX = 10_000;

/** Reads a phone number typed in any common way into E.164 (+441632960961), the form every system takes. */
export function parsePhone(raw: string, label: string, defaultCountry: CountryCode): Parsed<string> {
	const key = `${defaultCountry}\u0000${label}\u0000${raw}`;
	let parsed = readLately.get(key);
	if (parsed === undefined) {
		if (readLately.size >= READ_LATELY_MAX) readLately.clear();
		readLately.set(key, (parsed = Object.freeze(readPhone(raw, label, defaultCountry))));
	}
	return parsed;
}

function readPhone(raw: string, label: string, defaultCountry: CountryCode): Parsed<string> {
	const value = raw.trim();
	if (ROUNDED_BY_EXCEL.test(value)) {
		return fail(
			`${label} "${value}" was rounded by Excel, which showed the number in scientific notation: format the column as Text in Excel and type the number again.`
		);
	}
	if (!/^[+(]?[\d\s().\-/]+(?:\s*(?:x|ext\.?|;ext=)\s*\d+)?$/iu.test(value)) {
		return fail(`${label} can only contain digits, spaces, + ( ) - and an extension.`);
	}
	const phone = DIGITS_ONLY.test(value)
		? readDigits(value, defaultCountry)
		: parsePhoneNumberFromString(value, defaultCountry);
	if (Array.isArray(phone)) {
		return fail(`${label} "${value}" can be read two ways, ${readingsText(phone)}: ${ONE_READING}.`);
	}
	if (!phone || !phone.isValid()) {
		return fail(
			value.startsWith('+')
				? `${label} is not a valid number.`
				: `${label} is not a valid ${defaultCountry} number; for another country start with + and its code.`
		);
	}
	return ok(phone.ext ? `${phone.number};ext=${phone.ext}` : phone.number);
}

/**
 * What an import says of an optional number it cannot read and keeps as typed: the admin can correct it
 * later, in the file or on the user's page. The country is the one the number was read with.
 */
export function keptPhoneWarning(raw: string, label: string, country: CountryCode): string {
	const value = raw.trim();
	if (isRoundedByExcel(value)) {
		return `${label} "${value}" was rounded by Excel (scientific notation): kept as typed. Format the column as Text in Excel and type the number again.`;
	}
	const readings = DIGITS_ONLY.test(value) ? readDigits(value, country) : undefined;
	return Array.isArray(readings)
		? `${label} "${value}" can be read two ways, ${readingsText(readings)}: kept as typed. To import it, ${ONE_READING}.`
		: `${label} "${value}" is not a phone number Rollcall can read: kept as typed.`;
}

/** Whether a stored phone is a number parsePhone read (E.164, with any extension), not one kept as typed. */
export function isReadPhone(stored: string): boolean {
	return /^\+[1-9]\d{1,14}(?:;ext=\d+)?$/u.test(stored);
}

/** Shows a stored E.164 number the way people read it: national form at home, international otherwise. */
export function formatPhone(e164: string, defaultCountry: CountryCode): string {
	const [number = '', ext] = e164.split(';ext=');
	const phone = parsePhoneNumberFromString(number);
	if (!phone) return e164;
	const shown = phone.country === defaultCountry ? phone.formatNational() : phone.formatInternational();
	return ext ? `${shown} ext. ${ext}` : shown;
}
