/**
 * A table's rows without an array and a string per cell: a CSV's rows as their UTF-8 bytes plus where each
 * cell starts, each row made on demand. A million rows of 12 cells as arrays of strings took about 600 MiB of
 * the import worker's heap (12 million strings, each row's array, the text the longer cells are slices of).
 */

/** Rows of text cells, as an array of them or a compact table: what the import reads and checks. */
export interface TableRows {
	readonly length: number;
	/** Row `index`'s cells (a new array for a compact table); undefined past the end. */
	at(index: number): readonly string[] | undefined;
	slice(start?: number, end?: number): (readonly string[])[];
	[Symbol.iterator](): Iterator<readonly string[]>;
}

/** One cell, without making its row's other cells where the table can (see TextRows.cell). */
export const cellOf = (rows: TableRows, row: number, column: number): string =>
	rows instanceof TextRows ? rows.cell(row, column) : (rows.at(row)?.[column] ?? '');

const QUOTE = 34;

/** Rows decoded together: one TextDecoder call costs about half a microsecond in Chromium's worker, a row's share of a block's little. */
const BLOCK = 256;

/**
 * What the views of one table share: the text's rows as UTF-8, BLOCK rows a block (block b: bytes
 * [blockBytes[b], blockBytes[b + 1]), from its first row's first cell to its last row's end, line breaks
 * within included), and where each cell starts in the text, in characters (cell k spans
 * [starts[k], starts[k + 1] - 1); row r's cells are k = rowCells[r] to rowCells[r + 1] - 1). A block is
 * decoded when one of its cells is asked for, the last one kept: rows are mostly read in order. UTF-8
 * rather than the text: a file with any character past U+00FF decodes into a string of two bytes a
 * character, about twice its UTF-8 size, and all of it in the JavaScript heap.
 */
interface RowsStore {
	bytes: Uint8Array;
	blockBytes: Uint32Array;
	starts: Uint32Array;
	rowCells: Uint32Array;
	decoder: TextDecoder;
	/** The block decoded last, its text, and the character of the text its text starts at. */
	block: number;
	blockText: string;
	blockStart: number;
}

/** Cell k's text in its block's text (the block decoded). */
function cellIn(store: RowsStore, k: number): string {
	const start = store.starts[k]! - store.blockStart;
	const stop = store.starts[k + 1]! - 1 - store.blockStart;
	const text = store.blockText;
	if (text.charCodeAt(start) !== QUOTE) return text.slice(start, stop);
	const inner = text.slice(start + 1, stop - 1);
	return inner.includes('"') ? inner.replaceAll('""', '"') : inner;
}

/** Makes sure the block of the store's row `row` is the one decoded. */
function decodeBlockOf(store: RowsStore, row: number): void {
	const block = Math.floor(row / BLOCK);
	if (store.block === block) return;
	store.blockText = store.decoder.decode(
		store.bytes.subarray(store.blockBytes[block], store.blockBytes[block + 1])
	);
	store.blockStart = store.starts[store.rowCells[block * BLOCK]!]!;
	store.block = block;
}

/**
 * Rows of a CSV text, kept as UTF-8 and cell offsets (RowsStore), each made on demand. A quoted cell is
 * unquoted when read. `emptied`: columns whose cells read as '' (a password column in the table kept for
 * the errors file).
 */
export class TextRows implements TableRows {
	readonly #store: RowsStore;
	/** The store's row of this view's row 0. */
	readonly #first: number;
	readonly #emptied: ReadonlySet<number> | undefined;
	readonly length: number;

	private constructor(store: RowsStore, first: number, length: number, emptied?: ReadonlySet<number>) {
		this.#store = store;
		this.#first = first;
		this.length = length;
		this.#emptied = emptied?.size ? emptied : undefined;
	}

