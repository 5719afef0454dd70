import { countryName, parseCountry } from './country';
import { fail, ok, type Parsed } from './result';
import { foldText, quoted } from './text';

const languageNames = new Intl.DisplayNames('en', {
	type: 'language',
	languageDisplay: 'standard',
	fallback: 'none'
});

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

let languages: Map<string, string> | undefined;

/**
 * The two-letter languages the platform can name, by their folded English and native names ('german',
 * 'deutsch'): Intl lists no languages, so every ISO 639-1-shaped code is asked once, on first use.
 */
function languageIndex(): Map<string, string> {
	if (languages) return languages;
	languages = new Map();
	for (const first of LETTERS) {
		for (const second of LETTERS) {
			const code = first + second;
			const english = languageNames.of(code);
			if (!english) continue;
			const native = new Intl.DisplayNames(code, { type: 'language', fallback: 'none' }).of(code);
			for (const name of [english, native]) {
				if (name && !languages.has(foldText(name))) languages.set(foldText(name), code);
			}
		}
	}
	return languages;
}

/** A language name, alone or with its country in brackets: 'German', 'Deutsch (Schweiz)', 'English (UK)'. */
function languageByName(value: string): string | undefined {
	const whole = languageIndex().get(foldText(value));
	if (whole) return whole;
	const [, name = value, country] = /^(.*?)\s*\(([^()]*)\)$/u.exec(value) ?? [];
	const language = languageIndex().get(foldText(name));
	if (!language || country === undefined) return language;
	const region = parseCountry(country);
	return region.ok ? `${language}-${region.value}` : undefined;
}

/** A well-formed BCP 47 tag in its canonical case ('en_us' -> 'en-US'), or undefined. */
function canonicalTag(value: string): string | undefined {
	try {
		return Intl.getCanonicalLocales(value.replace(/_/gu, '-'))[0];
	} catch {
		return undefined;
	}
}

/**
 * Reads a preferred language as a BCP 47 tag (RFC 5646), the form SCIM and Okta keep: a tag in any
 * case or with underscores ('en_US', Java and POSIX style), or an English or native language name
 * with an optional country in brackets ('French', 'Deutsch (Österreich)').
 */
export function parseLanguage(raw: string, label = 'Preferred language'): Parsed<string> {
	const value = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
	const tag = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$/u.test(value) ? canonicalTag(value) : undefined;
	const language = tag?.split('-')[0];
	if (tag && language && languageNames.of(language)) return ok(tag);
	const named = languageByName(value);
	if (named) return ok(named);
	return fail(
		`${label} ${quoted(value)} is not a language Rollcall knows: give a language code such as en-GB or fr, or a name such as English.`
	);
}

/**
 * A language tag as people read it: 'English (United Kingdom)'. A tag whose name would not read back as
 * the same tag (scripts, variants: 'zh-Hant-TW') is shown as the tag, so what is shown can be typed again.
 */
export function languageName(tag: string): string {
	const [language = '', region] = tag.split('-');
	const base = languageNames.of(language);
	if (!base) return tag;
	const name = region && /^[A-Z]{2}$/u.test(region) ? `${base} (${countryName(region)})` : base;
	const back = parseLanguage(name);
	return back.ok && back.value === tag ? name : tag;
}

/** The English names of the languages Rollcall reads by name, sorted, for the form's suggestions. */
export function languageSuggestions(): string[] {
	const names = [...new Set([...languageIndex().values()])].map((code) => languageNames.of(code) ?? code);
	return names.sort((a, b) => a.localeCompare(b, 'en'));
}

/** Time zones written under another name than the platform's list uses (ICU keeps the older names). */
const CURRENT_ZONE_NAMES = [
	'UTC',
	'Asia/Kolkata',
	'Europe/Kyiv',
	'America/Nuuk',
	'Asia/Ho_Chi_Minh',
	'Asia/Kathmandu',
	'Asia/Yangon',
	'Pacific/Kanton',
	'Atlantic/Faroe',
	'Pacific/Chuuk',
	'Pacific/Pohnpei',
	'America/Ciudad_Juarez'
];

function isTimeZone(name: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone: name });
		return true;
	} catch {
		return false;
	}
}

let zones: Map<string, string> | undefined;

/** The IANA names the platform knows, by their lower-case form: the list, and current names it accepts. */
function zoneIndex(): Map<string, string> {
	zones ??= new Map(
		[...Intl.supportedValuesOf('timeZone'), ...CURRENT_ZONE_NAMES.filter(isTimeZone)].map((name) => [
			name.toLowerCase(),
			name
		])
	);
	return zones;
}

/** Every IANA time zone name the platform lists, for the form's suggestions. */
export function timeZoneNames(): string[] {
	return [...new Set(zoneIndex().values())].sort();
}

/**
 * Reads an IANA time zone name ('Europe/London', in any case), the form Okta, SCIM and every calendar
 * keep. An alias the list does not have ('US/Pacific', 'GMT') becomes the zone the platform resolves it
 * to; a UTC offset or an abbreviation (EST, CET) is refused, since it says nothing of summer time.
 */
export function parseTimeZone(raw: string, label = 'Time zone'): Parsed<string> {
	const value = raw.trim().replace(/ /gu, '_');
	// The platform reads EST as America/Panama and MST as America/Phoenix, with no summer time: seldom
	// the New York or Denver meant. UTC and GMT are one time everywhere.
	if (/^[A-Za-z]{3,4}$/u.test(value) && !/^(?:UTC|GMT|UCT)$/iu.test(value)) {
		return fail(
			`${label} ${quoted(raw.trim())} is an abbreviation, which more than one place's time goes by: give its IANA name, such as Europe/London or America/New_York.`
		);
	}
	const known = zoneIndex().get(value.toLowerCase());
	if (known) return ok(known);
	if (/^[A-Za-z]/u.test(value) && isTimeZone(value)) {
		return ok(new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone);
	}
	return fail(
		`${label} ${quoted(raw.trim())} is not a time zone Rollcall knows: give its IANA name, such as Europe/London or America/New_York.`
	);
}
