import fc from 'fast-check';
import { getExampleNumber } from 'libphonenumber-js/min';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import {
	countries,
	formatPhone,
	isCountryCode,
	isReadPhone,
	isRoundedByExcel,
	keptPhoneWarning,
	parsePhone,
	type CountryCode
} from '../../../src/lib/domain/phone';

const valueOf = (raw: string, country: CountryCode) => {
	const parsed = parsePhone(raw, 'Mobile phone', country);
	if (!parsed.ok) throw new Error(`expected ${JSON.stringify(raw)} to be valid, got: ${parsed.message}`);
	return parsed.value;
};

describe('parsePhone: valid numbers', () => {
	it.each<[string, CountryCode, string, string]>([
		// typed, admin's default country, stored E.164, shown to that admin
		['020 7946 0958', 'GB', '+442079460958', '020 7946 0958'],
		['(020) 7946-0958', 'GB', '+442079460958', '020 7946 0958'],
		['07400 123456', 'GB', '+447400123456', '07400 123456'],
		['  07400 123456  ', 'GB', '+447400123456', '07400 123456'],
		['+44 (0)20 7946 0958', 'GB', '+442079460958', '020 7946 0958'],
		['+44 20 7946 0958', 'US', '+442079460958', '+44 20 7946 0958'],
		['(212) 555-0199', 'US', '+12125550199', '(212) 555-0199'],
		['212.555.0199', 'US', '+12125550199', '(212) 555-0199'],
		['212/555-0199', 'US', '+12125550199', '(212) 555-0199'],
		['1 212 555 0199', 'US', '+12125550199', '(212) 555-0199'],
		['+1 415 555 2671', 'FR', '+14155552671', '+1 415 555 2671'],
		['06 12 34 56 78', 'FR', '+33612345678', '06 12 34 56 78'],
		['01.23.45.67.89', 'FR', '+33123456789', '01 23 45 67 89'],
		['+33 6 12 34 56 78', 'GB', '+33612345678', '+33 6 12 34 56 78'],
		['00 44 20 7946 0958', 'FR', '+442079460958', '+44 20 7946 0958'],
		['020 7946 0958 ext. 45', 'GB', '+442079460958;ext=45', '020 7946 0958 ext. 45'],
		['020 7946 0958 x45', 'GB', '+442079460958;ext=45', '020 7946 0958 ext. 45'],
		['(212) 555-0199 EXT 7', 'US', '+12125550199;ext=7', '(212) 555-0199 ext. 7'],
		['+442079460958;ext=45', 'US', '+442079460958;ext=45', '+44 20 7946 0958 ext. 45']
	])('reads %j (default %s) as %s, shown as %j', (raw, country, stored, shown) => {
		expect(parsePhone(raw, 'Mobile phone', country)).toEqual({ ok: true, value: stored });
		expect(formatPhone(stored, country)).toBe(shown);
	});
});

describe('parsePhone: invalid numbers', () => {
	const characters = 'Mobile phone can only contain digits, spaces, + ( ) - and an extension.';
	it.each<[string, string, CountryCode, string]>([
		['empty', '', 'GB', characters],
		['letters', 'abc', 'GB', characters],
		['a vanity number', '1-800-FLOWERS', 'US', characters],
		['words around it', 'call 020 7946 0958', 'GB', characters],
		['two plus signs', '++44 20 7946 0958', 'GB', characters],
		['a plus in the middle', '020 +7946 0958', 'GB', characters],
		['an extension without digits', '020 7946 0958 ext', 'GB', characters],
		['a letter extension', '020 7946 0958 ext. ab', 'GB', characters],
		['an emoji', '☎ 020 7946 0958', 'GB', characters],
		['an email address', 'name@example.com', 'GB', characters],
		[
			'too few digits',
			'12',
			'GB',
			'Mobile phone is not a valid GB number; for another country start with + and its code.'
		],
		[
			'a US number without its area code',
			'555-0199',
			'US',
			'Mobile phone is not a valid US number; for another country start with + and its code.'
		],
		[
			'all zeros',
			'0000000000',
			'US',
			'Mobile phone is not a valid US number; for another country start with + and its code.'
		],
		[
			'a GB number read as French',
			'020 7946 0958',
			'FR',
			'Mobile phone is not a valid FR number; for another country start with + and its code.'
		],
		['an unknown country code', '+999 123 4567', 'GB', 'Mobile phone is not a valid number.'],
		['a digit short', '+44 20 7946 095', 'GB', 'Mobile phone is not a valid number.'],
		['a digit too many', '+44 20 7946 09581', 'GB', 'Mobile phone is not a valid number.']
	])('rejects %s (%j, default %s)', (_what, raw, country, message) => {
		expect(parsePhone(raw, 'Mobile phone', country)).toEqual({ ok: false, message });
	});

	it('names the field it is checking', () => {
		const junk = parsePhone('junk', 'Business phone', 'GB');
		const short = parsePhone('123', 'Business phone', 'GB');
		expect(junk.ok || junk.message).toMatch(/^Business phone /u);
		expect(short.ok || short.message).toMatch(/^Business phone /u);
	});
});

