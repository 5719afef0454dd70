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

/** Where a header state can be acted on: the Outbox, or Settings' relay section. */
export interface StateHelp {
	text: string;
	fix: { to: 'outbox' | 'relay'; label: string };
}

const messages = (count: number) => `${number.format(count)} message${count === 1 ? '' : 's'}`;
const OUTBOX = { to: 'outbox', label: 'Open the Outbox' } as const;
const PAIR = { to: 'relay', label: 'Pair this device in Settings' } as const;

/**
 * What the indicator's words mean and where to act on them, for the panel it opens: the header has room
 * for a few words only, and "Not paired" means nothing to an admin who has never heard of the relay.
 */
export function explainIndicator(facts: SyncFacts): StateHelp {
	const { counts } = facts;
	const waiting = counts.queued + counts.sending + facts.commandsWaiting;
	const waits = waiting
		? `${messages(waiting)} ${waiting === 1 ? 'waits' : 'wait'} in the Outbox`
		: 'Nothing waits to be sent';
	const go = waiting === 1 ? 'it goes by itself' : 'they go by themselves';
	if (counts.failed > 0) {
		return {
			text: `The relay refused ${messages(counts.failed)}: ${counts.failed === 1 ? 'it does' : 'they do'} not go by ${counts.failed === 1 ? 'itself' : 'themselves'}. The Outbox says why; correct the user or retry there.`,
			fix: OUTBOX
		};
	}
	if (facts.isRevoked) {
		return {
			text: `The relay no longer accepts this device (its pairing was revoked, or the relay was reset). ${waits}; pair again with a new code to send.`,
			fix: { to: 'relay', label: 'Pair again in Settings' }
		};
	}
	if (!facts.isOnline) {
		return {
			text: `This device is offline. ${waits}, and ${waiting ? go : 'messages go by themselves'} when it is back online.`,
			fix: OUTBOX
		};
	}
	if (!facts.isPaired) {
		return {
			text: `This device is not paired with the relay, your organisation’s small server that sends activation emails and SMS. Everything else works without it. ${waiting ? waits : 'Messages you send wait in the Outbox'} until it is paired.`,
			fix: PAIR
		};
	}
	if (facts.isSyncing && waiting)
		return { text: `Sending ${messages(waiting)} to the relay now.`, fix: OUTBOX };
	if (facts.limit && waiting) {
		return { text: `${facts.limit} ${waits}; ${go} when it allows.`, fix: OUTBOX };
	}
	if (facts.problem && waiting) {
		return {
			text: `${facts.problem} ${waits}; ${go} as soon as it answers. Check the relay’s address in Settings if this lasts.`,
			fix: { to: 'relay', label: 'Check the relay in Settings' }
		};
	}
	if (waiting) return { text: `${waits}; ${go} in a moment.`, fix: OUTBOX };
	return { text: 'Every message has gone to the relay. The Outbox shows which were delivered.', fix: OUTBOX };
}

/** What online or offline means here, and where to act on it. */
export function explainConnectivity(isOnline: boolean, isPaired: boolean): StateHelp {
	if (!isOnline) {
		return {
			text: 'This device has no connection. Rollcall keeps working: add, edit, import and export users as usual. Activation emails wait in the Outbox and go when the connection is back.',
			fix: { to: 'outbox', label: 'See what waits in the Outbox' }
		};
	}
	if (!isPaired) {
		return {
			text: 'This device is online, but not paired with the relay that sends activation emails: they wait in the Outbox until it is.',
			fix: PAIR
		};
	}
	return {
		text: 'This device is online: messages in the Outbox go to the relay as soon as they are due.',
		fix: OUTBOX
	};
}
