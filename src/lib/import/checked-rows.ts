import type { FieldKey, FieldValue } from '$lib/domain/fields';
import type { UserFields } from '$lib/domain/user';
import type { CellError, CheckedRow, RowSource, RowStatus } from './rows';
import { cellOf, type TableRows } from './table-rows';

/**
 * Checked rows kept compactly (the import worker holds a million of them until the commit): a byte for
 * each row's status, the few rows' errors, warnings, matches and changes in maps, and each row's values
 * packed in one string, where a value that is its cell exactly names the cell instead of being a copy of it
 * (the table is kept anyway). A row is made again as RowChecker made it when asked for (`at`).
 */

const STATUSES: readonly RowStatus[] = ['new', 'update', 'unchanged', 'error', 'blank'];
const STATUS_CODE = new Map(STATUSES.map((status, code) => [status, code]));
const HAS_PASSWORD = 8;

/** What a packed value is; a string's text or cell follows its kind. */
const UNDEFINED = 0;
const FALSE = 1;
const TRUE = 2;
const CELL = 3;
const TEXT = 4;

/** The errors of a row that has none: one array for all of them, which nothing may change. */
const NO_ERRORS: CellError[] = Object.freeze([]) as unknown as CellError[];

/** A number as characters of 7 bits each, low first, the 8th bit set on all but the last (one-byte text). */
function varint(into: number[], value: number): void {
	let rest = value;
	while (rest >= 0x80) {
		into.push((rest & 0x7f) | 0x80);
		rest = Math.floor(rest / 0x80);
	}
	into.push(rest);
}

/**
 * A string of its own, in one byte a character where it can be: V8 makes a cut of 13 characters or more a
 * view of the text it was cut from, and a cell cut from a decoded block of rows would keep the block's text
 * alive (every block, for a commit that holds a million rows), two bytes a character when any row of the
 * block has a character past U+00FF. JSON's reader makes a new string, as compact as its characters allow.
 */
const ownCopy = (text: string): string =>
	text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);

/** The number written by varint at `position.at`, which it moves past it. */
function readVarint(from: string, position: { at: number }): number {
	let value = 0;
	let scale = 1;
	for (;;) {
		const code = from.charCodeAt(position.at++);
		value += (code & 0x7f) * scale;
		if (code < 0x80) return value;
		scale *= 0x80;
	}
}

/**
 * A table's checked rows, row i of `table` checked as row `firstRow + i`. Rows are added in order (add),
 * with the cells they were checked from; `columns` gives, for each field, the columns it may be read from
 * (its own, then its backups), where a value may be found as it is.
 */
export class CheckedRows {
	readonly #table: TableRows;
	readonly #firstRow: number;
	readonly #columns: ReadonlyMap<FieldKey, readonly number[]>;
	#flags: Uint8Array;
	#values: string[] = [];
	#length = 0;
	/** The value keys met, in the order first met: a packed value names its key by its place here. */
	readonly #keys: string[] = [];
	readonly #slots = new Map<string, number>();
	readonly #existingIds = new Map<number, number>();
	readonly #changes = new Map<number, FieldKey[]>();
	readonly #errors = new Map<number, CellError[]>();
	readonly #warnings = new Map<number, CellError[]>();
	/** The shapes of the rows' values met (see #pack), and their ids. */
	readonly #shapes: string[] = [];
	readonly #shapeIds = new Map<string, number>();
	/** Reused while packing one row's values: its shape. */
	readonly #codes: number[] = [];

	constructor(table: TableRows, firstRow: number, columns: ReadonlyMap<FieldKey, readonly number[]>) {
		this.#table = table;
		this.#firstRow = firstRow;
		this.#columns = columns;
		this.#flags = new Uint8Array(table.length);
	}

	get length(): number {
		return this.#length;
	}

	/** How many rows have errors (each has at least one). */
	get rowsWithErrors(): number {
		return this.#errors.size;
	}