describe('parsePhone: numbers Excel took for numbers', () => {
	it.each<[string, string, CountryCode, string]>([
		// what, the cell as Excel wrote it, admin's default country, stored
		['an Australian mobile whose + was dropped', '61425555010', 'GB', '+61425555010'],
		['a French mobile whose + was dropped', '33612345678', 'GB', '+33612345678'],
		['the same, read from a US organisation', '33612345678', 'US', '+33612345678'],
		['a British mobile whose + was dropped, read from France', '447400123456', 'FR', '+447400123456'],
		// libphonenumber takes a country's own code in front of a national number: the same number.
		['a British mobile whose + was dropped, read at home', '447400123456', 'GB', '+447400123456'],
		['a US number with its 1, read at home', '12025550101', 'US', '+12025550101'],
		['a US number with its 1, read from Britain', '12025550101', 'GB', '+12025550101'],
		// A national number whose leading 0 Excel dropped is valid at home: it stays national.
		['a British mobile whose 0 was dropped', '7400123456', 'GB', '+447400123456'],
		['a German mobile whose 0 was dropped', '1701234567', 'DE', '+491701234567'],
		['a French mobile whose 0 was dropped', '612345678', 'FR', '+33612345678'],
		['an Australian mobile whose 0 was dropped', '425555010', 'AU', '+61425555010'],
		['a Brazilian mobile whose 0 was dropped', '11987654321', 'BR', '+5511987654321'],
		// Italian landlines keep their 0: put back, it reads the number (no '+' reading is a number).
		['an Italian Rome landline whose 0 was dropped', '612345678', 'IT', '+390612345678'],
		// Digits a country's people write so lost nothing, whatever they read as with a '+' (+20 15 550123).
		['a US number typed as its people write it', '2015550123', 'US', '+12015550123'],
		['an Italian mobile, whose 39x looks like the country code', '3921234567', 'IT', '+393921234567'],
		// Digits starting with the country's own code are its number in full, though valid nationally too.
		['a German mobile whose + was dropped, read at home', '4915112345678', 'DE', '+4915112345678'],
		['the same, of 12 digits', '491701234567', 'DE', '+491701234567']
	])('reads %s (%j, default %s) as %s', (_what, raw, country, stored) => {
		expect(parsePhone(raw, 'Mobile phone', country)).toEqual({ ok: true, value: stored });
	});

	it.each<[string, string, CountryCode]>([
		['13 digits that are no number with or without +', '4420794609581', 'GB'],
		['a national number whose 0 was dropped, read from elsewhere', '7400123456', 'US'],
		['too few digits', '12345', 'GB']
	])('refuses %s (%j, default %s)', (_what, raw, country) => {
		expect(parsePhone(raw, 'Mobile phone', country)).toEqual({
			ok: false,
			message: `Mobile phone is not a valid ${country} number; for another country start with + and its code.`
		});
	});

	it.each<[string, string, CountryCode, string]>([
		// what, the cell, default country, the two readings as the message gives them
		['an Italian landline whose 0 was dropped', '49687370', 'IT', '+39 049 687370 (IT) or +49 6873 70 (DE)'],
		[
			'a German mobile whose 0 was dropped',
			'15123456789',
			'DE',
			'+49 1512 3456789 (DE) or +1 512 345 6789 (US)'
		],
		[
			'a Hungarian mobile whose 06 lost its 0',
			'6201234567',
			'HU',
			'+36 20 123 4567 (HU) or +62 1234567 (ID)'
		],
		// Starting with the country's own code, yet too short to be a whole number with it: Emden's 04921
		// without its 0 is not Düsseldorf's 0211, Lund's 046 is not Västerås' 021.
		[
			'an Emden landline whose 0 was dropped',
			'4921123456',
			'DE',
			'+49 4921 123456 (DE) or +49 211 23456 (DE)'
		],
		['a Lund landline whose 0 was dropped', '462169039', 'SE', '+46 46 216 90 39 (SE) or +46 21 690 39 (SE)']
	])('does not guess %s (%j, default %s): two readings are numbers', (_what, raw, country, readings) => {
		expect(parsePhone(raw, 'Mobile phone', country)).toEqual({
			ok: false,
			message: `Mobile phone "${raw}" can be read two ways, ${readings}: type it with + and its country code, or with its leading 0.`
		});
	});

	it('puts + only in front of digits alone, as Excel writes them', () => {
		// Typed with spaces, a number is a person's: 61 425 555 010 for a British admin is a mistake to show.
		expect(parsePhone('61 425 555 010', 'Mobile phone', 'GB').ok).toBe(false);
		expect(parsePhone('(61) 425555010', 'Mobile phone', 'GB').ok).toBe(false);
		expect(parsePhone('61425555010 x12', 'Mobile phone', 'GB').ok).toBe(false);
	});

	it.each(['4.42079E+12', '4,42079E+12', '6.14256E+10', '4E+12', ' 4.42079e+12 '])(
		'says a number Excel rounded (%j) cannot be read, and how to keep the next one whole',
		(raw) => {
			expect(isRoundedByExcel(raw)).toBe(true);
			expect(parsePhone(raw, 'Business phone', 'GB')).toEqual({
				ok: false,
				message: `Business phone "${raw.trim()}" was rounded by Excel, which showed the number in scientific notation: format the column as Text in Excel and type the number again.`
			});
		}
	);

	it('takes no other number for one Excel rounded', () => {
		for (const raw of ['4.42E12', '44E+', '+4.42079E+12', '020 7946 0958', '4.42079E-12'])
			expect(isRoundedByExcel(raw)).toBe(false);
	});
});

