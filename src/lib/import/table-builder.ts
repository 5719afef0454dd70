import { fields } from '$lib/domain/fields';
import { EXPORT_ONLY_HEADERS } from '$lib/export/shapes';

/** A file read into the headers and rows of text the import maps, like a spreadsheet's. */
export interface TextTable {
	headers: string[];
	rows: string[][];
}

const registryOrder = new Map(fields.map((def, i) => [def.label, i]));
const exportOnly: readonly string[] = Object.values(EXPORT_ONLY_HEADERS);

/**
 * Whether a custom attribute's name read from a file is one of the columns the reader fills itself (a
 * field's label, a status column): Rollcall refuses such a name, so it comes only from a file made
 * elsewhere, and taking it would put its value over the field's own.
 */
export const isReservedColumn = (name: string) => registryOrder.has(name) || exportOnly.includes(name);

/**
 * Builds a table from records of cells by column name (SCIM users, vCards), whose columns are only known
 * once every record is read: the registry's fields in registry order, then other columns (custom
 * attributes) as first met, then the status columns Rollcall's exports add.
 */
export class TableBuilder {
	#records: Map<string, string>[] = [];
	#seen = new Set<string>();

	add(cells: Map<string, string>): void {
		this.#records.push(cells);
		for (const column of cells.keys()) this.#seen.add(column);
	}

	finish(): TextTable {
		const seen = [...this.#seen];
		const headers = [
			...seen
				.filter((c) => registryOrder.has(c))
				.sort((a, b) => registryOrder.get(a)! - registryOrder.get(b)!),
			...seen.filter((c) => !registryOrder.has(c) && !exportOnly.includes(c)),
			...exportOnly.filter((c) => this.#seen.has(c))
		];
		const rows = this.#records.map((cells) => headers.map((header) => cells.get(header) ?? ''));
		this.#records = [];
		return { headers, rows };
	}
}
