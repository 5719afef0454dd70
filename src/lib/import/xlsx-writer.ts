/**
 * A tiny XLSX writer for the page: text-only sheets with a bold, frozen header row, every column
 * formatted as Text (so Excel keeps leading zeros and long numbers as typed) and drop-down lists.
 * SheetJS CE cannot write data validations and is too big for the page bundle, hence this.
 * Every cell is an inline string: a value such as =1+1 stays the text it is, never a formula.
 */

import { zipStored, type ZipFile } from '$lib/files/zip-writer';

/** One worksheet: rows of text cells, the first being the header. */
export interface Sheet {
	/** At most 31 characters, none of : \ / ? * [ ] (see sheetName). */
	name: string;
	rows: readonly (readonly string[])[];
	/** Drop-down lists under the header of a column; values may not contain commas or quotes. */
	lists?: readonly { column: number; values: readonly string[]; isOpen?: boolean }[];
	/** The row number of rows[0] (default 1): an errors file keeps the header on the row it had. */
	firstRow?: number;
}

/** How far down drop-down lists (and the quiet 'number stored as text') reach. */
export const LIST_LAST_ROW = 10_000;

// cellXfs indexes in styles.xml: 1 is Text (numFmtId 49, '@'), 2 is bold Text.
export const TEXT = 1;
export const BOLD_TEXT = 2;

export const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
export const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
export const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml';

/**
 * Text as XML character data: markup escaped, characters XML 1.0 cannot hold dropped, and '_x0041_'
 * escaped as '_x005F_x0041_' because Excel would otherwise read it as the character it encodes.
 */
