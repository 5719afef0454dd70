import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countryCodes, countryName, countryNames, parseCountry } from '../../../src/lib/domain/country';
import { countries as phoneCountries } from '../../../src/lib/domain/phone';

describe('parseCountry', () => {
	it.each([
		// codes, as Okta's countryCode, Active Directory's c and SCIM's addresses.country write them
		['GB', 'GB'],
		['gb', 'GB'],
		[' de ', 'DE'],
		// ISO alpha-3, as some HR exports write them
		['DEU', 'DE'],
		['usa', 'US'],
		['GBR', 'GB'],
		// names in English, as Microsoft 365 exports and Active Directory's co write them
		['United Kingdom', 'GB'],
		['United States', 'US'],
		['United States of America', 'US'],
		['U.S.A.', 'US'],
		['UK', 'GB'],
		['Great Britain', 'GB'],
		['England', 'GB'],
		['the Netherlands', 'NL'],
		['Holland', 'NL'],
		['Czech Republic', 'CZ'],
		['Turkey', 'TR'],
		['Türkiye', 'TR'],
		['Bosnia and Herzegovina', 'BA'],
		['Bosnia & Herzegovina', 'BA'],
		["Côte d'Ivoire", 'CI'],
		['Ivory Coast', 'CI'],
		['Hong Kong', 'HK'],
		['South Korea', 'KR'],
		// ISO's inverted names
		['Korea, Republic of', 'KR'],
		['Bahamas, The', 'BS'],
		// the admins' own languages, with or without accents, in any case
		['Deutschland', 'DE'],
		['Allemagne', 'DE'],
		['Alemania', 'DE'],
		['Germania', 'DE'],
		['Duitsland', 'DE'],
		['Alemanha', 'DE'],
		['Vereinigte Staaten', 'US'],
		['États-Unis', 'US'],
		['Etats-Unis', 'US'],
		['Österreich', 'AT'],
		['OSTERREICH', 'AT'],
		['Schweiz', 'CH'],
		['Suisse', 'CH'],
		['España', 'ES'],
		['Brasil', 'BR'],
		['Royaume-Uni', 'GB'],
		['Verenigd Koninkrijk', 'GB']
	])('reads %j as %s', (raw, code) => {
		expect(parseCountry(raw)).toEqual({ ok: true, value: code });
	});

	it.each(['Atlantis', 'XX', 'EU', 'ZZZ', 'Germany 2', 'Narnia, Kingdom of'])(
		'refuses %j, naming the value',
		(raw) => {
			expect(parseCountry(raw)).toEqual({
				ok: false,
				message: `Country "${raw}" is not a country Rollcall knows: give its name (United Kingdom) or its two-letter code (GB).`
			});
		}
	);

	it('names the field it reads in its message', () => {
		const parsed = parseCountry('Mars', 'Country or region');
		expect(!parsed.ok && parsed.message.startsWith('Country or region "Mars"')).toBe(true);
	});
});

describe('country codes and names', () => {
	it('knows every ISO 3166-1 country and every country phone numbers have', () => {
		expect(countryCodes.length).toBeGreaterThanOrEqual(249);
		expect(countryCodes).toEqual(expect.arrayContaining([...phoneCountries, 'AQ', 'XK']));
		expect(countryCodes.every((code) => /^[A-Z]{2}$/u.test(code))).toBe(true);
	});

	it('shows a code as its English name', () => {
		expect(countryName('GB')).toBe('United Kingdom');
		expect(countryName('US')).toBe('United States');
		expect(countryName('DE')).toBe('Germany');
	});

	it('reads back every name it shows, and every code, as the same code', () => {
		fc.assert(
			fc.property(fc.constantFrom(...countryCodes), (code) => {
				expect(parseCountry(countryName(code))).toEqual({ ok: true, value: code });
				expect(parseCountry(code.toLowerCase())).toEqual({ ok: true, value: code });
			}),
			{ numRuns: countryCodes.length * 2 }
		);
	});

	it('suggests each country once, by name, sorted', () => {
		const names = countryNames();
		expect(names).toHaveLength(countryCodes.length);
		expect(new Set(names).size).toBe(names.length);
		expect(names).toContain('United Kingdom');
		expect(names.indexOf('Austria')).toBeLessThan(names.indexOf('Germany'));
	});
});

describe('countryName of what is not a code', () => {
	it('shows it as given, never throwing', () => {
		for (const value of ['', 'Freedonia', 'United Kingdom', 'gb1', '12'])
			expect(countryName(value)).toBe(value);
		expect(countryName('fr')).toBe('France');
	});
});
