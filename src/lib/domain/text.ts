import { fail, ok, type Parsed } from './result';

// Control and format characters (tabs, NUL, bidi overrides, zero-width spaces...) have no place in a
// name: they hide text, break exports and spoof other users. ZWJ/ZWNJ are kept: scripts need them.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]/u;
const JOINERS = /[\u200c\u200d]/gu;

/**
 * Printable ASCII (space to tilde): text that Unicode normalisation leaves as it is, with no mark, no
 * control or format character, no ligature to fold, and no whitespace but the space. Most cells of most
 * files are so; each function below that reads text has a path for them that skips the Unicode work
 * (normalize() alone costs more than all the rest) and gives the same answer as the full one.
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/u;

/** Printable ASCII with runs of spaces made one and its ends trimmed: what `\s+` -> ' ' and trim() give it. */
const collapseSpaces = (ascii: string) =>
	(ascii.includes('  ') ? ascii.replace(/ {2,}/gu, ' ') : ascii).trim();

/** Trims, collapses inner whitespace and brings text to Unicode NFC, so the same name is stored one way. */
export function cleanText(raw: string): string {
	if (PRINTABLE_ASCII.test(raw)) return collapseSpaces(raw);
	return raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** Reads a single-line text value: cleaned, length-limited, free of control characters. */
export function parseText(raw: string, label: string, maxLength: number): Parsed<string> {
	const value = cleanText(raw);
	// Printable ASCII has no forbidden character, and one code unit per character.
	const isAscii = PRINTABLE_ASCII.test(value);
	if (!isAscii && FORBIDDEN.test(value.replace(JOINERS, ''))) {
		return fail(`${label} contains an invisible or control character; retype it without copying.`);
	}
	// A string never has more characters than code units: counted only when it might be too long.
	if (value.length > maxLength && [...value].length > maxLength) {
		return fail(`${label} is too long: at most ${maxLength} characters.`);
	}
	return ok(value);
}

// ς is σ at the end of a word: an upper-case Σ lower-cases to either, depending on what follows it.
const FOLDS: Record<string, string> = {
	ß: 'ss',
	æ: 'ae',
	œ: 'oe',
	ø: 'o',
	ł: 'l',
	đ: 'd',
	ð: 'd',
	þ: 'th',
	ı: 'i',
	ς: 'σ'
};

/**
 * A sort and search key: case, accents and ligatures folded, so that binary order (IndexedDB's) matches
 * the primary-strength order a person expects: 'Élodie' files under E, 'Øystein' under O.
 */
export function foldText(value: string): string {
	if (PRINTABLE_ASCII.test(value)) return collapseSpaces(value.toLowerCase());
	return value
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/[ßæœøłđðþıς]/gu, (c) => FOLDS[c] ?? c)
		.replace(/\s+/gu, ' ')
		.trim();
}

/** A value quoted in a message, cut short so a pasted paragraph does not fill the error list. */
export function quoted(value: string, max = 40): string {
	const chars = [...value];
	return `"${chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : value}"`;
}
