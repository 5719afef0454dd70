import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWithPapa } from '../../../src/lib/import/csv';
import { cellOf, readTextCells, TextRows } from '../../../src/lib/import/table-rows';

/**
 * TextRows against papaparse, the reader it stands in for: whatever text it reads, it reads as papaparse
 * does (rows, cells, how far), and what it does not read plainly it leaves to papaparse (undefined).
 */

/** Texts made of the characters that matter to a CSV reader, and a few that matter to UTF-8. */
const csvText = fc
	.array(fc.constantFrom('a', 'b', ' ', '"', '""', ',', ';', '\n', '\n\n', 'é', 'Ł', '😀', 'x"y', '"q"'), {
		maxLength: 40
	})
	.map((parts) => parts.join(''));

describe('readTextCells', () => {
	it('reads every text it takes as papaparse does, rows, cells and cursor', () => {
		fc.assert(
			fc.property(
				csvText.filter((text) => text !== ''),
				fc.constantFrom(',', ';'),
				fc.nat(6),
				(text, delimiter, preview) => {
					const read = readTextCells(text, delimiter, preview);
					const reference = parseWithPapa(text, delimiter, preview);
					if (!read) return;
					expect(reference.errors).toEqual([]);
					expect([...read.rows]).toEqual(reference.data);
					expect(read.cursor).toBe(reference.meta.cursor);
				}
			),
			{ numRuns: 2_000 }
		);
	});

	it('leaves to papaparse only texts with a quote out of place', () => {
		fc.assert(
			fc.property(csvText, fc.constantFrom(',', ';'), (text, delimiter) => {
				if (readTextCells(text, delimiter)) return;
				// Every quoted value closes right before a delimiter, a line break or the end, or it is refused.
				expect(/"/u.test(text)).toBe(true);
			}),
			{ numRuns: 1_000 }
		);
	});

	it('gives each cell alone as its row gives it, and nothing past a row or the table', () => {
		fc.assert(
			fc.property(csvText, (text) => {
				const read = readTextCells(text, ',');
				if (!read) return;
				const { rows } = read;
				for (let r = 0; r < rows.length; r++) {
					const cells = rows.at(r)!;
					expect(rows.widthOf(r)).toBe(cells.length);
					for (let c = 0; c <= cells.length; c++) expect(cellOf(rows, r, c)).toBe(cells[c] ?? '');
				}
				expect(rows.at(rows.length)).toBeUndefined();
				expect(rows.cell(rows.length, 0)).toBe('');
			}),
			{ numRuns: 1_000 }
		);
	});

	it('reads a table of many rows, kept and decoded in blocks, as papaparse does, in any order', () => {
		const cell = fc.constantFrom('a', 'Ł', '"x, ""y"""', '😀', '');
		fc.assert(
			fc.property(
				fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 200, maxLength: 900 }),
				fc.nat(),
				(lines, seed) => {
					const text = lines.map((cells) => cells.join(',')).join('\n');
					const { rows } = readTextCells(text, ',')!;
					const reference = parseWithPapa(text, ',').data;
					expect([...rows]).toEqual(reference);
					// Far apart and backwards: each cell from its own block, whatever was decoded before.
					for (let i = 0; i < 50; i++) {
						const r = (seed + i * 7919) % reference.length;
						expect(rows.cell(r, 0)).toBe(reference[r]![0]);
						expect(rows.from(r).at(0)).toEqual(reference[r]);
					}
				}
			),
			{ numRuns: 30 }
		);
	});

	it('gives views of its rows: from a row, the first rows, with columns emptied', () => {
		const text = 'h1,h2\nAnn,"Lee, ""Jr"""\n\nŁukasz,😀\nlast,row';
		const { rows } = readTextCells(text, ',')!;
		expect(rows).toBeInstanceOf(TextRows);
		expect([...rows.from(1)]).toEqual([['Ann', 'Lee, "Jr"'], [''], ['Łukasz', '😀'], ['last', 'row']]);
		expect([...rows.from(1).head(2)]).toEqual([['Ann', 'Lee, "Jr"'], ['']]);
		expect(
			rows
				.from(1)
				.emptying(new Set([1]))
				.slice(0, 3)
		).toEqual([['Ann', ''], [''], ['Łukasz', '']]);
		expect(
			rows
				.from(1)
				.emptying(new Set([1]))
				.cell(2, 1)
		).toBe('');
		expect(rows.from(9).length).toBe(0);
	});

	it('leaves a text with a lone surrogate, which UTF-8 cannot hold, to papaparse', () => {
		expect(readTextCells('a,\uD800b\n', ',')).toBeUndefined();
	});
});
