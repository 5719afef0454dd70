/** A deletion made on a user's page, handed to the Users list so its Undo is offered there. */
export interface Deletion {
	batch: string;
	count: number;
	/** The first few deleted users' names, in order, for the notice. */
	names: string[];
}

let pending: Deletion | null = null;

export function offerUndo(deletion: Deletion): void {
	pending = deletion;
}

/** The deletion to offer, once: the next visit to the list no longer shows it. */
export function takeUndo(): Deletion | null {
	const deletion = pending;
	pending = null;
	return deletion;
}
