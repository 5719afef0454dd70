import { parsePhoneNumberFromString, getCountries, type CountryCode } from 'libphonenumber-js/min';
import { fail, ok, type Parsed } from './result.ts';

export type { CountryCode };

/** Every country libphonenumber knows, for the default-country setting. */
export const countries: readonly CountryCode[] = getCountries();

export function isCountryCode(value: string): value is CountryCode {
	return (countries as readonly string[]).includes(value);
}

/** Reads a phone number typed in any common way into E.164 (+441632960961), the form every system takes. */
export function parsePhone(raw: string, label: string, defaultCountry: CountryCode): Parsed<string> {
	const value = raw.trim();
	if (!/^[+(]?[\d\s().\-/]+(?:\s*(?:x|ext\.?|;ext=)\s*\d+)?$/iu.test(value)) {
		return fail(`${label} can only contain digits, spaces, + ( ) - and an extension.`);
	}
	const phone = parsePhoneNumberFromString(value, defaultCountry);
	if (!phone || !phone.isValid()) {
		return fail(
			value.startsWith('+')
				? `${label} is not a valid number.`
				: `${label} is not a valid ${defaultCountry} number; for another country start with + and its code.`
		);
	}
	return ok(phone.ext ? `${phone.number};ext=${phone.ext}` : phone.number);
}

/** Shows a stored E.164 number the way people read it: national form at home, international otherwise. */
export function formatPhone(e164: string, defaultCountry: CountryCode): string {
	const [number = '', ext] = e164.split(';ext=');
	const phone = parsePhoneNumberFromString(number);
	if (!phone) return e164;
	const shown = phone.country === defaultCountry ? phone.formatNational() : phone.formatInternational();
	return ext ? `${shown} ext. ${ext}` : shown;
}
