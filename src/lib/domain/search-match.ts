// How a search term matches a user's search text (searchText in user.ts makes it). Apart from user.ts and
// with nothing imported: the catalogue worker matches a million texts with it and must not carry the field
// registry (and the phone metadata it brings) into its bundle.

/** The shortest search term that also matches inside a word; a shorter one matches only the start of words. */
export const MIN_INFIX = 3;

/** Whether a search term is also looked for inside words (its length counted in characters). */
export const isInfixTerm = (term: string): boolean => [...term].length >= MIN_INFIX;

/** Runs longer than this are not searched inside: few search for the middle of one. */
const MAX_INNER_RUN = 24;

/** Marks the start of a word of a search text that is only searched from its start. */
export const WORD_START = '\u0001';
/** Marks the start of a word that is also searched inside (names, username, email's local part). */
export const INNER_START = '\u0002';

/** A run of letters, or of digits: what a term found inside a word must lie in ('smith' of 'j.smith42'). */
const RUN = /^(?:\p{L}+|\p{N}+)$/u;
const LETTER = /\p{L}/u;
const DIGIT = /\p{N}/u;
const isLetter = (c: string) => LETTER.test(c);
const isDigit = (c: string) => DIGIT.test(c);

/** Whether a UTF-16 unit is the first half of a character outside the BMP. */
const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;

/** The character of `text` starting at `at` ('' past its end): two UTF-16 units outside the BMP ('𠮷'). */
function charAt(text: string, at: number): string {
	const code = text.codePointAt(at);
	return code === undefined ? '' : String.fromCodePoint(code);
}

/** The character of `text` that ends just before `at` (not one unit of a pair: its letters are letters). */
function charBefore(text: string, at: number): string {
	const low = text.charCodeAt(at - 1);
	const isPair = low >= 0xdc00 && low <= 0xdfff && at >= 2 && isHighSurrogate(text.charCodeAt(at - 2));
	return text.slice(isPair ? at - 2 : at - 1, at);
}

/**
 * Whether `term` (folded, see searchTerms) matches a search text: the start of one of its words, or, for a
 * term of MIN_INFIX characters or more, a place inside a word marked INNER_START, within one run of letters
 * or of digits of at most MAX_INNER_RUN characters (never across runs: 'h04' is not in 'smith042'). A term
 * holding a mark never matches: no word holds one (searchText takes them out), and across two words it
 * would find a pair of words as one.
 */
export function textMatches(text: string, term: string): boolean {
	if (term.includes(WORD_START) || term.includes(INNER_START)) return false;
	if (text.includes(WORD_START + term) || text.includes(INNER_START + term)) return true;
	if (!isInfixTerm(term)) return false;
	// A term cut inside a character outside the BMP ('ab' and half of '𠮷') is the start of the words and runs
	// that character continues: found inside as the whole character would be.
	const isCut = isHighSurrogate(term.charCodeAt(term.length - 1));
	const whole = isCut ? term.slice(0, -1) : term;
	if (!RUN.test(whole)) return false;
	const sameRun = isLetter(charAt(whole, 0)) ? isLetter : isDigit;
	// Each run the term is found in is looked at once: its other places in that run have the same answer.
	for (let at = text.indexOf(term); at >= 0;) {
		if (isCut && !sameRun(charAt(text, at + whole.length))) {
			at = text.indexOf(term, at + 1);
			continue;
		}
		const run = runAround(text, at, whole.length, sameRun);
		if (run.length <= MAX_INNER_RUN && isInnerWord(text, run.start)) return true;
		at = text.indexOf(term, run.end);
	}
	return false;
}

/**
 * The run of letters (or digits) around text[at, at + units): where it starts and ends, and its length in
 * characters. Walked a character at a time, not a UTF-16 unit: a letter outside the BMP ('𠮷') is one
 * letter of the run.
 */
function runAround(
	text: string,
	at: number,
	units: number,
	sameRun: (c: string) => boolean
): { start: number; end: number; length: number } {
	let length = [...text.slice(at, at + units)].length;
	let start = at;
	for (let c = charBefore(text, start); start > 0 && sameRun(c); c = charBefore(text, start)) {
		start -= c.length;
		length++;
	}
	let end = at + units;
	for (let c = charAt(text, end); end < text.length && sameRun(c); c = charAt(text, end)) {
		end += c.length;
		length++;
	}
	return { start, end, length };
}

/** Whether the word of a search text holding position `at` is marked INNER_START (a run never holds a mark). */
function isInnerWord(text: string, at: number): boolean {
	const mark = Math.max(text.lastIndexOf(WORD_START, at), text.lastIndexOf(INNER_START, at));
	return mark >= 0 && text[mark] === INNER_START;
}