	/** Keeps the next row, checked from `cells`. */
	add(row: CheckedRow, cells: readonly string[]): void {
		const i = this.#length;
		if (row.row !== this.#firstRow + i) throw new Error(`Row ${row.row} was checked out of turn.`);
		if (i === this.#flags.length) {
			const more = new Uint8Array(Math.max(16, i * 2));
			more.set(this.#flags);
			this.#flags = more;
		}
		this.#flags[i] = STATUS_CODE.get(row.status)! | (row.hasPassword ? HAS_PASSWORD : 0);
		this.#values.push(this.#pack(row.values, cells));
		if (row.existingId !== undefined) this.#existingIds.set(i, row.existingId);
		if (row.changes) this.#changes.set(i, row.changes);
		if (row.errors.length > 0) this.#errors.set(i, row.errors);
		if (row.warnings) this.#warnings.set(i, row.warnings);
		this.#length++;
	}

	#slot(key: string): number {
		let slot = this.#slots.get(key);
		if (slot === undefined) {
			slot = this.#keys.push(key) - 1;
			this.#slots.set(key, slot);
		}
		return slot;
	}

	/**
	 * A row's values as one string: the id of its shape (which keys, in order, and what kind of value each
	 * has: most rows share one), then the columns of the values that are their cells, and the other texts.
	 */
	#pack(values: Partial<UserFields>, cells: readonly string[]): string {
		const shape = this.#codes;
		const payload: number[] = [];
		const texts: string[] = [];
		shape.length = 0;
		for (const [key, value] of Object.entries(values) as [string, FieldValue | undefined][]) {
			varint(shape, this.#slot(key));
			if (value === undefined) shape.push(UNDEFINED);
			else if (typeof value === 'boolean') shape.push(value ? TRUE : FALSE);
			else {
				const column = this.#columns.get(key as FieldKey)?.find((c) => value !== '' && cells[c] === value);
				if (column !== undefined) {
					shape.push(CELL);
					varint(payload, column);
				} else {
					shape.push(TEXT);
					varint(payload, value.length);
					texts.push(value);
				}
			}
		}
		const shapeText = String.fromCharCode(...shape);
		let id = this.#shapeIds.get(shapeText);
		if (id === undefined) {
			id = this.#shapes.push(shapeText) - 1;
			this.#shapeIds.set(shapeText, id);
		}
		const head: number[] = [];
		varint(head, id);
		// One flat string (a join makes one; concatenating would keep the pieces).
		return [String.fromCharCode(...head, ...payload), ...texts].join('');
	}

	#unpack(i: number, isLean: boolean): Partial<UserFields> {
		const packed = this.#values[i]!;
		const values: Record<string, FieldValue | undefined> = {};
		const read = readVarint;
		const inPacked = { at: 0 };
		const shape = this.#shapes[read(packed, inPacked)]!;
		// The payload's numbers come first, the texts after them, in the shape's order.
		const numbers: number[] = [];
		for (const inShape = { at: 0 }; inShape.at < shape.length;) {
			read(shape, inShape);
			const kind = shape.charCodeAt(inShape.at++);
			if (kind === CELL || kind === TEXT) numbers.push(read(packed, inPacked));
		}
		let text = inPacked.at;
		let n = 0;
		for (const inShape = { at: 0 }; inShape.at < shape.length;) {
			const key = this.#keys[read(shape, inShape)]!;
			const kind = shape.charCodeAt(inShape.at++);
			if (kind === UNDEFINED) {
				if (!isLean) values[key] = undefined;
			} else if (kind === FALSE || kind === TRUE) values[key] = kind === TRUE;
			else if (kind === CELL) {
				const cell = cellOf(this.#table, i, numbers[n++]!);
				values[key] = isLean ? ownCopy(cell) : cell;
			} else {
				const length = numbers[n++]!;
				values[key] = packed.slice(text, text + length);
				text += length;
			}
		}
		return values as Partial<UserFields>;
	}

	/**
	 * Row i as RowChecker made it (a new object, but for the shared empty errors of a row with none).
	 * `isLean`: without the values the check left undefined (a key for every field of the policy), as a
	 * commit of a million rows, which holds them all, takes them.
	 */
	at(i: number, isLean = false): CheckedRow | undefined {
		if (i < 0 || i >= this.#length) return undefined;
		const flags = this.#flags[i]!;
		const row: CheckedRow = {
			row: this.#firstRow + i,
			status: STATUSES[flags & 7]!,
			values: this.#unpack(i, isLean),
			hasPassword: (flags & HAS_PASSWORD) !== 0,
			errors: this.#errors.get(i) ?? NO_ERRORS
		};
		const warnings = this.#warnings.get(i);
		if (warnings) row.warnings = warnings;
		const existingId = this.#existingIds.get(i);
		if (existingId !== undefined) row.existingId = existingId;
		const changes = this.#changes.get(i);
		if (changes) row.changes = changes;
		return row;
	}

	/** The errors of row i, without making the row. */
	errorsOf(i: number): readonly CellError[] {
		return this.#errors.get(i) ?? NO_ERRORS;
	}

	/** The status of row i, without making the row. */
	statusOf(i: number): RowStatus | undefined {
		return i >= 0 && i < this.#length ? STATUSES[this.#flags[i]! & 7] : undefined;
	}

	slice(start = 0, end = this.#length): CheckedRow[] {
		const rows: CheckedRow[] = [];
		for (let i = Math.max(0, start); i < Math.min(end, this.#length); i++) rows.push(this.at(i)!);
		return rows;
	}

	/**
	 * The rows for a commit, each made when the commit asks for it: lean (see at), the values that are
	 * cells copied out of the decoded text (ownCopy). The commit holds a chunk of them at a time.
	 */
	forCommit(): RowSource {
		return { length: this.#length, at: (i) => this.at(i, true) };
	}

	*[Symbol.iterator](): Iterator<CheckedRow> {
		for (let i = 0; i < this.#length; i++) yield this.at(i)!;
	}

	/** The errors and warnings of rows [start, end), in row order, without making the rows. */
	problems(start: number, end: number): { errors: CellError[]; warnings: CellError[] } {
		const inRange = (map: ReadonlyMap<number, CellError[]>) => {
			const found: CellError[] = [];
			for (const [i, problems] of map) if (i >= start && i < end) found.push(...problems);
			return found;
		};
		return { errors: inRange(this.#errors), warnings: inRange(this.#warnings) };
	}
}
