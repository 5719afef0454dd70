import { describe, expect, it } from 'vitest';
import { Selection } from '../../../src/lib/state/selection.svelte';

const ids = [10, 11, 12, 13, 14, 15];
const chosen = (selection: Selection) => selection.resolve(ids);

describe('Selection', () => {
	it('toggles rows and selects a shift-click range from the last row clicked', () => {
		const selection = new Selection();
		selection.toggle(ids, 1);
		selection.toggle(ids, 4, true);
		expect(chosen(selection)).toEqual([11, 12, 13, 14]);
		expect(selection.count(ids.length)).toBe(4);
	});

	it('select all covers every row of the list, minus the ones unticked after', () => {
		const selection = new Selection();
		selection.selectAll();
		expect(selection.isAll).toBe(true);
		selection.toggle(ids, 2);
		expect(chosen(selection)).toEqual([10, 11, 13, 14, 15]);
		expect(selection.count(ids.length)).toBe(5);
		expect(selection.isAll).toBe(false);
	});

	it('Shift+arrow extends from the starting row and shrinks when moving back', () => {
		const selection = new Selection();
		selection.extend(ids, 1, 2);
		expect(chosen(selection)).toEqual([11, 12]);
		selection.extend(ids, 2, 3);
		expect(chosen(selection)).toEqual([11, 12, 13]);
		selection.extend(ids, 3, 2);
		expect(chosen(selection)).toEqual([11, 12]);
		selection.extend(ids, 2, 0);
		expect(chosen(selection)).toEqual([10, 11]);
	});

	it('clear forgets the selection and the range anchor', () => {
		const selection = new Selection();
		selection.toggle(ids, 0);
		selection.clear();
		expect(selection.isEmpty).toBe(true);
		selection.extend(ids, 4, 5);
		expect(chosen(selection)).toEqual([14, 15]);
	});
});
