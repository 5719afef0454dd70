import { CFB, read, SSF, utils, type CellObject, type WorkBook, type WorkSheet } from '@e965/xlsx';
import { fail, ok, type Parsed } from '$lib/domain/result';
import { columnLetter } from './headers';
import {
	DAMAGED,
	PASSWORD_PROTECTED,
	detectContainer,
	inspectCompoundFile,
	inspectZip,
	storedData,
	withLocalSizes,
	type ZipDirectory,
	type ZipLimits
} from './zip';

/**
 * Reads Excel (.xlsx, .xls) and OpenDocument (.ods) workbooks with SheetJS, in the import worker only
 * (SheetJS is large: nothing on the page may import this module). Every cell comes out as the text the
 * admin sees in the spreadsheet, never as a number, date serial or formula.
 */

export type WorkbookFormat = 'xlsx' | 'xls' | 'ods';

/** One sheet of a workbook as a table of text. */
export interface SheetTable {
	format: WorkbookFormat;
	/** The workbook's visible sheets, in order: the admin may choose another one. */
	sheets: string[];
	/** The sheet read. */
	sheet: string;
	/** The sheet's row number of the header: the first row with anything in it. */
	headerRow: number;
	headers: string[];
	/** The rows under the header, trailing empty rows and columns trimmed; rows[0] is row headerRow + 1. */
	rows: string[][];
}

export interface WorkbookOptions {
	/** The sheet to read; by default the first visible sheet that has anything in it. */
	sheet?: string;
	/** The most cells (rows x columns, once trimmed) a sheet may have: more is refused with advice to use CSV. */
	maxCells: number;
	/** How much a ZIP-based workbook may unpack to. */
	zipLimits?: ZipLimits;
}

/**
 * SheetJS holds about 200-350 MB of memory per million cells while reading (PITFALLS.md: 100k x 10 in
 * ~335 MiB in Chromium): two million cells is as much as a tablet's browser tab can be asked for.
 */
export const DEFAULT_MAX_CELLS = 2_000_000;

const SAVE_AS_CSV = 'save it as CSV (in Excel: File > Save As > CSV UTF-8) and import that file';

export const WEB_PAGE =
	"This file is a web page (HTML or XML) with a spreadsheet's name, not a workbook. Open it in Excel and save it as .xlsx or .csv, then import that file.";
export const TEXT_FILE =
	"This file is a text file with a spreadsheet's name, not a workbook. Save it as .xlsx or .csv, then import that file.";
export const NOT_A_SPREADSHEET =
	'This file is not a spreadsheet: it is neither an Excel or OpenDocument workbook nor CSV text. Choose a .xlsx, .xls, .ods, .csv or .txt file.';

const ODS_TYPE = 'application/vnd.oasis.opendocument.spreadsheet';

/** Which workbook a ZIP holds, by its entries' names (and the ODF mimetype entry). */
function zipFormat(bytes: Uint8Array, directory: ZipDirectory): Parsed<WorkbookFormat> {
	const names = new Set(directory.entries.map((entry) => entry.name));
	const isOoxml = names.has('[Content_Types].xml');
	if (isOoxml && [...names].some((name) => /(?:^|\/)workbook\.xml$/iu.test(name))) return ok('xlsx');
	if (isOoxml && [...names].some((name) => /(?:^|\/)workbook\.bin$/iu.test(name))) {
		return fail(
			'This is an Excel Binary Workbook (.xlsb), which Rollcall does not read. Open it in Excel and save it as .xlsx or CSV.'
		);
	}
	const mimetypeEntry = directory.entries.find((entry) => entry.name === 'mimetype');
	const stored = mimetypeEntry && storedData(bytes, mimetypeEntry);
	const mimetype = stored ? new TextDecoder().decode(stored).trim() : undefined;
	if (mimetype === ODS_TYPE || mimetype === `${ODS_TYPE}-template`) return ok('ods');
	if (mimetype === undefined && names.has('content.xml')) return ok('ods');
	if (mimetype?.startsWith('application/vnd.oasis.opendocument.') || names.has('word/document.xml')) {
		return fail('This is a text document or presentation, not a spreadsheet. Choose the spreadsheet file.');
	}
	return fail(
		'This file is a ZIP archive, not an Excel (.xlsx) or OpenDocument (.ods) workbook. Choose a .xlsx, .xls, .ods, .csv or .txt file.'
	);
}

