import type { User } from '$lib/domain/user';
import { escapeFormula } from '$lib/import/formula';
import {
	BOLD_TEXT,
	columnLetter,
	MAIN,
	REL,
	TEXT,
	XML_HEAD,
	packageParts,
	xmlText
} from '$lib/import/xlsx-writer';
import type { TableShape } from './shapes';
import { ZipStream, concat } from './zip-stream';

/**
 * An .xlsx of a shape, streamed: the package parts and the sheet's head at the start, the rows of each
 * page as they come, the sheet's end and the ZIP directory at the end. Nothing of a page is kept, so a
 * workbook of any size costs the memory of one page. Every cell is an inline string in a Text-formatted
 * column, so nothing is read as a number or a date.
 *
 * Cells are formula-escaped as in CSV. An inline string is never a formula, so the escape is not needed
 * inside this file; it is kept because the import unescapes every file it reads (a value that starts
 * with an apostrophe would otherwise lose it on the way back), and because a sheet saved as CSV from
 * Excel would carry the raw formula on.
 */

const SHEET = 'Users';
const encoder = new TextEncoder();

const cellText = (value: string) => escapeFormula(value, { keepPhoneNumbers: true });

function rowXml(cells: readonly string[], row: number, style: number): string {
	let xml = `<row r="${row}">`;
	for (let c = 0; c < cells.length; c++) {
		const value = cells[c]!;
		if (value === '') continue;
		xml += `<c r="${columnLetter(c)}${row}" s="${style}" t="inlineStr"><is><t xml:space="preserve">${xmlText(cellText(value))}</t></is></c>`;
	}
	return `${xml}</row>`;
}

/** The sheet's XML up to its first data row: columns as wide as their headers, the header bold and frozen. */
function sheetHead(shape: TableShape): string {
	const headerRow = shape.preamble.length + 1;
	const cols = shape.columns.map((column, i) => {
		const width = Math.min(50, Math.max(12, column.header.length + 3));
		return `<col min="${i + 1}" max="${i + 1}" width="${width}" style="${TEXT}" customWidth="1"/>`;
	});
	return (
		`${XML_HEAD}<worksheet xmlns="${MAIN}" xmlns:r="${REL}">` +
		'<sheetViews><sheetView workbookViewId="0">' +
		`<pane ySplit="${headerRow}" topLeftCell="A${headerRow + 1}" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>` +
		'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>' +
		`<cols>${cols.join('')}</cols><sheetData>` +
		shape.preamble.map((cells, i) => rowXml(cells, i + 1, TEXT)).join('') +
		rowXml(
			shape.columns.map((column) => column.header),
			headerRow,
			BOLD_TEXT
		)
	);
}

export function xlsxPieces(shape: TableShape) {
	let zip = new ZipStream();
	let row = 0;
	return {
		begin(): Uint8Array {
			zip = new ZipStream();
			row = shape.preamble.length + 1;
			const parts = Object.entries(packageParts([SHEET])).flatMap(([name, xml]) =>
				zip.file(name, encoder.encode(xml))
			);
			return concat([
				...parts,
				zip.open('xl/worksheets/sheet1.xml'),
				zip.data(encoder.encode(sheetHead(shape)))
			]);
		},
		write(users: readonly User[]): Uint8Array {
			let xml = '';
			for (const user of users) {
				row++;
				xml += rowXml(
					shape.columns.map((column) => column.cell(user)),
					row,
					TEXT
				);
			}
			return zip.data(encoder.encode(xml));
		},
		end(): Uint8Array {
			const lastColumn = columnLetter(Math.max(0, shape.columns.length - 1));
			const tail = zip.data(
				encoder.encode(
					'</sheetData>' +
						// No 'Number stored as text' warning, whose 'Convert to Number' would drop leading zeros.
						`<ignoredErrors><ignoredError sqref="A1:${lastColumn}${row}" numberStoredAsText="1"/></ignoredErrors>` +
						'</worksheet>'
				)
			);
			return concat([tail, zip.close(), zip.finish()]);
		}
	};
}

/** The most rows a sheet holds (Excel's limit). */
export const XLSX_MAX_ROWS = 1_048_576;
