import type { CommandsStore } from '$lib/db/commands';
import type { EventsStore } from '$lib/db/events';
import type { OutboxStore } from '$lib/db/outbox';
import type { RelayStore } from '$lib/db/relay';
import { flushCommands, type CommandFlushReport } from './command-flusher';
import { pullEvents } from './events';
import { flush, type FlushReport } from './flusher';
import { RelayClient, type RelayProblem } from './relay-client';

export interface SyncParts {
	outbox: OutboxStore;
	commands: CommandsStore;
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
	| { state: 'unpaired' | 'revoked' }
	| { state: 'done'; commands: CommandFlushReport; flushed: FlushReport; problem?: RelayProblem };

const NOTHING_FLUSHED: FlushReport = { accepted: 0, failed: 0, deferred: 0 };

/**
 * One round with the relay: commands and messages left 'sending' by a tab that died go back to the queue
 * (same keys), the waiting account commands are sent, then (once none waits) every due message, then the
 * events are pulled. The caller must hold the outbox lock.
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
	await parts.commands.requeueSending(parts.now?.());
	await parts.outbox.requeueSending(parts.now?.());
	const commands = await flushCommands({
		commands: parts.commands,
		client,
		now: parts.now,
		random: parts.random
	});
	// Messages wait behind any command still waiting: a message must not overtake a suspension.
	const flushed =
		commands.problem || commands.waiting > 0
			? NOTHING_FLUSHED
			: await flush({ outbox: parts.outbox, client, now: parts.now, random: parts.random });
	let problem = commands.problem ?? flushed.problem;
	if (!problem) problem = (await pullEvents(client, parts.events, link.cursor)).problem;
	if (problem?.kind === 'unpaired') {
		await parts.relay.revoked();
		return { state: 'revoked' };
	}
	return { state: 'done', commands, flushed, problem };
}
