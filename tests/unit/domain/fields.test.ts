import { describe, expect, it } from 'vitest';
import {
	field,
	fieldKeys,
	fields,
	userTypes,
	type FieldContext,
	type BuiltinFieldKey,
	type FieldKey,
	type FieldValue
} from '../../../src/lib/domain/fields';

const gb: FieldContext = { defaultCountry: 'GB' };

const parse = (key: FieldKey, raw: string, context = gb) => field(key).parse(raw, context);

/** The words a spreadsheet header is compared in: lower case, punctuation as spaces. */
const headerWords = (label: string) =>
	label
		.toLowerCase()
		.replace(/[^a-z0-9]+/gu, ' ')
		.trim();

describe('the field registry', () => {
	it('lists every field once, in the order the form shows them', () => {
		expect(fieldKeys).toEqual([
			'firstName',
			'lastName',
			'displayName',
			'email',
			'username',
			'password',
			'userType',
			'site',
			'mobilePhone',
			'businessPhone',
			'company',
			'jobTitle',
			'department',
			'customerCode',
			'udid',
			'inGlobalAddressBook',
			'streetAddress',
			'city',
			'region',
			'postalCode',
			'country',
			'office',
			'employeeNumber',
			'costCenter',
			'division',
			'organization',
			'manager',
			'preferredLanguage',
			'timeZone',
			'groups',
			'roles',
			'entitlements',
			'webAccess',
			'licenseKey'
		]);
		expect(new Set(fields.map((f) => f.label)).size).toBe(fields.length);
	});

	it('finds a field by its key and refuses an unknown one', () => {
		expect(field('email').label).toBe('Email');
		expect(field('udid').label).toBe('UDID');
		expect(() => field('shoeSize' as FieldKey)).toThrow('Unknown field shoeSize');
	});

	it('has email as the only identity field, password as the only sensitive one', () => {
		expect(fields.filter((f) => f.isIdentity).map((f) => f.key)).toEqual(['email']);
		expect(fields.filter((f) => f.isSensitive).map((f) => f.key)).toEqual(['password']);
		expect(fields.filter((f) => f.isUnique).map((f) => f.key)).toEqual(['email', 'username', 'customerCode']);
	});

	it('gives every field a label, an autocomplete token and its label among its header aliases', () => {
		for (const f of fields) {
			expect(f.label.trim(), f.key).not.toBe('');
			expect(f.autocomplete, f.key).not.toBe('');
			expect(f.aliases, f.key).toContain(headerWords(f.label));
		}
	});

	it('keeps aliases normalised and unambiguous: no header maps to two fields', () => {
		const owners = new Map<string, FieldKey>();
		for (const f of fields) {
			for (const alias of f.aliases) {
				expect(alias, `${f.key}: ${alias}`).toBe(headerWords(alias));
				expect(owners.get(alias), `${alias} is claimed by ${owners.get(alias)} and ${f.key}`).toBeUndefined();
				owners.set(alias, f.key);
			}
		}
		// The column names of the reference templates.
		expect(owners.get('user name')).toBe('username');
		expect(owners.get('user type')).toBe('userType');
		expect(owners.get('add to global address book')).toBe('inGlobalAddressBook');
		expect(owners.get('unique customer code')).toBe('customerCode');
		expect(owners.get('mobile phone')).toBe('mobilePhone');
	});

	it('gives choice fields their choices, the first being the default', () => {
		for (const f of fields.filter((f) => f.type === 'choice')) {
			expect(f.choices?.length, f.key).toBeGreaterThan(0);
			expect(f.defaultValue, f.key).toBe(f.choices?.[0]);
		}
		expect(field('userType').choices).toEqual(['Standard', 'Privileged']);
		expect(userTypes).toEqual(['Standard', 'Privileged']);
	});

	it('uses the right keyboard for email and phones', () => {
		expect(field('email').inputMode).toBe('email');
		expect(field('mobilePhone').inputMode).toBe('tel');
		expect(field('businessPhone').inputMode).toBe('tel');
		expect(field('password').autocomplete).toBe('new-password');
	});
});

