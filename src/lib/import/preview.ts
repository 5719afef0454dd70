import { field, type FieldContext, type FieldKey } from '$lib/domain/fields';
import type { UserFields } from '$lib/domain/user';
import { isVerbatimFormat, unescapeFormula } from './formula';
import type { CheckedRow } from './rows';

/**
 * What the import preview shows in one cell. A valid value is shown as it will be stored; a value with an
 * error is not stored at all, so the preview shows the file's own cell (as the check read it: Rollcall's
 * formula apostrophe taken off), or the admin would see an empty cell and not know what to fix.
 */

/** A problem a preview cell is marked with: an error stops the row, a warning keeps the value as typed. */
export interface CellProblem {
	kind: 'error' | 'warning';
	message: string;
}

export interface PreviewCell {
	/** The value as stored, or as typed when it has an error. */
	text: string;
	problem?: CellProblem;
}

/** How the preview reads a file's cells. */
export interface PreviewOptions {
	context: FieldContext;
	/** The file's format: SCIM JSON and vCard cells are taken as they are, table cells unescaped. */
	format: string;
}

const storedText = (row: CheckedRow, key: FieldKey, context: FieldContext): string => {
	const value = row.values[key as keyof UserFields];
	return value === undefined ? '' : field(key).format(value, context);
};

/**
 * One cell of a checked row: `cells` is the row as the file gives it (undefined when the page does not
 * have it), each error names the column it was read from (a backup column, say).
 */
export function previewCell(
	row: CheckedRow,
	key: FieldKey,
	cells: readonly string[] | undefined,
	options: PreviewOptions
): PreviewCell {
	const errors = row.errors.filter((error) => error.field === key);
	if (errors.length > 0) {
		const column = errors.find((error) => error.column !== undefined)?.column;
		const typed = column === undefined ? undefined : cells?.[column];
		const text =
			typed === undefined
				? storedText(row, key, options.context)
				: isVerbatimFormat(options.format)
					? typed
					: unescapeFormula(typed);
		return { text, problem: { kind: 'error', message: errors.map((error) => error.message).join(' ') } };
	}
	const text = storedText(row, key, options.context);
	const warning = row.warnings?.find((w) => w.field === key);
	return warning ? { text, problem: { kind: 'warning', message: warning.message } } : { text };
}
