import Papa from 'papaparse';
import { readTextCells, TextRows, type TableRows } from './table-rows';

/** The delimiters Rollcall detects; the admin can pick another one in the preview. */
export const delimiters = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof delimiters)[number];

/** How a delimiter is named to the admin. */
export const delimiterNames: Record<Delimiter, string> = {
	',': 'Comma',
	';': 'Semicolon',
	'\t': 'Tab',
	'|': 'Pipe'
};

/** A problem with the file as a whole, at the admin's row number (the header row is row 1). */
export interface CsvError {
	row: number;
	message: string;
}

/**
 * A CSV file read as text: every cell exactly as written, never converted to a number or a date. Its rows
 * are arrays (parseCsv), or TextRows where the file reads plainly (readCsv: the import worker's).
 */
export interface CsvTable<Rows extends TableRows = string[][]> {
	delimiter: Delimiter;
	/** A line above the header that is not data: Entra's 'version:v1.0', PowerShell's '#TYPE ...'. */
	preamble: string[][];
	/** The admin's row number of the header: 1, or 2 under a preamble line. */
	headerRow: number;
	headers: string[];
	/** The rows under the header; rows[0] is row headerRow + 1. Blank rows are kept so numbers stay right. */
	rows: Rows;
	/** When not empty the file cannot be imported, and rows is empty. */
	errors: CsvError[];
}

export interface CsvOptions {
	/** The admin's choice; detected when absent. */
	delimiter?: Delimiter;
	/** More rows than this (under the header) and the file is refused before it is all read. */
	maxRows?: number;
}

/**
 * papaparse over normalised text, every cell as text: the reader of any file the strict reader
 * (readTextCells) leaves to it, and the reference that reader is tested against.
 */
export function parseWithPapa(text: string, delimiter: string, preview = 0) {
	return Papa.parse<string[]>(text, {
		delimiter,
		newline: '\n',
		quoteChar: '"',
		header: false,
		dynamicTyping: false,
		skipEmptyLines: false,
		preview
	});
}

/** LF, CRLF, CR or a mix of them, inside quoted values too, all become LF: no stray \r survives. */
export function normaliseLineEndings(text: string): string {
	return text.includes('\r') ? text.replace(/\r\n?/gu, '\n') : text;
}

interface DelimiterStats {
	delimiter: Delimiter;
	headerFields: number;
	/** Share of the sampled data rows with as many fields as the header. */
	consistency: number;
	/** Share of the delimiter's occurrences standing between two digits, as a decimal comma does. */
	betweenDigits: number;
}

const SAMPLE_CHARS = 65_536;
const SAMPLE_RECORDS = 50;

interface SampledRecord {
	/** Occurrences of each candidate delimiter outside quotes. */
	counts: number[];
	hasText: boolean;
}

/** Counts each candidate delimiter outside quotes, record by record, in the first lines of the text. */
function sample(text: string): { records: SampledRecord[]; digitFlanked: number[] } {
	const fresh = (): SampledRecord => ({ counts: delimiters.map(() => 0), hasText: false });
	const records = [fresh()];
	const digitFlanked = delimiters.map(() => 0);
	const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
	let isQuoted = false;
	const end = Math.min(text.length, SAMPLE_CHARS);
	for (let i = 0; i < end && records.length <= SAMPLE_RECORDS; i++) {
		const c = text[i] ?? '';
		const record = records[records.length - 1]!;
		if (c === '"') isQuoted = !isQuoted;
		if (c.trim() !== '') record.hasText = true;
		if (isQuoted || c === '"') continue;
		if (c === '\n') {
			records.push(fresh());
			continue;
		}
		const d = (delimiters as readonly string[]).indexOf(c);
		if (d < 0) continue;
		record.counts[d]!++;
		if (isDigit(text[i - 1]) && isDigit(text[i + 1])) digitFlanked[d]!++;
	}
	// The last record may be cut off by the sample's end.
	if (end < text.length && records.length > 2) records.pop();
	return { records, digitFlanked };
}

/**
 * Picks the delimiter from comma, semicolon, tab and pipe: the one that splits the header into
 * several columns and the most data rows into as many. Occurrences between digits weigh less, so a
 * semicolon file with decimal commas (1,5) is not read as comma-separated. One column: comma.
 */
export function detectDelimiter(text: string): Delimiter {
	const { records, digitFlanked } = sample(normaliseLineEndings(text));
	const [header, ...rest] = records;
	const data = rest.filter((record) => record.hasText);
	const stats: DelimiterStats[] = delimiters.map((delimiter, d) => {
		const headerFields = (header?.counts[d] ?? 0) + 1;
		const total = records.reduce((sum, record) => sum + (record.counts[d] ?? 0), 0);
		const matching = data.filter((record) => (record.counts[d] ?? 0) + 1 === headerFields).length;
		return {
			delimiter,
			headerFields,
			consistency: data.length ? matching / data.length : 1,
			betweenDigits: total ? (digitFlanked[d] ?? 0) / total : 0
		};
	});
	const ranked = stats
		.filter((s) => s.headerFields > 1)
		.sort(
			(a, b) =>
				b.consistency - a.consistency || a.betweenDigits - b.betweenDigits || b.headerFields - a.headerFields
		);
	return ranked[0]?.delimiter ?? ',';
}

