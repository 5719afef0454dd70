import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { commandsStore } from '$lib/db/commands';
import { eventsStore } from '$lib/db/events';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { relayUserId } from '$lib/domain/outbox';
import { syncOnce } from '$lib/sync/sync-once';
import { freshDb, person } from '../db/helpers';
import { startFaultRelay, type FaultRelay } from './fault-relay';

const relays: FaultRelay[] = [];
afterEach(async () => {
	for (const relay of relays.splice(0)) await relay.close();
});

/** A directory with `count` users, paired with a fresh fault-injecting relay, and a clock the test moves. */
async function setup(count: number) {
	const peer = await startFaultRelay();
	relays.push(peer);
	const db = freshDb('sync');
	const users = usersStore(db);
	const relay = relayStore(db);
	const outbox = outboxStore(db, relay);
	const events = eventsStore(db, relay);
	const commands = commandsStore(db);
	await relay.setUrl(peer.url);
	await relay.paired(peer.token, 'd1', 'Test device');
	const ids: number[] = [];
	for (let i = 0; i < count; i++) {
		ids.push((await users.add(person({ firstName: `P${i}`, email: `p${i}@example.com` }))).id);
	}
	const clock = { now: 1_000_000 };
	const sync = (timeoutMs = 2_000) =>
		syncOnce({
			outbox,
			commands,
			relay,
			events,
			origin: 'http://unused.invalid',
			now: () => clock.now,
			random: () => 0.5,
			timeoutMs
		});
	return { peer, db, users, relay, outbox, commands, events, ids, clock, sync };
}

/** Every message went out under one key, and no key was ever used for two different bodies. */
function expectSentOnce(peer: FaultRelay, count: number) {
	expect(peer.sends.size).toBe(count);
	const recipients = [...peer.sends.values()].map((send) => (JSON.parse(send.body) as { to: string }).to);
	expect(new Set(recipients).size).toBe(count);
}

/**
 * For the tests that set up 150 or 230 users, added one at a time through the users module: 1.7 s with
 * other engineers' work on this 2-core machine, over 5 s with four test suites at once. The limit is there
 * to catch a hang, not to time the work.
 */
const MANY_USERS = { timeout: 30_000 };

