/** How long to wait before trying a failed send again. */
export interface BackoffPolicy {
	/** The ceiling of the first wait, in ms. */
	baseMs: number;
	/** No wait is ever longer than this, in ms. */
	capMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 2_000, capMs: 10 * 60_000 };

/**
 * Exponential backoff with full jitter: a random wait between 0 and min(cap, base x 2^attempt). The
 * randomness spreads many devices that lost the relay at the same moment, so they do not all come back
 * together. `attempt` counts from 0; `random` returns [0, 1) like Math.random.
 */
export function backoffDelay(
	attempt: number,
	random: () => number = Math.random,
	policy: BackoffPolicy = defaultBackoff
): number {
	const exponent = Math.min(Math.max(0, Math.floor(attempt)), 52);
	const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
	return Math.floor(random() * ceiling);
}

/**
 * When to try again: after the backoff, and never before the relay's Retry-After (seconds) when it gave one.
 */
export function nextAttemptAt(
	now: number,
	attempt: number,
	retryAfterSeconds?: number,
	random: () => number = Math.random,
	policy: BackoffPolicy = defaultBackoff
): number {
	const wait = backoffDelay(attempt, random, policy);
	const floor = retryAfterSeconds !== undefined && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : 0;
	return now + Math.max(wait, floor);
}
