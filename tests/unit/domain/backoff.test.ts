import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, nextAttemptAt } from '$lib/domain/backoff';

const policy = { baseMs: 1_000, capMs: 60_000 };

describe('backoff with full jitter', () => {
	it('waits between 0 and min(cap, base x 2^attempt), whatever the attempt and the draw', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 10_000 }),
				fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
				(attempt, draw) => {
					const wait = backoffDelay(attempt, () => draw, policy);
					const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
					expect(wait).toBeGreaterThanOrEqual(0);
					expect(wait).toBeLessThan(Math.max(1, ceiling));
					expect(Number.isInteger(wait)).toBe(true);
				}
			)
		);
	});

	it('spreads over the whole range (full jitter, not a fixed step)', () => {
		expect(backoffDelay(3, () => 0, policy)).toBe(0);
		expect(backoffDelay(3, () => 0.999_999, policy)).toBe(7_999);
		expect(backoffDelay(40, () => 0.5, policy)).toBe(30_000);
	});

	it('never comes back before the Retry-After the relay asked for', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 30 }),
				fc.integer({ min: 0, max: 3_600 }),
				fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
				(attempt, retryAfter, draw) => {
					const at = nextAttemptAt(1_000_000, attempt, retryAfter, () => draw, policy);
					expect(at).toBeGreaterThanOrEqual(1_000_000 + retryAfter * 1000);
					expect(at).toBeLessThanOrEqual(1_000_000 + Math.max(retryAfter * 1000, policy.capMs));
				}
			)
		);
	});
});
