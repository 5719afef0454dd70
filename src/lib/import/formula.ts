/**
 * The characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection): = + - @ and tab,
 * and the full-width ＝ ＋ － ＠ that some spreadsheets also accept. Every line of a multi-line cell
 * counts (a spreadsheet may split a cell at its line breaks, and papaparse's escapeFormulae misses both
 * these and the full-width forms: PITFALLS.md). At the very start of a cell a carriage return or line
 * feed counts too; after a line break it is only the end of an empty line, whose next line is checked
 * in its own right.
 */
const DANGER = '=+\\-@\\t\\uFF1D\\uFF0B\\uFF0D\\uFF20';
/** Where a line starts: the cell's start, after LF, or after a CR that is not the first half of CRLF. */
const LINE_START = '(^|\\n|\\r(?!\\n))';

const ESCAPE_LINE = new RegExp(`${LINE_START}(?='*[${DANGER}])`, 'gu');
const ESCAPE_START = /^(?='*[\r\n])/u;
const UNESCAPE_LINE = new RegExp(`${LINE_START}'(?='*[${DANGER}])`, 'gu');
const UNESCAPE_START = /^'(?='*[\r\n])/u;

/**
 * A cell that is only a phone number: '+', then digits, spaces, hyphens and parentheses, and perhaps
 * the ';ext=' and digits of an extension (how Rollcall stores one, RFC 3966). It calls no function and
 * names no cell, so it carries no payload, and vendor imports need it exactly as it is (Google's
 * Recovery Phone is E.164: '+14155550100'); an apostrophe would make it invalid there.
 */
const PHONE_ONLY = /^\+[\d ()-]*\d[\d ()-]*(?:;ext=\d+)?$/u;

/**
 * Whether a format's cells are values exactly as they are: SCIM JSON and vCard, which no spreadsheet opens
 * and Rollcall never formula-escapes. Cells of tables are read through `unescapeFormula`.
 */
export const isVerbatimFormat = (format: string): boolean => format === 'scim' || format === 'vcard';

export interface EscapeOptions {
	/** Leave a cell that is only a phone number as it is (see PHONE_ONLY). */
	keepPhoneNumbers?: boolean;
}

/**
 * A cell made safe to open in a spreadsheet: a leading apostrophe, as OWASP recommends, keeps each
 * dangerous line text. A line that already starts with apostrophes before a dangerous character gets one
 * more, so `unescapeFormula` gives back exactly the value, apostrophes included.
 */
export function escapeFormula(cell: string, options: EscapeOptions = {}): string {
	// Most cells are one line starting with a letter or digit: two cheap checks instead of two regexes.
	if (!SAFE_START.test(cell) || cell.includes('\n') || cell.includes('\r')) return escapeLines(cell, options);
	return cell;
}

/** A first character that starts no formula and no apostrophe run (the empty cell counts as safe). */
const SAFE_START = /^(?:$|[^'=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20])/u;

function escapeLines(cell: string, options: EscapeOptions): string {
	if (options.keepPhoneNumbers && PHONE_ONLY.test(cell)) return cell;
	return cell.replace(ESCAPE_LINE, "$1'").replace(ESCAPE_START, "'");
}

/**
 * Undoes `escapeFormula` on a cell read back from a file Rollcall wrote (an export, or an errors file the
 * admin fixed and uploads again): one apostrophe comes off each line that starts with apostrophes before
 * a dangerous character, so '+44 20 7946 0958 is read as the phone number it was.
 */
export function unescapeFormula(cell: string): string {
	if (!cell.includes("'")) return cell;
	return cell.replace(UNESCAPE_START, '').replace(UNESCAPE_LINE, '$1');
}