describe('isReadPhone', () => {
	it('tells a number parsePhone read from one an import kept as typed', () => {
		for (const stored of ['+447400123456', '+442079460958;ext=45', valueOf('(212) 555-0199', 'US')])
			expect(isReadPhone(stored)).toBe(true);
		for (const kept of ['12345', '07400 123456', '4.42079E+12', '+44 7400 123456', '', '+0123'])
			expect(isReadPhone(kept)).toBe(false);
	});
});

describe('keptPhoneWarning', () => {
	it('names the value as typed and what Rollcall did with it', () => {
		expect(keptPhoneWarning(' 12345 ', 'Business phone', 'GB')).toBe(
			'Business phone "12345" is not a phone number Rollcall can read: kept as typed.'
		);
		expect(keptPhoneWarning('4.42079E+12', 'Mobile phone', 'GB')).toBe(
			'Mobile phone "4.42079E+12" was rounded by Excel (scientific notation): kept as typed. Format the column as Text in Excel and type the number again.'
		);
	});
});

describe('keptPhoneWarning of digits with two readings', () => {
	it('gives both readings, read with the country the number was read with', () => {
		expect(keptPhoneWarning('49687370', 'Business phone', 'IT')).toBe(
			'Business phone "49687370" can be read two ways, +39 049 687370 (IT) or +49 6873 70 (DE): kept as typed. To import it, type it with + and its country code, or with its leading 0.'
		);
		expect(keptPhoneWarning('49687370', 'Business phone', 'GB')).toBe(
			'Business phone "49687370" is not a phone number Rollcall can read: kept as typed.'
		);
	});
});

describe('formatPhone', () => {
	it('shows a number at home in the national form and abroad in the international form', () => {
		expect(formatPhone('+33612345678', 'FR')).toBe('06 12 34 56 78');
		expect(formatPhone('+33612345678', 'US')).toBe('+33 6 12 34 56 78');
		expect(formatPhone('+12125550199', 'US')).toBe('(212) 555-0199');
		expect(formatPhone('+12125550199', 'GB')).toBe('+1 212 555 0199');
	});

	it('leaves text that is not a stored number as it is', () => {
		expect(formatPhone('not a number', 'GB')).toBe('not a number');
		expect(formatPhone('', 'GB')).toBe('');
	});
});