/** A valid raw value for every field: the registry must read each and read back what it shows. */
const samples: Record<BuiltinFieldKey, string> = {
	firstName: ' Élodie ',
	lastName: "O'Brien",
	displayName: 'Élodie O’Brien',
	email: 'Elodie@Example.com',
	username: 'elodie.obrien',
	password: 'correct horse battery staple',
	userType: 'privileged',
	site: 'Lyon',
	mobilePhone: '07400 123456',
	businessPhone: '+33 1 23 45 67 89',
	company: 'Acme Ltd',
	jobTitle: 'Engineer',
	department: 'R&D',
	customerCode: '000123',
	udid: '00008030-001a2b3c4d5e6f70',
	inGlobalAddressBook: 'yes',
	streetAddress: '1 Main St, Apt 2',
	city: 'Zürich',
	region: 'ZH',
	postalCode: '08001',
	country: 'CH',
	office: 'B-204',
	employeeNumber: '000417',
	costCenter: '4100',
	division: 'Retail',
	organization: 'Acme Group',
	manager: 'boss@example.com',
	preferredLanguage: 'de-CH',
	timeZone: 'Europe/Zurich',
	groups: ' Sales ;Support; sales ',
	roles: 'Engineer',
	entitlements: 'desktop; Web',
	webAccess: 'yes',
	licenseKey: '54k0h rtk2c eyhj8 drh3a'
};

describe('parse and format', () => {
	it.each(fieldKeys.filter((key) => !field(key).isSensitive))(
		'%s: what is shown parses back to the same value',
		(key) => {
			const first = parse(key, samples[key]);
			expect(first.ok, JSON.stringify(first)).toBe(true);
			if (!first.ok) return;
			const shown = field(key).format(first.value, gb);
			expect(parse(key, shown)).toEqual(first);
		}
	);

	it('never shows a password', () => {
		const parsed = parse('password', samples.password);
		expect(parsed).toEqual({ ok: true, value: samples.password });
		if (parsed.ok) expect(field('password').format(parsed.value, gb)).not.toContain('horse');
	});

	it('shows booleans as Yes and No', () => {
		expect(field('inGlobalAddressBook').format(true, gb)).toBe('Yes');
		expect(field('inGlobalAddressBook').format(false, gb)).toBe('No');
	});

	it('shows phone numbers for the admin’s country', () => {
		expect(field('mobilePhone').format('+447400123456', gb)).toBe('07400 123456');
		expect(field('mobilePhone').format('+447400123456', { defaultCountry: 'US' })).toBe('+44 7400 123456');
	});
});

type Case = [raw: string, expected: FieldValue];
type Bad = [raw: string, message: string];

describe('names and other text fields', () => {
	it.each<[FieldKey, ...Case]>([
		['firstName', '  Ada  ', 'Ada'],
		['firstName', 'Mary   Ann', 'Mary Ann'],
		['firstName', 'E\u0301lodie', 'Élodie'],
		['lastName', "O'Brien-Smith", "O'Brien-Smith"],
		['lastName', '山田', '山田'],
		['displayName', 'Ada\tLovelace', 'Ada Lovelace'],
		['company', 'Acme  Ltd.', 'Acme Ltd.'],
		['jobTitle', ' Head of R&D ', 'Head of R&D'],
		['department', 'Sales / EMEA', 'Sales / EMEA'],
		['site', ' Lyon ', 'Lyon'],
		['firstName', 'a'.repeat(64), 'a'.repeat(64)],
		['displayName', 'a'.repeat(256), 'a'.repeat(256)]
	])('%s reads %j as %j', (key, raw, expected) => {
		expect(parse(key, raw)).toEqual({ ok: true, value: expected });
	});

	const invisible = (label: string) =>
		`${label} contains an invisible or control character; retype it without copying.`;
	it.each<[FieldKey, ...Bad]>([
		['firstName', 'Ada\u0000', invisible('First name')],
		['firstName', 'A\u200bda', invisible('First name')],
		['lastName', '\u202eecalevoL', invisible('Last name')],
		['lastName', 'Love\u0007lace', invisible('Last name')],
		['displayName', 'Ada\u2067Lovelace', invisible('Display name')],
		['company', 'Acme\ufeffLtd\u200b', invisible('Company')],
		['firstName', 'a'.repeat(65), 'First name is too long: at most 64 characters.'],
		['lastName', 'a'.repeat(65), 'Last name is too long: at most 64 characters.'],
		['displayName', 'a'.repeat(257), 'Display name is too long: at most 256 characters.'],
		['company', 'a'.repeat(129), 'Company is too long: at most 128 characters.'],
		['jobTitle', 'a'.repeat(129), 'Job title is too long: at most 128 characters.'],
		['department', 'a'.repeat(129), 'Department is too long: at most 128 characters.'],
		['site', 'a'.repeat(129), 'Site is too long: at most 128 characters.'],
		['customerCode', 'a'.repeat(65), 'Customer code is too long: at most 64 characters.']
	])('%s rejects %j', (key, raw, message) => {
		expect(parse(key, raw)).toEqual({ ok: false, message });
		expect(message).toContain(field(key).label);
	});
});

