import { isCountryCode, type CountryCode } from './phone';
import { restorePolicy, type FieldPolicy } from './policy';

/** The organisation's settings, as every part of the app reads them. */
export interface Settings {
	policy: FieldPolicy;
	/** Country assumed for phone numbers typed without +code. */
	defaultCountry: CountryCode;
}

/** The region of a locale such as 'en-GB', when it names a country phone numbers know. */
export function countryOfLocale(locale: string | undefined): CountryCode | undefined {
	const region = locale?.split(/[-_]/u).find((part, i) => i > 0 && /^[A-Za-z]{2}$/u.test(part));
	const code = region?.toUpperCase();
	return code && isCountryCode(code) ? code : undefined;
}

/** Brings stored settings (possibly older, partial or damaged) to a complete, valid set. */
export function restoreSettings(stored: Partial<Record<keyof Settings, unknown>>, locale?: string): Settings {
	const country = typeof stored.defaultCountry === 'string' ? stored.defaultCountry : '';
	return {
		policy: restorePolicy(stored.policy),
		defaultCountry: isCountryCode(country) ? country : (countryOfLocale(locale) ?? 'US')
	};
}
