import type { EventsStore } from '$lib/db/events';
import type { OutboxStore } from '$lib/db/outbox';
import type { RelayStore } from '$lib/db/relay';
import { pullEvents } from './events';
import { flush, type FlushReport } from './flusher';
import { RelayClient, type RelayProblem } from './relay-client';

export interface SyncParts {
	outbox: OutboxStore;
	relay: RelayStore;
	events: EventsStore;
	/** The relay's address when none is set: the app's own origin (`npm start` serves both). */
	origin: string;
	fetch?: typeof fetch;
	now?: () => number;
	random?: () => number;
	timeoutMs?: number;
}

/** How a sync ended: sent what it could, or why it could not. */
export type SyncResult =
	{ state: 'unpaired' | 'revoked' } | { state: 'done'; flushed: FlushReport; problem?: RelayProblem };

/**
 * One round with the relay: messages left 'sending' by a tab that died go back to the queue (same keys),
 * every due message is sent, then the events are pulled. The caller must hold the outbox lock.
 */
export async function syncOnce(parts: SyncParts): Promise<SyncResult> {
	const link = await parts.relay.read();
	if (!link.token) return { state: link.isRevoked ? 'revoked' : 'unpaired' };
	const client = new RelayClient({
		baseUrl: link.url ?? parts.origin,
		token: link.token,
		fetch: parts.fetch,
		timeoutMs: parts.timeoutMs
	});
	await parts.outbox.requeueSending(parts.now?.());
	const flushed = await flush({ outbox: parts.outbox, client, now: parts.now, random: parts.random });
	let problem = flushed.problem;
	if (!problem) problem = (await pullEvents(client, parts.events, link.cursor)).problem;
	if (problem?.kind === 'unpaired') {
		await parts.relay.revoked();
		return { state: 'revoked' };
	}
	return { state: 'done', flushed, problem };
}
