import { field, type FieldKey } from '$lib/domain/fields';
import type { Delimiter } from './csv';
import type { EncodingInfo } from './decode';
import { escapeFormula } from './formula';
import { guessColumn, normaliseHeader, type HeaderMapping } from './headers';
import type { Analysis } from './pipeline';
import { rowErrorText, type RowCheck } from './rows';
import { writeXlsxInSteps } from './xlsx-writer';

/** The header of the column the errors file adds. */
export const ERRORS_HEADER = 'Errors';

/** UTF-8 with a BOM, so that Excel shows accents: the default for every errors file. */
export const defaultEncoding: EncodingInfo = { encoding: 'utf-8', hasBom: true };

/** The file as read: what the errors file gives back. */
export interface FileTable {
	/** Lines above the header (Entra's 'version:v1.0'), written back unchanged. */
	preamble?: readonly (readonly string[])[];
	headers: readonly string[];
	rows: readonly (readonly string[])[];
}

export interface ErrorsFile {
	bytes: Uint8Array;
	/** The encoding written: the one asked for, or UTF-8 with BOM when that one cannot hold the text. */
	encoding: EncodingInfo;
}

/**
 * The admin's rows exactly as given plus an Errors column (empty where the row is fine), as a table.
 * An uploaded errors file's own Errors column is reused, not doubled. Cells of columns mapped to a
 * sensitive field (the password) are left empty: a password never leaves Rollcall in a file.
 */
export function errorsTable(table: FileTable, check: RowCheck, mapping: HeaderMapping): string[][] {
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
	const width = rows.reduce((most, row) => Math.max(most, row.length), headers.length);
	const at = reused >= 0 ? reused : width;
	const line = (cells: readonly string[], errors: string, isHeader = false) => {
		const out = Array.from({ length: Math.max(width, at + 1) }, (_, i) =>
			redacted.has(i) && !isHeader ? '' : (cells[i] ?? '')
		);
		out[at] = errors;
		return out;
	};
	return [
		...preamble.map((cells) => [...cells]),
		line(headers, ERRORS_HEADER, true),
		...rows.map((cells, i) => line(cells, check.rows[i] ? rowErrorText(check.rows[i]) : ''))
	];
}

/** One cell of CSV: formula-escaped, and quoted when it holds the delimiter, a quote or a line break. */
function csvCell(value: string, delimiter: Delimiter): string {
	const safe = escapeFormula(value);
	return safe.includes(delimiter) || /["\n\r]/u.test(safe) ? `"${safe.replace(/"/gu, '""')}"` : safe;
}

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
	table: FileTable & { delimiter: Delimiter },
	check: RowCheck,
	mapping: HeaderMapping,
	encoding: EncodingInfo = defaultEncoding
): ErrorsFile {
	return encodeText(toCsv(errorsTable(table, check, mapping), table.delimiter), encoding);
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
	table: FileTable & { sheet?: string; headerRow?: number },
	check: RowCheck,
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
	analysis: Pick<
		Analysis,
		| 'format'
		| 'table'
		| 'delimiter'
		| 'encoding'
		| 'sheet'
		| 'headerRow'
		| 'rows'
		| 'errors'
		| 'counts'
		| 'mapping'
	>
): Generator<void, AnalysisErrorsFile> {
	const check = { rows: analysis.rows, errors: analysis.errors, counts: analysis.counts };
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