/** The bytes SheetJS may be given, and what they are; refused before SheetJS sees anything else. */
function recognise(
	bytes: Uint8Array,
	limits?: ZipLimits
): Parsed<{ format: WorkbookFormat; bytes: Uint8Array }> {
	switch (detectContainer(bytes)) {
		case 'zip': {
			const directory = inspectZip(bytes, limits);
			if (!directory.ok) return directory;
			const format = zipFormat(bytes, directory.value);
			return format.ok ? ok({ format: format.value, bytes: withLocalSizes(bytes, directory.value) }) : format;
		}
		case 'cfb': {
			const inspected = inspectCompoundFile(bytes);
			return inspected.ok ? ok({ format: 'xls', bytes }) : inspected;
		}
		case 'biff':
			return ok({ format: 'xls', bytes });
		case 'markup':
			return fail(WEB_PAGE);
		case 'text':
			return fail(TEXT_FILE);
		case 'binary':
			return fail(bytes.length === 0 ? 'The file is empty.' : NOT_A_SPREADSHEET);
	}
}

/** The part of SheetJS's CFB library (typed `any` by SheetJS) used to look inside an .ods first. */
const cfb = CFB as {
	read(bytes: Uint8Array, options: { type: 'array' }): object;
	find(container: object, path: string): { content: Uint8Array } | null;
};

const ODS_TAG = /<table:(table-row|table-cell|covered-table-cell)\b([^>]*?)(\/?)>|<\/table:table-row>/gu;
const REPEATED = /number-(?:rows|columns)-repeated="(\d+)"/u;

/**
 * How many cells SheetJS would make of an .ods, repeated rows and columns multiplied out. A 1 KB
 * content.xml can repeat a filled row a million times across 16,384 columns (no zip bomb needed), and
 * SheetJS would build every cell. Repeated empty cells (LibreOffice writes them down to row 1,048,576)
 * are self-closing and not counted. This unpacks the file once more, in SheetJS's own unzip.
 */
function odsCellCount(bytes: Uint8Array): number {
	const content = cfb.find(cfb.read(bytes, { type: 'array' }), 'content.xml')?.content;
	if (!content) return 0;
	let cells = 0;
	let rowRepeat = 1;
	let rowCells = 0;
	for (const [, kind, attributes = '', closing] of new TextDecoder().decode(content).matchAll(ODS_TAG)) {
		if (kind === undefined) {
			cells += rowRepeat * rowCells;
			[rowRepeat, rowCells] = [1, 0];
		} else if (kind === 'table-row') {
			[rowRepeat, rowCells] = [closing ? 1 : Number(REPEATED.exec(attributes)?.[1] ?? 1), 0];
		} else if (!closing) {
			rowCells += Number(REPEATED.exec(attributes)?.[1] ?? 1);
		}
	}
	return cells;
}

/** What went wrong inside SheetJS, in the admin's words. */
function readError(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	if (/password|encrypt/iu.test(message)) return PASSWORD_PROTECTED;
	if (error instanceof RangeError) {
		return `This workbook is too big to read safely in the browser: ${SAVE_AS_CSV}.`;
	}
	return DAMAGED;
}

const SCIENTIFIC = /^-?\d(?:\.\d+)?E[+-]\d+$/iu;

/** SheetJS's number formatter (typed `any` by SheetJS). */
const ssf = SSF as { format(format: string, value: number): string };

/**
 * A cell as the admin sees it: SheetJS's formatted text (leading zeros of a 00000 format, dates as
 * shown, a formula's cached result). A whole number that General shows as 4.91512E+12 is a phone or
 * an id typed without a text format: it is given in full.
 */
export function cellText(cell: CellObject | undefined): string {
	if (!cell || cell.t === 'z') return '';
	const { v, w } = cell;
	if (typeof v === 'number') {
		if (Number.isSafeInteger(v) && (w === undefined || SCIENTIFIC.test(w))) return String(v);
		return w ?? ssf.format('General', v);
	}
	if (typeof w === 'string') return w;
	if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
	if (v instanceof Date) return v.toISOString().slice(0, 10);
	return v === undefined || v === null ? '' : String(v);
}

