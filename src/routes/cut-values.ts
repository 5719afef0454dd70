import type { User } from '$lib/domain/user';
import type { Column } from './columns';

/** Whole values to show over the list (cut in their cells), and the box, in the window, they belong to. */
export interface Shown {
	/** Each value, with its column's label when several are shown at once. */
	values: { label?: string; value: string }[];
	at: DOMRect;
	/** The row they describe, when shown for the keyboard's active row. */
	rowId?: string;
}

/** A cell shows less than its value: cut by its width, or shortened (a date as '3 days ago'). */
function isCut(cell: HTMLElement, column: Column, user: User): boolean {
	return (
		cell.scrollWidth > cell.clientWidth ||
		(column.full !== undefined && column.full(user) !== column.text(user))
	);
}

const wholeValue = (column: Column, user: User) => column.full?.(user) ?? column.text(user);

/**
 * The whole values a row's cells cut, each named by its column (for the keyboard, whose row shows them all
 * at once). The row's cells carry `data-column`, their column's index.
 */
export function rowValues(row: HTMLElement, columns: readonly Column[], user: User): Shown | null {
	const values = [...row.querySelectorAll<HTMLElement>('[data-column]')].flatMap((cell) => {
		const column = columns[Number(cell.dataset.column)];
		return column && isCut(cell, column, user)
			? [{ label: column.label, value: wholeValue(column, user) }]
			: [];
	});
	return values.length > 0 ? { values, at: row.getBoundingClientRect(), rowId: row.id } : null;
}

/** The whole value of one cell, if it cuts it (for a mouse or pen over it). */
export function cellValue(cell: HTMLElement, column: Column, user: User): Shown | null {
	return isCut(cell, column, user)
		? { values: [{ value: wholeValue(column, user) }], at: cell.getBoundingClientRect() }
		: null;
}

/** A column's whole name, if its header cuts it. */
export function headerValue(header: HTMLElement, column: Column): Shown | null {
	return header.scrollWidth > header.clientWidth
		? { values: [{ value: column.label }], at: header.getBoundingClientRect() }
		: null;
}