describe('flushing the outbox to the relay', () => {
	it('sends everything due in batches of at most 100, and marks each message sent', MANY_USERS, async () => {
		const { peer, outbox, ids, sync, clock } = await setup(230);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		const result = await sync();
		expect(result).toMatchObject({ state: 'done', flushed: { accepted: 230, failed: 0, deferred: 0 } });
		expect(peer.batches.map((b) => b.length)).toEqual([100, 100, 30]);
		expect((await outbox.counts()).sent).toBe(230);
		expectSentOnce(peer, 230);
	});

	it('sends a message once when the answer is lost after the relay accepted it', async () => {
		const { peer, outbox, ids, sync, clock } = await setup(3);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		peer.faults.push({ kind: 'lose-answer' });
		const first = await sync();
		expect(first).toMatchObject({ state: 'done', problem: { kind: 'network' } });
		const waiting = await outbox.list();
		expect(waiting.every((m) => m.state === 'queued' && m.attempts === 1)).toBe(true);
		// Full jitter with the draw 0.5: half of the first ceiling (2 s).
		expect(waiting.every((m) => m.nextAttemptAt === clock.now + 1_000)).toBe(true);
		expect(await sync()).toMatchObject({ flushed: { accepted: 0 } });
		clock.now += 1_000;
		expect(await sync()).toMatchObject({ flushed: { accepted: 3 } });
		expect(peer.replays).toBe(3);
		expectSentOnce(peer, 3);
		expect(peer.batches[0]!.map((m) => m.idempotencyKey)).toEqual(
			peer.batches[1]!.map((m) => m.idempotencyKey)
		);
	});

	it('picks up messages a killed tab left sending, and sends them under the same keys', async () => {
		const { peer, outbox, ids, sync, clock } = await setup(2);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		const keys = (await outbox.due(clock.now, 10)).map((m) => m.key);
		await outbox.markSending(keys);
		// The tab dies here: the request may or may not have reached the relay. Say it did.
		peer.faults.push({ kind: 'lose-answer' });
		await sync();
		clock.now += 60_000;
		await sync();
		expect(new Set(peer.batches.flat().map((m) => m.idempotencyKey))).toEqual(new Set(keys));
		expectSentOnce(peer, 2);
		expect((await outbox.counts()).sent).toBe(2);
	});

	it('honours a 429 with Retry-After without counting it as a failed attempt', async () => {
		const { peer, outbox, ids, sync, clock } = await setup(2);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		peer.faults.push({ kind: 'status', status: 429, retryAfter: '30' });
		expect(await sync()).toMatchObject({ problem: { kind: 'rate-limited', retryAfterSeconds: 30 } });
		const waiting = await outbox.list();
		expect(waiting.every((m) => m.nextAttemptAt === clock.now + 30_000 && m.attempts === 0)).toBe(true);
		clock.now += 29_999;
		await sync();
		expect(peer.sends.size).toBe(0);
		clock.now += 1;
		expect(await sync()).toMatchObject({ flushed: { accepted: 2 } });
	});

	it('backs off after a 500, longer on each failure, and never beyond the cap', async () => {
		const { peer, outbox, ids, sync, clock } = await setup(1);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		const waits: number[] = [];
		for (let i = 0; i < 4; i++) {
			peer.faults.push({ kind: 'status', status: 503 });
			expect(await sync()).toMatchObject({ problem: { kind: 'server', status: 503 } });
			const [message] = await outbox.list();
			waits.push(message!.nextAttemptAt - clock.now);
			clock.now = message!.nextAttemptAt;
		}
		expect(waits).toEqual([1_000, 2_000, 4_000, 8_000]);
		expect(await sync()).toMatchObject({ flushed: { accepted: 1 } });
	});

	it("waits at least a 503's Retry-After (the relay cannot write to its disk), then sends", async () => {
		const { peer, outbox, ids, sync, clock } = await setup(1);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		peer.faults.push({ kind: 'status', status: 503, retryAfter: '120', message: 'The relay cannot write.' });
		expect(await sync()).toMatchObject({ problem: { kind: 'server', status: 503, retryAfterSeconds: 120 } });
		const [message] = await outbox.list();
		expect(message!.nextAttemptAt - clock.now).toBe(120_000);
		clock.now = message!.nextAttemptAt;
		expect(await sync()).toMatchObject({ flushed: { accepted: 1 } });
	});

	it('fails messages the relay refuses (a 4xx) with its reason, instead of retrying them forever', async () => {
		const { peer, outbox, ids, sync, clock, users } = await setup(2);
		const bad = await users.add(person({ firstName: 'Bad', email: 'bad@example.com' }));
		peer.refusedRecipients.add('bad@example.com');
		await outbox.queueFor([...ids, bad.id], 'activation', { now: clock.now });
		expect(await sync()).toMatchObject({ flushed: { accepted: 2, failed: 1 } });
		const failed = (await outbox.forUser(bad.id))[0]!;
		expect(failed).toMatchObject({
			state: 'failed',
			reason: 'The recipient address bad@example.com is not valid.'
		});

		await outbox.retry(failed.key, clock.now);
		peer.faults.push({ kind: 'status', status: 400, message: 'The body is not a message batch.' });
		expect(await sync()).toMatchObject({ flushed: { failed: 1 } });
		expect((await outbox.get(failed.key))!.reason).toBe(
			'The relay refused it: The body is not a message batch.'
		);
		clock.now += 24 * 3_600_000;
		await sync();
		expect(peer.batches).toHaveLength(1);
	});

	it('waits out a per-message rate limit and sends the rest of the batch', async () => {
		const { peer, outbox, ids, sync, clock } = await setup(2);
		peer.limitedRecipients.set('p1@example.com', 20);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		expect(await sync()).toMatchObject({ flushed: { accepted: 1, deferred: 1 } });
		const limited = (await outbox.forUser(ids[1]!))[0]!;
		expect(limited).toMatchObject({ state: 'queued', nextAttemptAt: clock.now + 20_000 });
		peer.limitedRecipients.clear();
		clock.now += 20_000;
		expect(await sync()).toMatchObject({ flushed: { accepted: 1 } });
		expectSentOnce(peer, 2);
	});

	it('gives up on a relay that answers too slowly, and the retry sends nothing twice', async () => {
		const { peer, outbox, ids, sync, clock } = await setup(1);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		peer.faults.push({ kind: 'slow', ms: 1_500 });
		const slow = await sync(300);
		expect(slow).toMatchObject({ state: 'done', problem: { kind: 'network' } });
		expect(slow.state === 'done' && slow.problem?.message).toMatch(/did not answer within/);
		clock.now += 60_000;
		expect(await sync()).toMatchObject({ flushed: { accepted: 1 } });
		expectSentOnce(peer, 1);
	});

	it('stops on a revoked token: the device is no longer paired and nothing is lost', async () => {
		const { peer, outbox, ids, sync, clock, relay } = await setup(2);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		peer.isRevoked = true;
		expect(await sync()).toEqual({ state: 'revoked' });
		expect(await relay.read()).toMatchObject({
			isRevoked: true,
			token: undefined,
			deviceName: 'Test device'
		});
		expect((await outbox.counts()).queued).toBe(2);
		expect(await sync()).toEqual({ state: 'revoked' });
	});

	it(
		'puts the next batch, marked while the first was in flight, back as it was when the relay fails',
		MANY_USERS,
		async () => {
			const { peer, outbox, ids, sync, clock } = await setup(150);
			await outbox.queueFor(ids, 'activation', { now: clock.now });
			peer.faults.push({ kind: 'status', status: 500 });
			expect(await sync()).toMatchObject({
				flushed: { accepted: 0, deferred: 100 },
				problem: { kind: 'server' }
			});
			const messages = await outbox.list();
			expect((await outbox.counts()).sending).toBe(0);
			expect(messages.filter((m) => m.attempts === 1 && m.nextAttemptAt > clock.now)).toHaveLength(100);
			expect(messages.filter((m) => m.attempts === 0 && m.nextAttemptAt === clock.now)).toHaveLength(50);
			// The 50 never sent are still due; the 100 wait out their backoff.
			expect(await sync()).toMatchObject({ flushed: { accepted: 50 } });
			clock.now += 60 * 60_000;
			expect(await sync()).toMatchObject({ flushed: { accepted: 100 } });
			// (The refused request is not among the batches the relay took.)
			expect(peer.batches.map((b) => b.length)).toEqual([50, 100]);
			expectSentOnce(peer, 150);
		}
	);

	it('splits a batch the relay finds too large', async () => {
		const { peer, outbox, ids, sync, clock } = await setup(4);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		peer.faults.push({ kind: 'status', status: 413 });
		expect(await sync()).toMatchObject({ flushed: { accepted: 4, failed: 0 } });
		expect(peer.batches.map((b) => b.length)).toEqual([2, 2]);
	});
});