const isVisible = (workbook: WorkBook, name: string) =>
	!workbook.Workbook?.Sheets?.find((sheet) => sheet.name === name)?.Hidden;

const isChart = (sheet: WorkSheet | undefined) =>
	(sheet as { '!type'?: string } | undefined)?.['!type'] === 'chart';

const rowsOf = (sheet: WorkSheet | undefined): (CellObject[] | undefined)[] => sheet?.['!data'] ?? [];

interface Extent {
	/** The first and last rows with a visible value, -1 when there are none. */
	first: number;
	last: number;
	/** One past the rightmost column with a visible value. */
	width: number;
	cells: number;
}

/**
 * The indices of an array's elements: every index of a short or dense one, only those present in a
 * sparse one (a row with one cell in column XFD, a sheet with one row at 1,048,576), whose holes
 * would take a quarter of a second to step through.
 */
const indices = (items: readonly unknown[], isSparse: boolean): Iterable<number> =>
	isSparse || items.length > 256 ? Object.keys(items).map(Number) : items.keys();

/**
 * Where a sheet's values are, looking only at the cells present. The range the sheet claims
 * (decode_range of !ref: a stray cell at XFD1048576, or a dimension that lies) only decides how to
 * look: a claim bigger than maxCells is walked cell by cell, never row by row. Undefined when more
 * than maxCells cells have values.
 */
function measure(sheet: WorkSheet | undefined, maxCells: number, isFirstEnough = false): Extent | undefined {
	const extent: Extent = { first: -1, last: -1, width: 0, cells: 0 };
	const data = rowsOf(sheet);
	const claimed = utils.decode_range(sheet?.['!ref'] ?? 'A1');
	const claimedColumns = claimed.e.c - claimed.s.c + 1;
	const isSparse = Math.max(data.length, claimed.e.r + 1) * claimedColumns > maxCells;
	for (const r of isSparse ? indices(data, true) : data.keys()) {
		const row = data[r];
		if (!row) continue;
		for (const c of indices(row, isSparse)) {
			if (cellText(row[c]).trim() === '') continue;
			if (++extent.cells > maxCells) return undefined;
			if (extent.first < 0) extent.first = r;
			extent.last = r;
			extent.width = Math.max(extent.width, c + 1);
			if (isFirstEnough) return extent;
		}
	}
	return extent;
}

/** Whether a sheet has any value. */
const hasValues = (sheet: WorkSheet | undefined) => (measure(sheet, DEFAULT_MAX_CELLS, true)?.cells ?? 1) > 0;

/** The sheet asked for, else the first visible one with values, else the first visible one. */
function chooseSheet(workbook: WorkBook, sheets: string[], asked: string | undefined): Parsed<string> {
	if (asked !== undefined) {
		if (!workbook.SheetNames.includes(asked)) {
			const names = sheets.map((name) => `"${name}"`).join(', ');
			return fail(`This workbook has no sheet named "${asked}"; its sheets are ${names}.`);
		}
		if (isChart(workbook.Sheets[asked]))
			return fail(`The sheet "${asked}" is a chart, not rows of users: choose another sheet.`);
		return ok(asked);
	}
	const tables = sheets.filter((name) => !isChart(workbook.Sheets[name]));
	const chosen = tables.find((name) => hasValues(workbook.Sheets[name])) ?? tables[0];
	return chosen === undefined
		? fail(
				'This workbook has no sheet of rows to import: put the users on a sheet, one per row under a header row.'
			)
		: ok(chosen);
}

function tooBig(sheet: string, extent: Extent | undefined, maxCells: number): string {
	const limit = 'more than Rollcall can read safely in the browser';
	if (!extent) {
		return `The sheet "${sheet}" has more than ${maxCells.toLocaleString('en')} filled cells, ${limit}. Split it, or ${SAVE_AS_CSV}.`;
	}
	const rows = extent.last + 1;
	const corner = `${columnLetter(extent.width - 1)}${rows}`;
	const size = `${rows.toLocaleString('en')} rows by ${extent.width.toLocaleString('en')} columns`;
	return `The sheet "${sheet}" reaches cell ${corner} (${size}), ${limit} (${maxCells.toLocaleString('en')} cells). Delete anything stray far below or to the right of the users, or ${SAVE_AS_CSV}.`;
}

