import type { SyncResult } from './sync-once';

/** A wait the relay asked this device for: why, in its words, and until when (ms since the epoch). */
export interface SendingLimit {
	readonly reason: string;
	readonly until: number;
}

/**
 * The wait that stands after a sync round: a new one when the relay asked for it (the device's cap, or a
 * 429 for too many requests), else the one before until it passes or the relay takes messages again. A
 * round with nothing due says nothing new about it.
 */
export function limitAfter(
	previous: SendingLimit | null,
	result: SyncResult,
	now: number
): SendingLimit | null {
	if (result.state !== 'done') return null;
	const { problem, flushed } = result;
	const asked =
		problem?.kind === 'rate-limited'
			? { reason: problem.message, retryAfterSeconds: problem.retryAfterSeconds }
			: flushed.deviceLimit;
	if (asked) return { reason: asked.reason, until: now + asked.retryAfterSeconds * 1000 };
	if (flushed.accepted > 0 || (previous && previous.until <= now)) return null;
	return previous;
}
