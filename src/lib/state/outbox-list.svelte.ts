import { liveQuery } from 'dexie';
import { outbox } from '$lib/db';
import { storageErrorMessage } from '$lib/db/errors';
import type { OutboxMessage } from '$lib/domain/outbox';
import { sync } from './sync.svelte';

/** How many messages the Outbox page shows, newest first. */
const SHOWN = 500;

/**
 * The Outbox page's list, kept live across tabs, with Retry (failed -> queued) and Cancel (queued ->
 * cancelled). Create it during a component's initialisation.
 */
export class OutboxList {
	#messages = $state.raw<OutboxMessage[]>([]);
	#isLoading = $state(true);
	#notice = $state<{ text: string; isError?: boolean } | null>(null);

	constructor() {
		$effect(() => {
			const subscription = liveQuery(() => outbox.list(SHOWN)).subscribe({
				next: (messages) => {
					this.#messages = messages;
					this.#isLoading = false;
				},
				error: (error: unknown) => (this.#notice = { text: storageErrorMessage(error), isError: true })
			});
			return () => subscription.unsubscribe();
		});
	}

	get messages(): readonly OutboxMessage[] {
		return this.#messages;
	}
	get isLoading(): boolean {
		return this.#isLoading;
	}
	get notice(): { text: string; isError?: boolean } | null {
		return this.#notice;
	}
	get limit(): number {
		return SHOWN;
	}

	dismiss(): void {
		this.#notice = null;
	}

	async retry(message: OutboxMessage): Promise<void> {
		await this.#act(async () => {
			const isMoved = await outbox.retry(message.key);
			this.#notice = {
				text: isMoved ? `Queued again for ${message.to}.` : 'This message is no longer failed.'
			};
			sync.kick();
		});
	}

	async cancel(message: OutboxMessage): Promise<void> {
		await this.#act(async () => {
			const isMoved = await outbox.cancel(message.key);
			this.#notice = {
				text: isMoved
					? `Cancelled: nothing will be sent to ${message.to}.`
					: 'Too late: this message is already on its way.'
			};
		});
	}

	async #act(task: () => Promise<void>): Promise<void> {
		try {
			await task();
		} catch (error) {
			this.#notice = { text: storageErrorMessage(error), isError: true };
		}
	}
}
