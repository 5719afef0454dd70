import { outgoingCommand, type CommandOutcome, type CommandsStore } from '$lib/db/commands';
import type { CommandRow } from '$lib/db/database';
import { MAX_BATCH_COMMANDS } from '$lib/domain/relay-protocol';
import { retryAt } from './flusher';
import type { RelayClient, RelayProblem } from './relay-client';

export interface CommandFlushOptions {
	commands: CommandsStore;
	client: RelayClient;
	now?: () => number;
	/** For the backoff's jitter; Math.random by default. */
	random?: () => number;
}

/** What one flush of the commands did; `waiting` > 0 means messages must wait behind them. */
export interface CommandFlushReport {
	applied: number;
	failed: number;
	/** Commands still waiting when the flush ended (not yet due, or put back). */
	waiting: number;
	problem?: RelayProblem;
}

/**
 * Sends the waiting account commands in the order they were queued, batch by batch, each batch marked
 * 'sending' (durably) first, like the messages (flusher.ts) and with the same backoff and Retry-After
 * handling. It stops at the first problem; the caller sends messages only once no command waits, so a
 * suspension is never overtaken by a message queued after it. The caller holds the outbox lock.
 */
export async function flushCommands(options: CommandFlushOptions): Promise<CommandFlushReport> {
	const { commands, client } = options;
	const now = options.now ?? Date.now;
	const random = options.random ?? Math.random;
	const report: CommandFlushReport = { applied: 0, failed: 0, waiting: 0 };
	const settle = async (batch: CommandRow[], outcome: (row: CommandRow) => CommandOutcome) => {
		const outcomes = new Map(batch.map((row) => [row.key, outcome(row)]));
		for (const value of outcomes.values()) {
			if (value.kind === 'applied') report.applied++;
			else if (value.kind === 'failed') report.failed++;
		}
		await commands.settle(outcomes);
	};

	for (;;) {
		const due = await commands.due(now(), MAX_BATCH_COMMANDS);
		const batch = due.length === 0 ? [] : await commands.markSending(due.map((row) => row.key));
		if (batch.length === 0) return { ...report, waiting: await commands.waiting() };
		const answer = await client.commands(batch.map(outgoingCommand));
		if (answer.ok) {
			const results = new Map(answer.value.results.map((result) => [result.idempotencyKey, result]));
			await settle(batch, (row) => {
				const result = results.get(row.key);
				return result?.status === 'applied'
					? { kind: 'applied' }
					: { kind: 'failed', reason: result?.reason ?? 'Refused by the relay.' };
			});
			continue;
		}
		const problem: RelayProblem = answer;
		if (problem.kind === 'refused' || problem.kind === 'too-large') {
			// Sending it again will not help (an older relay without /api/commands answers 404): the messages
			// behind it go on.
			await settle(batch, () => ({ kind: 'failed', reason: `The relay refused it: ${problem.message}` }));
			continue;
		}
		await settle(batch, (row) => ({
			kind: 'retry',
			reason: problem.message,
			...(problem.kind === 'unpaired'
				? { at: now(), isAttempt: false }
				: { at: retryAt(problem, row.attempts, now(), random), isAttempt: problem.kind !== 'rate-limited' })
		}));
		return { ...report, waiting: await commands.waiting(), problem };
	}
}
