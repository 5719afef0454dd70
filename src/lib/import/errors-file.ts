import { field, type FieldKey } from '$lib/domain/fields';
import type { Delimiter } from './csv';
import type { EncodingInfo } from './decode';
import { escapeFormula } from './formula';
import { guessColumn, normaliseHeader, type HeaderMapping } from './headers';
import type { Analysis } from './pipeline';
import { CheckedRows } from './checked-rows';
import { rowErrorText, type CheckedRow } from './rows';
import { TextRows, type TableRows } from './table-rows';
import { writeXlsxInSteps } from './xlsx-writer';

/** The header of the column the errors file adds. */
export const ERRORS_HEADER = 'Errors';

/** UTF-8 with a BOM, so that Excel shows accents: the default for every errors file. */
export const defaultEncoding: EncodingInfo = { encoding: 'utf-8', hasBom: true };

/** The file as read: what the errors file gives back (its rows as arrays, or compact: TableRows). */
export interface FileTable<Rows extends TableRows = readonly (readonly string[])[]> {
	/** Lines above the header (Entra's 'version:v1.0'), written back unchanged. */
	preamble?: readonly (readonly string[])[];
	headers: readonly string[];
	rows: Rows;
}

export interface ErrorsFile {
	bytes: Uint8Array;
	/** The encoding written: the one asked for, or UTF-8 with BOM when that one cannot hold the text. */
	encoding: EncodingInfo;
}

/** The checked rows an errors file is written from: as arrays, or kept compactly (CheckedRows). */
export interface ErrorsCheck {
	rows: readonly CheckedRow[] | CheckedRows;
}

/** The widest row's cells, without making the rows where the table is compact. */
function widest(rows: TableRows, least: number): number {
	let most = least;
	if (rows instanceof TextRows) {
		for (let i = 0; i < rows.length; i++) most = Math.max(most, rows.widthOf(i));
	} else for (const cells of rows) most = Math.max(most, cells.length);
	return most;
}

/**
 * The admin's rows exactly as given plus an Errors column (empty where the row is fine), a line at a time.
 * An uploaded errors file's own Errors column is reused, not doubled. Cells of columns mapped to a
 * sensitive field (the password) are left empty: a password never leaves Rollcall in a file.
 */
export function* errorsLines(
	table: FileTable<TableRows>,
	check: ErrorsCheck,
	mapping: HeaderMapping
): Generator<string[]> {
	const { headers, rows, preamble = [] } = table;
	// A password column is emptied even when the policy hides it or the admin ignored it.
	const isSensitive = (key: FieldKey | undefined) => key !== undefined && field(key).isSensitive;
	const redacted = new Set(
		mapping.columns
			.filter((c) => {
				const guess = guessColumn(c.header);
				return isSensitive(c.field) || (guess && 'field' in guess && isSensitive(guess.field));
			})
			.map((c) => c.index)
	);
	const reused = headers.findIndex((header) => normaliseHeader(header) === 'errors');
	const width = widest(rows, headers.length);
	const at = reused >= 0 ? reused : width;
	const line = (cells: readonly string[], errors: string, isHeader = false) => {
		const out = Array.from({ length: Math.max(width, at + 1) }, (_, i) =>
			redacted.has(i) && !isHeader ? '' : (cells[i] ?? '')
		);
		out[at] = errors;
		return out;
	};
	const checked = check.rows;
	const errorsOf = (i: number) => {
		if (checked instanceof CheckedRows) return rowErrorText({ errors: checked.errorsOf(i) });
		const row = checked[i];
		return row ? rowErrorText(row) : '';
	};
	for (const cells of preamble) yield [...cells];
	yield line(headers, ERRORS_HEADER, true);
	for (let i = 0; i < rows.length; i++) yield line(rows.at(i)!, errorsOf(i));
}

/** errorsLines as one table. */
export function errorsTable(
	table: FileTable<TableRows>,
	check: ErrorsCheck,
	mapping: HeaderMapping
): string[][] {
	return [...errorsLines(table, check, mapping)];
}

