/**
 * Counts events per key in a sliding budget (a token bucket): `limit` per `windowMs`, refilled evenly.
 * Kept in memory: a restart forgives everyone, which is acceptable for limits meant to stop bursts.
 */
export class RateLimiter {
	readonly #limit: number;
	readonly #windowMs: number;
	readonly #now: () => number;
	readonly #buckets = new Map<string, { tokens: number; at: number }>();

	constructor(limit: number, windowMs: number, now: () => number = Date.now) {
		this.#limit = limit;
		this.#windowMs = windowMs;
		this.#now = now;
	}

	/** Takes one from `key`'s budget: 0 when allowed, else the seconds until one is available again. */
	take(key: string): number {
		const wait = this.peek(key);
		if (wait > 0) return wait;
		const bucket = this.#refill(key);
		bucket.tokens -= 1;
		return 0;
	}

	/** Like take, without using anything up. */
	peek(key: string): number {
		const bucket = this.#refill(key);
		if (bucket.tokens >= 1) return 0;
		const perMs = this.#limit / this.#windowMs;
		return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
	}

	/** Gives back one taken with `take` (an attempt counted up front that turned out not to count). */
	give(key: string): void {
		const bucket = this.#refill(key);
		bucket.tokens = Math.min(this.#limit, bucket.tokens + 1);
	}

	#refill(key: string): { tokens: number; at: number } {
		const now = this.#now();
		let bucket = this.#buckets.get(key);
		if (!bucket) {
			bucket = { tokens: this.#limit, at: now };
			this.#buckets.set(key, bucket);
			if (this.#buckets.size > 100_000) this.#prune(now);
			return bucket;
		}
		bucket.tokens = Math.min(this.#limit, bucket.tokens + ((now - bucket.at) * this.#limit) / this.#windowMs);
		bucket.at = now;
		return bucket;
	}

	/** Full buckets carry no information: drop them so the map cannot grow without bound. */
	#prune(now: number): void {
		for (const [key, bucket] of this.#buckets) {
			if (bucket.tokens + ((now - bucket.at) * this.#limit) / this.#windowMs >= this.#limit) {
				this.#buckets.delete(key);
			}
		}
	}
}
