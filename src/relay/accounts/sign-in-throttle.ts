// How hard the relay makes guessing passwords at /signin. OWASP's advice is to throttle rather than lock:
// a hard lock-out lets anyone lock a known account, so here nothing locks for long, and the one who guesses
// is the one who waits.
//
// - Per source (client address + account): the first few failures are free, then each attempt waits twice
//   as long as the one before, up to the whole window. A right password from that source clears it.
// - Per account (whoever asks, by username or email alike): `limit` failures per window, refilled evenly,
//   so when it runs out the wait is one refill step (90 s at the defaults). One source backs off long
//   before it can empty this budget, so a single attacker cannot keep the real user out; many sources
//   together share `limit` guesses per window and make others wait a refill step at a time.
// - Per client address (across accounts): three times `limit` per window, against trying one password on
//   many accounts.
// - A browser the account signed in from before (a trusted-browser cookie, OWASP's "device cookies") is
//   its own source and skips the account's and the address's budgets: guessers on many addresses that
//   empty the account's budget do not keep its owner out. A stolen cookie gains an attacker nothing more
//   than one more source, throttled like any.
//
// Every attempt is counted BEFORE its password is hashed, so parallel requests cannot all slip through a
// check made before any of them finished; a right password gives its count back.
import { RateLimiter } from '../rate-limit.ts';

export interface SignInAttempt {
	readonly address: string;
	readonly account: string;
	/** The per-source key: the address, or the trusted browser, with the account. */
	readonly source: string;
	readonly isTrusted: boolean;
}

export type SignInGate =
	| { ok: true; attempt: SignInAttempt }
	| { ok: false; retryAfterSeconds: number; limit: 'source' | 'account' | 'address' };

export interface SignInThrottleOptions {
	/** Failed sign-ins per account per window (RATE_LIMIT_SIGNIN_FAILURES_PER_15_MINUTES). */
	readonly limit: number;
	readonly windowMs: number;
	readonly now?: () => number;
}

export class SignInThrottle {
	readonly #perAccount: RateLimiter;
	readonly #perAddress: RateLimiter;
	readonly #perSource: Backoff;

	constructor({ limit, windowMs, now = Date.now }: SignInThrottleOptions) {
		this.#perAccount = new RateLimiter(limit, windowMs, now);
		this.#perAddress = new RateLimiter(limit * 3, windowMs, now);
		this.#perSource = new Backoff({
			free: Math.ceil(limit / 2),
			firstDelayMs: windowMs / limit,
			maxDelayMs: windowMs,
			forgetAfterMs: windowMs * 4,
			now
		});
	}

	/**
	 * Counts an attempt before its password is checked; refused with the seconds to wait when over a limit.
	 * `browser` is the hash of a trusted-browser token already checked to belong to `account`.
	 */
	begin(address: string, account: string, browser?: string): SignInGate {
		const source = `${browser ? `browser:${browser}` : address}\n${account}`;
		const waits = [
			{ limit: 'source', wait: this.#perSource.wait(source) },
			{ limit: 'account', wait: browser ? 0 : this.#perAccount.peek(account) },
			{ limit: 'address', wait: browser ? 0 : this.#perAddress.peek(address) }
		] as const;
		const refused = waits.find((entry) => entry.wait > 0);
		if (refused) {
			return {
				ok: false,
				limit: refused.limit,
				retryAfterSeconds: Math.max(...waits.map((entry) => entry.wait))
			};
		}
		this.#perSource.fail(source);
		if (!browser) {
			this.#perAccount.take(account);
			this.#perAddress.take(address);
		}
		return { ok: true, attempt: { address, account, source, isTrusted: Boolean(browser) } };
	}

	/** The password was right: the attempt does not count, and its source starts afresh. */
	succeeded(attempt: SignInAttempt): void {
		this.#perSource.clear(attempt.source);
		this.#giveBack(attempt);
	}

	/** The attempt never ran (no room to hash it): give back what it took. */
	withdraw(attempt: SignInAttempt): void {
		this.#perSource.undo(attempt.source);
		this.#giveBack(attempt);
	}

	#giveBack(attempt: SignInAttempt): void {
		if (attempt.isTrusted) return;
		this.#perAccount.give(attempt.account);
		this.#perAddress.give(attempt.address);
	}
}

interface BackoffOptions {
	readonly free: number;
	readonly firstDelayMs: number;
	readonly maxDelayMs: number;
	readonly forgetAfterMs: number;
	readonly now: () => number;
}

/** Failures per key: `free` of them go at once, then each waits double the one before, up to a ceiling. */
class Backoff {
	readonly #options: BackoffOptions;
	readonly #entries = new Map<string, { failures: number; lastAt: number }>();

	constructor(options: BackoffOptions) {
		this.#options = options;
	}

	/** Seconds until `key` may try again; 0 now. */
	wait(key: string): number {
		const entry = this.#current(key);
		if (!entry || entry.failures < this.#options.free) return 0;
		const { firstDelayMs, maxDelayMs, free, now } = this.#options;
		const delay = Math.min(maxDelayMs, firstDelayMs * 2 ** (entry.failures - free));
		const left = entry.lastAt + delay - now();
		return left > 0 ? Math.ceil(left / 1000) : 0;
	}

	fail(key: string): void {
		const entry = this.#current(key) ?? { failures: 0, lastAt: 0 };
		entry.failures += 1;
		entry.lastAt = this.#options.now();
		this.#entries.set(key, entry);
		if (this.#entries.size > 100_000) this.#prune();
	}

	undo(key: string): void {
		const entry = this.#entries.get(key);
		if (entry) entry.failures = Math.max(0, entry.failures - 1);
	}

	clear(key: string): void {
		this.#entries.delete(key);
	}

	/** The entry, unless it has been quiet long enough to be forgiven. */
	#current(key: string): { failures: number; lastAt: number } | undefined {
		const entry = this.#entries.get(key);
		if (entry && this.#options.now() - entry.lastAt >= this.#options.forgetAfterMs) {
			this.#entries.delete(key);
			return undefined;
		}
		return entry;
	}

	#prune(): void {
		const now = this.#options.now();
		for (const [key, entry] of this.#entries) {
			if (now - entry.lastAt >= this.#options.forgetAfterMs) this.#entries.delete(key);
		}
	}
}
