import type { OutboxStore, SendOutcome } from '$lib/db/outbox';
import { nextAttemptAt } from '$lib/domain/backoff';
import { outgoing, type OutboxMessage } from '$lib/domain/outbox';
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, type MessageResult } from '$lib/domain/relay-protocol';
import type { RelayClient, RelayProblem } from './relay-client';

export interface FlushOptions {
	outbox: OutboxStore;
	client: RelayClient;
	now?: () => number;
	/** For the backoff's jitter; Math.random by default. */
	random?: () => number;
	/** Messages per request, at most MAX_BATCH_MESSAGES. */
	batchSize?: number;
}

/** What one flush did, and the problem that stopped it early, if any. */
export interface FlushReport {
	accepted: number;
	failed: number;
	/** Messages put back in the queue to try again later. */
	deferred: number;
	problem?: RelayProblem;
	/** The relay took no more from this device for now (its hourly or daily cap): why, and for how long. */
	deviceLimit?: { reason: string; retryAfterSeconds: number };
}

/** A rate limit of 0 s must not turn into a busy loop against the relay. */
const MIN_WAIT_MS = 1_000;

/** When to try again after a wait the relay asked for: its Retry-After, at least a second. */
export function waitAtLeast(now: number, attempts: number, seconds: number, random: () => number): number {
	return Math.max(now + MIN_WAIT_MS, nextAttemptAt(now, attempts, seconds, random));
}

/**
 * When to try again after `problem`, for something sent `attempts` times: a rate limit's wait, else the
 * backoff, with a 503's Retry-After (the relay's disk is full) as its floor.
 */
export function retryAt(problem: RelayProblem, attempts: number, now: number, random: () => number): number {
	if (problem.kind === 'rate-limited') return waitAtLeast(now, attempts, problem.retryAfterSeconds, random);
	const floor = problem.kind === 'server' ? problem.retryAfterSeconds : undefined;
	return nextAttemptAt(now, attempts, floor, random);
}
const encoder = new TextEncoder();

/**
 * Sends every due message, batch by batch. Each batch is marked 'sending' (durably) before the request,
 * so a tab killed mid-send leaves a trace that requeueSending() picks up; the answer settles each message.
 * One request is in flight at a time; while it is, the next batch is read and marked, so the disk's work
 * overlaps the network's. When the flush stops early, that next batch goes back to the queue as it was.
 * The caller holds the outbox lock, so only one tab flushes at a time.
 */
