import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailKey, parseEmail, toAsciiDomain } from '../../../src/lib/domain/email';

const valueOf = (raw: string) => {
	const parsed = parseEmail(raw);
	if (!parsed.ok) throw new Error(`expected ${JSON.stringify(raw)} to be valid, got: ${parsed.message}`);
	return parsed.value;
};

/** Upper-cases the letters chosen by the pattern (repeated) whose upper case is one letter. */
const recased = (value: string, pattern: boolean[]) =>
	[...value]
		.map((c, i) => {
			const upper = c.toUpperCase();
			return pattern[i % pattern.length] && [...upper].length === 1 ? upper : c;
		})
		.join('');

/** Internationalised domains and their punycode (ASCII) spelling, as registries publish them. */
const idnSpellings = [
	['bücher.de', 'xn--bcher-kva.de'],
	['münchen.de', 'xn--mnchen-3ya.de'],
	['straße.de', 'xn--strae-oqa.de'],
	['例え.jp', 'xn--r8jz45g.jp'],
	['пример.рф', 'xn--e1afmkfd.xn--p1ai'],
	['mañana.com', 'xn--maana-pta.com']
] as const;

describe('parseEmail: valid addresses', () => {
	it.each([
		['name@example.com', 'name@example.com'],
		['  name@example.com  ', 'name@example.com'],
		['Name.Surname@Example.COM', 'Name.Surname@example.com'],
		["o'brien+newsletter@example.co.uk", "o'brien+newsletter@example.co.uk"],
		['first_last-1@my-company.io', 'first_last-1@my-company.io'],
		["!#$%&'*+/=?^_`{|}~-@example.org", "!#$%&'*+/=?^_`{|}~-@example.org"],
		['user@mail.sub.example.org', 'user@mail.sub.example.org'],
		['user@example.com.', 'user@example.com'],
		['user@123.example.com', 'user@123.example.com'],
		['user@bücher.de', 'user@bücher.de'],
		['user@BÜCHER.DE', 'user@bücher.de'],
		['user@bu\u0308cher.de', 'user@bücher.de'],
		['user@例え.jp', 'user@例え.jp'],
		['user@пример.рф', 'user@пример.рф'],
		['user@xn--bcher-kva.de', 'user@xn--bcher-kva.de'],
		['user@example.xn--p1ai', 'user@example.xn--p1ai'],
		[`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
		[`a@${'b'.repeat(63)}.com`, `a@${'b'.repeat(63)}.com`]
	])('accepts %j as %j', (raw, expected) => {
		expect(parseEmail(raw)).toEqual({ ok: true, value: expected });
	});
});

describe('parseEmail: invalid addresses', () => {
	const longDomain = [1, 2, 3, 4].map(() => 'b'.repeat(63)).join('.');
	it.each([
		['empty', '', 'Enter an email address.'],
		['only spaces', '   ', 'Enter an email address.'],
		['no @', 'name.example.com', 'An email address needs an @, as in name@example.com.'],
		['two @', 'name@@example.com', 'An email address has only one @.'],
		['two @ apart', 'a@b@example.com', 'An email address has only one @.'],
		['a space in the name', 'first last@example.com', 'An email address cannot contain spaces.'],
		['a space in the domain', 'name@exam ple.com', 'An email address cannot contain spaces.'],
		['a tab', 'name@example.com\tx', 'An email address cannot contain spaces.'],
		['a no-break space', 'name\u00a0@example.com', 'An email address cannot contain spaces.'],
		['a quoted name with a space', '"first last"@example.com', 'An email address cannot contain spaces.'],
		[
			'nothing before the @',
			'@example.com',
			'The email address needs a name before the @, as in name@example.com.'
		],
		['nothing after the @', 'name@', 'The email address needs a domain after the @, as in name@example.com.'],
		[
			'a leading dot',
			'.name@example.com',
			'The part of the email address before the @ cannot start or end with a dot, or have two dots in a row.'
		],
		[
			'a trailing dot',
			'name.@example.com',
			'The part of the email address before the @ cannot start or end with a dot, or have two dots in a row.'
		],
		[
			'two dots in a row',
			'na..me@example.com',
			'The part of the email address before the @ cannot start or end with a dot, or have two dots in a row.'
		],
		[
			'a quoted name',
			'"name"@example.com',
			'The part of the email address before the @ has a character an email address cannot have.'
		],
		[
			'a comment',
			'name(work)@example.com',
			'The part of the email address before the @ has a character an email address cannot have.'
		],
		[
			'an accented name',
			'josé@example.com',
			'The part of the email address before the @ has a character an email address cannot have.'
		],
		[
			'a name over 64 characters',
			`${'a'.repeat(65)}@example.com`,
			'The part of the email address before the @ is too long: at most 64 characters.'
		],
		[
			'no TLD',
			'name@example',
			'The email domain needs an ending such as .com or .org, as in name@example.com.'
		],
		[
			'localhost',
			'name@localhost',
			'The email domain needs an ending such as .com or .org, as in name@example.com.'
		],
		[
			'a one-letter TLD',
			'name@example.c',
			'The email domain needs an ending such as .com or .org, as in name@example.com.'
		],
		[
			'a TLD with a digit',
			'name@example.c0m',
			'The email domain needs an ending such as .com or .org, as in name@example.com.'
		],
		[
			'an IP address',
			'name@192.168.0.1',
			'The email domain needs an ending such as .com or .org, as in name@example.com.'
		],
		['an IP literal', 'name@[192.168.0.1]', '"[192.168.0.1]" is not a valid email domain.'],
		['a leading dot in the domain', 'name@.example.com', '".example.com" is not a valid email domain.'],
		['two dots in the domain', 'name@example..com', '"example..com" is not a valid email domain.'],
		['a leading hyphen', 'name@-example.com', '"-example.com" is not a valid email domain.'],
		['a trailing hyphen', 'name@example-.com', '"example-.com" is not a valid email domain.'],
		['an underscore in the domain', 'name@ex_ample.com', '"ex_ample.com" is not a valid email domain.'],
		['a percent sign in the domain', 'name@exa%mple.com', '"exa%mple.com" is not a valid email domain.'],
		['a colon in the domain', 'name@example.com:25', '"example.com:25" is not a valid email domain.'],
		[
			'a domain label over 63 characters',
			`name@${'b'.repeat(64)}.com`,
			`"${'b'.repeat(64)}.com" is not a valid email domain.`
		],
		['over 254 characters in all', `name@${longDomain}.com`, 'This email address is too long.']
	])('rejects %s (%j)', (_what, raw, message) => {
		expect(parseEmail(raw)).toEqual({ ok: false, message });
	});

	it.each(['', 'name', 'name@example', 'a@b@c.com', '.a@b.com', 'a@-b.com', `${'a'.repeat(65)}@b.com`])(
		'names the field in the message for %j',
		(raw) => {
			const parsed = parseEmail(raw);
			expect(parsed.ok).toBe(false);
			if (!parsed.ok) expect(parsed.message).toMatch(/\bemail\b/iu);
		}
	);
});

describe('toAsciiDomain', () => {
	it.each(idnSpellings)('spells %s as %s', (unicode, ascii) => {
		expect(toAsciiDomain(unicode)).toBe(ascii);
		expect(toAsciiDomain(ascii)).toBe(ascii);
	});

	it.each(['', 'exa mple.com', 'a/b.com', 'a?b.com', 'a#b.com', 'a@b.com', 'a:b.com', 'a%b.com', '[::1]'])(
		'refuses %j',
		(domain) => {
			expect(toAsciiDomain(domain)).toBeNull();
		}
	);

	/** The platform's IDNA, as toAsciiDomain asked it for every domain before its short cut for plain ones. */
	const viaUrl = (domain: string) => {
		if (!domain || /[\s/?#@:[\]\\%]/u.test(domain)) return null;
		try {
			return new URL(`http://${domain}`).hostname;
		} catch {
			return null;
		}
	};

	it.each([
		'Example.COM',
		'mail.example.net',
		'a-b.c-d',
		'x.0x1f',
		'example.123',
		'1.2.3.4',
		'xn--bcher-kva.de',
		'a.xn--zz',
		'a..b',
		'a.b.',
		'-a-.b'
	])('spells %j as the URL parser does', (domain) => {
		expect(toAsciiDomain(domain)).toBe(viaUrl(domain));
	});

	it('spells every domain of letters, digits, hyphens and dots as the URL parser does', () => {
		const piece = fc.constantFrom('a', 'Z', 'x', 'n', '0', '9', '-', '.', 'xn--', '0x', 'é');
		fc.assert(
			fc.property(fc.string({ unit: piece, maxLength: 12 }), (domain) => {
				expect(toAsciiDomain(domain)).toBe(viaUrl(domain));
			}),
			{ numRuns: 5000 }
		);
	});
});

describe('emailKey', () => {
	it.each([
		['Name@Example.COM', 'name@example.com'],
		['  name@example.com\n', 'name@example.com'],
		['name@example.com.', 'name@example.com'],
		['USER@BÜCHER.DE', 'user@xn--bcher-kva.de'],
		['user@bu\u0308cher.de', 'user@xn--bcher-kva.de'],
		['user@例え.jp', 'user@xn--r8jz45g.jp'],
		['user@ｅｘａｍｐｌｅ.com', 'user@example.com']
	])('keys %j as %j', (email, key) => {
		expect(emailKey(email)).toBe(key);
	});

	it('keeps different addresses apart', () => {
		expect(emailKey('anna@example.com')).not.toBe(emailKey('hanna@example.com'));
		expect(emailKey('user@bücher.de')).not.toBe(emailKey('user@bucher.de'));
		expect(emailKey('user@example.com')).not.toBe(emailKey('user@example.org'));
	});

	it.each(idnSpellings)('gives %s and %s the same key', (unicode, ascii) => {
		expect(emailKey(`user@${unicode}`)).toBe(emailKey(`user@${ascii}`));
		// ß has no one-letter upper case: STRASSE.DE is another domain.
		expect(emailKey(`USER@${recased(unicode, [true])}`)).toBe(`user@${ascii}`);
		expect(emailKey(valueOf(`user@${unicode}`))).toBe(emailKey(valueOf(`user@${ascii}`)));
	});

	it('does not throw on text that is not an address', () => {
		expect(emailKey('  Not An Address ')).toBe('not an address');
		expect(emailKey('a@exa mple.com')).toBe('a@exa mple.com');
	});
});

// Generators of valid addresses, made of pieces whose upper and lower case are the same letters.
const localChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-".split(
	''
);
const domainChars = 'abcdefghijklmnopqrstuvwxyz0123456789äöüéèçñåøæœłżćęšžčőűπλωжщыя例え日本語中文'.split('');

