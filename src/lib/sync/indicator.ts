import type { OutboxCounts } from '$lib/db/outbox';
import type { RelayProblem } from './relay-client';

/** What the header's sync indicator says: words first (colour only repeats them), and a tone for styling. */
export interface Indicator {
	text: string;
	tone: 'ok' | 'waiting' | 'busy' | 'problem';
}

export interface SyncFacts {
	counts: OutboxCounts;
	/** Account changes (suspend, reactivate, delete) waiting for the relay: they wait like messages. */
	commandsWaiting: number;
	isOnline: boolean;
	isPaired: boolean;
	isRevoked: boolean;
	isSyncing: boolean;
	/** Why the last attempt to reach the relay failed, if it did. */
	problem: string | null;
	/** What kind of failure that was: the header names it in a few words. */
	problemKind?: RelayProblem['kind'] | null;
	/** Why the relay asked this device to wait (its sending cap, or too many requests), while it does. */
	limit: string | null;
}

const number = new Intl.NumberFormat('en');

/** A problem in the header's few words; the Outbox and Settings give the whole reason. */
const PROBLEM_WORDS: Partial<Record<RelayProblem['kind'], string>> = {
	network: 'relay unreachable',
	blocked: 'relay refuses this app',
	server: 'relay error, trying again'
};

/**
 * The indicator for the outbox as it is now: offline / not paired / N waiting / sending / sending limit
 * reached / all sent / error. "Waiting" counts the account changes too: "All sent" while a suspension has
 * not reached the relay would tell the admin the person is locked out when they are not yet.
 */
export function indicatorOf(facts: SyncFacts): Indicator {
	const { counts } = facts;
	const waiting = counts.queued + counts.sending + facts.commandsWaiting;
	const many = `${number.format(waiting)} waiting`;
	if (counts.failed > 0) return { text: `${number.format(counts.failed)} failed`, tone: 'problem' };
	if (facts.isRevoked) return { text: waiting ? `${many}: pair again` : 'Pair again', tone: 'problem' };
	if (!facts.isOnline) return { text: waiting ? `${many} (offline)` : 'Offline', tone: 'waiting' };
	if (!facts.isPaired) return { text: waiting ? `${many}: not paired` : 'Not paired', tone: 'waiting' };
	if (facts.isSyncing && waiting) return { text: `Sending ${number.format(waiting)}…`, tone: 'busy' };
	if (facts.limit && waiting) return { text: `${many}: sending limit reached`, tone: 'waiting' };
	if (facts.problem && waiting) {
		return {
			text: `${many}: ${PROBLEM_WORDS[facts.problemKind ?? 'network'] ?? 'relay problem'}`,
			tone: 'problem'
		};
	}
	if (waiting) return { text: many, tone: 'waiting' };
	return { text: 'All sent', tone: 'ok' };
}