export async function flush(options: FlushOptions): Promise<FlushReport> {
	const { outbox, client } = options;
	const now = options.now ?? Date.now;
	const random = options.random ?? Math.random;
	let batchSize = Math.max(1, Math.min(options.batchSize ?? MAX_BATCH_MESSAGES, MAX_BATCH_MESSAGES));
	const report: FlushReport = { accepted: 0, failed: 0, deferred: 0 };
	const tally = (settled: OutboxMessage[]) => {
		for (const message of settled) {
			if (message.state === 'sent') report.accepted++;
			else if (message.state === 'failed') report.failed++;
			else report.deferred++;
		}
	};
	const settleAll = (batch: OutboxMessage[], outcome: (message: OutboxMessage) => SendOutcome) =>
		outbox.settle(new Map(batch.map((message) => [message.key, outcome(message)])), now());
	const all = (batch: OutboxMessage[], outcome: (message: OutboxMessage) => SendOutcome) =>
		settleAll(batch, outcome).then(tally);

	/** The next due messages, marked 'sending'; undefined when none is due. */
	const take = async (): Promise<OutboxMessage[] | undefined> => {
		const due = fitBytes(await outbox.due(now(), batchSize));
		return due.length === 0 ? undefined : outbox.markSending(due.map((message) => message.key));
	};
	/** A batch marked but not sent goes back to the queue, due when it was, no attempt counted. */
	const putBack = async (batch: OutboxMessage[] | undefined, reason: string) => {
		if (batch?.length)
			await settleAll(batch, (message) => ({
				kind: 'retry',
				at: message.nextAttemptAt,
				reason,
				isAttempt: false
			}));
	};

	let next = await take();
	for (;;) {
		if (next === undefined) return report;
		const batch = next;
		// All of them were about deleted users (now cancelled): the next due ones may still go.
		if (batch.length === 0) {
			next = await take();
			continue;
		}
		const [answer, upcoming] = await Promise.all([client.send(batch.map(outgoing)), take()]);
		if (answer.ok) {
			const outcomes = new Map(
				answer.value.results.map((result) => [result.idempotencyKey, outcomeOf(result)])
			);
			await outbox.settle(outcomes, now()).then(tally);
			const limit = report.deviceLimit;
			if (limit) {
				// The device reached its cap: every batch after this one would be refused too, so they wait
				// with the rest until the relay has room, instead of costing a request each.
				if (upcoming?.length) {
					await settleAll(upcoming, (message) => ({
						kind: 'retry',
						at: waitFor(message, now(), limit.retryAfterSeconds),
						reason: `${limit.reason} Trying again in ${waitWords(limit.retryAfterSeconds)}.`,
						isAttempt: false
					}));
				}
				return report;
			}
			next = upcoming;
			continue;
		}
		const problem: RelayProblem = answer;
		if (problem.kind === 'too-large' && batch.length > 1) {
			// Send fewer at once; the same messages go again at once, under the same keys.
			await settleAll(batch, () => ({ kind: 'retry', at: now(), reason: problem.message, isAttempt: false }));
			await putBack(upcoming, problem.message);
			batchSize = Math.max(1, Math.floor(batch.length / 2));
			next = await take();
			continue;
		}
		if (problem.kind === 'too-large' || problem.kind === 'refused') {
			await all(batch, () => ({ kind: 'failed', reason: `The relay refused it: ${problem.message}` }));
			next = upcoming;
			continue;
		}
		await putBack(upcoming, problem.message);
		// Offline, relay trouble, rate limit, or unpaired: put the batch back and stop for now.
		await all(batch, (message) => ({
			kind: 'retry',
			reason: problem.message,
			...(problem.kind === 'unpaired'
				? { at: now(), isAttempt: false }
				: {
						at: retryAt(problem, message.attempts, now(), random),
						isAttempt: problem.kind !== 'rate-limited'
					})
		}));
		return { ...report, problem };

		function waitFor(message: OutboxMessage, time: number, seconds: number) {
			return waitAtLeast(time, message.attempts, seconds, random);
		}

		function outcomeOf(result: MessageResult): SendOutcome {
			if (result.status === 'accepted') return { kind: 'accepted', messageId: result.messageId };
			if (result.status === 'rejected') return { kind: 'failed', reason: result.reason };
			const message = batch.find((m) => m.key === result.idempotencyKey)!;
			const why = result.reason ?? 'Rate-limited by the relay.';
			if (result.scope === 'device')
				report.deviceLimit = { reason: why, retryAfterSeconds: result.retryAfterSeconds };
			return {
				kind: 'retry',
				at: waitFor(message, now(), result.retryAfterSeconds),
				reason: `${why} Trying again in ${waitWords(result.retryAfterSeconds)}.`,
				isAttempt: false
			};
		}
	}
}

/** A wait in words: '20 seconds', '59 minutes', '23 hours'. */
function waitWords(seconds: number): string {
	const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
	if (seconds < 90) return plural(Math.max(1, Math.ceil(seconds)), 'second');
	if (seconds < 90 * 60) return plural(Math.ceil(seconds / 60), 'minute');
	return plural(Math.ceil(seconds / 3600), 'hour');
}

/** The longest run of messages whose request body stays within MAX_BATCH_BYTES (at least one). */
function fitBytes(messages: OutboxMessage[]): OutboxMessage[] {
	let bytes = encoder.encode('{"messages":[]}').length;
	for (const [i, message] of messages.entries()) {
		bytes += encoder.encode(JSON.stringify(outgoing(message))).length + 1;
		if (bytes > MAX_BATCH_BYTES) return messages.slice(0, Math.max(1, i));
	}
	return messages;
}
