import { field, type FieldContext } from '$lib/domain/fields';
import type { FieldPolicy } from '$lib/domain/policy';
import { fail, ok, type Parsed } from '$lib/domain/result';
import { fileSizeProblem, type ImportLimits } from '$lib/domain/settings';
import { groupNamesOf } from '$lib/domain/groups';
import { validateField } from '$lib/domain/user';
import { readCsv, type Delimiter } from './csv';
import { decodeText, type EncodingInfo } from './decode';
import type { FileTable } from './errors-file';
import { aboutFile } from './file-message';
import { CheckedRows } from './checked-rows';
import { cellOf, TextRows, type TableRows } from './table-rows';
import { isVerbatimFormat, unescapeFormula } from './formula';
import {
	fieldColumns,
	guessColumn,
	mapHeaders,
	type ColumnMapping,
	type ColumnTarget,
	type HeaderMapping,
	type MapOptions
} from './headers';
import {
	RowChecker,
	uniqueKeys,
	type CellError,
	type CheckedRow,
	type Directory,
	type Lookup,
	type RowStatus,
	type SiteCheck,
	type UniqueField
} from './rows';
import { findPresetFit, type PresetFit } from './preset-fit';
import { DEFAULT_MAX_CELLS, NOT_A_SPREADSHEET, WEB_PAGE, readWorkbook, type WorkbookFormat } from './xlsx';
import { readStructured, structuredFormat, type StructuredFormat } from './structured';
import { defaultZipLimits, detectContainer } from './zip';

/**
 * The whole reading of an uploaded file, with no DOM: the import worker runs it. Bytes in; a table of
 * text, its header mapping and every row checked out; or one message saying why the file cannot be read.
 */

export type ImportFormat = 'csv' | WorkbookFormat | StructuredFormat;

export interface FileInput {
	name: string;
	bytes: Uint8Array;
}

export interface AnalyseLimits extends ImportLimits {
	/** The most cells a workbook's sheet may have (default DEFAULT_MAX_CELLS). */
	maxCells?: number;
	/** The most a ZIP-based workbook may unpack to (default 512 MiB). */
	maxUncompressedBytes?: number;
}

export interface ReadOptions {
	limits: AnalyseLimits;
	/** CSV: the admin's delimiter; detected when absent. */
	delimiter?: Delimiter;
	/** Workbooks: the admin's sheet; the first visible sheet with values when absent. */
	sheet?: string;
}

export interface CheckOptions {
	policy: FieldPolicy;
	context: FieldContext;
	/** The admin's column mapping, by column index: it wins over the guesses. */
	choices?: ReadonlyMap<number, ColumnTarget>;
	/** The directory to compare with: emailKey -> user id (or id and values), as RowChecker takes it. */
	directory?: Directory | Lookup;
	/** 'Update existing users'. */
	updateExisting?: boolean;
	/** 'Send login details by SMS': new users' mobile phones must be numbers (see RowChecker). */
	sendsSms?: boolean;
	/** The customer's sites, and whether a site the file adds is created or an error (see SiteCheck). */
	sites?: SiteCheck;
	/** Called as rows are checked; the first call (0, total) comes as soon as the file is read. */
	onProgress?: (done: number, total: number) => void;
}

export type AnalyseOptions = ReadOptions & CheckOptions;

/** A file read into a table of text, before mapping and checks (its rows as arrays, or compact: TableRows). */
export interface SourceTable<Rows extends TableRows = string[][]> extends FileTable<Rows> {
	format: ImportFormat;
	/** CSV: the text encoding found. */
	encoding?: EncodingInfo;
	/** CSV: the delimiter used. */
	delimiter?: Delimiter;
	/** Workbooks: the visible sheets, and the one read. */
	sheets?: string[];
	sheet?: string;
	/** The admin's row number of the header (2 under an Entra 'version:v1.0' line, later in a sheet with empty rows on top). */
	headerRow: number;
	headers: string[];
	rows: Rows;
}