describe('pulling events', () => {
	it('sets users Active, records last logins and deliveries, page after page, and stores the cursor', async () => {
		const { peer, outbox, ids, sync, clock, relay, users, db } = await setup(3);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		await sync();
		const { directoryId } = await relay.read();
		const [a, b, c] = ids.map((id) => relayUserId(directoryId, id));
		const messages = await outbox.list();
		const keyOf = (id: number) => messages.find((m) => m.userId === id)!.key;
		peer.events.push(
			{ type: 'delivered', userId: a!, idempotencyKey: keyOf(ids[0]!), at: '2026-11-20T10:00:00Z' },
			{
				type: 'undeliverable',
				userId: b!,
				idempotencyKey: keyOf(ids[1]!),
				at: '2026-11-20T10:00:01Z',
				reason: 'Mailbox does not exist'
			},
			{ type: 'activated', userId: a!, at: '2026-11-20T11:00:00Z' },
			{ type: 'signed-in', userId: a!, at: '2026-11-20T12:00:00Z' },
			{ type: 'signed-in', userId: c!, at: '2026-11-20T13:00:00Z' },
			{ type: 'activated', userId: '00000000-0000-4000-8000-000000000001', at: '2026-11-20T13:00:00Z' },
			...Array.from({ length: 1_200 }, () => ({
				type: 'signed-in' as const,
				userId: relayUserId(directoryId, 9_999),
				at: '2026-11-20T14:00:00Z'
			}))
		);
		await sync();
		expect(await users.get(ids[0]!)).toMatchObject({
			status: 'Active',
			activatedAt: Date.parse('2026-11-20T11:00:00Z'),
			lastLoginAt: Date.parse('2026-11-20T12:00:00Z')
		});
		expect(await users.get(ids[1]!)).toMatchObject({ status: 'Pending', activatedAt: null, lastLoginAt: 0 });
		expect(await users.get(ids[2]!)).toMatchObject({
			status: 'Active',
			lastLoginAt: Date.parse('2026-11-20T13:00:00Z')
		});
		expect(await outbox.get(keyOf(ids[0]!))).toMatchObject({ delivery: 'delivered' });
		expect(await outbox.get(keyOf(ids[1]!))).toMatchObject({
			delivery: 'undeliverable',
			reason: 'Mailbox does not exist'
		});
		expect((await relay.read()).cursor).toBe(String(peer.events.length));

		// A later sign-in moves the last login on; the events already applied are not read again.
		peer.events.push({ type: 'signed-in', userId: a!, at: '2026-11-21T09:00:00Z' });
		const before = await db.users.toArray();
		await sync();
		expect((await users.get(ids[0]!))!.lastLoginAt).toBe(Date.parse('2026-11-21T09:00:00Z'));
		expect((await db.users.toArray()).filter((u) => u.id !== ids[0])).toEqual(
			before.filter((u) => u.id !== ids[0])
		);
	});
});
