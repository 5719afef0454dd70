/**
 * Browsers cap an element's height near 16.7M px (Chrome) / 17.9M px (Firefox), so a list taller than
 * this is drawn in a scaled scroll space: the scroll bar covers every row, each pixel of scroll standing
 * for several pixels of list. Below the cap the scale is 1 and scrolling is exact.
 */
export const MAX_SCROLL_HEIGHT = 8_000_000;

export interface ScrollWindow {
	/** Index of the first row drawn. */
	first: number;
	/** Index after the last row drawn. */
	last: number;
	/** Where the first drawn row's top sits, in the scroller's content coordinates. */
	top: number;
}

/** Height of the scroll space for `count` rows. */
export function scrollHeight(count: number, rowHeight: number): number {
	return Math.min(count * rowHeight, MAX_SCROLL_HEIGHT);
}

/** Which rows to draw, and where, for a scroll position. */
export function scrollWindow(
	count: number,
	rowHeight: number,
	viewport: number,
	scrollTop: number,
	overscan = 4
): ScrollWindow {
	const listHeight = count * rowHeight;
	const space = scrollHeight(count, rowHeight);
	const maxScroll = Math.max(0, space - viewport);
	const maxList = Math.max(0, listHeight - viewport);
	const top = Math.min(Math.max(0, scrollTop), maxScroll);
	const virtualTop = maxScroll === 0 ? 0 : (top / maxScroll) * maxList;
	const firstVisible = Math.floor(virtualTop / rowHeight);
	const first = Math.max(0, firstVisible - overscan);
	const last = Math.min(count, Math.ceil((virtualTop + viewport) / rowHeight) + overscan);
	// The first visible row is drawn at its exact offset from the viewport's top.
	return { first, last, top: top - (virtualTop - first * rowHeight) };
}

/** The scroll position that shows row `index` (at the top or bottom edge, whichever is nearer). */
export function scrollTopFor(
	index: number,
	count: number,
	rowHeight: number,
	viewport: number,
	currentTop: number
): number {
	const space = scrollHeight(count, rowHeight);
	const maxScroll = Math.max(0, space - viewport);
	const maxList = Math.max(0, count * rowHeight - viewport);
	const ratio = maxList === 0 ? 1 : maxScroll / maxList;
	const current = maxScroll === 0 ? 0 : (currentTop / maxScroll) * maxList;
	const rowTop = index * rowHeight;
	// Browsers keep scrollTop in whole pixels; round so that, read back, the row is still fully in view.
	let top = currentTop;
	if (rowTop < current) top = Math.floor(rowTop * ratio);
	else if (rowTop + rowHeight > current + viewport) top = Math.ceil((rowTop + rowHeight - viewport) * ratio);
	return Math.min(maxScroll, Math.max(0, top));
}
