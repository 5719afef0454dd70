import { SvelteSet } from 'svelte/reactivity';

/**
 * Which rows of a list are selected. 'Select all' selects everything the list matches, not just
 * what is on screen, so it is kept as 'all except these' instead of a set of a million ids.
 */
export class Selection {
	#isAll = $state(false);
	/** Selected ids, or when #isAll, the ids left out. */
	#marked = new SvelteSet<number>();
	#anchor = $state<number | null>(null);
	/** Where the last Shift+arrow range ended, so extending it again replaces that range. */
	#rangeEnd: number | null = null;

	isSelected(id: number): boolean {
		return this.#isAll !== this.#marked.has(id);
	}

	/** How many of the list's `total` rows are selected. */
	count(total: number): number {
		return this.#isAll ? total - this.#marked.size : this.#marked.size;
	}

	get isAll(): boolean {
		return this.#isAll && this.#marked.size === 0;
	}

	get isEmpty(): boolean {
		return !this.#isAll && this.#marked.size === 0;
	}

	/** The selected ids among the list's ids, in list order. */
	resolve(ids: readonly number[]): number[] {
		return ids.filter((id) => this.isSelected(id));
	}

	/** Selects or unselects one row; with `isRange`, every row from the last one clicked to this one. */
	toggle(ids: readonly number[], index: number, isRange = false): void {
		const id = ids[index];
		if (id === undefined) return;
		const select = !this.isSelected(id);
		if (isRange && this.#anchor !== null) {
			const [from, to] = this.#anchor < index ? [this.#anchor, index] : [index, this.#anchor];
			for (let i = from; i <= to; i++) this.#set(ids[i]!, select);
		} else {
			this.#set(id, select);
		}
		this.#anchor = index;
		this.#rangeEnd = null;
	}

	/**
	 * Shift+arrow: selects from the anchor (the row the range started on) to `to`, replacing the range
	 * a previous Shift+arrow made, so moving back shrinks it.
	 */
	extend(ids: readonly number[], from: number, to: number): void {
		this.#anchor ??= from;
		const anchor = this.#anchor;
		if (this.#rangeEnd !== null) this.#setRange(ids, anchor, this.#rangeEnd, false);
		this.#setRange(ids, anchor, to, true);
		this.#rangeEnd = to;
	}

	#setRange(ids: readonly number[], a: number, b: number, select: boolean): void {
		for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
			const id = ids[i];
			if (id !== undefined) this.#set(id, select);
		}
	}

	#set(id: number, select: boolean): void {
		// In 'all' mode the set holds exclusions, so selecting removes from it.
		if (select !== this.#isAll) this.#marked.add(id);
		else this.#marked.delete(id);
	}

	selectAll(): void {
		this.#isAll = true;
		this.#marked.clear();
	}

	clear(): void {
		this.#isAll = false;
		this.#marked.clear();
		this.#anchor = null;
		this.#rangeEnd = null;
	}
}