/** The sheet's values as text rows, from its first non-empty row to its last, as wide as its widest. */
function tableOf(sheet: WorkSheet | undefined, extent: Extent): string[][] {
	const data = rowsOf(sheet);
	const table: string[][] = [];
	for (let r = extent.first; r <= extent.last; r++) {
		const row = data[r];
		const cells = new Array<string>(extent.width);
		for (let c = 0; c < extent.width; c++) cells[c] = cellText(row?.[c]);
		table.push(cells);
	}
	return table;
}

/**
 * Microsoft Entra's bulk-create template has 'version:v1.0' alone on the row above its header (csv.ts
 * knows it too); a workbook saved from it, or Rollcall's Entra-shaped XLSX export, keeps it there.
 */
const isVersionRow = (cells: readonly string[] | undefined) =>
	cells !== undefined &&
	/^version:v[\d.]+$/u.test(cells[0] ?? '') &&
	cells.slice(1).every((cell) => cell === '');

/** Reads the chosen sheet; SheetJS may throw, which readWorkbook turns into a message. */
function readSheet(bytes: Uint8Array, options: WorkbookOptions): Parsed<SheetTable> {
	const recognised = recognise(bytes, options.zipLimits);
	if (!recognised.ok) return recognised;
	const { format } = recognised.value;
	const odsCells = format === 'ods' ? odsCellCount(recognised.value.bytes) : 0;
	if (odsCells > options.maxCells) {
		const [count, limit] = [odsCells, options.maxCells].map((n) => n.toLocaleString('en'));
		return fail(
			`This workbook has ${count} filled cells, more than Rollcall can read safely in the browser (${limit}). Split it, or ${SAVE_AS_CSV}.`
		);
	}
	const workbook = read(recognised.value.bytes, {
		type: 'array',
		dense: true,
		cellFormula: false,
		cellHTML: false,
		cellDates: false,
		cellStyles: false,
		cellText: true,
		sheetStubs: false,
		bookVBA: false,
		...(options.sheet === undefined ? {} : { sheets: options.sheet })
	});
	const sheets = workbook.SheetNames.filter((name) => isVisible(workbook, name));
	const sheet = chooseSheet(workbook, sheets.length ? sheets : workbook.SheetNames, options.sheet);
	if (!sheet.ok) return sheet;
	const worksheet = workbook.Sheets[sheet.value];
	const extent = measure(worksheet, options.maxCells);
	if (!extent || (extent.last - extent.first + 1) * extent.width > options.maxCells) {
		return fail(tooBig(sheet.value, extent, options.maxCells));
	}
	if (extent.cells === 0) {
		const others = sheets.filter((name) => name !== sheet.value).map((name) => `"${name}"`);
		const hint = others.length ? ` Choose another sheet: ${others.join(', ')}.` : '';
		return fail(`The sheet "${sheet.value}" is empty.${hint}`);
	}
	const table = tableOf(worksheet, extent);
	const skip = isVersionRow(table[0]) ? 1 : 0;
	const [headers = [], ...rows] = table.slice(skip);
	return ok({ format, sheets, sheet: sheet.value, headerRow: extent.first + 1 + skip, headers, rows });
}

/**
 * Reads one sheet of a workbook as text. The real format is found from the bytes, not the name: ZIPs
 * are inspected first (zip bombs, oversized, damaged or password-protected files refused before
 * anything is unpacked); web pages, text and random bytes with a workbook's name are refused. A sheet
 * reaching further than `maxCells` allows is refused without walking its empty range. Never throws.
 */
export function readWorkbook(bytes: Uint8Array, options: WorkbookOptions): Parsed<SheetTable> {
	try {
		return readSheet(bytes, options);
	} catch (error) {
		return fail(readError(error));
	}
}
