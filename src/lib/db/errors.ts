import type { FieldKey } from '$lib/domain/fields';
import { shortagesMessage, type Shortage } from '$lib/domain/seats';

/** A value that must be unique (email, username, customer code) is already used by another user. */
export class DuplicateError extends Error {
	readonly field: FieldKey;
	constructor(field: FieldKey, message: string) {
		super(message);
		this.name = 'DuplicateError';
		this.field = field;
	}
}

/**
 * A change would give products to more users than there are free seats (or set a pool below its use):
 * refused inside the transaction of the change, so nothing of it is kept.
 */
export class SeatsError extends Error {
	readonly shortages: readonly Shortage[];
	constructor(shortages: readonly Shortage[], message = shortagesMessage(shortages)) {
		super(message);
		this.name = 'SeatsError';
		this.shortages = shortages;
	}
}

function isQuotaError(error: unknown): boolean {
	// Dexie may wrap the browser's QuotaExceededError in an AbortError (error.inner).
	for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
		const { name, inner } = e as { name?: string; inner?: unknown };
		if (name === 'QuotaExceededError') return true;
		e = inner;
	}
	return false;
}

/** The sentence an admin reads when saving failed, saying that nothing was changed. */
export function storageErrorMessage(error: unknown): string {
	if (error instanceof DuplicateError || error instanceof SeatsError) return error.message;
	if (isQuotaError(error)) {
		return 'This device is out of storage space, so nothing was saved. Free some space (or ask the browser to keep more for Rollcall), then try again.';
	}
	const name = (error as { name?: string } | null)?.name;
	if (name === 'DatabaseClosedError') {
		return 'Rollcall was updated in another tab, so this tab can no longer save. Reload the page; nothing was saved.';
	}
	const detail = error instanceof Error ? error.message : String(error);
	return `Saving failed and nothing was changed: ${detail}`;
}
