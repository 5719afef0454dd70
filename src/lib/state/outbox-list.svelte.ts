import { liveQuery } from 'dexie';
import { outbox } from '$lib/db';
import { storageErrorMessage } from '$lib/db/errors';
import { clearAgeName, type OutboxFilter, type OutboxMessage } from '$lib/domain/outbox';
import { Confirmation } from './confirmation.svelte';
import { currentCustomer } from './current-customer.svelte';
import { sync } from './sync.svelte';

const DAY = 86_400_000;
const messages = (count: number) => `${count.toLocaleString('en')} message${count === 1 ? '' : 's'}`;

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
	/** Which messages are shown: every one, or one state's. */
	filter = $state<OutboxFilter>('All');
	/** 'Clear delivered' removes messages delivered more than this many days ago (0: any). */
	clearAge = $state(30);
	readonly confirmClear = new Confirmation('Clear delivered messages', 'Clear', true);

	constructor() {
		$effect(() => {
			const filter = this.filter;
			const subscription = liveQuery(() => outbox.list(SHOWN, filter, currentCustomer.id)).subscribe({
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

	/**
	 * Asks, naming how many, then clears the messages delivered before the chosen age from the list (into
	 * their users' history), measured from when the admin asked: the question and the clearing go by the
	 * same time.
	 */
	async clearDelivered(now = Date.now()): Promise<void> {
		const days = this.clearAge;
		const before = now - days * DAY;
		const age = clearAgeName(days);
		await this.#act(async () => {
			const count = await outbox.countDelivered(before);
			if (count === 0) {
				this.#notice = {
					text: `No message was delivered ${age === 'any age' ? 'yet' : age}: nothing to clear.`
				};
				return;
			}
			const which =
				days === 0 ? `every delivered message (${messages(count)})` : `${messages(count)} delivered ${age}`;
			const question = `Clear ${which} from the Outbox list? Each stays in its user’s message history, on the user’s page; the users and their accounts are not changed.`;
			if (!(await this.confirmClear.ask(question))) return;
			const removed = await outbox.clearDelivered(before);
			this.#notice = { text: `Cleared ${messages(removed)} delivered ${days === 0 ? 'so far' : age}.` };
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
