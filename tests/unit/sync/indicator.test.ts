import { describe, expect, it } from 'vitest';
import { sendQuestion } from '$lib/domain/outbox';
import type { FlushReport } from '$lib/sync/flusher';
import { explainConnectivity, explainIndicator, indicatorOf, type SyncFacts } from '$lib/sync/indicator';
import type { RelayProblem } from '$lib/sync/relay-client';
import { limitAfter } from '$lib/sync/sending-limit';
import type { SyncResult } from '$lib/sync/sync-once';

const none = { queued: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 };
const facts = (changes: Partial<SyncFacts>): SyncFacts => ({
	counts: none,
	commandsWaiting: 0,
	isOnline: true,
	isPaired: true,
	isRevoked: false,
	isSyncing: false,
	problem: null,
	limit: null,
	...changes
});

describe('the sync indicator', () => {
	it('says in words what the outbox is doing', () => {
		const three = { ...none, queued: 3 };
		expect(indicatorOf(facts({})).text).toBe('All sent');
		expect(indicatorOf(facts({ counts: three })).text).toBe('3 waiting');
		expect(indicatorOf(facts({ counts: three, isOnline: false })).text).toBe('3 waiting (offline)');
		expect(indicatorOf(facts({ counts: three, isPaired: false })).text).toBe('3 waiting: not paired');
		expect(indicatorOf(facts({ isPaired: false })).text).toBe('Not paired');
		expect(indicatorOf(facts({ counts: three, isSyncing: true })).text).toBe('Sending 3…');
		expect(indicatorOf(facts({ counts: three, problem: 'down' }))).toEqual({
			text: '3 waiting: relay unreachable',
			tone: 'problem'
		});
		const problem = (problemKind: RelayProblem['kind']) =>
			indicatorOf(facts({ counts: three, problem: 'the whole reason', problemKind })).text;
		expect(problem('network')).toBe('3 waiting: relay unreachable');
		expect(problem('blocked')).toBe('3 waiting: relay refuses this app');
		expect(problem('server')).toBe('3 waiting: relay error, trying again');
		expect(indicatorOf(facts({ counts: three, limit: 'This device has sent 1,000 messages…' }))).toEqual({
			text: '3 waiting: sending limit reached',
			tone: 'waiting'
		});
		expect(indicatorOf(facts({ limit: 'This device has sent 1,000 messages…' })).text).toBe('All sent');
		expect(indicatorOf(facts({ counts: { ...three, failed: 2 } }))).toEqual({
			text: '2 failed',
			tone: 'problem'
		});
		expect(indicatorOf(facts({ counts: three, isPaired: false, isRevoked: true })).text).toBe(
			'3 waiting: pair again'
		);
	});

	it('counts account changes waiting for the relay as waiting, never "All sent"', () => {
		expect(indicatorOf(facts({ commandsWaiting: 1 }))).toEqual({ text: '1 waiting', tone: 'waiting' });
		expect(indicatorOf(facts({ counts: { ...none, queued: 2 }, commandsWaiting: 1 })).text).toBe('3 waiting');
		expect(indicatorOf(facts({ commandsWaiting: 1, isPaired: false })).text).toBe('1 waiting: not paired');
		expect(indicatorOf(facts({ commandsWaiting: 1, problem: 'down' })).text).toBe(
			'1 waiting: relay unreachable'
		);
	});
});

describe('the confirm question', () => {
	it('names how many and the first few, and who is skipped', () => {
		const skipped = { 'no-email': { count: 1, names: ['Nemo'] } };
		expect(sendQuestion({ count: 5, names: ['Ann', 'Bob', 'Cy'], skipped })).toBe(
			'Send an activation email to 5 users: Ann, Bob, Cy + 2 more? It leaves as soon as this device is online and paired with the relay. 1 selected user is skipped:'
		);
		expect(sendQuestion({ count: 1, names: ['Ann'], skipped: {} })).toMatch(
			/^Send an activation email to 1 user: Ann\? It leaves .*relay\.$/
		);
	});
});

describe('the sending limit the header shows', () => {
	const done = (flushed: Partial<FlushReport>, problem?: RelayProblem): SyncResult => ({
		state: 'done',
		commands: { applied: 0, failed: 0, waiting: 0 },
		flushed: { accepted: 0, failed: 0, deferred: 0, ...flushed },
		...(problem && { problem })
	});
	const cap = { reason: 'This device has sent 1,000 messages in the last hour…', retryAfterSeconds: 600 };

	it('starts when the relay asks the device to wait, and stands through rounds with nothing due', () => {
		const limit = limitAfter(null, done({ deferred: 5, deviceLimit: cap }), 1_000);
		expect(limit).toEqual({ reason: cap.reason, until: 601_000 });
		expect(limitAfter(limit, done({}), 300_000)).toBe(limit);
		const busy: RelayProblem = { kind: 'rate-limited', retryAfterSeconds: 30, message: 'Too many requests.' };
		expect(limitAfter(null, done({}, busy), 0)).toEqual({ reason: 'Too many requests.', until: 30_000 });
	});

	it('ends when its time has passed, when the relay takes messages again, or when the device is unpaired', () => {
		const limit = limitAfter(null, done({ deviceLimit: cap }), 0)!;
		expect(limitAfter(limit, done({}), 600_000)).toBeNull();
		expect(limitAfter(limit, done({ accepted: 1 }), 1_000)).toBeNull();
		expect(limitAfter(limit, { state: 'revoked' }, 1_000)).toBeNull();
	});
});

describe('what the header states mean', () => {
	const three = { ...none, queued: 3 };

	it('explains "Not paired" with what the relay is, and leads to Settings to pair', () => {
		const help = explainIndicator(facts({ isPaired: false, counts: three }));
		expect(help.text).toContain('not paired with the relay');
		expect(help.text).toContain('sends activation emails and SMS');
		expect(help.text).toContain('3 messages wait in the Outbox until it is paired.');
		expect(help.fix).toEqual({ to: 'relay', label: 'Pair this device in Settings' });
		expect(explainIndicator(facts({ isRevoked: true, isPaired: false })).fix.to).toBe('relay');
	});

	it('leads to the Outbox for what waits, goes or failed, in the same order of concern as the words', () => {
		expect(explainIndicator(facts({ counts: { ...three, failed: 1 }, isPaired: false }))).toEqual({
			text: 'The relay refused 1 message: it does not go by itself. The Outbox says why; correct the user or retry there.',
			fix: { to: 'outbox', label: 'Open the Outbox' }
		});
		expect(explainIndicator(facts({ counts: three, isOnline: false })).text).toBe(
			'This device is offline. 3 messages wait in the Outbox, and they go by themselves when it is back online.'
		);
		expect(explainIndicator(facts({ commandsWaiting: 1 })).text).toBe(
			'1 message waits in the Outbox; it goes by itself in a moment.'
		);
		expect(explainIndicator(facts({})).fix.to).toBe('outbox');
		expect(explainIndicator(facts({ counts: three, problem: 'The relay cannot be reached.' })).fix.to).toBe(
			'relay'
		);
	});

	it('explains online and offline, and where to act on each', () => {
		expect(explainConnectivity(false, true).text).toContain('Rollcall keeps working');
		expect(explainConnectivity(true, false).fix.to).toBe('relay');
		expect(explainConnectivity(true, true).fix.to).toBe('outbox');
	});
});