	/**
	 * The rows of `text` as readTextCells found them: cell k spans text[starts[k], starts[k + 1] - 1), row r's
	 * cells are k = rowStarts[r] to rowStarts[r + 1] - 1 (starts has one more entry, one past the last cell's
	 * end). Undefined when the text has a lone surrogate, which UTF-8 cannot hold.
	 */
	static of(text: string, starts: Uint32Array, rowStarts: Uint32Array): TextRows | undefined {
		if (!text.isWellFormed()) return undefined;
		const rows = rowStarts.length - 1;
		const blocks = Math.ceil(rows / BLOCK);
		const blockBytes = new Uint32Array(blocks + 1);
		let bytes = new Uint8Array(Math.max(64, text.length + (text.length >> 3)));
		const encoder = new TextEncoder();
		let written = 0;
		for (let b = 0; b < blocks; b++) {
			const from = starts[rowStarts[b * BLOCK]!]!;
			const to = starts[rowStarts[Math.min(rows, (b + 1) * BLOCK)]!]! - 1;
			// Room for the worst case, three bytes a UTF-16 unit.
			if (bytes.length - written < (to - from) * 3) {
				const bigger = new Uint8Array(Math.max(bytes.length * 1.5, written + (to - from) * 3));
				bigger.set(bytes.subarray(0, written));
				bytes = bigger;
			}
			written += encoder.encodeInto(text.slice(from, to), bytes.subarray(written)).written;
			blockBytes[b + 1] = written;
		}
		const store: RowsStore = {
			bytes: bytes.slice(0, written),
			blockBytes,
			starts,
			rowCells: rowStarts,
			decoder: new TextDecoder(),
			block: -1,
			blockText: '',
			blockStart: 0
		};
		return new TextRows(store, 0, rows);
	}

