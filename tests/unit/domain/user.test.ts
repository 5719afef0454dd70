import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	field,
	fieldKeys,
	fields,
	type FieldContext,
	type BuiltinFieldKey,
	type FieldKey
} from '../../../src/lib/domain/fields';
import { emailKey } from '../../../src/lib/domain/email';
import { foldText } from '../../../src/lib/domain/text';
import { defaultPolicy, presets, restorePolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import {
	contextOf,
	customValues,
	INNER_START,
	matchesSearch,
	nameOf,
	searchHint,
	searchTerms,
	searchText,
	textMatches,
	userKeys,
	validateField,
	WORD_START,
	validateUser,
	type UserFields,
	type UserInput
} from '../../../src/lib/domain/user';

const gb: FieldContext = { defaultCountry: 'GB' };
const policyOf = (id: string): FieldPolicy => {
	const found = presets.find((p) => p.id === id);
	if (!found) throw new Error(`no preset ${id}`);
	return found.policy;
};
const everything = Object.fromEntries(fieldKeys.map((key) => [key, 'optional'])) as FieldPolicy;

/** A complete, valid row for workflow D (field-heavy accounts). */
const fieldHeavyRow: UserInput = {
	firstName: '  Élodie ',
	lastName: 'Martin',
	username: 'emartin',
	password: ' my long passphrase ',
	mobilePhone: '07400 123456',
	email: 'Elodie.Martin@Example.com',
	businessPhone: '',
	company: 'Acme',
	customerCode: '000123',
	udid: '',
	inGlobalAddressBook: true
};

describe('validateField', () => {
	it('ignores a hidden field, whatever it holds', () => {
		expect(validateField('udid', 'not a udid', defaultPolicy, gb)).toEqual({});
		expect(validateField('password', '', defaultPolicy, gb)).toEqual({});
	});

	it.each(['', '   ', '\t\n', undefined])('reports a required field left as %j', (raw) => {
		expect(validateField('firstName', raw, defaultPolicy, gb)).toEqual({ error: 'First name is required.' });
	});

	it('takes the default of an optional field left empty', () => {
		const c = policyOf('multi-customer');
		expect(validateField('userType', '', c, gb)).toEqual({ value: 'Standard' });
		expect(validateField('site', ' ', c, gb)).toEqual({ value: 'HQ' });
		expect(validateField('company', '', defaultPolicy, gb)).toEqual({ value: undefined });
	});

	it('keeps a checkbox’s boolean, and reads a boolean field from text', () => {
		expect(validateField('inGlobalAddressBook', true, everything, gb)).toEqual({ value: true });
		expect(validateField('inGlobalAddressBook', false, everything, gb)).toEqual({ value: false });
		expect(validateField('inGlobalAddressBook', 'Oui', everything, gb)).toEqual({ value: true });
		expect(validateField('inGlobalAddressBook', '', everything, gb)).toEqual({ value: false });
		// An unticked box is an answer, not a missing one.
		const required = { ...everything, inGlobalAddressBook: 'required' } satisfies FieldPolicy;
		expect(validateField('inGlobalAddressBook', undefined, required, gb)).toEqual({ value: false });
	});

	it('reads a spreadsheet TRUE/FALSE cell in a text column as text, never as a boolean', () => {
		expect(validateField('company', true, everything, gb)).toEqual({ value: 'true' });
		expect(validateField('email', true, everything, gb).error).toMatch(/email/iu);
		expect(validateField('userType', false, everything, gb)).toEqual({
			error: 'User type must be Standard or Privileged.'
		});
	});

	it('passes the value through the field’s parser', () => {
		expect(validateField('email', ' A@B.COM ', defaultPolicy, gb)).toEqual({ value: 'A@b.com' });
		expect(validateField('mobilePhone', '(212) 555-0199', everything, { defaultCountry: 'US' })).toEqual({
			value: '+12125550199'
		});
		expect(validateField('mobilePhone', '(212) 555-0199', everything, gb).error).toMatch(/^Mobile phone /u);
	});
});

describe('validateUser: required fields of each workflow', () => {
	it.each(presets.map((p) => [p.id, p.policy] as const))(
		'%s: an empty row names every required field',
		(_id, policy) => {
			const { errors, isValid, values } = validateUser({}, policy, gb);
			expect(isValid).toBe(false);
			expect(values).toEqual(
				Object.fromEntries(
					fields
						.filter((f) => policy[f.key] === 'optional' && !f.isSensitive)
						.map((f) => [f.key, f.defaultValue])
				)
			);
			const required = fields.filter((f) => policy[f.key] === 'required');
			expect(errors).toEqual(Object.fromEntries(required.map((f) => [f.key, `${f.label} is required.`])));
		}
	);

	it('A: accepts first name, last name and email', () => {
		const result = validateUser(
			{ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
			policyOf('portal'),
			gb
		);
		expect(result.errors).toEqual({});
		expect(result.isValid).toBe(true);
	});

	it('B: asks for the user type', () => {
		const result = validateUser({ firstName: 'Ada', email: 'ada@example.com' }, policyOf('groups'), gb);
		expect(result.errors).toEqual({ userType: 'User type is required.' });
		expect(
			validateUser(
				{ firstName: 'Ada', email: 'ada@example.com', userType: 'standard' },
				policyOf('groups'),
				gb
			)
		).toMatchObject({ isValid: true, values: { userType: 'Standard' } });
	});

	it("C: needs only the person's name and email; user type and site take their defaults", () => {
		const result = validateUser(
			{ displayName: 'Ada Lovelace', email: 'ada@example.com' },
			policyOf('multi-customer'),
			gb
		);
		expect(result).toEqual({
			values: { displayName: 'Ada Lovelace', email: 'ada@example.com', userType: 'Standard', site: 'HQ' },
			password: undefined,
			errors: {},
			isValid: true
		});
	});

	it('D: reads a complete row, and keeps the password out of the values', () => {
		const result = validateUser(fieldHeavyRow, policyOf('field-heavy'), gb);
		expect(result.errors).toEqual({});
		expect(result.isValid).toBe(true);
		expect(result.password).toBe(' my long passphrase ');
		expect(result.values).toEqual({
			firstName: 'Élodie',
			lastName: 'Martin',
			email: 'Elodie.Martin@example.com',
			username: 'emartin',
			mobilePhone: '+447400123456',
			businessPhone: undefined,
			company: 'Acme',
			customerCode: '000123',
			udid: undefined,
			inGlobalAddressBook: true
		});
		expect(Object.keys(result.values)).not.toContain('password');
		expect(JSON.stringify(result.values)).not.toContain('passphrase');
	});

	it('D: a short password is an error, and is not passed on', () => {
		const result = validateUser({ ...fieldHeavyRow, password: 'short' }, policyOf('field-heavy'), gb);
		expect(result.errors).toEqual({ password: 'Password needs at least 8 characters.' });
		expect(result.password).toBeUndefined();
		expect(result.isValid).toBe(false);
	});
});

describe('validateUser: the policy decides', () => {
	it('ignores hidden fields, even with invalid values', () => {
		const result = validateUser(
			{
				firstName: 'Ada',
				lastName: 'Lovelace',
				email: 'ada@example.com',
				udid: 'nope',
				password: 'x',
				customerCode: 'a'.repeat(500)
			},
			defaultPolicy,
			gb
		);
		expect(result.isValid).toBe(true);
		expect(result.errors).toEqual({});
		expect(result.password).toBeUndefined();
		expect(result.values).not.toHaveProperty('udid');
		expect(result.values).not.toHaveProperty('customerCode');
	});

	it('returns every visible non-sensitive field in values, an emptied optional one as undefined', () => {
		const result = validateUser(
			{ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', company: '  ' },
			defaultPolicy,
			gb
		);
		expect(Object.keys(result.values).sort()).toEqual(
			fieldKeys.filter((key) => defaultPolicy[key] !== 'hidden').sort()
		);
		expect(result.values).toHaveProperty('company', undefined);
		expect(result.values.userType).toBe('Standard');
		expect(result.values.site).toBe('HQ');
	});

	it('requires email even under a policy stored with it hidden', () => {
		const policy = restorePolicy({ email: 'hidden' });
		expect(validateUser({ firstName: 'Ada', lastName: 'Lovelace' }, policy, gb).errors).toEqual({
			email: 'Email is required.'
		});
	});

	it('reports every wrong field at once, each message naming its field', () => {
		const result = validateUser(
			{
				firstName: 'A\u200bda',
				lastName: 'x'.repeat(65),
				displayName: '\u202eecalevoL',
				email: 'ada@@example.com',
				username: 'ada lovelace',
				password: '1234',
				userType: 'Admin',
				site: 'x'.repeat(129),
				mobilePhone: 'call me',
				businessPhone: '123',
				company: 'Acme\u0000',
				jobTitle: 'x'.repeat(129),
				department: 'x'.repeat(129),
				customerCode: 'x'.repeat(65),
				udid: '1234',
				inGlobalAddressBook: 'perhaps',
				streetAddress: 'x'.repeat(1024),
				city: 'x'.repeat(129),
				region: 'x'.repeat(129),
				postalCode: 'x'.repeat(41),
				country: 'x'.repeat(129),
				office: 'x'.repeat(129),
				employeeNumber: 'x'.repeat(65),
				costCenter: 'x'.repeat(65),
				division: 'x'.repeat(129),
				organization: 'x'.repeat(129),
				manager: 'x'.repeat(321),
				preferredLanguage: 'x'.repeat(36),
				timeZone: 'x'.repeat(65),
				groups: `Sales; ${'x'.repeat(65)}`,
				roles: 'x'.repeat(65),
				entitlements: 'Desktop; Teleport',
				webAccess: 'perhaps',
				licenseKey: '1234'
			},
			everything,
			gb
		);
		expect(result.isValid).toBe(false);
		expect(Object.keys(result.errors).sort()).toEqual([...fieldKeys].sort());
		for (const key of fieldKeys) {
			expect(result.errors[key]?.toLowerCase(), key).toContain(field(key).label.toLowerCase());
		}
	});

	it('never throws, and every message names its field (any input, any policy)', () => {
		const requirement = fc.constantFrom('required' as const, 'optional' as const, 'hidden' as const);
		const policy = fc.record(
			Object.fromEntries(fieldKeys.map((key) => [key, requirement])) as Record<
				BuiltinFieldKey,
				typeof requirement
			>
		);
		const input = fc.dictionary(
			fc.constantFrom(...fieldKeys),
			fc.oneof(fc.string({ maxLength: 20 }), fc.boolean())
		);
		fc.assert(
			fc.property(input, policy, (raw, p) => {
				const result = validateUser(raw, p, gb);
				expect(result.isValid).toBe(Object.keys(result.errors).length === 0);
				for (const [key, message] of Object.entries(result.errors) as [BuiltinFieldKey, string][]) {
					expect(p[key]).not.toBe('hidden');
					expect(message.toLowerCase()).toContain(field(key as FieldKey).label.toLowerCase());
				}
				expect(result.values).not.toHaveProperty('password');
				for (const f of fields.filter((f) => p[f.key as BuiltinFieldKey] === 'hidden')) {
					expect(result.values).not.toHaveProperty(f.key);
				}
				for (const f of fields.filter((f) => f.type !== 'boolean' && f.key in result.values)) {
					expect(typeof (result.values as Record<string, unknown>)[f.key], f.key).not.toBe('boolean');
				}
			}),
			{ numRuns: 500 }
		);
	});
});

describe("a person's own country for their phone numbers", () => {
	const withCountry: FieldPolicy = { ...defaultPolicy, country: 'optional' };
	const row = (country: string): UserInput => ({
		firstName: 'Élise',
		lastName: 'Roux',
		email: 'elise@example.com',
		mobilePhone: '06 12 34 56 78',
		country
	});

	const withoutCountry = (input: UserInput): UserInput =>
		Object.fromEntries(Object.entries(input).filter(([key]) => key !== 'country'));

	it('reads a number typed without +code as one of the country the row gives', () => {
		const result = validateUser(row('France'), withCountry, gb);
		expect(result.errors).toEqual({});
		expect(result.values).toMatchObject({ country: 'FR', mobilePhone: '+33612345678' });
	});

	it("falls back to the organisation's country when the row gives none", () => {
		expect(validateUser(row(''), withCountry, gb).errors.mobilePhone).toBe(
			'Mobile phone is not a valid GB number; for another country start with + and its code.'
		);
		expect(validateUser(row('  '), withCountry, gb, { country: '' }).errors.mobilePhone).toBeDefined();
	});

	it('reads the numbers with the country even when the policy hides Country, and never keeps it', () => {
		// defaultPolicy hides Country: a user's stored one (from an earlier policy) still says where they are.
		expect(defaultPolicy.country).toBe('hidden');
		const result = validateUser(row('FR'), defaultPolicy, gb);
		expect(result.errors).toEqual({});
		expect(result.values.mobilePhone).toBe('+33612345678');
		expect(result.values).not.toHaveProperty('country');
		expect(contextOf({ country: 'FR' }, gb)).toEqual({ defaultCountry: 'FR' });
	});

	it("takes a row's country given apart (a file's column for a hidden Country), never storing it", () => {
		const noCountry = withoutCountry(row(''));
		for (const country of ['Australia', 'AU', 'aus', ' australia ']) {
			const result = validateUser({ ...noCountry, mobilePhone: '0425 555 010' }, defaultPolicy, gb, {
				country
			});
			expect(result.errors).toEqual({});
			expect(result.values.mobilePhone).toBe('+61425555010');
			expect(result.values).not.toHaveProperty('country');
		}
		for (const [country, typed, stored] of [
			['Deutschland', '0170 1234567', '+491701234567'],
			['france', '06 12 34 56 78', '+33612345678']
		]) {
			expect(
				validateUser({ ...noCountry, mobilePhone: typed }, defaultPolicy, gb, { country }).values
			).toMatchObject({
				mobilePhone: stored
			});
		}
	});

	it("prefers the input's own country to the one given apart", () => {
		const result = validateUser(row('France'), withCountry, gb, { country: 'US' });
		expect(result.values).toMatchObject({ country: 'FR', mobilePhone: '+33612345678' });
	});

	it('reads with the default country when the one given apart is not a country', () => {
		const noCountry = withoutCountry(row(''));
		const result = validateUser({ ...noCountry, mobilePhone: '07400 123456' }, defaultPolicy, gb, {
			country: 'Atlantis'
		});
		expect(result.values.mobilePhone).toBe('+447400123456');
		expect(result.errors).toEqual({});
	});

	it('names the country in the message when the number is not one of it', () => {
		const result = validateUser(row('United States'), withCountry, gb);
		expect(result.errors.mobilePhone).toBe(
			'Mobile phone is not a valid US number; for another country start with + and its code.'
		);
	});

	it('keeps numbers with +code as they are, and an unknown country is its own error', () => {
		const result = validateUser({ ...row('Atlantis'), mobilePhone: '+44 7400 123456' }, withCountry, gb);
		expect(result.values.mobilePhone).toBe('+447400123456');
		expect(Object.keys(result.errors)).toEqual(['country']);
	});

	it('gives the stored country as the context a user is shown in', () => {
		expect(contextOf({ country: 'US' }, gb)).toEqual({ defaultCountry: 'US' });
		expect(contextOf({ country: 'Atlantis' }, gb)).toBe(gb);
		expect(contextOf({}, gb)).toBe(gb);
	});
});

describe('validateUser: lenient (an import) and strict (the form)', () => {
	const withPhones: FieldPolicy = { ...defaultPolicy, mobilePhone: 'required', businessPhone: 'optional' };
	const person: UserInput = {
		firstName: 'Ann',
		lastName: 'Lee',
		email: 'ann@example.com',
		mobilePhone: '07400 123456',
		businessPhone: ' 12345 '
	};

	it('refuses a phone it cannot read when strict, as the form does', () => {
		const result = validateUser(person, withPhones, gb);
		expect(result.errors).toEqual({
			businessPhone: 'Business phone is not a valid GB number; for another country start with + and its code.'
		});
		expect(result).not.toHaveProperty('warnings');
		expect(result.isValid).toBe(false);
	});

	it('keeps an optional phone it cannot read as typed (trimmed), with a warning naming it, when lenient', () => {
		const result = validateUser(person, withPhones, gb, { isLenient: true });
		expect(result.errors).toEqual({});
		expect(result.isValid).toBe(true);
		expect(result.values).toMatchObject({ mobilePhone: '+447400123456', businessPhone: '12345' });
		expect(result.warnings).toEqual({
			businessPhone: 'Business phone "12345" is not a phone number Rollcall can read: kept as typed.'
		});
	});

	it('keeps letters and numbers Excel rounded too, saying what Excel did', () => {
		const result = validateUser(
			{ ...person, businessPhone: 'ask reception', mobilePhone: '07400 123456' },
			{ ...withPhones, mobilePhone: 'optional' },
			gb,
			{ isLenient: true }
		);
		expect(result.values.businessPhone).toBe('ask reception');
		const rounded = validateUser({ ...person, businessPhone: '4.42079E+12' }, withPhones, gb, {
			isLenient: true
		});
		expect(rounded.values.businessPhone).toBe('4.42079E+12');
		expect(rounded.warnings?.businessPhone).toBe(
			'Business phone "4.42079E+12" was rounded by Excel (scientific notation): kept as typed. Format the column as Text in Excel and type the number again.'
		);
	});

	it('still refuses a required phone it cannot read, and never warns of other fields', () => {
		const result = validateUser(
			{ ...person, mobilePhone: '12345', email: 'not an email', businessPhone: '' },
			withPhones,
			gb,
			{ isLenient: true }
		);
		expect(Object.keys(result.errors).sort()).toEqual(['email', 'mobilePhone']);
		expect(result.errors.mobilePhone).toBe(
			'Mobile phone is not a valid GB number; for another country start with + and its code.'
		);
		expect(result).not.toHaveProperty('warnings');
	});

	it("does not guess digits that read two ways in the person's country: warned when optional, refused when required", () => {
		const italian = { ...person, country: 'Italia', mobilePhone: '49687370', businessPhone: '49687370' };
		const result = validateUser(italian, { ...withPhones, country: 'optional' }, gb, { isLenient: true });
		const readings = '+39 049 687370 (IT) or +49 6873 70 (DE)';
		expect(result.values.businessPhone).toBe('49687370');
		expect(result.warnings).toEqual({
			businessPhone: `Business phone "49687370" can be read two ways, ${readings}: kept as typed. To import it, type it with + and its country code, or with its leading 0.`
		});
		expect(result.errors).toEqual({
			mobilePhone: `Mobile phone "49687370" can be read two ways, ${readings}: type it with + and its country code, or with its leading 0.`
		});
	});

	it('gives no warnings object when every value reads', () => {
		const result = validateUser({ ...person, businessPhone: '020 7946 0958' }, withPhones, gb, {
			isLenient: true
		});
		expect(result).not.toHaveProperty('warnings');
		expect(result.values.businessPhone).toBe('+442079460958');
	});

	it('validateField says the same for one value', () => {
		expect(validateField('businessPhone', '12345', withPhones, gb, true)).toEqual({
			value: '12345',
			warning: 'Business phone "12345" is not a phone number Rollcall can read: kept as typed.'
		});
		expect(validateField('businessPhone', '12345', withPhones, gb).error).toBeDefined();
		expect(validateField('mobilePhone', '12345', withPhones, gb, true).error).toBeDefined();
	});
});

describe('nameOf', () => {
	it.each<[Partial<UserFields>, string]>([
		[{ displayName: 'Dr Ada King', firstName: 'Ada', lastName: 'Lovelace', email: 'a@b.com' }, 'Dr Ada King'],
		[{ firstName: 'Ada', lastName: 'Lovelace', email: 'a@b.com' }, 'Ada Lovelace'],
		[{ displayName: '', firstName: 'Ada', email: 'a@b.com' }, 'Ada'],
		[{ lastName: 'Lovelace', email: 'a@b.com' }, 'Lovelace'],
		[{ username: 'ada', email: 'a@b.com' }, 'ada'],
		[{ email: 'a@b.com' }, 'a@b.com'],
		[{}, '']
	])('names %j %j', (user, name) => {
		expect(nameOf(user)).toBe(name);
	});
});

const person = (fields: Partial<UserFields> & Pick<UserFields, 'email'>): UserFields => ({
	userType: 'Standard',
	site: 'HQ',
	inGlobalAddressBook: false,
	...fields
});

/** A search text's words, each with whether it is also searched inside (see searchText). */
const wordsOf = (text: string) =>
	[
		...text.matchAll(new RegExp(`([${WORD_START}${INNER_START}])([^${WORD_START}${INNER_START}]*)`, 'gu'))
	].map(([, mark, word]) => ({
		word: word!,
		isInner: mark === INNER_START
	}));

/** The rule the users table searches by (matchesSearch), over the keys userKeys derives. */
const finds = (user: UserFields, query: string) => {
	const terms = searchTerms(query);
	return terms.length > 0 && matchesSearch(userKeys(user, 1), terms);
};

describe('userKeys', () => {
	it('sorts Élodie next to Elodie, before Zoe, as a person would', () => {
		const names = ['Zoe', 'Élodie', 'adam', 'Øystein', 'Elodie', 'Émile', 'Eve', 'Ødegaard'];
		const sorted = names
			.map((firstName, i) => person({ firstName, email: `p${i}@example.com` }))
			.sort((a, b) => (userKeys(a, 1).nameKey < userKeys(b, 1).nameKey ? -1 : 1))
			.map((u) => u.firstName);
		expect(sorted.slice(1, 3).sort()).toEqual(['Elodie', 'Élodie']);
		expect(sorted).toEqual([
			'adam',
			expect.any(String),
			expect.any(String),
			'Émile',
			'Eve',
			'Ødegaard',
			'Øystein',
			'Zoe'
		]);
	});

	it('breaks ties between people of the same name by email', () => {
		const a = userKeys(person({ firstName: 'Ada', email: 'a@example.com' }), 1).nameKey;
		const b = userKeys(person({ firstName: 'ADA', email: 'b@example.com' }), 1).nameKey;
		expect(a).not.toBe(b);
		expect(a < b).toBe(true);
		expect(a.startsWith('ada\u0000')).toBe(true);
	});

	it('keys a person under email, username and customer code', () => {
		const keys = userKeys(
			person({ firstName: 'Ada', email: ' Ada@BÜCHER.de ', username: 'Ada.King', customerCode: ' 000123 ' }),
			1
		);
		expect(keys.emailKey).toBe('ada@xn--bcher-kva.de');
		expect(keys.usernameKey).toBe('ada.king');
		expect(keys.customerCodeKey).toBe('000123');
	});

	it('leaves the optional keys out when there is nothing to key', () => {
		const keys = userKeys(person({ email: 'a@example.com' }), 1);
		expect(keys.usernameKey).toBeUndefined();
		expect(keys.customerCodeKey).toBeUndefined();
		expect(userKeys(person({ email: 'a@example.com', customerCode: '' }), 1).customerCodeKey).toBeUndefined();
	});

	it('holds the folded name words, the email and the username as search words', () => {
		const words = wordsOf(
			userKeys(
				person({
					firstName: 'Élodie',
					lastName: 'Martin-Dupré',
					email: 'E.Martin@Example.com',
					username: 'EMartin'
				}),
				1
			).searchText
		).map(({ word }) => word);
		expect(words).toEqual(
			expect.arrayContaining(['elodie', 'martin', 'dupre', 'martin-dupre', 'e.martin@example.com', 'emartin'])
		);
		expect(new Set(words).size).toBe(words.length);
		for (const word of words) expect(word).toBe(word.toLowerCase());
	});
});

describe('searchText and textMatches', () => {
	it('mark the name words, username and local part as searched inside, the rest from their start, with no duplicate', () => {
		const text = searchText(
			person({ firstName: 'Ann', lastName: 'Jones', email: 'jones@example.net', username: 'jsmith' })
		);
		const words = wordsOf(text);
		expect(words.map(({ word }) => word)).toEqual(
			expect.arrayContaining(['ann', 'jones', 'jones@example.net', 'example.net', 'example', 'jsmith'])
		);
		expect(words.map(({ word }) => word)).not.toContain('net');
		expect(words.filter(({ isInner }) => isInner).map(({ word }) => word)).toEqual([
			'ann',
			'jones',
			'jsmith'
		]);
		expect(new Set(words.map(({ word }) => word)).size).toBe(words.length);
		// Inside a name, the username or the local part, from 3 characters: their inner parts are found.
		for (const term of ['ith', 'mith', 'smith', 'nes', 'ones'])
			expect(textMatches(text, term), term).toBe(true);
		// Not shorter, and never inside the email whole, the domain or its labels.
		for (const term of ['th', 'es', 'nn', 'xample', 'ample.net', 'net', 'smith@']) {
			expect(textMatches(text, term), term).toBe(false);
		}
	});

	it('find a run of letters or digits inside a token, but nothing across runs', () => {
		const text = searchText(person({ firstName: 'Ann', email: 'ann@example.com', username: 'j.smith042' }));
		for (const term of ['042', 'ith', 'mith', 'smith', 'smith04', 'j.smi'])
			expect(textMatches(text, term), term).toBe(true);
		for (const term of ['h04', 'ith0', 'mith042', '.smith', '42', 'th'])
			expect(textMatches(text, term), term).toBe(false);
	});

	it('count a run in characters, never UTF-16 units, and search no run longer than 24 inside', () => {
		const text = searchText(
			person({ firstName: 'a𠮷bc', lastName: 'Abcdefghijklmnopqrstuvwxyz', email: 'x@example.com' })
		);
		expect(text.isWellFormed()).toBe(true);
		expect(textMatches(text, '𠮷bc')).toBe(true);
		// A term cut after the first half of 𠮷 is found where 𠮷 goes on in a run (a search typed up to the
		// middle of a character, as v8's index found it); the second half alone starts nothing.
		expect(textMatches(text, '\udfb7bc')).toBe(false);
		const cut = searchText(person({ firstName: 'Xya𠮷bc Zya😀', email: 'x@example.com' }));
		expect(textMatches(cut, 'ya\ud842')).toBe(true);
		expect(textMatches(cut, 'ya\ud83d')).toBe(false);
		// A run of 26 letters: found from its start only.
		expect(textMatches(text, 'abcd')).toBe(true);
		expect(textMatches(text, 'bcd')).toBe(false);
		expect(textMatches(text, 'xyz')).toBe(false);
		// 24 characters, one outside the BMP: searched inside; 25 (counted by character, or by units 26): not.
		const wide = 'abcdefghijk𠮷mnopqrstuvwx';
		expect([...wide]).toHaveLength(24);
		expect(textMatches(searchText(person({ firstName: wide, email: 'x@example.com' })), 'uvw')).toBe(true);
		expect(textMatches(searchText(person({ firstName: `${wide}y`, email: 'x@example.com' })), 'uvw')).toBe(
			false
		);
		expect(textMatches(searchText(person({ firstName: `z${wide}`, email: 'x@example.com' })), 'bcd')).toBe(
			false
		);
	});

	it('never find two words as one, nor a term holding a mark', () => {
		const text = searchText(person({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' }));
		expect(textMatches(text, 'ada')).toBe(true);
		expect(textMatches(text, 'lovelace')).toBe(true);
		expect(textMatches(text, `ada${INNER_START}love`)).toBe(false);
		expect(textMatches(text, `${INNER_START}lovelace`)).toBe(false);
		expect(textMatches(text, 'adalove')).toBe(false);
	});

	it('find by a search word only what its owner holds: a property over random people', () => {
		const word = fc.stringMatching(/^[a-z]{1,10}$/u);
		fc.assert(
			fc.property(word, word, word, (first, last, name) => {
				const user = {
					searchText: searchText(person({ firstName: first, lastName: last, email: `${name}@example.org` }))
				};
				// Every inner part of 3 or more of a name word is found; a 1-2 letter one only at the start.
				for (const token of [first, last, name]) {
					for (let start = 0; start < token.length; start++) {
						for (let end = start + 1; end <= token.length; end++) {
							const part = token.slice(start, end);
							if (start === 0 || part.length >= 3) expect(matchesSearch(user, [part])).toBe(true);
						}
					}
				}
				expect(matchesSearch(user, ['q' + first + last + name])).toBe(false);
			})
		);
	});
});

/**
 * v8's searchKeys as it was written before its speed-up (arrays spread into Sets, every suffix cut from an
 * array of characters): v9's searchText, written with the same speed-ups, must hold the same words.
 */
function searchKeysAsBefore(user: UserFields): { searchWords: string[]; searchSuffixes: string[] } {
	const words = (value: string | undefined) => {
		const whole = value ? foldText(value).split(' ').filter(Boolean) : [];
		return [...whole, ...whole.flatMap((word) => word.split(/[-'.]+/u)).filter(Boolean)];
	};
	const domainEnds = (domain: string) => {
		const labels = domain.split('.');
		if (labels.length < 2) return [domain];
		return labels.slice(0, -1).map((_, start) => labels.slice(start).join('.'));
	};
	const emailParts = (address: string) => {
		const at = address.lastIndexOf('@');
		if (at < 0) return { local: [] as string[], domain: [] as string[] };
		const local = address.slice(0, at);
		const domain = address.slice(at + 1);
		return {
			local: [local, ...local.split(/[-'._+]+/u)].filter(Boolean),
			domain: [...domainEnds(domain), ...domain.split('.').slice(0, -1)].filter(Boolean)
		};
	};
	const innerParts = (token: string) => {
		const found: string[] = [];
		for (const run of token.matchAll(/\p{L}+|\p{N}+/gu)) {
			const chars = [...run[0]];
			if (chars.length > 24) continue;
			for (let start = run.index === 0 ? 1 : 0; start <= chars.length - 3; start++) {
				found.push(chars.slice(start).join(''));
			}
		}
		return found;
	};
	const email = emailKey(user.email);
	const typed = emailParts(foldText(user.email));
	const keyed = emailParts(email);
	const names = [...words(user.displayName), ...words(user.firstName), ...words(user.lastName)];
	const username = user.username ? foldText(user.username) : undefined;
	const usernameParts = username ? [username, ...username.split(/[-'._+]+/u)].filter(Boolean) : [];
	const searched = fields
		.filter((def) => def.isSearched)
		.map((def) => user[def.key as keyof UserFields])
		.filter((value): value is string => typeof value === 'string');
	const wordSet = new Set([
		...names,
		...(email ? [email] : []),
		...keyed.local,
		...keyed.domain,
		...typed.domain,
		...usernameParts,
		...searched.flatMap((value) => words(value)),
		...customValues(user).flatMap(([, value]) => words(value))
	]);
	const suffixSet = new Set<string>();
	for (const token of new Set([...names, ...usernameParts, ...keyed.local])) {
		for (const part of innerParts(token)) if (!wordSet.has(part)) suffixSet.add(part);
	}
	return { searchWords: [...wordSet], searchSuffixes: [...suffixSet] };
}

describe('searchText holds the words v8 searched, after the speed-up', () => {
	/** Names and addresses of many scripts, with separators, spaces, digits and characters beyond the BMP. */
	const piece = fc.constantFrom(
		'ann',
		'Jones',
		'jean-luc',
		"o'brien",
		'J.',
		'smith42',
		'007',
		' ',
		'  ',
		'-',
		'.',
		'_',
		'+',
		'Élodie',
		'Ørsted',
		'straße',
		'ΟΔΥΣ',
		'Пётр',
		'山田',
		'a𠮷bc',
		'𝐀𝐁𝐂',
		'E\u0301',
		'abcdefghijklmnopqrstuvwxyz'
	);
	const text = fc.string({ unit: piece, maxLength: 5 });
	const address = fc.tuple(
		fc.string({ unit: piece, maxLength: 3 }),
		fc.constantFrom('example.com', 'Mail.Example.NET', 'bücher.de', 'xn--bcher-kva.de', 'localhost', '')
	);
	const user = fc.record(
		{
			firstName: text,
			lastName: text,
			displayName: text,
			username: text,
			department: text,
			site: text,
			'custom:Badge': text
		},
		{ requiredKeys: [] }
	);

	it('gives the same words for any person, and userKeys the same text', () => {
		const wordsOf = (text: string) =>
			new Set(text.split(new RegExp(`[${WORD_START}${INNER_START}]`, 'u')).filter(Boolean));
		fc.assert(
			fc.property(user, address, (values, [local, domain]) => {
				const one = person({ ...(values as Partial<UserFields>), email: `${local}@${domain}` });
				expect(wordsOf(searchText(one))).toEqual(new Set(searchKeysAsBefore(one).searchWords));
				expect(userKeys(one, 7).searchText).toBe(searchText(one));
			}),
			{ numRuns: 400 }
		);
	});
});

describe('searchHint', () => {
	it('names what the policy shows of the searched fields, and custom attributes only when there are some', () => {
		expect(searchHint(defaultPolicy)).toMatch(
			/^Finds name, email \(or its domain, whole or from any dot but the last\), .*site.* and department\./
		);
		// Only these are searched inside words: the domain and the listed fields only from their start.
		expect(searchHint(defaultPolicy)).toMatch(
			/\. From 3 letters, also inside names, usernames and the part of an email before the @\.$/
		);
		expect(searchHint(defaultPolicy)).not.toContain('custom');
		const withCustom = { ...defaultPolicy, site: 'hidden', 'custom:Badge': 'optional' } as FieldPolicy;
		expect(searchHint(withCustom)).not.toContain('site');
		expect(searchHint(withCustom)).toMatch(/ and custom attributes\. From 3 letters, also inside /);
	});
});

/** Rows of [person, query], titled by the person's name. */
const searches = (rows: [UserFields, string][]) =>
	rows.map(([user, query]) => [nameOf(user), user, query] as const);

describe('searchTerms', () => {
	it.each([
		['  Élodie   MARTIN ', ['elodie', 'martin']],
		['', []],
		['   ', []],
		['jean-luc', ['jean-luc']]
	])('folds %j into %j', (query, terms) => {
		expect(searchTerms(query)).toEqual(terms);
	});

	const elodie = person({
		firstName: 'Élodie',
		lastName: 'Martin',
		email: 'elodie.martin@example.com',
		username: 'emartin'
	});
	const jeanLuc = person({ firstName: 'Jean-Luc', lastName: "O'Brien", email: 'jl@example.com' });
	const odysseus = person({ firstName: 'Οδυσσεύς', email: 'odysseus@example.gr' });

	it.each(
		searches([
			[elodie, 'élo'],
			[elodie, 'ELODIE'],
			[elodie, 'elodie martin'],
			[elodie, 'mar elo'],
			[elodie, 'elodie.martin@example.com'],
			[elodie, 'Elodie.Martin@'],
			[elodie, 'emart'],
			[jeanLuc, 'Jean-Luc'],
			[jeanLuc, 'luc'],
			[jeanLuc, "O'Brien"],
			[jeanLuc, 'brien'],
			[odysseus, 'ΟΔΥΣ'],
			[odysseus, 'οδυσσευς']
		])
	)('finds %s by %j', (_name, user, query) => {
		expect(finds(user, query)).toBe(true);
	});

	const jones = person({
		firstName: 'Ann',
		lastName: 'Jones',
		email: 'a.jones-hr@Example.NET',
		username: 'jsmith',
		site: 'Leeds Depot',
		department: 'Human Resources',
		jobTitle: 'Payroll clerk',
		userType: 'Privileged'
	});
	const ada = person({ firstName: 'Ada', email: 'ada@bücher.de', company: 'Acme Ltd' });
	const ann = person({ firstName: 'Ann', email: 'ann@mail.example.net' });

	it.each(
		searches([
			[jones, 'ones'],
			[jones, 'ONES ann'],
			[jones, 'smith'],
			[jones, 'mith'],
			[jones, 'example.net'],
			[jones, 'example'],
			[jones, 'hr'],
			[jones, 'a.jones-hr@example.net'],
			[jones, 'leeds'],
			[jones, 'depot'],
			[jones, 'human res'],
			[jones, 'resources'],
			[jones, 'payroll'],
			[ada, 'bücher.de'],
			[ada, 'bucher'],
			[ada, 'xn--bcher-kva.de'],
			[ada, 'acme'],
			[ann, 'example.net'],
			[ann, 'mail.example'],
			[ann, 'mail.example.net'],
			[ann, 'exam']
		])
	)('finds %s by the middle of a word, an email part or a listed field: %j', (_name, user, query) => {
		expect(finds(user, query)).toBe(true);
	});

	it.each(
		searches([
			[elodie, 'zoe'],
			[elodie, 'elodie smith'],
			[elodie, 'ar'],
			[elodie, 'ie'],
			[elodie, 'e.com'],
			[elodie, 'odie.martin@example.com'],
			[jones, 'on'],
			[jones, 'sm'],
			[jones, 'xample.net'],
			[jones, 'epot'],
			[jones, 'ources'],
			// The user type has a filter of its own; a top-level domain alone finds nearly everyone.
			[jones, 'privileged'],
			[jones, 'net'],
			[ann, 'ample.net'],
			[ann, '.net'],
			[ann, 'net'],
			[jeanLuc, 'jean-paul']
		])
	)('does not find %s by %j', (_name, user, query) => {
		expect(finds(user, query)).toBe(false);
	});
});

describe('custom attributes on a user', () => {
	it('are validated, kept and searched like any text field', () => {
		const policy = { ...defaultPolicy, 'custom:Badge colour': 'optional' as const };
		const result = validateUser(
			{ firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com', 'custom:Badge colour': ' Sky blue ' },
			policy,
			gb
		);
		expect(result.isValid).toBe(true);
		expect(result.values['custom:Badge colour']).toBe('Sky blue');
		const keys = userKeys({ ...(result.values as UserFields) }, 1);
		expect(wordsOf(keys.searchText)).toEqual(
			expect.arrayContaining([
				{ word: 'sky', isInner: false },
				{ word: 'blue', isInner: false }
			])
		);
		expect(matchesSearch(keys, ['sky', 'blue'])).toBe(true);
		// Searched from the start of its words only, like every field but names, username and email.
		expect(matchesSearch(keys, ['lue'])).toBe(false);
		expect(customValues(result.values)).toEqual([['custom:Badge colour', 'Sky blue']]);
	});
});
