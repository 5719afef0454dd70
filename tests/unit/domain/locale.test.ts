import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	languageName,
	languageSuggestions,
	parseLanguage,
	parseTimeZone,
	timeZoneNames
} from '../../../src/lib/domain/locale';

describe('parseLanguage', () => {
	it.each([
		['en', 'en'],
		['en-GB', 'en-GB'],
		['EN-gb', 'en-GB'],
		// Java and POSIX locales, as older Okta material and many HR systems write them
		['en_US', 'en-US'],
		['pt_br', 'pt-BR'],
		['zh-hant-tw', 'zh-Hant-TW'],
		['iw', 'he'],
		['  fr-CA ', 'fr-CA'],
		// names, English or native, with a country in brackets
		['English', 'en'],
		['german', 'de'],
		['Deutsch', 'de'],
		['français', 'fr'],
		['English (United Kingdom)', 'en-GB'],
		['English (UK)', 'en-GB'],
		['Deutsch (Schweiz)', 'de-CH'],
		['Portuguese (Brazil)', 'pt-BR']
	])('reads %j as %s', (raw, tag) => {
		expect(parseLanguage(raw)).toEqual({ ok: true, value: tag });
	});

	it.each(['xx', 'Klingon', 'en US', 'English (Atlantis)', '12', 'en--GB'])(
		'refuses %j, naming it',
		(raw) => {
			expect(parseLanguage(raw)).toEqual({
				ok: false,
				message: `Preferred language "${raw}" is not a language Rollcall knows: give a language code such as en-GB or fr, or a name such as English.`
			});
		}
	);

	it('shows a tag as its English name when that name reads back as the same tag', () => {
		expect(languageName('en-GB')).toBe('English (United Kingdom)');
		expect(languageName('de')).toBe('German');
		expect(languageName('pt-BR')).toBe('Portuguese (Brazil)');
		// 'Chinese (Traditional, Taiwan)' would not read back: the tag is what is shown.
		expect(languageName('zh-Hant-TW')).toBe('zh-Hant-TW');
	});

	it('reads back what it shows, for any language and country', () => {
		const codes = fc.constantFrom('en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'ja', 'ar', 'sv', 'pl', 'zh');
		const regions = fc.option(fc.constantFrom('GB', 'US', 'DE', 'AT', 'CH', 'BR', 'FR', 'CA', 'JP', 'MX'));
		fc.assert(
			fc.property(codes, regions, (language, region) => {
				const parsed = parseLanguage(region ? `${language}_${region}` : language);
				expect(parsed.ok).toBe(true);
				if (!parsed.ok) return;
				expect(parseLanguage(languageName(parsed.value))).toEqual(parsed);
			})
		);
	});

	it('suggests the languages it reads by name', () => {
		const names = languageSuggestions();
		expect(names).toEqual(expect.arrayContaining(['English', 'German', 'French', 'Japanese']));
		for (const name of names) expect(parseLanguage(name).ok, name).toBe(true);
	});
});

describe('parseTimeZone', () => {
	it.each([
		['Europe/London', 'Europe/London'],
		['europe/london', 'Europe/London'],
		['AMERICA/LOS_ANGELES', 'America/Los_Angeles'],
		['America/New York', 'America/New_York'],
		['UTC', 'UTC'],
		['utc', 'UTC'],
		// the current name and the older one the platform's list keeps are both read, each as written
		['Asia/Kolkata', 'Asia/Kolkata'],
		['Asia/Calcutta', 'Asia/Calcutta'],
		['Europe/Kyiv', 'Europe/Kyiv'],
		// aliases outside the list become the zone they stand for
		['US/Pacific', 'America/Los_Angeles'],
		['GMT', 'UTC']
	])('reads %j as %s', (raw, zone) => {
		expect(parseTimeZone(raw)).toEqual({ ok: true, value: zone });
	});

	it.each(['Mars/Olympus_Mons', '+01:00', 'GMT+1 (summer)', 'London', 'CET+'])(
		'refuses %j, naming it',
		(raw) => {
			expect(parseTimeZone(raw)).toEqual({
				ok: false,
				message: `Time zone "${raw}" is not a time zone Rollcall knows: give its IANA name, such as Europe/London or America/New_York.`
			});
		}
	);

	// The platform reads EST as America/Panama and MST as America/Phoenix, with no summer time: not the
	// New York or Denver an admin writing them means.
	it.each(['EST', 'MST', 'pst', 'CET'])('refuses the abbreviation %j, asking for the IANA name', (raw) => {
		expect(parseTimeZone(raw)).toEqual({
			ok: false,
			message: `Time zone "${raw}" is an abbreviation, which more than one place's time goes by: give its IANA name, such as Europe/London or America/New_York.`
		});
	});

	it('reads every zone it suggests as itself, in any case', () => {
		const zones = timeZoneNames();
		expect(zones.length).toBeGreaterThan(300);
		fc.assert(
			fc.property(fc.constantFrom(...zones), fc.boolean(), (zone, isUpper) => {
				const typed = isUpper ? zone.toUpperCase() : zone.toLowerCase();
				expect(parseTimeZone(typed)).toEqual({ ok: true, value: zone });
			})
		);
	});
});