const localPart = fc
	.array(fc.string({ unit: fc.constantFrom(...localChars), minLength: 1, maxLength: 8 }), {
		minLength: 1,
		maxLength: 3
	})
	.map((atoms) => atoms.join('.'));

const label = fc
	.array(fc.string({ unit: fc.constantFrom(...domainChars), minLength: 1, maxLength: 6 }), {
		minLength: 1,
		maxLength: 2
	})
	.map((parts) => parts.join('-'));

const tld = fc.constantFrom('com', 'org', 'de', 'jp', 'io', 'co', 'рф', 'xn--p1ai', 'онлайн', 'みんな');

const domain = fc
	.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), tld)
	.map(([labels, ending]) => [...labels, ending].join('.'));

const address = fc.tuple(localPart, domain).map(([local, d]) => `${local}@${d}`);

const space = fc.constantFrom('', ' ', '  ', '\t', '\n', '\u00a0', '\u3000');

describe('parseEmail and emailKey: properties', () => {
	it('accepts every generated address', () => {
		fc.assert(
			fc.property(address, (email) => {
				expect(parseEmail(email).ok).toBe(true);
			}),
			{ numRuns: 500 }
		);
	});

	it('is idempotent: a parsed address parses to itself', () => {
		fc.assert(
			fc.property(address, fc.array(fc.boolean(), { minLength: 1 }), space, space, (email, pattern, a, b) => {
				const variant = `${a}${recased(email, pattern).normalize('NFD')}${b}`;
				const once = valueOf(variant);
				expect(parseEmail(once)).toEqual({ ok: true, value: once });
			}),
			{ numRuns: 500 }
		);
	});

	it('gives case, surrounding-space and NFC/NFD variants the same key', () => {
		fc.assert(
			fc.property(
				address,
				fc.array(fc.boolean(), { minLength: 1 }),
				space,
				space,
				fc.constantFrom('NFC', 'NFD'),
				(email, pattern, a, b, form) => {
					const variant = `${a}${recased(email, pattern)}${b}`.normalize(form);
					expect(emailKey(variant)).toBe(emailKey(email));
					expect(emailKey(valueOf(variant))).toBe(emailKey(email));
				}
			),
			{ numRuns: 500 }
		);
	});

	it('gives the Unicode and punycode spellings of a domain the same key', () => {
		fc.assert(
			fc.property(localPart, domain, (local, d) => {
				const ascii = toAsciiDomain(d);
				expect(ascii).not.toBeNull();
				expect(ascii).toMatch(/^[a-z0-9.-]+$/u);
				const punycode = `${local}@${ascii}`;
				expect(parseEmail(punycode).ok).toBe(true);
				expect(emailKey(punycode)).toBe(emailKey(`${local}@${d}`));
			}),
			{ numRuns: 500 }
		);
	});

	it('keys are already in their final form', () => {
		fc.assert(
			fc.property(address, (email) => {
				const key = emailKey(email);
				expect(emailKey(key)).toBe(key);
				expect(key).toBe(key.toLowerCase());
			}),
			{ numRuns: 300 }
		);
	});
});

