import { liveQuery } from 'dexie';
import { browser } from '$app/environment';
import { commands, outbox, relay, relayEvents } from '$lib/db';
import type { CommandRow } from '$lib/db/database';
import type { OutboxCounts } from '$lib/db/outbox';
import type { RelayLink } from '$lib/db/relay';
import { connectivity } from '$lib/pwa/connectivity.svelte';
import { indicatorOf, type Indicator, type SyncFacts } from '$lib/sync/indicator';
import type { RelayProblem } from '$lib/sync/relay-client';
import { limitAfter, type SendingLimit } from '$lib/sync/sending-limit';
import { syncOnce, type SyncResult } from '$lib/sync/sync-once';

/** While online, the relay is asked for news (and due retries go) at least this often. */
const POLL_MS = 30_000;
/** Only one tab talks to the relay at a time: the others would only send the same messages again. */
const LOCK = 'rollcall-outbox';

const NO_MESSAGES: OutboxCounts = { queued: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 };

/**
 * The outbox as the header and the Outbox page see it, and the sender: it flushes on start, on going
 * online, when the tab becomes visible, on a timer while online, when a retry falls due, and right after
 * something is queued.
 */
class SyncState {
	#counts = $state.raw<OutboxCounts>(NO_MESSAGES);
	#link = $state.raw<RelayLink | null>(null);
	#isSyncing = $state(false);
	#problem = $state<string | null>(null);
	#problemKind = $state<RelayProblem['kind'] | null>(null);
	#limit = $state.raw<SendingLimit | null>(null);
	#isRunning = false;
	#again = false;
	#wake: ReturnType<typeof setTimeout> | undefined;
	#commandsWaiting = $state(0);
	#failedCommands = $state.raw<CommandRow[]>([]);

	get counts(): OutboxCounts {
		return this.#counts;
	}
	get link(): RelayLink | null {
		return this.#link;
	}
	get isPaired(): boolean {
		return Boolean(this.#link?.token);
	}
	get isSyncing(): boolean {
		return this.#isSyncing;
	}
	/** Messages and account changes still to reach the relay: what 'Send now' would send. */
	get waiting(): number {
		return this.#counts.queued + this.#counts.sending + this.#commandsWaiting;
	}
	/** Why the relay could not be reached or refused, in the admin's words. */
	get problem(): string | null {
		return this.#problem;
	}
	/** The relay's sending limit this device reached, while its messages wait for it. */
	get limit(): SendingLimit | null {
		return this.#limit;
	}
	/** Account changes the relay refused (or damaged on this device): the relay does not know of them. */
	get failedCommands(): readonly CommandRow[] {
		return this.#failedCommands;
	}
	/** What the header's indicator and its explanation are made from. */
	get facts(): SyncFacts {
		return {
			counts: this.#counts,
			commandsWaiting: this.#commandsWaiting,
			isOnline: connectivity.isOnline,
			isPaired: this.isPaired,
			isRevoked: this.#link?.isRevoked === true,
			isSyncing: this.#isSyncing,
			problem: this.#problem,
			problemKind: this.#problemKind,
			limit: this.#limit?.reason ?? null
		};
	}
	get indicator(): Indicator {
		return indicatorOf(this.facts);
	}

	/** Follows the outbox and the pairing, and sends when there is reason to; returns a stop function. */
	start(): () => void {
		if (!browser) return () => {};
		const subscriptions = [
			liveQuery(() => outbox.counts()).subscribe({
				next: (counts) => (this.#counts = counts),
				error: (error: unknown) => console.error('Reading the outbox failed', error)
			}),
			// A read only: a live query may not write (read() creates the record the first time).
			liveQuery(() => relay.current()).subscribe({
				next: (link) => (this.#link = link ?? null),
				error: (error: unknown) => console.error('Reading the relay settings failed', error)
			}),
			// An account command was queued (the admin suspended, reactivated or deleted someone): send it now.
			liveQuery(() => commands.waiting()).subscribe({
				next: (waiting) => {
					if (waiting > this.#commandsWaiting) this.kick();
					this.#commandsWaiting = waiting;
				},
				error: (error: unknown) => console.error('Reading the account commands failed', error)
			}),
			liveQuery(() => commands.failed()).subscribe({
				next: (failed) => (this.#failedCommands = failed),
				error: (error: unknown) => console.error('Reading the account commands failed', error)
			})
		];
		const kick = () => this.kick();
		const onVisible = () => document.visibilityState === 'visible' && kick();
		window.addEventListener('online', kick);
		document.addEventListener('visibilitychange', onVisible);
		const timer = setInterval(() => navigator.onLine && kick(), POLL_MS);
		kick();
		return () => {
			for (const subscription of subscriptions) subscription.unsubscribe();
			window.removeEventListener('online', kick);
			document.removeEventListener('visibilitychange', onVisible);
			clearInterval(timer);
			clearTimeout(this.#wake);
		};
	}

	/** Queues the refused account changes again (each user's as the app shows them now) and sends them. */
	async retryCommands(): Promise<void> {
		try {
			await commands.retryFailed();
		} catch (error) {
			this.#problem = `Retrying failed on this device: ${error instanceof Error ? error.message : String(error)}`;
		}
		this.kick();
	}

	/** Sends what is due now (a run already going runs once more when it ends). */
	kick(): void {
		if (this.#isRunning) {
			this.#again = true;
			return;
		}
		void this.#run();
	}

	async #run(): Promise<void> {
		this.#isRunning = true;
		try {
			do {
				this.#again = false;
				if (!navigator.onLine) return;
				await this.#locked();
			} while (this.#again);
		} finally {
			this.#isRunning = false;
			await this.#scheduleNext();
		}
	}

	async #locked(): Promise<void> {
		const once = async () => {
			this.#isSyncing = true;
			try {
				this.#report(
					await syncOnce({ outbox, commands, relay, events: relayEvents, origin: location.origin })
				);
			} catch (error) {
				this.#problem = `Sending failed on this device: ${error instanceof Error ? error.message : String(error)}`;
			} finally {
				this.#isSyncing = false;
			}
		};
		// Another tab holding the lock is sending already; this one has nothing to add.
		if ('locks' in navigator)
			await navigator.locks.request(LOCK, { ifAvailable: true }, (lock) => lock && once());
		else await once();
	}

	#report(result: SyncResult): void {
		this.#limit = limitAfter(this.#limit, result, Date.now());
		// A wait the relay asked for is not a fault: the limit says it.
		this.#problemKind = result.state === 'done' ? (result.problem?.kind ?? null) : null;
		if (result.state === 'done')
			this.#problem = result.problem?.kind === 'rate-limited' ? null : (result.problem?.message ?? null);
		else if (result.state === 'revoked')
			this.#problem = 'The relay no longer accepts this device: pair it again in Settings.';
		else this.#problem = null;
	}

	/**
	 * Wakes up when the earliest retry falls due, if that is before the next poll. Messages already due
	 * that did not go (offline, not paired, relay down) wait for the next trigger, not a busy loop.
	 */
	async #scheduleNext(): Promise<void> {
		clearTimeout(this.#wake);
		const times = await Promise.all([outbox.nextDueAt(), commands.nextDueAt()]).catch(() => []);
		const due = times.reduce<number | undefined>(
			(first, time) => (time === undefined || (first !== undefined && first <= time) ? first : time),
			undefined
		);
		const wait = due === undefined ? Infinity : due - Date.now();
		if (wait > 0 && wait < POLL_MS) this.#wake = setTimeout(() => this.kick(), wait);
	}
}

export const sync = new SyncState();
