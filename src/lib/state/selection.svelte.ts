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
	}
}