describe('countries', () => {
	it('knows the common default countries and nothing else', () => {
		for (const code of ['GB', 'US', 'FR', 'DE', 'JP', 'IN', 'BR']) expect(isCountryCode(code)).toBe(true);
		for (const code of ['', 'gb', 'UK', 'XX', 'GBR']) expect(isCountryCode(code)).toBe(false);
		expect(countries.length).toBeGreaterThan(200);
	});
});

// Every country's example mobile number, typed the way its people write it.
const mobileExamples = countries.flatMap((country) => {
	const example = getExampleNumber(country, examples);
	return example ? [{ country, national: example.formatNational(), e164: example.number }] : [];
});

describe('parsePhone and formatPhone: every country', () => {
	it('has an example for nearly every country', () => {
		expect(mobileExamples.length).toBeGreaterThan(countries.length * 0.95);
	});

	it("stores each country's example mobile number, typed nationally, as E.164, and shows it back", () => {
		const wrong = mobileExamples.flatMap(({ country, national, e164 }) => {
			const abroad: CountryCode = country === 'FR' ? 'DE' : 'FR';
			const shownAtHome = formatPhone(e164, country);
			const shownAbroad = formatPhone(e164, abroad);
			const problems = [
				parsePhone(national, 'Mobile phone', country),
				// What the admin sees parses back to the same number: at home and from abroad.
				parsePhone(shownAtHome, 'Mobile phone', country),
				parsePhone(shownAbroad, 'Mobile phone', 'US')
			].filter((parsed) => !parsed.ok || parsed.value !== e164);
			if (!shownAbroad.startsWith('+'))
				problems.push({ ok: false, message: `shown abroad as ${shownAbroad}` });
			return problems.length ? [{ country, national, e164, problems }] : [];
		});
		expect(wrong).toEqual([]);
	});
});

describe('parsePhone: properties', () => {
	const separators = fc.constantFrom('', ' ', '-', '.', '  ');
	const typed = fc
		.record({
			example: fc.constantFrom(...mobileExamples),
			separators: fc.array(separators, { minLength: 1, maxLength: 5 }),
			international: fc.boolean(),
			extension: fc.option(fc.integer({ min: 1, max: 99999 }), { nil: undefined })
		})
		.map(({ example, separators: seps, international, extension }) => {
			const digits = international ? example.e164.slice(1) : example.national.replace(/\D/gu, '');
			const spaced = [...digits].map((d, i) => d + (seps[i % seps.length] ?? '')).join('');
			const number = (international ? '+' : '') + spaced.trim();
			return {
				country: example.country,
				raw: extension === undefined ? number : `${number} ext. ${extension}`,
				e164: extension === undefined ? example.e164 : `${example.e164};ext=${extension}`
			};
		});

	it('reads a number however it is spaced, with or without an extension', () => {
		fc.assert(
			fc.property(typed, ({ country, raw, e164 }) => {
				expect(parsePhone(raw, 'Mobile phone', country)).toEqual({ ok: true, value: e164 });
			}),
			{ numRuns: 500 }
		);
	});

	it('is idempotent: a stored number parses to itself under any default country', () => {
		fc.assert(
			fc.property(typed, fc.constantFrom(...countries), ({ country, raw }, other) => {
				const once = valueOf(raw, country);
				expect(parsePhone(once, 'Mobile phone', country)).toEqual({ ok: true, value: once });
				expect(parsePhone(once, 'Mobile phone', other)).toEqual({ ok: true, value: once });
			}),
			{ numRuns: 500 }
		);
	});

	it('never throws, and either stores E.164 or names the field', () => {
		fc.assert(
			fc.property(
				fc.string({ unit: fc.constantFrom(...'0123456789 +-().x'.split('')), maxLength: 20 }),
				fc.constantFrom<CountryCode>('GB', 'US', 'FR'),
				(raw, country) => {
					const parsed = parsePhone(raw, 'Mobile phone', country);
					if (parsed.ok) expect(parsed.value).toMatch(/^\+[1-9]\d{1,14}(;ext=\d+)?$/u);
					else expect(parsed.message).toMatch(/^Mobile phone /u);
				}
			),
			{ numRuns: 1000 }
		);
	});
});