/** What a file would import: how it was read (as in SourceTable), its mapping, and every row checked. */
export interface Analysis extends Omit<SourceTable, 'rows' | 'preamble'> {
	mapping: HeaderMapping;
	counts: Record<RowStatus, number>;
	/** Every row under the header (blank ones too, so rows[i] is table.rows[i]), checked: for the preview and the commit. */
	rows: CheckedRow[];
	/** Every row's errors, in row order. */
	errors: CellError[];
	/** Every row's warnings (values kept as typed that could not be checked), in row order. */
	warnings: CellError[];
	/** The rows with warnings, whatever `counts` has them as: a warning never blocks a row. */
	rowsWithWarnings: number;
	/** The admin's rows as given, for the errors file, with the password column emptied. */
	table: FileTable;
	/**
	 * The passwords of the rows that give one, by the admin's row number (CheckedRow.row): only for the
	 * commit to pass on. Never shown, never in rows, errors or table, and never persisted or logged.
	 */
	passwords: Map<number, string>;
	/** The preset the file fits when the policy does not (no required field without a column under it). */
	presetFit?: PresetFit;
	/** The sites the rows name that the customer does not have (each once): created, or errors (SiteCheck). */
	unknownSites: string[];
	/** The rows under the header: rows.length, also where the page holds only the first rows (see bridge.ts). */
	rowCount: number;
	/** What the page asks of every row, worked out where the rows are, so that the page need not hold them. */
	summary: RowSummary;
}

/** The questions the Import page asks of every row, answered where the rows are (see rowSummary). */
export interface RowSummary {
	/** The rows that give a password, for new users and for users already in the directory (by email). */
	passwordRows: { newUsers: number; existingUsers: number };
	/** The seats the rows would take or free: each new user with products, each update changing them. */
	seats: { id?: number; entitlements?: string }[];
	/** The group names the rows that write groups give, once each (groupNamesOf). */
	groupNames: string[];
}

/**
 * An Analysis as the import worker holds it: its rows checked and kept compactly (CheckedRows), its table's
 * rows compact where the file reads plainly (TextRows), and no list of errors or warnings (the rows have
 * them: problemsOf). `analyseSource` gives it with arrays.
 */
export interface CheckedAnalysis extends Omit<Analysis, 'rows' | 'errors' | 'warnings' | 'table'> {
	rows: CheckedRows;
	table: FileTable<TableRows>;
}

/** What the page needs to know of every row, gathered row by row (see rowSummary). */
class RowSummaries {
	readonly passwordRows = { newUsers: 0, existingUsers: 0 };
	readonly seats: RowSummary['seats'] = [];
	/** The rows that give groups, as groupNamesOf reads them (few files have a Groups column). */
	readonly #groups: Pick<CheckedRow, 'status' | 'values' | 'changes'>[] = [];

	add(row: CheckedRow): void {
		if (row.hasPassword) this.passwordRows[row.existingId === undefined ? 'newUsers' : 'existingUsers']++;
		if (row.status === 'new' && row.values.entitlements)
			this.seats.push({ entitlements: row.values.entitlements });
		if (row.status === 'update' && row.changes?.includes('entitlements')) {
			this.seats.push({ id: row.existingId, entitlements: row.values.entitlements });
		}
		if (row.values.groups !== undefined) {
			this.#groups.push({ status: row.status, changes: row.changes, values: { groups: row.values.groups } });
		}
	}