describe('parseEmail and emailKey: ASCII is not normalised again', () => {
	/** Both as they were before their short cuts: every address through normalize() and the URL parser. */
	const viaUrl = (domain: string) => {
		if (!domain || /[\s/?#@:[\]\\%]/u.test(domain)) return null;
		try {
			return new URL(`http://${domain}`).hostname;
		} catch {
			return null;
		}
	};
	const emailKeyAsBefore = (email: string) => {
		const value = email.normalize('NFC').trim().toLowerCase();
		const at = value.lastIndexOf('@');
		if (at < 0) return value;
		const domain = value.slice(at + 1).replace(/\.$/u, '');
		return `${value.slice(0, at)}@${viaUrl(domain) ?? domain}`;
	};
	const piece = fc.constantFrom(
		'a',
		'Z',
		'0',
		'.',
		'-',
		'@',
		' ',
		'\t',
		'xn--',
		'é',
		'E\u0301',
		'ﬁ',
		'ü',
		'例'
	);
	const address = fc.string({ unit: piece, maxLength: 16 });

	it('keys every address as normalize() and the URL parser did', () => {
		fc.assert(
			fc.property(address, (email) => {
				expect(emailKey(email)).toBe(emailKeyAsBefore(email));
			}),
			{ numRuns: 5000 }
		);
	});

	it('reads an address and its decomposed (NFD) spelling alike', () => {
		fc.assert(
			fc.property(address, (email) => {
				expect(parseEmail(email.normalize('NFD'))).toEqual(parseEmail(email.normalize('NFC')));
			}),
			{ numRuns: 2000 }
		);
	});
});
