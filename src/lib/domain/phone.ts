import { parsePhoneNumberFromString, getCountries, type CountryCode } from 'libphonenumber-js/min';
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

/**
 * Digits alone, with no + and no leading 0, are how Excel writes a number typed as +61 425 555 010 into a
 * cell it took for a number: the + is gone. Read as an international number when they are not a number of
 * the country itself (a number valid nationally stays national: US '12025550101', GB '7400123456').
 */
const DIGITS_ONLY = /^[1-9]\d+$/u;

/** Reads a phone number typed in any common way into E.164 (+441632960961), the form every system takes. */
export function parsePhone(raw: string, label: string, defaultCountry: CountryCode): Parsed<string> {
	const value = raw.trim();
	if (ROUNDED_BY_EXCEL.test(value)) {
		return fail(
			`${label} "${value}" was rounded by Excel, which showed the number in scientific notation: format the column as Text in Excel and type the number again.`
		);
	}
	if (!/^[+(]?[\d\s().\-/]+(?:\s*(?:x|ext\.?|;ext=)\s*\d+)?$/iu.test(value)) {
		return fail(`${label} can only contain digits, spaces, + ( ) - and an extension.`);
	}
	const national = parsePhoneNumberFromString(value, defaultCountry);
	const phone =
		!national?.isValid() && DIGITS_ONLY.test(value) ? parsePhoneNumberFromString(`+${value}`) : national;
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
 * later, in the file or on the user's page.
 */
export function keptPhoneWarning(raw: string, label: string): string {
	const value = raw.trim();
	return isRoundedByExcel(value)
		? `${label} "${value}" was rounded by Excel (scientific notation): kept as typed. Format the column as Text in Excel and type the number again.`
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