	done(): RowSummary {
		return { passwordRows: this.passwordRows, seats: this.seats, groupNames: groupNamesOf(this.#groups) };
	}
}

/** What the page needs to know of every row (a new row without products changes no seat, so is left out). */
export function rowSummary(rows: Iterable<CheckedRow>): RowSummary {
	const summaries = new RowSummaries();
	for (const row of rows) summaries.add(row);
	return summaries.done();
}

const WORKBOOK_NAME = /\.(?:xlsx|xlsm|xltx|xls|xlt|ods|ots)$/iu;

const isBlank = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

/** The rows that are not blank. */
function countUsers(rows: TableRows): number {
	let count = 0;
	for (const cells of rows) if (!isBlank(cells)) count++;
	return count;
}

const overLimit = (what: string, rows: number, maxRows: number) =>
	`${what} has ${rows.toLocaleString('en')} rows of users; one import takes at most ${maxRows.toLocaleString('en')}. Split it, or raise the limit (Settings → Import limits).`;

function readText(input: FileInput, options: ReadOptions): Parsed<SourceTable<TableRows>> {
	const decoded = decodeText(input.bytes);
	if (!decoded.ok) return decoded;
	const { text, encoding, hasBom } = decoded.value;
	const { maxRows } = options.limits;
	// Read to one row past the limit: parseCsv stops one row past the limit it is given, counting blank
	// rows too, and a blank row where it stops reads as the file's last line. So a table of at most
	// maxRows rows is the whole file (a file of exactly maxRows rows is read once); past it, read the
	// whole file and count the users.
	let table = readCsv(text, { delimiter: options.delimiter, maxRows: maxRows + 1 });
	if (table.errors.length > 0 || table.rows.length > maxRows) {
		// Let the first reading go before the second: a million rows' cells twice would double the heap.
		const { delimiter } = table;
		table.rows = [];
		table = readCsv(text, { delimiter });
		const users = countUsers(table.rows);
		if (table.errors.length === 0 && users > maxRows) return fail(overLimit('The file', users, maxRows));
	}
	const [problem] = table.errors;
	if (problem) return fail(problem.message);
	return ok({
		format: 'csv',
		encoding: { encoding, hasBom },
		delimiter: table.delimiter,
		preamble: table.preamble,
		headerRow: table.headerRow,
		headers: table.headers,
		rows: table.rows
	});
}

function readSheet(input: FileInput, options: ReadOptions): Parsed<SourceTable<TableRows>> {
	const { limits } = options;
	const workbook = readWorkbook(input.bytes, {
		sheet: options.sheet,
		maxCells: limits.maxCells ?? DEFAULT_MAX_CELLS,
		zipLimits: {
			...defaultZipLimits,
			maxUncompressedBytes: limits.maxUncompressedBytes ?? defaultZipLimits.maxUncompressedBytes
		}
	});
	if (!workbook.ok) return workbook;
	const { format, sheets, sheet, headerRow, headers, rows } = workbook.value;
	const users = countUsers(rows);
	if (users > limits.maxRows) return fail(overLimit(`The sheet "${sheet}"`, users, limits.maxRows));
	if (users === 0) {
		return fail(`The sheet "${sheet}" has a header row but no users under it: add them, one per row.`);
	}
	return ok({ format, sheets, sheet, headerRow, headers, rows });
}

/** A SCIM JSON or vCard file as a table, each user a row under the headers its values name. */
function readUsers(
	input: FileInput,
	options: ReadOptions,
	format: StructuredFormat
): Parsed<SourceTable<TableRows>> {
	const table = readStructured(input.name, input.bytes, format);
	if (!table.ok) return table;
	const { headers, rows } = table.value;
	if (rows.length > options.limits.maxRows)
		return fail(overLimit('The file', rows.length, options.limits.maxRows));
	return ok({ format, preamble: [], headerRow: 1, headers, rows });
}

/**
 * Reads a file into a table of text, choosing the reader by the bytes (a CSV named .xls is read as
 * CSV; a web page named .xls is refused): CSV/TSV/TXT through decodeText and parseCsv, workbooks
 * through readWorkbook. Files over the limits are refused with the numbers, the size before any parsing.
 * A refusal names the file (aboutFile).
 */
export function readSource(input: FileInput, options: ReadOptions): Parsed<SourceTable> {
	const table = readCompact(input, options);
	return table.ok ? ok({ ...table.value, rows: Array.from(table.value.rows, (cells) => [...cells]) }) : table;
}

/** readSource with the rows as compact as they come (TextRows for a plain CSV): what the worker keeps. */
export function readCompact(input: FileInput, options: ReadOptions): Parsed<SourceTable<TableRows>> {
	const table = readTable(input, options);
	return table.ok ? table : fail(aboutFile(input.name, table.message));
}

function readTable(input: FileInput, options: ReadOptions): Parsed<SourceTable<TableRows>> {
	const tooLarge = fileSizeProblem(input.bytes.length, options.limits);
	if (tooLarge) return fail(tooLarge);
	if (input.bytes.length === 0)
		return fail('The file is empty (0 bytes): choose the file that holds the users.');
	switch (detectContainer(input.bytes)) {
		case 'zip':
		case 'cfb':
		case 'biff':
			return readSheet(input, options);
		case 'markup':
			return fail(WEB_PAGE);
		case 'text': {
			const structured = structuredFormat(input.name, input.bytes);
			return structured ? readUsers(input, options, structured) : readText(input, options);
		}
		case 'binary': {
			const decoded = decodeText(input.bytes);
			return fail(WORKBOOK_NAME.test(input.name) || decoded.ok ? NOT_A_SPREADSHEET : decoded.message);
		}
	}
}

/** Whether a column holds a password, by its mapping or by its header (even when ignored or hidden). */
function isSensitive(column: ColumnMapping): boolean {
	const guess = guessColumn(column.header);
	const guessed = guess && 'field' in guess ? guess.field : undefined;
	return [column.field, guessed].some((key) => key !== undefined && field(key).isSensitive);
}

/** The table with the cells of password columns emptied: it is kept for the errors file and may be shown. */
function redacted(source: SourceTable<TableRows>, mapping: HeaderMapping): FileTable<TableRows> {
	const columns = mapping.columns.filter(isSensitive).map((column) => column.index);
	const table = { preamble: source.preamble, headers: source.headers };
	if (columns.length === 0) return { ...table, rows: source.rows };
	if (source.rows instanceof TextRows) return { ...table, rows: source.rows.emptying(new Set(columns)) };
	const rows = Array.from(source.rows, (cells) => {
		const copy = [...cells];
		for (const index of columns) if (index < copy.length) copy[index] = '';
		return copy;
	});
	return { ...table, rows };
}

const SLICE = 1_000;
const PROGRESS_EVERY_MS = 100;

/** An address's shape (name@domain.tld): enough to tell a column of addresses from one of usernames. */
const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

/** Whether a column has values and every one of them is an email address. */
function isEmailColumn(rows: TableRows, index: number): boolean {
	let hasValue = false;
	for (let i = 0; i < rows.length; i++) {
		const cell = cellOf(rows, i, index).trim();
		if (cell === '') continue;
		if (!ADDRESS.test(cell)) return false;
		hasValue = true;
	}
	return hasValue;
}

/** Whether most of a column's non-empty values pass the test. */
function isMostly(rows: TableRows, index: number, test: (cell: string) => boolean): boolean {
	let values = 0;
	let passing = 0;
	for (let i = 0; i < rows.length; i++) {
		const cell = cellOf(rows, i, index).trim();
		if (cell === '') continue;
		values++;
		if (test(cell)) passing++;
	}
	return passing * 2 > values;
}

/** Whether most of a column's values are two words or more: people's names ('Ann Lee'), which no username is. */
const isNameColumn = (rows: TableRows, index: number) =>
	isMostly(rows, index, (cell) => /\s/u.test(cell) && !cell.includes('@'));

/**
 * A phone number's shape: digits with spaces, + ( ) - / or dots, at least 6 digits ('+39 02 1234 5678',
 * '(02) 555-0101'): enough to tell a column of numbers from one of places ('Sede Milano').
 */
const PHONE = /^(?=(?:\D*\d){6})[\d\s+()\-/.]+$/u;

/** Whether most of a column's values look like phone numbers (see PHONE). */
const isPhoneColumn = (rows: TableRows, index: number) => isMostly(rows, index, (cell) => PHONE.test(cell));

type ColumnTest = (rows: TableRows, index: number) => boolean;

const isEmptyColumn: ColumnTest = (rows, index) => {
	for (let i = 0; i < rows.length; i++) if (cellOf(rows, i, index).trim() !== '') return false;
	return true;
};

/**
 * What each column's values say, worked out once per table: findPresetFit maps a file that fits no
 * policy about ten more times, and a column of 100,000 rows is scanned once for each question at most.
 */
const columnFacts = new WeakMap<TableRows, Map<string, boolean>>();

function fact(rows: TableRows, test: ColumnTest, name: string, index: number): boolean {
	let facts = columnFacts.get(rows);
	if (!facts) columnFacts.set(rows, (facts = new Map<string, boolean>()));
	const key = `${name} ${index}`;
	let value = facts.get(key);
	if (value === undefined) facts.set(key, (value = test(rows, index)));
	return value;
}

/** The options the mapping of a table's headers reads its values through, each column's answers kept. */
export const mapOptionsOf = (
	{ rows }: Pick<SourceTable<TableRows>, 'rows'>,
	choices: CheckOptions['choices']
): MapOptions => ({
	choices,
	isColumnEmpty: (index) => fact(rows, isEmptyColumn, 'empty', index),
	isEmailColumn: (index) => fact(rows, isEmailColumn, 'email', index),
	isNameColumn: (index) => fact(rows, isNameColumn, 'name', index),
	isPhoneColumn: (index) => fact(rows, isPhoneColumn, 'phone', index)
});

const mappingOf = (source: SourceTable<TableRows>, options: Pick<CheckOptions, 'policy' | 'choices'>) =>
	mapHeaders(source.headers, options.policy, mapOptionsOf(source, options.choices));

/**
 * The directory keys of the values in a table's email, username and customer code columns (as the
 * options map them): the users to look up before the check, so that it can tell an unchanged row from an
 * update and name a username or code another user has. The key of a raw cell is the key of the value the
 * check would read from it (folded as the field's unique index keeps it); a cell that is not a valid
 * value finds no one.
 */
export function uniqueKeysOf(
	source: SourceTable<TableRows>,
	options: Pick<CheckOptions, 'policy' | 'choices'>,
	start = 0,
	end = source.rows.length
): Record<UniqueField, string[]> {
	const read = fieldColumns(mappingOf(source, options));
	const found = {} as Record<UniqueField, string[]>;
	for (const [field, toKey] of uniqueKeys) {
		// A field's column, then its backups where it is empty (as RowChecker reads them).
		const indices = read.get(field);
		const keys = new Set<string>();
		for (let row = start; indices && row < Math.min(end, source.rows.length); row++) {
			// A field's own column, read without making the row's other cells; its backups only where it is empty.
			let raw = cellOf(source.rows, row, indices[0]!);
			for (let b = 1; raw.trim() === '' && b < indices.length; b++) {
				const backup = cellOf(source.rows, row, indices[b]!);
				if (backup.trim() !== '') raw = backup;
			}
			const cell = isVerbatimFormat(source.format) ? raw : unescapeFormula(raw);
			if (cell.trim() !== '') keys.add(toKey(cell));
		}
		found[field] = [...keys];
	}
	return found;
}

/**
 * Maps the headers and checks every row, in slices with progress between them, and sets the
 * passwords apart from everything that may be shown. The rows are kept compactly (CheckedAnalysis):
 * analyseSource gives them as arrays.
 */
export function checkSource(source: SourceTable<TableRows>, options: CheckOptions): CheckedAnalysis {
	const { rows, headers, headerRow } = source;
	const mapping = mappingOf(source, options);
	const checked = new CheckedRows(rows, headerRow + 1, fieldColumns(mapping));
	const checker = new RowChecker(mapping, {
		policy: options.policy,
		context: options.context,
		directory: options.directory,
		updateExisting: options.updateExisting,
		isVerbatim: isVerbatimFormat(source.format),
		sendsSms: options.sendsSms,
		sites: options.sites,
		valuesOfRow: (row) => checked.at(row - headerRow - 1)?.values
	});
	const total = rows.length;
	const progress = options.onProgress ?? (() => undefined);
	progress(0, total);
	let reported = performance.now();
	const counts: Record<RowStatus, number> = { new: 0, update: 0, unchanged: 0, error: 0, blank: 0 };
	const summaries = new RowSummaries();
	let rowsWithWarnings = 0;
	const secret = mapping.columns.find(
		(column) => column.status === 'mapped' && column.field && field(column.field).isSensitive
	);
	const passwords = new Map<number, string>();
	for (let start = 0; start < total; start += SLICE) {
		const end = Math.min(total, start + SLICE);
		for (let i = start; i < end; i++) {
			const cells = rows.at(i)!;
			const row = checker.check(cells, headerRow + 1 + i);
			checked.add(row, cells);
			counts[row.status]++;
			if (row.warnings) rowsWithWarnings++;
			summaries.add(row);
			if (secret?.field && row.hasPassword) {
				const { value } = validateField(
					secret.field,
					cells[secret.index] ?? '',
					options.policy,
					options.context
				);
				if (typeof value === 'string') passwords.set(row.row, value);
			}
		}
		if (end < total && performance.now() - reported >= PROGRESS_EVERY_MS) {
			progress(end, total);
			reported = performance.now();
		}
	}
	progress(total, total);
	return {
		format: source.format,
		encoding: source.encoding,
		delimiter: source.delimiter,
		sheets: source.sheets,
		sheet: source.sheet,
		headerRow,
		headers,
		mapping,
		counts,
		rows: checked,
		rowsWithWarnings,
		table: redacted(source, mapping),
		passwords,
		presetFit: findPresetFit(headers, options.policy, mapOptionsOf(source, options.choices), mapping),
		unknownSites: checker.unknownSites,
		rowCount: checked.length,
		summary: summaries.done()
	};
}

/** A CheckedAnalysis with its rows, errors, warnings and table rows as arrays. */
export function expandAnalysis(analysis: CheckedAnalysis): Analysis {
	const rows = [...analysis.rows];
	const { table } = analysis;
	return {
		...analysis,
		rows,
		errors: rows.flatMap((row) => row.errors),
		warnings: rows.flatMap((row) => row.warnings ?? []),
		table: { ...table, rows: Array.isArray(table.rows) ? table.rows : table.rows.slice() }
	};
}

/**
 * Maps the headers and checks every row (checkSource), with every row, error and warning in arrays.
 */
export function analyseSource(source: SourceTable<TableRows>, options: CheckOptions): Analysis {
	return expandAnalysis(checkSource(source, options));
}

/**
 * An Analysis without its rows, errors, warnings, passwords and table rows. The worker sends this head first,
 * then the rows in slices: received in one message, 100,000 rows hold the page for about a second.
 */
export type AnalysisHead = Omit<Analysis, 'rows' | 'errors' | 'warnings' | 'passwords' | 'table'> & {
	table: Omit<FileTable, 'rows'>;
};

/** Rows [start, end) of an Analysis, with their table rows and passwords (row number, password). */
export interface AnalysisSlice {
	rows: CheckedRow[];
	tableRows: (readonly string[])[];
	passwords: [number, string][];
}

export function headOf(analysis: Analysis | CheckedAnalysis): AnalysisHead {
	const { format, encoding, delimiter, sheets, sheet, headerRow, headers, mapping, counts, table } = analysis;
	const { presetFit, rowsWithWarnings, unknownSites, rowCount, summary } = analysis;
	const tableHead = { preamble: table.preamble, headers: table.headers };
	return {
		format,
		encoding,
		delimiter,
		sheets,
		sheet,
		headerRow,
		headers,
		mapping,
		counts,
		rowsWithWarnings,
		table: tableHead,
		rowCount,
		presetFit,
		unknownSites,
		summary
	};
}

/** The errors and warnings of rows [start, end) of an Analysis, in row order. */
export interface ProblemsSlice {
	errors: CellError[];
	warnings: CellError[];
}

export function problemsOf(analysis: Analysis | CheckedAnalysis, start: number, end: number): ProblemsSlice {
	if (analysis.rows instanceof CheckedRows) return analysis.rows.problems(start, end);
	const slice: ProblemsSlice = { errors: [], warnings: [] };
	for (const row of analysis.rows.slice(start, end)) {
		slice.errors.push(...row.errors);
		if (row.warnings) slice.warnings.push(...row.warnings);
	}
	return slice;
}

export function sliceOf(analysis: Analysis | CheckedAnalysis, start: number, end: number): AnalysisSlice {
	const rows = analysis.rows.slice(start, end);
	const passwords: [number, string][] = [];
	if (analysis.passwords.size > 0) {
		for (const row of rows) {
			const password = analysis.passwords.get(row.row);
			if (password !== undefined) passwords.push([row.row, password]);
		}
	}
	return { rows, tableRows: analysis.table.rows.slice(start, end), passwords };
}

const unexpected = (error: unknown) =>
	fail(
		`The file could not be read (${error instanceof Error ? error.message : String(error)}): save it again from the program that made it, as CSV UTF-8 or Excel, and choose it again.`
	);

/**
 * Analyses files, remembering the table read last: a new mapping, directory or 'Update existing
 * users' is checked again without reading the file again (100,000 workbook rows take seconds to read).
 */
export function createAnalyser() {
	let last: SourceTable<TableRows> | undefined;

	/** Reads a file and keeps its table for reanalyse (and emailKeys). Never throws. */
	function read(input: FileInput, options: ReadOptions): Parsed<void> {
		last = undefined;
		try {
			const source = readCompact(input, options);
			if (!source.ok) return source;
			last = source.value;
			return ok(undefined);
		} catch (error) {
			return unexpected(error);
		}
	}

	/** Checks the table read last again with other options; undefined when there is none. */
	function recheck(options: CheckOptions): Parsed<CheckedAnalysis> | undefined {
		if (!last) return undefined;
		try {
			return ok(checkSource(last, options));
		} catch (error) {
			return unexpected(error);
		}
	}

	/** recheck with the rows as arrays. */
	function reanalyse(options: CheckOptions): Parsed<Analysis> | undefined {
		const checked = recheck(options);
		return checked?.ok ? ok(expandAnalysis(checked.value)) : checked;
	}

	return {
		/** Reads, maps and checks an uploaded file. Never throws: what goes wrong is a message for the admin. */
		analyseFile(input: FileInput, options: AnalyseOptions): Parsed<Analysis> {
			const source = read(input, options);
			return source.ok ? (reanalyse(options) ?? unexpected('no table')) : source;
		},
		read,
		/** The unique keys of the table read last (see uniqueKeysOf); undefined when there is none. */
		uniqueKeys: (options: Pick<CheckOptions, 'policy' | 'choices'>) => last && uniqueKeysOf(last, options),
		/**
		 * uniqueKeys, `rows` rows of the table at a time (undefined when there is none): a million rows' keys
		 * at once, and the lookups' copies of them, took hundreds of MiB of the worker's heap.
		 */
		*uniqueKeyChunks(
			options: Pick<CheckOptions, 'policy' | 'choices'>,
			rows: number
		): Generator<Record<UniqueField, string[]>> {
			const table = last;
			if (!table) return;
			for (let start = 0; start === 0 || start < table.rows.length; start += rows)
				yield uniqueKeysOf(table, options, start, start + rows);
		},
		reanalyse,
		/** reanalyse with the rows kept compactly (CheckedAnalysis): the worker's. */
		recheck
	};
}

/** Reads, maps and checks an uploaded file: `readSource` then `analyseSource`. Never throws. */
export function analyseFile(input: FileInput, options: AnalyseOptions): Parsed<Analysis> {
	return createAnalyser().analyseFile(input, options);
}
