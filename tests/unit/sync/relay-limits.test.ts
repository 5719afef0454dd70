// The app's sync against the real relay when the device reaches its sending cap: the messages over it wait
// in the outbox with the relay's reason, the report says the device must wait, and they go after the hour.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { commandsStore } from '$lib/db/commands';
import { eventsStore } from '$lib/db/events';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { syncOnce } from '$lib/sync/sync-once';
import { freshDb, person } from '../db/helpers';
import { startTestRelay, type TestRelay } from '../relay/harness';

const relays: TestRelay[] = [];
afterEach(async () => {
	for (const relay of relays.splice(0)) await relay.close();
});

describe('a device at its sending cap', () => {
	it('keeps the messages over it queued with the reason, and sends them when the hour has passed', async () => {
		const peer = await startTestRelay({
			RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR: '2',
			RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY: '10'
		});
		relays.push(peer);
		const db = freshDb('relay-limits');
		const users = usersStore(db);
		const relay = relayStore(db);
		const outbox = outboxStore(db, relay);
		const events = eventsStore(db, relay);
		const commands = commandsStore(db);
		await relay.setUrl(peer.url);
		await relay.paired(await peer.pair(), 'd1', 'Front desk');
		const ids: number[] = [];
		for (const firstName of ['Ann', 'Bob', 'Cy']) {
			const email = `${firstName.toLowerCase()}@example.com`;
			ids.push((await users.add(person({ firstName, lastName: 'Lee', email }))).id);
		}
		const clock = { now: Date.now() };
		const sync = () =>
			syncOnce({
				outbox,
				commands,
				relay,
				events,
				origin: 'http://unused.invalid',
				now: () => clock.now,
				random: () => 0
			});

		await outbox.queueFor(ids, 'activation', { now: clock.now });
		const first = await sync();
		expect(first).toMatchObject({ state: 'done', flushed: { accepted: 2, deferred: 1 } });
		const limit = first.state === 'done' ? first.flushed.deviceLimit : undefined;
		expect(limit?.reason).toMatch(/^This device has sent 2 messages in the last hour/);
		expect(limit?.retryAfterSeconds).toBeGreaterThan(3500);

		const [waiting] = (await outbox.list()).filter((message) => message.state === 'queued');
		expect(waiting?.reason).toMatch(
			/^This device has sent 2 messages in the last hour, .* Trying again in 60 minutes\.$/
		);
		expect(waiting!.nextAttemptAt).toBeGreaterThanOrEqual(clock.now + 3500_000);

		// Nothing goes before then.
		expect(await sync()).toMatchObject({ flushed: { accepted: 0, deferred: 0 } });

		// An hour later (on both clocks) the relay has room again, and the message goes under its key.
		peer.relay.db.prepare('UPDATE messages SET created_at = created_at - 3601000').run();
		clock.now += 3601_000;
		expect(await sync()).toMatchObject({ flushed: { accepted: 1, deferred: 0 } });
		expect((await outbox.counts()).sent).toBe(3);
	});

	it('stops sending once the device is at its cap, instead of a refused request per batch', async () => {
		const peer = await startTestRelay({
			RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR: '2',
			RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY: '10'
		});
		relays.push(peer);
		const db = freshDb('relay-limits-stop');
		const users = usersStore(db);
		const relay = relayStore(db);
		const outbox = outboxStore(db, relay);
		await relay.setUrl(peer.url);
		await relay.paired(await peer.pair(), 'd1', 'Front desk');
		const ids: number[] = [];
		for (let i = 0; i < 250; i++) {
			ids.push(
				(await users.add(person({ firstName: 'Ann', lastName: 'Lee', email: `ann${i}@example.com` }))).id
			);
		}
		await outbox.queueFor(ids, 'activation');
		const result = await syncOnce({
			outbox,
			commands: commandsStore(db),
			relay,
			events: eventsStore(db, relay),
			origin: 'http://unused.invalid',
			random: () => 0
		});
		expect(result).toMatchObject({ state: 'done', flushed: { accepted: 2 } });
		// One request: the first batch met the cap, and the next one (already taken) waits with it.
		expect(peer.logs.filter((line) => line.event === 'batch-accepted')).toHaveLength(1);
		const waiting = (await outbox.list()).filter((message) => message.state === 'queued');
		expect(waiting.filter((message) => message.nextAttemptAt > Date.now() + 3_000_000)).toHaveLength(198);
	}, 60_000);
});
