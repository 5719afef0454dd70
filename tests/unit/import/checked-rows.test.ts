import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldKey } from '../../../src/lib/domain/fields';
import type { UserFields } from '../../../src/lib/domain/user';
import { CheckedRows } from '../../../src/lib/import/checked-rows';
import { HashedKeys, type CellError, type CheckedRow, type RowStatus } from '../../../src/lib/import/rows';
import { readTextCells } from '../../../src/lib/import/table-rows';

/**
 * CheckedRows against the plain checked rows it keeps: every row comes back as it went in (values in
 * their order, undefined ones included, errors, warnings, matches, changes), whatever its values are
 * made of; HashedKeys against a Map.
 */

const KEYS: FieldKey[] = ['firstName', 'lastName', 'email', 'username', 'mobilePhone', 'inGlobalAddressBook'];
const STATUSES: RowStatus[] = ['new', 'update', 'unchanged', 'error', 'blank'];
const CELLS = ['', 'Ann', 'Lee', 'ann@example.com', 'Łukasz', '"quoted, text"', '😀', 'x'.repeat(200)];

/** A row of cells, and a checked row whose values are its cells, other texts, booleans or undefined. */
const checkedRow = fc
	.record({
		cells: fc.array(fc.constantFrom(...CELLS), { minLength: 1, maxLength: 6 }),
		values: fc.array(
			fc.tuple(
				fc.constantFrom(...KEYS),
				fc.oneof(
					fc.nat(5).map((column) => ({ column })),
					fc.string({ unit: 'binary', maxLength: 300 }),
					fc.boolean(),
					fc.constant(undefined)
				)
			),
			{ maxLength: 6 }
		),
		status: fc.constantFrom(...STATUSES),
		hasPassword: fc.boolean(),
		existingId: fc.option(fc.nat(), { nil: undefined }),
		changes: fc.option(fc.subarray(KEYS, { minLength: 1 }), { nil: undefined }),
		errors: fc.array(fc.string(), { maxLength: 2 }),
		warnings: fc.option(fc.array(fc.string(), { minLength: 1, maxLength: 2 }), { nil: undefined })
	})
	.map(({ cells, values, errors, warnings, ...rest }) => ({ cells, values, errors, warnings, ...rest }));

const problem = (row: number, message: string): CellError => ({ row, message, field: 'email' });