const lineOf = (text: string, index: number) => {
	let line = 1;
	for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
	return line;
};

function quoteError(text: string, error: Papa.ParseError): CsvError {
	const row = (error.row ?? 0) + 1;
	const at = error.index === undefined ? '' : ` (line ${lineOf(text, error.index)})`;
	if (error.code === 'InvalidQuotes') {
		return {
			row,
			message: `Row ${row}${at} has text after the closing quote of a quoted value. A quote inside a quoted value must be doubled ("").`
		};
	}
	return {
		row,
		message: `Row ${row}${at} opens a quoted value that is never closed, so the rest of the file would be read into one cell. Add the missing closing quote (") or remove the stray one.`
	};
}

/**
 * A first line that is not the header: Microsoft Entra's bulk-create template starts with 'version:v1.0'
 * (Excel may add delimiters after it), Windows PowerShell's Export-Csv with '#TYPE <class name>'.
 */
const PREAMBLE_LINE = /^(?:version:v[\d.]+[,;\t|]*|#TYPE [^\n]*)(?:\n|$)/u;

const isBlank = (row: readonly string[]) => row.every((cell) => cell.trim() === '');

/**
 * Reads CSV/TSV text into a header and rows of text cells. Returns errors instead of throwing: an empty
 * file, a header with no rows, an unterminated quote (naming the row it opened on). The rows are arrays.
 */
export function parseCsv(raw: string, options: CsvOptions = {}): CsvTable {
	const table = readCsv(raw, options);
	return { ...table, rows: Array.from(table.rows, (cells) => [...cells]) };
}

/**
 * parseCsv's reading with the rows as compact as they come: TextRows (their UTF-8 and where their cells
 * start) when the file reads plainly, else papaparse's arrays (see readTextCells), so that a million rows
 * do not take a string per cell and an array per row.
 */
export function readCsv(raw: string, options: CsvOptions = {}): CsvTable<TableRows> {
	const text = normaliseLineEndings(raw.startsWith('\uFEFF') ? raw.slice(1) : raw);
	const preambleLines = PREAMBLE_LINE.test(text) ? 1 : 0;
	const body = preambleLines ? text.slice(text.indexOf('\n') + 1) : text;
	const delimiter = options.delimiter ?? detectDelimiter(body);
	const headerRow = preambleLines + 1;
	const refuse = (row: number, message: string): CsvTable<TableRows> => ({
		delimiter,
		preamble: [],
		headerRow,
		headers: [],
		rows: [],
		errors: [{ row, message }]
	});
	if (body.trim() === '')
		return refuse(
			headerRow,
			'The file is empty: it has only blank lines. Choose the file that holds the users.'
		);
	const maxRows = options.maxRows;
	// One row more than allowed is enough to know the file is over the limit.
	const preview = maxRows === undefined ? 0 : maxRows + headerRow + 1;
	let all: TableRows;
	let cursor: number;
	const cells = readTextCells(text, delimiter, preview);
	if (cells) {
		({ rows: all, cursor } = cells);
	} else {
		const result = parseWithPapa(text, delimiter, preview);
		const quotes = result.errors.filter((e) => e.type === 'Quotes');
		if (quotes.length) return { ...refuse(1, ''), errors: quotes.map((e) => quoteError(text, e)) };
		all = result.data;
		cursor = result.meta.cursor;
	}
	const preamble = all.slice(0, preambleLines).map((cells) => [...cells]);
	const headers = [...(all.at(preambleLines) ?? [])];
	let rows = all instanceof TextRows ? all.from(preambleLines + 1) : all.slice(preambleLines + 1);
	// The newline that ends the last row is not the start of another one; a blank line where the row
	// limit cut the file short is a row of it (the rows after it must not be dropped unseen).
	const isWholeText = cursor >= text.length;
	if (isWholeText && text.endsWith('\n') && rows.length && rows.at(rows.length - 1)!.join('') === '') {
		rows = rows instanceof TextRows ? rows.head(rows.length - 1) : rows.slice(0, -1);
	}
	if (maxRows !== undefined && rows.length > maxRows) {
		return refuse(
			maxRows + headerRow + 1,
			`The file has more than ${maxRows.toLocaleString('en')} rows of users, the most one import takes: split it, or raise the limit (Settings → Import limits).`
		);
	}
	if (isEveryRowBlank(rows)) {
		const message = 'The file has a header row but no users under it: add them, one per row.';
		return { ...refuse(headerRow + 1, message), headers };
	}
	return { delimiter, preamble, headerRow, headers, rows, errors: [] };
}

function isEveryRowBlank(rows: TableRows): boolean {
	for (const cells of rows) if (!isBlank(cells)) return false;
	return true;
}