describe('email field', () => {
	it('reads through parseEmail, with messages that name the field', () => {
		expect(parse('email', ' Name@Example.COM ')).toEqual({ ok: true, value: 'Name@example.com' });
		expect(parse('email', 'user@bücher.de')).toEqual({ ok: true, value: 'user@bücher.de' });
		const bad = parse('email', 'name@example');
		expect(bad.ok).toBe(false);
		if (!bad.ok) expect(bad.message).toMatch(/email/iu);
	});
});

describe('phone fields', () => {
	it.each<[FieldKey, string, FieldContext, string]>([
		['mobilePhone', '07400 123456', gb, '+447400123456'],
		['mobilePhone', '(212) 555-0199', { defaultCountry: 'US' }, '+12125550199'],
		['businessPhone', '01 23 45 67 89', { defaultCountry: 'FR' }, '+33123456789'],
		['businessPhone', '+44 20 7946 0958 ext 12', { defaultCountry: 'FR' }, '+442079460958;ext=12']
	])('%s reads %j with the default country into E.164', (key, raw, context, stored) => {
		expect(parse(key, raw, context)).toEqual({ ok: true, value: stored });
	});

	it.each<[FieldKey, string, string]>([
		['mobilePhone', 'n/a', 'Mobile phone can only contain digits, spaces, + ( ) - and an extension.'],
		[
			'businessPhone',
			'12',
			'Business phone is not a valid GB number; for another country start with + and its code.'
		],
		['businessPhone', '+44 20', 'Business phone is not a valid number.']
	])('%s rejects %j', (key, raw, message) => {
		expect(parse(key, raw)).toEqual({ ok: false, message });
	});
});

describe('username field', () => {
	it.each<Case>([
		['jsmith', 'jsmith'],
		['  j.smith  ', 'j.smith'],
		['j_smith-2', 'j_smith-2'],
		["o'brien", "o'brien"],
		['jsmith@example.com', 'jsmith@example.com'],
		['josé', 'josé'],
		['jose\u0301', 'josé'],
		['山田', '山田'],
		['a'.repeat(64), 'a'.repeat(64)],
		// 64 characters in 128 code units: counted by its characters.
		['𠮷'.repeat(64), '𠮷'.repeat(64)]
	])('reads %j as %j', (raw, expected) => {
		expect(parse('username', raw)).toEqual({ ok: true, value: expected });
	});

	it.each<Bad>([
		['j smith', 'Username cannot contain spaces.'],
		['j\tsmith', 'Username cannot contain spaces.'],
		['j/smith', "Username can only contain letters, digits and . _ - @ '."],
		['j#smith', "Username can only contain letters, digits and . _ - @ '."],
		['j\u200bsmith', "Username can only contain letters, digits and . _ - @ '."],
		['a'.repeat(65), 'Username is too long: at most 64 characters.'],
		['𠮷'.repeat(65), 'Username is too long: at most 64 characters.']
	])('rejects %j', (raw, message) => {
		expect(parse('username', raw)).toEqual({ ok: false, message });
	});
});