	/** The same rows with the cells of `columns` read as ''. */
	emptying(columns: ReadonlySet<number>): TextRows {
		return new TextRows(this.#store, this.#first, this.length, columns);
	}

	/** The rows past the first `rows` (the header and the lines above it): the table's data. */
	from(rows: number): TextRows {
		const skipped = Math.min(rows, this.length);
		return new TextRows(this.#store, this.#first + skipped, this.length - skipped, this.#emptied);
	}

	/** The first `count` rows. */
	head(count: number): TextRows {
		return new TextRows(this.#store, this.#first, Math.min(count, this.length), this.#emptied);
	}

	/** How many cells row `row` has. */
	widthOf(row: number): number {
		const at = this.#first + row;
		return this.#store.rowCells[at + 1]! - this.#store.rowCells[at]!;
	}

	/** Cell `column` of row `row` ('' where the row has no such cell). */
	cell(row: number, column: number): string {
		if (row < 0 || row >= this.length || column < 0 || this.#emptied?.has(column)) return '';
		const at = this.#first + row;
		const k = this.#store.rowCells[at]! + column;
		if (k >= this.#store.rowCells[at + 1]!) return '';
		decodeBlockOf(this.#store, at);
		return cellIn(this.#store, k);
	}

	at(index: number): readonly string[] | undefined {
		if (index < 0 || index >= this.length) return undefined;
		const at = this.#first + index;
		const store = this.#store;
		const first = store.rowCells[at]!;
		const cells = new Array<string>(store.rowCells[at + 1]! - first);
		decodeBlockOf(store, at);
		for (let c = 0; c < cells.length; c++) cells[c] = this.#emptied?.has(c) ? '' : cellIn(store, first + c);
		return cells;
	}

	slice(start = 0, end = this.length): (readonly string[])[] {
		const rows: (readonly string[])[] = [];
		for (let i = Math.max(0, start); i < Math.min(end, this.length); i++) rows.push(this.at(i)!);
		return rows;
	}

	*[Symbol.iterator](): Iterator<readonly string[]> {
		for (let i = 0; i < this.length; i++) yield this.at(i)!;
	}
}

/** A growing array of offsets: doubled when full, cut to size at the end. */
class Offsets {
	array: Uint32Array;
	length = 0;
	constructor(capacity: number) {
		this.array = new Uint32Array(Math.max(capacity, 16));
	}
	push(value: number): void {
		if (this.length === this.array.length) {
			const bigger = new Uint32Array(this.array.length * 2);
			bigger.set(this.array);
			this.array = bigger;
		}
		this.array[this.length++] = value;
	}
	/** The offsets pushed, in an array of their own size (the spare room given back). */
	done(): Uint32Array {
		return this.array.slice(0, this.length);
	}
}

/** Where a CSV text's cells are, as TextRows takes them, and how far the reading went. */
export interface TextCells {
	rows: TextRows;
	/** How much of the text was read: its length, or where the row limit stopped the reading (papaparse's meta.cursor). */
	cursor: number;
}

/**
 * Reads a CSV text (LF line breaks) into TextRows, as papaparse reads it with `newline: '\n'` and
 * quoteChar '"': every line a row, an empty line a row of one empty cell, the empty row after a final
 * line break included. Only the plain shape is read: a quoted value must close right before a
 * delimiter, a line break or the end. Anything else (a quote never closed, text or spaces after a closing
 * quote) gives undefined: papaparse then reads the file and reports what is wrong (csv.ts).
 * `maxRows`: stop after that many rows (papaparse's `preview`).
 */
export function readTextCells(text: string, delimiter: string, maxRows = 0): TextCells | undefined {
	const length = text.length;
	if (length === 0) {
		const rows = TextRows.of(text, new Uint32Array(1), new Uint32Array(1));
		return rows && { rows, cursor: 0 };
	}
	const delim = delimiter.charCodeAt(0);
	const starts = new Offsets(length >> 3);
	const rowStarts = new Offsets(length >> 6);
	let cursor = 0;
	let rows = 0;
	rowStarts.push(0);
	const hasQuotes = text.includes('"');
	let nextDelim = text.indexOf(delimiter);
	let nextLine = text.indexOf('\n');
	for (;;) {
		starts.push(cursor);
		let end: number;
		if (text.charCodeAt(cursor) === QUOTE) {
			// A quoted value: to the quote not doubled, which must close the cell.
			let at = cursor + 1;
			for (;;) {
				const quote = text.indexOf('"', at);
				if (quote < 0) return undefined;
				if (text.charCodeAt(quote + 1) === QUOTE) {
					at = quote + 2;
					continue;
				}
				end = quote + 1;
				break;
			}
			const after = end < length ? text.charCodeAt(end) : -1;
			if (after !== -1 && after !== delim && after !== 10) return undefined;
			if (nextDelim !== -1 && nextDelim < end) nextDelim = text.indexOf(delimiter, end);
			if (nextLine !== -1 && nextLine < end) nextLine = text.indexOf('\n', end);
		} else if (nextDelim !== -1 && (nextLine === -1 || nextDelim < nextLine)) {
			end = nextDelim;
		} else {
			end = nextLine === -1 ? length : nextLine;
		}
		if (end === length) {
			starts.push(end + 1);
			rowStarts.push(starts.length - 1);
			const all = TextRows.of(text, starts.done(), rowStarts.done());
			return all && { rows: all, cursor: length };
		}
		cursor = end + 1;
		if (end === nextDelim) {
			nextDelim = text.indexOf(delimiter, cursor);
			continue;
		}
		// A line break: the row ends.
		nextLine = text.indexOf('\n', cursor);
		rowStarts.push(starts.length);
		rows++;
		if (maxRows > 0 && rows >= maxRows) {
			starts.push(cursor);
			const all = TextRows.of(text, starts.done(), rowStarts.done());
			// papaparse reads a text without quotes by lines, one line past the limit: its cursor is past that line.
			const next = text.indexOf('\n', cursor);
			const read = hasQuotes ? cursor : next === -1 ? length : next + 1;
			return all && { rows: all, cursor: read };
		}
	}
}
