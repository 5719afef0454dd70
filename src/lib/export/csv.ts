import { escapeFormula } from '$lib/import/formula';
import type { User } from '$lib/domain/user';
import type { TableShape } from './shapes';

const encoder = new TextEncoder();

/**
 * One CSV cell (RFC 4180): formula-escaped in every line (phone numbers kept as they are: formula.ts says
 * why), then quoted when it holds the delimiter, a quote or a line break, quotes doubled.
 */
export function csvCell(value: string, delimiter: ',' | ';'): string {
	const safe = escapeFormula(value, { keepPhoneNumbers: true });
	return safe.includes(delimiter) || /["\n\r]/u.test(safe) ? `"${safe.replace(/"/gu, '""')}"` : safe;
}

const csvLine = (cells: readonly string[], delimiter: ',' | ';') =>
	cells.map((cell) => csvCell(cell, delimiter)).join(delimiter) + '\r\n';

/**
 * The CSV of a shape, in pieces: UTF-8 with a BOM (so Excel shows accents), CRLF line ends, the shape's
 * preamble and header on top of every file. Each call encodes only its own page of users.
 */
export function csvPieces(shape: TableShape, delimiter: ',' | ';') {
	return {
		begin(): Uint8Array {
			const top = [...shape.preamble, shape.columns.map((column) => column.header)];
			return encoder.encode('\uFEFF' + top.map((cells) => csvLine(cells, delimiter)).join(''));
		},
		write(users: readonly User[]): Uint8Array {
			let text = '';
			for (const user of users)
				text += csvLine(
					shape.columns.map((column) => column.cell(user)),
					delimiter
				);
			return encoder.encode(text);
		},
		end: () => new Uint8Array()
	};
}