describe('password field (NIST SP 800-63B)', () => {
	it.each<Case>([
		['12345678', '12345678'],
		['password', 'password'],
		['aaaaaaaa', 'aaaaaaaa'],
		['correct horse battery staple', 'correct horse battery staple'],
		['  spaces kept  ', '  spaces kept  '],
		['🔑🔑🔑🔑🔑🔑🔑🔑', '🔑🔑🔑🔑🔑🔑🔑🔑'],
		['e\u0301'.repeat(8), 'é'.repeat(8)],
		['x'.repeat(128), 'x'.repeat(128)],
		['e\u0301'.repeat(128), 'é'.repeat(128)]
	])('accepts %j, with no composition rules', (raw, expected) => {
		expect(parse('password', raw)).toEqual({ ok: true, value: expected });
	});

	it.each<Bad>([
		['', 'Password needs at least 8 characters.'],
		['1234567', 'Password needs at least 8 characters.'],
		['🔑🔑🔑🔑🔑🔑🔑', 'Password needs at least 8 characters.'],
		['x'.repeat(129), 'Password is too long: at most 128 characters.'],
		['        ', 'Password cannot be only spaces.']
	])('rejects %j', (raw, message) => {
		expect(parse('password', raw)).toEqual({ ok: false, message });
	});
});

describe('UDID field', () => {
	const message =
		'UDID must be 40 hexadecimal digits, or 8 and 16 joined by a hyphen (00008030-001A2B3C4D5E6F70).';
	const forty = '0123456789abcdef0123456789abcdef01234567';

	it.each<Case>([
		[forty, forty.toUpperCase()],
		[forty.toUpperCase(), forty.toUpperCase()],
		['00008030-001A2B3C4D5E6F70', '00008030-001A2B3C4D5E6F70'],
		[' 00008030-001a2b3c4d5e6f70 ', '00008030-001A2B3C4D5E6F70']
	])('reads %j as %j', (raw, expected) => {
		expect(parse('udid', raw)).toEqual({ ok: true, value: expected });
	});

	it.each([
		forty.slice(1),
		`${forty}8`,
		'g'.repeat(40),
		'00008030001A2B3C4D5E6F70',
		'0000803-001A2B3C4D5E6F70',
		'00008030-001A2B3C4D5E6F7',
		'00008030-001A2B3C4D5E6F701',
		'123e4567-e89b-12d3-a456-426614174000'
	])('rejects %j', (raw) => {
		expect(parse('udid', raw)).toEqual({ ok: false, message });
	});
});

describe('user type field', () => {
	it.each<Case>([
		['Standard', 'Standard'],
		['standard', 'Standard'],
		['STANDARD', 'Standard'],
		[' Privileged ', 'Privileged'],
		['privileged', 'Privileged'],
		['PrIvIlEgEd', 'Privileged']
	])('reads %j as %j', (raw, expected) => {
		expect(parse('userType', raw)).toEqual({ ok: true, value: expected });
	});

	it.each(['Admin', 'Std', 'Standard user', 'Privileged,Standard'])('rejects %j', (raw) => {
		expect(parse('userType', raw)).toEqual({
			ok: false,
			message: 'User type must be Standard or Privileged.'
		});
	});

	it('defaults to Standard', () => {
		expect(field('userType').defaultValue).toBe('Standard');
	});
});

describe('site and customer code fields', () => {
	it('defaults the site to HQ', () => {
		expect(field('site').defaultValue).toBe('HQ');
	});

	it.each<Case>([
		['000123', '000123'],
		[' 00042 ', '00042'],
		['0', '0'],
		['AB-0001', 'AB-0001']
	])('keeps the customer code %j exactly, leading zeros too', (raw, expected) => {
		expect(parse('customerCode', raw)).toEqual({ ok: true, value: expected });
	});
});

