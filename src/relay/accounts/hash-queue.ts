// scrypt runs on libuv's thread pool (4 threads by default), the same pool that reads the app's files
// and resolves host names. Unbounded, a flood of sign-ins fills every thread for seconds and a static
// file waits behind it. Every password hash of the relay goes through one HashQueue: a few at once, a
// short wait for the rest, and a refusal (429) for whatever does not fit.

/**
 * Who waits for a hash. 'person' is someone finishing a step they were invited to (an activation link,
 * the SMS with their login details): they need an unguessable link or a device token to get here, so they
 * go ahead of every waiting sign-in and a sign-in flood can never starve them. 'sign-in' is anyone who can
 * reach /signin: their wait is short and bounded.
 */
export type HashLane = 'person' | 'sign-in';

export interface HashQueueOptions {
	/** Hashes running at once; below libuv's 4 threads, so files and DNS always find a free one. */
	readonly running: number;
	/** Sign-ins waiting for a turn; one more is refused. */
	readonly waiting: number;
	/** People (activation, SMS login details) waiting for a turn; they wait ahead of sign-ins. */
	readonly personWaiting?: number;
}

export interface HashQueueStats {
	readonly running: number;
	readonly waiting: number;
	/** The most hashes that ever ran at once. */
	readonly maxRunning: number;
	/** Hashes started since the relay started. */
	readonly started: number;
	/** Hashes refused because their lane was full. */
	readonly refused: number;
}

export class HashQueue {
	readonly #running: number;
	readonly #caps: Record<HashLane, number>;
	readonly #lanes: Record<HashLane, (() => void)[]> = { person: [], 'sign-in': [] };
	#active = 0;
	#maxActive = 0;
	#started = 0;
	#refused = 0;

	constructor(options: HashQueueOptions) {
		this.#running = options.running;
		this.#caps = { person: options.personWaiting ?? 64, 'sign-in': options.waiting };
	}

	/**
	 * Runs `hash` when a slot is free. Undefined, with nothing started or queued, when the lane is full:
	 * the caller answers 429 (or 503) with Retry-After. The decision is made before any await, so a
	 * caller can undo its own bookkeeping at once.
	 */
	run<T>(lane: HashLane, hash: () => Promise<T>): Promise<T> | undefined {
		if (this.#active < this.#running && this.#waitingCount() === 0) {
			this.#active += 1;
			return this.#start(hash);
		}
		if (this.#lanes[lane].length >= this.#caps[lane]) {
			this.#refused += 1;
			return undefined;
		}
		return new Promise<void>((resolve) => this.#lanes[lane].push(resolve)).then(() => this.#start(hash));
	}

	/** Seconds a refused caller should wait: about the time the queue ahead of it takes to drain. */
	retryAfterSeconds(): number {
		const ahead = this.#active + this.#waitingCount();
		// One hash is about half a second at OWASP's scrypt parameters, more on a busy machine.
		return Math.min(60, Math.max(1, Math.ceil(ahead / this.#running)));
	}

	stats(): HashQueueStats {
		return {
			running: this.#active,
			waiting: this.#waitingCount(),
			maxRunning: this.#maxActive,
			started: this.#started,
			refused: this.#refused
		};
	}

	/** Runs in a slot already counted in #active (taken by run, or handed over by #next). */
	async #start<T>(hash: () => Promise<T>): Promise<T> {
		this.#started += 1;
		this.#maxActive = Math.max(this.#maxActive, this.#active);
		try {
			return await hash();
		} finally {
			this.#active -= 1;
			this.#next();
		}
	}

	/** Hands free slots to the waiting, people first; the slot is counted now, before the waiter wakes. */
	#next(): void {
		while (this.#active < this.#running) {
			const turn = this.#lanes.person.shift() ?? this.#lanes['sign-in'].shift();
			if (!turn) return;
			this.#active += 1;
			turn();
		}
	}

	#waitingCount(): number {
		return this.#lanes.person.length + this.#lanes['sign-in'].length;
	}
}
