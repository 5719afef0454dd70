/**
 * The characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection): = + - @, tab
 * and carriage return, and the full-width ＝ ＋ － ＠ that some spreadsheets also accept. Only the first
 * character counts, whatever follows, newlines included (papaparse's escapeFormulae misses multi-line
 * values and the full-width forms: PITFALLS.md).
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/u;
const ESCAPED_FORMULA = /^'[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/u;

/** A cell made safe to open in a spreadsheet: a leading apostrophe, as OWASP recommends, keeps it text. */
export function escapeFormula(cell: string): string {
	return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/**
 * Undoes `escapeFormula` on a cell read back from a file Rollcall wrote (an errors file the admin fixed
 * and uploads again), so '+44 20 7946 0958 is read as the phone number it was.
 */
export function unescapeFormula(cell: string): string {
	return ESCAPED_FORMULA.test(cell) ? cell.slice(1) : cell;
}