/** Each row's cells as one line of CSV, quoted where they must be. */
const csvLine = (cells: readonly string[]) =>
	cells.map((cell) => (/[",\n]/u.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',');

describe('CheckedRows', () => {
	it('gives back every row as it was added, its values in order, from a compact table or arrays', () => {
		fc.assert(
			fc.property(fc.array(checkedRow, { minLength: 1, maxLength: 12 }), fc.boolean(), (made, isText) => {
				const lines = made.map(({ cells }) => cells);
				const text = lines.map(csvLine).join('\n');
				// An empty text is no row at all (as papaparse reads it): that one table stays as arrays.
				const table = isText && text !== '' ? readTextCells(text, ',')!.rows : lines;
				const columns = new Map(KEYS.map((key, i) => [key, [i % 3, 3 + (i % 3)]]));
				const rows = new CheckedRows(table, 2, columns);
				const plain: CheckedRow[] = made.map((m, i) => {
					const values: Partial<UserFields> = Object.fromEntries(
						m.values.map(([key, value]) => [
							key,
							typeof value === 'object' ? (m.cells[value.column] ?? '') : value
						])
					) as Partial<UserFields>;
					const row: CheckedRow = {
						row: i + 2,
						status: m.status,
						values,
						hasPassword: m.hasPassword,
						errors: m.errors.map((message) => problem(i + 2, message))
					};
					if (m.warnings) row.warnings = m.warnings.map((message) => problem(i + 2, message));
					if (m.existingId !== undefined) row.existingId = m.existingId;
					if (m.changes) row.changes = m.changes;
					return row;
				});
				plain.forEach((row, i) => rows.add(row, table.at(i)!));
				expect(rows.length).toBe(plain.length);
				expect([...rows]).toStrictEqual(plain);
				for (const [i, row] of plain.entries()) {
					expect(Object.keys(rows.at(i)!.values)).toEqual(Object.keys(row.values));
					expect(rows.statusOf(i)).toBe(row.status);
					expect(rows.errorsOf(i)).toEqual(row.errors);
				}
				expect(rows.slice(1, 3)).toStrictEqual(plain.slice(1, 3));
				// For a commit: the same rows without the values left undefined.
				const defined = (row: CheckedRow) =>
					Object.fromEntries(Object.entries(row.values).filter(([, value]) => value !== undefined));
				const source = rows.forCommit();
				expect(source.length).toBe(plain.length);
				expect(Array.from({ length: source.length }, (_, i) => source.at(i))).toStrictEqual(
					plain.map((row) => ({ ...row, values: defined(row) }))
				);
				expect(rows.problems(1, plain.length)).toEqual({
					errors: plain.slice(1).flatMap((row) => row.errors),
					warnings: plain.slice(1).flatMap((row) => row.warnings ?? [])
				});
				expect(rows.rowsWithErrors).toBe(plain.filter((row) => row.errors.length > 0).length);
				expect(rows.at(plain.length)).toBeUndefined();
			}),
			{ numRuns: 500 }
		);
	});

	it('gives every row without errors one empty list that nothing can add to', () => {
		const rows = new CheckedRows([['Ann'], ['Lee']], 2, new Map());
		rows.add({ row: 2, status: 'new', values: { firstName: 'Ann' }, hasPassword: false, errors: [] }, [
			'Ann'
		]);
		rows.add({ row: 3, status: 'new', values: { firstName: 'Lee' }, hasPassword: false, errors: [] }, [
			'Lee'
		]);
		expect(rows.at(0)!.errors).toBe(rows.at(1)!.errors);
		expect(() => rows.at(0)!.errors.push(problem(2, 'no'))).toThrow(TypeError);
	});

	it('refuses a row out of turn: rows are kept by their place', () => {
		const rows = new CheckedRows([['Ann']], 2, new Map());
		expect(() =>
			rows.add({ row: 5, status: 'blank', values: {}, hasPassword: false, errors: [] }, ['Ann'])
		).toThrow('out of turn');
	});
});

describe('HashedKeys', () => {
	it('finds the first row of each key as a Map of them does, past any number of keys', () => {
		fc.assert(
			fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 3_000 }), (keys) => {
				const byRow = new Map(keys.map((key, i) => [i + 2, key]));
				const hashed = new HashedKeys((row) => byRow.get(row));
				const first = new Map<string, number>();
				keys.forEach((key, i) => {
					expect(hashed.firstRow(key, i + 2)).toBe(first.get(key));
					if (!first.has(key)) first.set(key, i + 2);
				});
			}),
			{ numRuns: 50 }
		);
	});

	it('tells apart two keys of the same hash by their rows', () => {
		// Two keys of one 32-bit hash (FNV-1a, as HashedKeys hashes), found by trying names in turn.
		const hash = (text: string) => {
			let h = 0x811c9dc5;
			for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
			return h | 0;
		};
		const seen = new Map<number, string>();
		let pair: [string, string] | undefined;
		for (let i = 0; !pair; i++) {
			const key = `user${i}@example.com`;
			const other = seen.get(hash(key));
			if (other !== undefined) pair = [other, key];
			else seen.set(hash(key), key);
		}
		const [a, b] = pair;
		const keys = new Map([
			[2, a],
			[3, b]
		]);
		const hashed = new HashedKeys((row) => keys.get(row));
		expect(hashed.firstRow(a, 2)).toBeUndefined();
		expect(hashed.firstRow(b, 3)).toBeUndefined();
		expect(hashed.firstRow(b, 4)).toBe(3);
		expect(hashed.firstRow(a, 5)).toBe(2);
	});
});
