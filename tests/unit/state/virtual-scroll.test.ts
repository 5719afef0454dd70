import { describe, expect, it } from 'vitest';
import {
	MAX_SCROLL_HEIGHT,
	scrollHeight,
	scrollTopFor,
	scrollWindow
} from '../../../src/lib/state/virtual-scroll.svelte';

const ROW = 44;
const VIEW = 560;

/** Where a row is drawn, relative to the viewport's top, for a scroll position. */
function rowTopOnScreen(index: number, count: number, scrollTop: number): number | undefined {
	const win = scrollWindow(count, ROW, VIEW, scrollTop);
	if (index < win.first || index >= win.last) return undefined;
	return win.top + (index - win.first) * ROW - scrollTop;
}

describe.each([1_000, 100_000, 1_000_000])('%i rows', (count) => {
	it('keeps the scroll space under the browser cap', () => {
		expect(scrollHeight(count, ROW)).toBeLessThanOrEqual(MAX_SCROLL_HEIGHT);
	});

	it('brings any row fully into view from anywhere, with whole-pixel scroll positions', () => {
		const space = scrollHeight(count, ROW);
		const indexes = [0, 1, 2, count >> 1, count - 2, count - 1];
		for (let i = 0; i < 40; i++) indexes.push(Math.floor((((i * 7919) % 1000) / 1000) * count));
		for (const from of [0, Math.floor((space - VIEW) / 3), space - VIEW]) {
			for (const index of indexes) {
				const top = Math.round(scrollTopFor(index, count, ROW, VIEW, from));
				const onScreen = rowTopOnScreen(index, count, top);
				expect(onScreen, `row ${index} from ${from}`).toBeDefined();
				expect(onScreen!).toBeGreaterThanOrEqual(-0.001);
				expect(onScreen! + ROW).toBeLessThanOrEqual(VIEW + 0.001);
			}
		}
	});

	it('shows the last row at the bottom when scrolled to the end', () => {
		const end = scrollHeight(count, ROW) - VIEW;
		const win = scrollWindow(count, ROW, VIEW, end);
		expect(win.last).toBe(count);
		expect(rowTopOnScreen(count - 1, count, end)).toBeCloseTo(VIEW - ROW, 3);
	});
});