export function xmlText(text: string): string {
	// Most cells need none of it: one test instead of seven replacements (a million cells in an errors file).
	if (!NEEDS_ESCAPE.test(text)) return text;
	return (
		text
			.replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
			.replace(/&/gu, '&amp;')
			.replace(/</gu, '&lt;')
			.replace(/>/gu, '&gt;')
			.replace(/"/gu, '&quot;')
			.replace(/_(x[0-9A-Fa-f]{4}_)/gu, '_x005F_$1')
			// A raw CR would be read back as LF (XML normalises line ends); a character reference survives.
			.replace(/\r/gu, '&#13;')
	);
}

const NEEDS_ESCAPE =
	/[^\t\n\x20-\x21\x23-\x25\x27-\x3B\x3D\x3F-\x5E\x60-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Spreadsheet column letters: 0 -> A, 25 -> Z, 26 -> AA. */
export function columnLetter(index: number): string {
	let letters = '';
	for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
		letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
	}
	return letters;
}

/** Each column wide enough for its longest cell, within reason. */
function widthsOf(sheet: Sheet): number[] {
	const widths: number[] = [];
	for (const row of sheet.rows) {
		for (let c = 0; c < row.length; c++) widths[c] = Math.max(widths[c] ?? 10, row[c]!.length + 3);
	}
	if (widths.length === 0) widths.push(10);
	return Array.from(widths, (width = 10) => Math.min(50, width));
}

/** Rows per piece of sheet XML: pieces keep each string small and let a caller breathe between them. */
const ROWS_PER_PIECE = 2_000;

function rowXml(cells: readonly string[], rowNumber: number, style: number): string {
	let xml = `<row r="${rowNumber}">`;
	for (let c = 0; c < cells.length; c++) {
		const value = cells[c]!;
		if (value === '') continue;
		xml += `<c r="${columnLetter(c)}${rowNumber}" s="${style}" t="inlineStr"><is><t xml:space="preserve">${xmlText(value)}</t></is></c>`;
	}
	return `${xml}</row>`;
}

/** A worksheet's XML in pieces of ROWS_PER_PIECE rows. */
function* sheetXml(sheet: Sheet): Generator<string> {
	const widths = widthsOf(sheet);
	const first = sheet.firstRow ?? 1;
	const last = Math.max(first, first + sheet.rows.length - 1);
	const lastColumn = columnLetter(widths.length - 1);
	const cols = widths.map(
		(width, i) => `<col min="${i + 1}" max="${i + 1}" width="${width}" style="${TEXT}" customWidth="1"/>`
	);
	yield (
		`${XML_HEAD}<worksheet xmlns="${MAIN}" xmlns:r="${REL}">` +
		`<dimension ref="A${first}:${lastColumn}${last}"/>` +
		'<sheetViews><sheetView workbookViewId="0">' +
		`<pane ySplit="${first}" topLeftCell="A${first + 1}" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>` +
		'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>' +
		`<cols>${cols.join('')}</cols><sheetData>`
	);
	for (let start = 0; start < sheet.rows.length; start += ROWS_PER_PIECE) {
		let xml = '';
		const end = Math.min(sheet.rows.length, start + ROWS_PER_PIECE);
		for (let r = start; r < end; r++) xml += rowXml(sheet.rows[r]!, first + r, r === 0 ? BOLD_TEXT : TEXT);
		yield xml;
	}
	const lists = (sheet.lists ?? []).map(({ column, values, isOpen }) => {
		const name = columnLetter(column);
		const choices = xmlText(values.join(', '));
		// An open list offers its values and takes others too (a new site, created by the import).
		return `<dataValidation type="list" allowBlank="1" showErrorMessage="${isOpen ? 0 : 1}" error="Choose one of: ${choices}." sqref="${name}${first + 1}:${name}${LIST_LAST_ROW}"><formula1>"${xmlText(values.join(','))}"</formula1></dataValidation>`;
	});
	yield (
		'</sheetData>' +
		(lists.length ? `<dataValidations count="${lists.length}">${lists.join('')}</dataValidations>` : '') +
		// No 'Number stored as text' warning, whose 'Convert to Number' would drop the leading zeros.
		`<ignoredErrors><ignoredError sqref="A1:${lastColumn}${Math.max(last, LIST_LAST_ROW)}" numberStoredAsText="1"/></ignoredErrors>` +
		'</worksheet>'
	);
}

const font = (bold: string) => `<font>${bold}<sz val="11"/><name val="Calibri"/><family val="2"/></font>`;
const xf = (fontId: number, numFmtId: number) =>
	`<xf numFmtId="${numFmtId}" fontId="${fontId}" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>`;

const STYLES =
	`${XML_HEAD}<styleSheet xmlns="${MAIN}">` +
	`<fonts count="2">${font('')}${font('<b/>')}</fonts>` +
	'<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
	'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
	'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
	`<cellXfs count="3">${xf(0, 0)}${xf(0, 49)}${xf(1, 49)}</cellXfs>` +
	'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>';

const relationships = (items: readonly string[]) =>
	`${XML_HEAD}<Relationships xmlns="${PACKAGE_REL}">${items.join('')}</Relationships>`;
const relationship = (id: string, type: string, target: string) =>
	`<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`;

/** An .xlsx workbook of the sheets, in order: the first is the one a spreadsheet opens on. */
export function writeXlsx(sheets: readonly Sheet[]): Uint8Array {
	const steps = writeXlsxInSteps(sheets);
	for (;;) {
		const step = steps.next();
		if (step.done) return step.value;
	}
}

/**
 * The parts of a workbook other than its sheets (content types, relationships, workbook, styles), by
 * path in the ZIP; the sheets are 'xl/worksheets/sheet1.xml' and on. The export's streaming writer
 * shares them.
 */
export function packageParts(sheetNames: readonly string[]): Record<string, string> {
	const sheetPaths = sheetNames.map((_, i) => `worksheets/sheet${i + 1}.xml`);
	return {
		'[Content_Types].xml':
			`${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			'<Default Extension="xml" ContentType="application/xml"/>' +
			`<Override PartName="/xl/workbook.xml" ContentType="${CONTENT_TYPE}.sheet.main+xml"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="${CONTENT_TYPE}.styles+xml"/>` +
			sheetPaths
				.map((path) => `<Override PartName="/xl/${path}" ContentType="${CONTENT_TYPE}.worksheet+xml"/>`)
				.join('') +
			'</Types>',
		'_rels/.rels': relationships([relationship('rId1', 'officeDocument', 'xl/workbook.xml')]),
		'xl/workbook.xml':
			`${XML_HEAD}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets>` +
			sheetNames
				.map((name, i) => `<sheet name="${xmlText(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
				.join('') +
			'</sheets></workbook>',
		'xl/_rels/workbook.xml.rels': relationships([
			...sheetPaths.map((path, i) => relationship(`rId${i + 1}`, 'worksheet', path)),
			relationship(`rId${sheetNames.length + 1}`, 'styles', 'styles.xml')
		]),
		'xl/styles.xml': STYLES
	};
}

/**
 * writeXlsx one piece at a time: the generator pauses after every ROWS_PER_PIECE rows, so the page
 * can let other work run while it writes a 100,000-row errors file; it returns the workbook's bytes.
 */
export function* writeXlsxInSteps(sheets: readonly Sheet[]): Generator<void, Uint8Array> {
	const sheetPaths = sheets.map((_, i) => `worksheets/sheet${i + 1}.xml`);
	const parts = packageParts(sheets.map((sheet) => sheet.name));
	const encoder = new TextEncoder();
	const files: ZipFile[] = Object.entries(parts).map(([name, xml]) => ({ name, data: encoder.encode(xml) }));
	for (const [i, sheet] of sheets.entries()) {
		// Encoded piece by piece: one string of a whole big sheet would be hundreds of MB.
		const pieces: Uint8Array[] = [];
		for (const xml of sheetXml(sheet)) {
			pieces.push(encoder.encode(xml));
			yield;
		}
		files.push({ name: `xl/${sheetPaths[i]}`, data: pieces });
	}
	return zipStored(files);
}