describe('global address book field', () => {
	it.each(['yes', 'Yes', ' YES ', 'y', 'true', 'TRUE', '1', 'x', 'on', 'oui', 'ja', 'si', 'sí'])(
		'reads %j as true',
		(raw) => {
			expect(parse('inGlobalAddressBook', raw)).toEqual({ ok: true, value: true });
		}
	);

	it.each(['no', 'No', 'n', 'false', 'FALSE', '0', 'off', 'non', 'nein'])('reads %j as false', (raw) => {
		expect(parse('inGlobalAddressBook', raw)).toEqual({ ok: true, value: false });
	});

	it.each(['maybe', '2', 'yes please', '-'])('rejects %j', (raw) => {
		expect(parse('inGlobalAddressBook', raw)).toEqual({
			ok: false,
			message: 'In global address book must be Yes or No.'
		});
	});

	it('defaults to not listed', () => {
		expect(field('inGlobalAddressBook').defaultValue).toBe(false);
	});
});

describe('the fields other directories carry', () => {
	it.each<[FieldKey, ...Case]>([
		['manager', ' Jane.Roe@Example.COM ', 'Jane.Roe@example.com'],
		['country', 'Deutschland', 'DE'],
		['country', 'co', 'CO'],
		['preferredLanguage', 'en_GB', 'en-GB'],
		['timeZone', 'europe/paris', 'Europe/Paris'],
		// text, exactly as typed: a postal code or an employee number is not a number
		['postalCode', '01234', '01234'],
		['postalCode', ' SW1A  1AA ', 'SW1A 1AA'],
		['employeeNumber', '000417', '000417']
	])('%s reads %j as %j', (key, raw, expected) => {
		expect(parse(key, raw)).toEqual({ ok: true, value: expected });
	});

	it.each<[FieldKey, ...Bad]>([
		[
			'manager',
			'CN=Jane Roe,OU=Staff,DC=example,DC=com',
			"Manager is an Active Directory name (CN=...), not an email: give the manager's email instead."
		],
		[
			'manager',
			'cn=Roe\\, Jane,ou=Staff,dc=example,dc=com',
			"Manager is an Active Directory name (CN=...), not an email: give the manager's email instead."
		],
		[
			'manager',
			'Jane Roe',
			"Manager needs the manager's email address. An email address cannot contain spaces."
		],
		[
			'manager',
			'jane.roe',
			"Manager needs the manager's email address. An email address needs an @, as in name@example.com."
		],
		[
			'country',
			'Atlantis',
			'Country "Atlantis" is not a country Rollcall knows: give its name (United Kingdom) or its two-letter code (GB).'
		],
		[
			'country',
			'x'.repeat(200),
			`Country "${'x'.repeat(39)}…" is not a country Rollcall knows: give its name (United Kingdom) or its two-letter code (GB).`
		],
		[
			'timeZone',
			'CET+1',
			'Time zone "CET+1" is not a time zone Rollcall knows: give its IANA name, such as Europe/London or America/New_York.'
		]
	])('%s refuses %j', (key, raw, message) => {
		expect(parse(key, raw)).toEqual({ ok: false, message });
	});

	it('shows countries and languages by name, and reads the name back', () => {
		expect(field('country').format('GB', gb)).toBe('United Kingdom');
		expect(field('preferredLanguage').format('fr-CA', gb)).toBe('French (Canada)');
		expect(field('timeZone').format('Europe/Paris', gb)).toBe('Europe/Paris');
	});

	it('suggests names for country, language and time zone in the form, and the browser knows the tokens', () => {
		expect(field('country').suggestions?.()).toContain('Germany');
		expect(field('preferredLanguage').suggestions?.()).toContain('English');
		expect(field('timeZone').suggestions?.()).toContain('Europe/London');
		expect(field('country').autocomplete).toBe('country-name');
		expect(field('streetAddress').autocomplete).toBe('street-address');
		expect(field('postalCode').autocomplete).toBe('postal-code');
		expect(field('manager').inputMode).toBe('email');
	});

	it('puts every field in a group, the new ones in Address, Organisation and Language and time', () => {
		expect(fields.filter((f) => f.group === 'Address').map((f) => f.key)).toEqual([
			'streetAddress',
			'city',
			'region',
			'postalCode',
			'country'
		]);
		expect(fields.filter((f) => f.group === 'Language and time').map((f) => f.key)).toEqual([
			'preferredLanguage',
			'timeZone'
		]);
		expect(field('manager').group).toBe('Organisation');
		expect(field('custom:Badge colour').group).toBe('Custom attributes');
	});
});