/** One cell of CSV: formula-escaped, and quoted when it holds the delimiter, a quote or a line break. */
function csvCell(value: string, delimiter: Delimiter): string {
	const safe = escapeFormula(value);
	return safe.includes(delimiter) || /["\n\r]/u.test(safe) ? `"${safe.replace(/"/gu, '""')}"` : safe;
}

/** Lines of CSV written into the text of an errors file at a time: a million lines at once took hundreds of MiB. */
const CSV_LINES_AT_ONCE = 10_000;

/** A table as CSV text with CRLF line ends, as Excel writes it; every cell escaped against formulae. */
export function toCsv(table: readonly (readonly string[])[], delimiter: Delimiter): string {
	return (
		table.map((row) => row.map((cell) => csvCell(cell, delimiter)).join(delimiter)).join('\r\n') + '\r\n'
	);
}

let windows1252: Map<string, number> | undefined;

/** Windows-1252 bytes for a text, or undefined when a character has no byte in it. */
function encode1252(text: string): Uint8Array | undefined {
	if (!windows1252) {
		const decoded = new TextDecoder('windows-1252').decode(Uint8Array.from({ length: 256 }, (_, i) => i));
		windows1252 = new Map([...decoded].map((char, byte) => [char, byte]));
	}
	const bytes = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++) {
		const byte = windows1252.get(text[i]!);
		if (byte === undefined) return undefined;
		bytes[i] = byte;
	}
	return bytes;
}

function encodeUtf16(text: string, isLittleEndian: boolean, hasBom: boolean): Uint8Array {
	const units = (hasBom ? '\uFEFF' : '') + text;
	const view = new DataView(new ArrayBuffer(units.length * 2));
	for (let i = 0; i < units.length; i++) view.setUint16(i * 2, units.charCodeAt(i), isLittleEndian);
	return new Uint8Array(view.buffer);
}

/** Text as the bytes of an encoding; Windows-1252 falls back to UTF-8 with BOM when it cannot hold the text. */
export function encodeText(text: string, target: EncodingInfo = defaultEncoding): ErrorsFile {
	switch (target.encoding) {
		case 'utf-16le':
		case 'utf-16be':
			return { bytes: encodeUtf16(text, target.encoding === 'utf-16le', target.hasBom), encoding: target };
		case 'windows-1252': {
			const bytes = encode1252(text);
			if (bytes) return { bytes, encoding: { encoding: 'windows-1252', hasBom: false } };
			return encodeText(text, defaultEncoding);
		}
		case 'utf-8':
			return { bytes: new TextEncoder().encode((target.hasBom ? '\uFEFF' : '') + text), encoding: target };
	}
}

/**
 * The errors file of a CSV upload: the admin's rows plus an Errors column, written back with the same
 * delimiter, in UTF-8 with BOM or (asked for) the upload's own encoding.
 */
export function writeErrorsFile(
	table: FileTable<TableRows> & { delimiter: Delimiter },
	check: ErrorsCheck,
	mapping: HeaderMapping,
	encoding: EncodingInfo = defaultEncoding
): ErrorsFile {
	// Written and encoded CSV_LINES_AT_ONCE lines at a time, so only those lines and the bytes are held.
	function* texts(): Generator<string> {
		let lines: string[][] = [];
		for (const line of errorsLines(table, check, mapping)) {
			lines.push(line);
			if (lines.length === CSV_LINES_AT_ONCE) {
				yield toCsv(lines, table.delimiter);
				lines = [];
			}
		}
		if (lines.length > 0) yield toCsv(lines, table.delimiter);
	}
	const pieces: Uint8Array[] = [];
	for (const text of texts()) {
		// The byte order mark, if any, starts the first piece only.
		const piece = encodeText(text, { ...encoding, hasBom: pieces.length === 0 && encoding.hasBom });
		// Windows-1252 that cannot hold a character: the whole file is UTF-8 with BOM instead.
		if (piece.encoding.encoding !== encoding.encoding)
			return writeErrorsFile(table, check, mapping, piece.encoding);
		pieces.push(piece.bytes);
	}
	const bytes = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
	let offset = 0;
	for (const piece of pieces) {
		bytes.set(piece, offset);
		offset += piece.length;
	}
	return { bytes, encoding };
}

/** A sheet name Excel accepts: at most 31 characters, none of : \\ / ? * [ ], no apostrophe at either end. */
export function sheetName(name: string | undefined): string {
	const safe = (name ?? '')
		.replace(/[:\\/?*[\]]/gu, '_')
		.slice(0, 31)
		.replace(/^'+|'+$/gu, '');
	return safe.trim() === '' ? 'Users' : safe;
}

/**
 * The errors file of a workbook upload (.xlsx, .xls, .ods), as an .xlsx: one sheet named as the one
 * read, the header on the row it was on, every cell a Text cell holding the admin's value exactly (a
 * leading = + - @ stays text: inline strings are never formulas), the password column emptied, and
 * the Errors column. A generator, as writeXlsxInSteps: it pauses every few thousand rows.
 */
export function writeErrorsWorkbook(
	table: FileTable<TableRows> & { sheet?: string; headerRow?: number },
	check: ErrorsCheck,
	mapping: HeaderMapping
): Generator<void, Uint8Array> {
	const rows = errorsTable(table, check, mapping);
	return writeXlsxInSteps([{ name: sheetName(table.sheet), rows, firstRow: table.headerRow ?? 1 }]);
}

/** An errors file, and whether it is a workbook (.xlsx) or text in the upload's own delimiter and encoding. */
export interface AnalysisErrorsFile {
	bytes: Uint8Array;
	isWorkbook: boolean;
}

/**
 * The errors file of an Analysis, in the upload's own format: CSV with its delimiter and encoding, or an
 * .xlsx for any workbook. A generator, as writeErrorsWorkbook: the page runs it in steps, the worker at once.
 */
export function* analysisErrorsFile(
	analysis: Pick<Analysis, 'format' | 'delimiter' | 'encoding' | 'sheet' | 'headerRow' | 'mapping'> & {
		table: FileTable<TableRows>;
		rows: ErrorsCheck['rows'];
	}
): Generator<void, AnalysisErrorsFile> {
	const check = { rows: analysis.rows };
	if (analysis.format === 'csv') {
		const table = { ...analysis.table, delimiter: analysis.delimiter ?? ',' };
		return {
			bytes: writeErrorsFile(table, check, analysis.mapping, analysis.encoding).bytes,
			isWorkbook: false
		};
	}
	const table = { ...analysis.table, sheet: analysis.sheet, headerRow: analysis.headerRow };
	return { bytes: yield* writeErrorsWorkbook(table, check, analysis.mapping), isWorkbook: true };
}

/** "users.csv" -> "users (errors).csv"; with `extension`, "users.xls" -> "users (errors).xlsx". */
export function errorsFileName(uploaded: string, extension?: string): string {
	const dot = uploaded.lastIndexOf('.');
	const [stem, own] = dot > 0 ? [uploaded.slice(0, dot), uploaded.slice(dot + 1)] : [uploaded, 'csv'];
	return `${stem} (errors).${extension ?? own}`;
}
