import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailKey } from '../../../src/lib/domain/email';
import { customKey, fields, isCustomKey, type CustomFieldKey } from '../../../src/lib/domain/fields';
import { foldText } from '../../../src/lib/domain/text';
import {
	INNER_START,
	searchText,
	searchTerms,
	textMatches,
	WORD_START,
	type UserFields
} from '../../../src/lib/domain/user';

// Schema v9 keeps one search text per user (searchText) scanned by textMatches, where v8 kept index entries:
// every search word (searchWords) and the inner suffixes of some (searchSuffixes). The search must answer
// every term exactly as before. The v8 functions are copied below as the reference (git show d477960^:
// src/lib/domain/user.ts), unchanged but for the names of the two the tests call (oldKeys, oldMatches) and
// their comments: a term matches the new text if and only if it matched the old keys.

interface OldKeys {
	searchWords: string[];
	searchSuffixes: string[];
}

function words(value: string | undefined): string[] {
	const whole = value ? foldText(value).split(' ').filter(Boolean) : [];
	return [...whole, ...whole.flatMap((word) => word.split(/[-'.]+/u)).filter(Boolean)];
}

function domainEnds(domain: string): string[] {
	const labels = domain.split('.');
	if (labels.length < 2) return [domain];
	return labels.slice(0, -1).map((_, start) => labels.slice(start).join('.'));
}

const SEPARATORS = /[-'._+]+/u;

function emailParts(email: string): { local: string[]; domain: string[] } {
	const at = email.lastIndexOf('@');
	if (at < 0) return { local: [], domain: [] };
	const local = email.slice(0, at);
	const domain = email.slice(at + 1);
	return {
		local: [local, ...local.split(SEPARATORS)].filter(Boolean),
		domain: [...domainEnds(domain), ...domain.split('.').slice(0, -1)].filter(Boolean)
	};
}

const MIN_INFIX = 3;
const isInfixTerm = (term: string): boolean => [...term].length >= MIN_INFIX;
const MAX_SUFFIXED = 24;
const RUNS = /\p{L}+|\p{N}+/gu;

function innerParts(token: string): string[] {
	const found: string[] = [];
	for (const run of token.matchAll(RUNS)) {
		const chars = [...run[0]];
		if (chars.length > MAX_SUFFIXED) continue;
		for (let start = run.index === 0 ? 1 : 0; start <= chars.length - MIN_INFIX; start++) {
			found.push(chars.slice(start).join(''));
		}
	}
	return found;
}

const SEARCHED_FIELDS = fields.filter((def) => def.isSearched);

function customValues(user: Partial<UserFields>): [CustomFieldKey, string][] {
	return Object.entries(user).filter(
		(entry): entry is [CustomFieldKey, string] => isCustomKey(entry[0]) && typeof entry[1] === 'string'
	);
}

function oldKeys(user: UserFields): OldKeys {
	const email = emailKey(user.email);
	const typed = emailParts(foldText(user.email));
	const keyed = emailParts(email);
	const names = [...words(user.displayName), ...words(user.firstName), ...words(user.lastName)];
	const username = user.username ? foldText(user.username) : undefined;
	const usernameParts = username ? [username, ...username.split(SEPARATORS)].filter(Boolean) : [];
	const searched = SEARCHED_FIELDS.map((def) => user[def.key as keyof UserFields]).filter(
		(value): value is string => typeof value === 'string'
	);
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

function oldMatches(user: OldKeys, terms: readonly string[]): boolean {
	const starts = (keys: readonly string[] | undefined, term: string) =>
		keys?.some((key) => key.startsWith(term)) ?? false;
	return terms.every(
		(term) => starts(user.searchWords, term) || (isInfixTerm(term) && starts(user.searchSuffixes, term))
	);
}

const pick = <T>(...values: T[]) => fc.constantFrom(...values);

/**
 * Letters as people's names hold them: Latin with accents (precomposed and combining), ligatures and the
 * letters foldText rewrites, Greek with its final sigma, Cyrillic, Hebrew and Arabic (right to left),
 * Devanagari (its vowel signs are marks, folded away), CJK in and outside the BMP, letters outside the BMP
 * with case (Deseret), and compatibility forms NFKD turns into plain letters (fullwidth, mathematical).
 */
const letter = pick(
	...'abcdehijklmnorstuvyz',
	'A',
	'J',
	'M',
	'É',
	'é',
	'e\u0301',
	'ñ',
	'Ü',
	'Ø',
	'ß',
	'æ',
	'Œ',
	'ł',
	'đ',
	'þ',
	'ı',
	'İ',
	'Σ',
	'ς',
	'ω',
	'Ж',
	'я',
	'ש',
	'ל',
	'ם',
	'م',
	'ح',
	'د',
	'न',
	'मि',
	'स्',
	'中',
	'𠮷',
	'𐐀',
	'𐐨',
	'Ａ',
	'ﬁ',
	'𝐀',
	'ǅ'
);
/** Digits: ASCII, Arabic-Indic, Devanagari, outside the BMP (Adlam), and forms NFKD rewrites (², Ⅻ, ½, 𝟘). */
const digit = pick(...'0123456789', '٣', '۴', '१', '𞥑', '²', 'Ⅻ', '½', '𝟘');
/** What words are split at (or not), and other punctuation people type. */
const punctuation = pick('-', "'", '’', '.', '_', '+', '@', '&', '(', ')', '/', ',', '!', '#', '·');
const emoji = pick('😀', '👩‍💻', '🇫🇷', '❤️', '⭐', '🧑🏽');

const join = (parts: string[]) => parts.join('');

/** A run of letters (or of digits) around the 24 characters past which a run is not searched inside. */
const longRun = fc.oneof(
	fc.array(pick(...'abcdefghijklmnopqrstuvwxyz'), { minLength: 21, maxLength: 28 }).map(join),
	fc.array(letter, { minLength: 18, maxLength: 30 }).map(join),
	fc.array(digit, { minLength: 21, maxLength: 28 }).map(join),
	// A letter outside the BMP is one character of its run, not two.
	fc
		.tuple(
			fc.array(pick(...'abcxyz'), { minLength: 8, maxLength: 16 }),
			pick('𠮷', '𐐨', '𐐀'),
			fc.array(pick(...'abcxyz'), { minLength: 8, maxLength: 16 })
		)
		.map(([before, wide, after]) => join(before) + wide + join(after))
);

const word = fc.oneof(
	{ weight: 6, arbitrary: fc.array(letter, { minLength: 1, maxLength: 10 }).map(join) },
	{
		weight: 4,
		arbitrary: fc
			.array(fc.oneof({ weight: 5, arbitrary: letter }, digit, punctuation, emoji), {
				minLength: 1,
				maxLength: 14
			})
			.map(join)
	},
	{ weight: 1, arbitrary: longRun },
	{
		weight: 1,
		arbitrary: fc
			.tuple(longRun, punctuation, fc.array(letter, { minLength: 1, maxLength: 4 }))
			.map(([run, mark, rest]) => run + mark + join(rest))
	}
);

/** A text field's value: a few words, with the odd double space (trimmed and folded away). */
const text = fc
	.array(word, { minLength: 1, maxLength: 3 })
	.chain((ws) => pick(' ', '  ').map((space) => ws.join(space)));
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });

const localPart = fc
	.tuple(
		fc.array(
			fc.oneof(
				letter.filter((c) => /^[A-Za-z]$/u.test(c)),
				digit.filter((c) => /^[0-9]$/u.test(c))
			),
			{
				minLength: 1,
				maxLength: 12
			}
		),
		fc.array(
			fc.tuple(
				pick('.', '_', '+', '-', "'", '__', '+-'),
				fc.array(pick(...'abcjmnsxyz019', 'A', 'Z'), { minLength: 1, maxLength: 30 })
			),
			{ maxLength: 3 }
		)
	)
	.map(([head, rest]) => join(head) + rest.map(([sep, part]) => sep + join(part)).join(''));
/** Domains ASCII or internationalised, as typed (upper case too), with subdomains. */
const domain = fc
	.tuple(
		fc.array(
			pick(
				'mail',
				'hr',
				'x1',
				'a-b',
				'Example',
				'bücher',
				'münchen',
				'пример',
				'例え',
				'xn--bcher-kva',
				'שלום'
			),
			{
				minLength: 1,
				maxLength: 3
			}
		),
		pick('com', 'net', 'de', 'NET', 'co.uk', 'рф', 'org')
	)
	.map(([labels, tld]) => [...labels, tld].join('.'));
const email = fc.tuple(localPart, domain).map(([local, at]) => `${local}@${at}`);

const username = fc
	.array(fc.oneof({ weight: 4, arbitrary: letter }, digit, pick('.', '_', '-', '@', "'")), {
		minLength: 1,
		maxLength: 30
	})
	.map(join);

/** Every searched field of the registry but the username (generated as one): site, department... */
const searchedKeys = fields
	.filter((def) => def.isSearched && def.key !== 'username')
	.map((def) => def.key as keyof UserFields);
const customKeys = [customKey('Badge colour'), customKey('Team')];

const user: fc.Arbitrary<UserFields> = fc
	.record({
		firstName: maybe(text),
		lastName: maybe(text),
		displayName: fc.option(text, { nil: undefined, freq: 2 }),
		email,
		username: maybe(username),
		searched: fc.array(fc.tuple(pick(...searchedKeys), text), { maxLength: 3 }),
		custom: fc.array(fc.tuple(pick(...customKeys), text), { maxLength: 2 })
	})
	.map(({ searched, custom, ...rest }) => ({
		userType: 'Standard',
		site: '',
		inGlobalAddressBook: false,
		...rest,
		...Object.fromEntries([...searched, ...custom])
	}));

/** The pieces of a string, by code point (or by UTF-16 unit: a term may split a character in two). */
const codePoints = (value: string) => [...value];
const units = (value: string) => value.split('');

/** Cuts `pieces` between two fractions of its length: at most 30 pieces, never none. */
const cut = (pieces: string[], from: number, length: number) => {
	const start = Math.min(Math.floor(from * pieces.length), pieces.length - 1);
	return pieces.slice(start, start + 1 + Math.floor(length * Math.min(30, pieces.length - start))).join('');
};
// Not fc.double: it picks among representable doubles, nearly all of them tiny, so every cut would start at 0.
const fraction = fc.integer({ min: 0, max: 9999 }).map((n) => n / 10_000);

/**
 * Terms a search of this user may be typed as: the start of one of their words or a piece from inside
 * one (whole characters, or split UTF-16), a word and the character after it, a piece of a field as typed
 * or folded (across its spaces and punctuation), and short random strings of letters, digits,
 * punctuation, emoji, upper case, and the search text's marks themselves.
 */
function termsOf(person: UserFields): fc.Arbitrary<string> {
	const keys = oldKeys(person);
	const tokens = [...keys.searchWords, ...keys.searchSuffixes];
	const values = Object.values(person).filter(
		(value): value is string => typeof value === 'string' && value !== ''
	);
	const sources = [...values, ...values.map(foldText)];
	const random = fc
		.array(
			fc.oneof(
				{ weight: 4, arbitrary: letter.map(foldText) },
				{ weight: 2, arbitrary: digit.map(foldText) },
				punctuation,
				emoji,
				pick(WORD_START, INNER_START, '\u0000', ' ')
			),
			{ minLength: 1, maxLength: 6 }
		)
		.map(join);
	const term = fc.oneof(
		{
			weight: 4,
			arbitrary: fc
				.tuple(pick(...tokens), fraction)
				.map(([token, length]) => cut(codePoints(token), 0, length))
		},
		{
			weight: 4,
			arbitrary: fc
				.tuple(pick(...tokens), fraction, fraction)
				.map(([token, from, length]) => cut(codePoints(token), from, length))
		},
		{
			weight: 1,
			arbitrary: fc
				.tuple(pick(...tokens), fraction, fraction)
				.map(([token, from, length]) => cut(units(token), from, length))
		},
		{
			weight: 1,
			arbitrary: fc
				.tuple(pick(...tokens), fc.oneof(letter, digit, punctuation))
				.map(([token, next]) => cut(codePoints(token + foldText(next)), 0, 1))
		},
		{
			weight: 2,
			arbitrary: fc
				.tuple(pick(...sources), fraction, fraction)
				.map(([source, from, length]) => cut(codePoints(source), from, length))
		},
		{ weight: 2, arbitrary: random },
		// A piece of the search text itself, marks and all: two words are never found as one.
		{
			weight: 1,
			arbitrary: fc
				.tuple(fraction, fraction)
				.map(([from, length]) => cut(codePoints(searchText(person)), from, length))
		}
	);
	return term.filter((t) => t.length > 0 && [...t].length <= 30);
}

const userAndTerms = user.chain((person) =>
	fc.tuple(fc.constant(person), fc.array(termsOf(person), { minLength: 1, maxLength: 25 }))
);

/** The terms the new search text and the v8 keys answer differently, with both answers and the text. */
function disagreements(text: string, keys: OldKeys, terms: Iterable<string>) {
	const found = [];
	for (const term of terms) {
		const now = textMatches(text, term);
		const before = oldMatches(keys, [term]);
		if (now !== before) found.push({ term, now, before, text });
	}
	return found;
}

/** Many runs each: seconds on a busy machine. */
const PROPERTY = { timeout: 30_000 };

describe('searchText and textMatches', () => {
	it('answer every term as the v8 search words and inner suffixes did', PROPERTY, () => {
		fc.assert(
			fc.property(userAndTerms, ([person, terms]) => {
				const text = searchText(person);
				const keys = oldKeys(person);
				expect(disagreements(text, keys, terms)).toEqual([]);
			}),
			{ numRuns: 1000 }
		);
	});

	it('answer every piece of every word of a user as v8 did', PROPERTY, () => {
		// All of them, not a sample: each start and end inside each search word and inner suffix, and past it.
		fc.assert(
			fc.property(user, (person) => {
				const text = searchText(person);
				const keys = oldKeys(person);
				const terms = new Set<string>();
				for (const token of new Set([...keys.searchWords, ...keys.searchSuffixes])) {
					const chars = codePoints(token);
					for (let start = 0; start < chars.length; start++) {
						for (let end = start + 1; end <= Math.min(chars.length, start + 30); end++) {
							terms.add(chars.slice(start, end).join(''));
						}
					}
				}
				expect(disagreements(text, keys, terms)).toEqual([]);
			}),
			{ numRuns: 100 }
		);
	});

	it('answer a search of several terms as v8 did, through searchTerms', PROPERTY, () => {
		fc.assert(
			fc.property(userAndTerms, ([person, terms]) => {
				const query = terms.slice(0, 3).join(' ');
				const folded = searchTerms(query);
				const text = searchText(person);
				expect(folded.every((term) => textMatches(text, term))).toBe(oldMatches(oldKeys(person), folded));
			}),
			{ numRuns: 500 }
		);
	});
});
