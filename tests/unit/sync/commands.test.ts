import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commandsStore } from '$lib/db/commands';
import { eventsStore } from '$lib/db/events';
import { importsStore } from '$lib/db/imports';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { relayUserId } from '$lib/domain/outbox';
import { syncOnce } from '$lib/sync/sync-once';
import { getAccount } from '../../../src/relay/store/accounts.ts';
import { freshDb, person } from '../db/helpers';
import { check } from '../db/import-helpers';
import { startTestRelay, until, type TestRelay } from '../relay/harness';
import { startFaultRelay } from './fault-relay';

vi.setConfig({ testTimeout: 60_000 });

const peers: { close(): Promise<void> }[] = [];
afterEach(async () => {
	for (const peer of peers.splice(0)) await peer.close();
});

/** A directory of `count` users, paired with `url`, each sent an activation (so the relay knows them). */
async function directory(url: string, token: string, count: number) {
	const db = freshDb('commands');
	const users = usersStore(db);
	const relay = relayStore(db);
	const outbox = outboxStore(db, relay);
	const events = eventsStore(db, relay);
	const commands = commandsStore(db);
	await relay.setUrl(url);
	await relay.paired(token, 'd1', 'Test device');
	const ids: number[] = [];
	for (let i = 0; i < count; i++) {
		ids.push(
			(await users.add(person({ firstName: `P${i}`, email: `cmd${i}-${token.slice(-6)}@example.com` }))).id
		);
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
			random: () => 0.5,
			timeoutMs: 10_000
		});
	return { db, users, relay, outbox, commands, events, ids, clock, sync };
}

async function withFaultRelay(count: number) {
	const peer = await startFaultRelay();
	peers.push(peer);
	const app = await directory(peer.url, peer.token, count);
	await app.outbox.queueFor(app.ids, 'activation', { now: app.clock.now });
	expect(await app.sync()).toMatchObject({ state: 'done', flushed: { accepted: count } });
	return { peer, ...app };
}

describe('account commands from the app', () => {
	it('queues one command per user in the transaction that suspends, reactivates, deletes or restores them', async () => {
		const { users, commands, relay, ids } = await withFaultRelay(3);
		const { directoryId } = await relay.read();
		await users.setSuspended([ids[0]!, ids[1]!], true);
		await users.setSuspended([ids[0]!], false);
		const { batch } = await users.remove([ids[2]!]);
		await users.undoRemove(batch);
		expect((await commands.list()).map((row) => [row.type, row.relayUserId])).toEqual([
			['suspend', relayUserId(directoryId, ids[0]!)],
			['suspend', relayUserId(directoryId, ids[1]!)],
			['reactivate', relayUserId(directoryId, ids[0]!)],
			// A deletion that can still be undone suspends; the wipe waits for the trash to be emptied.
			['suspend', relayUserId(directoryId, ids[2]!)],
			['reactivate', relayUserId(directoryId, ids[2]!)]
		]);
		// Nothing changed, nothing queued: suspending a suspended user again.
		await users.setSuspended([ids[1]!], true);
		expect(await commands.list()).toHaveLength(5);
	});

	it('queues nothing for users the relay was never sent, and queues while unpaired for those it was', async () => {
		const { users, commands, relay, ids } = await withFaultRelay(1);
		const stranger = (await users.add(person({ firstName: 'S', email: 'stranger@example.com' }))).id;
		await users.setSuspended([stranger], true);
		expect(await commands.list()).toEqual([]);
		await relay.unpair();
		await users.setSuspended(ids, true);
		expect((await commands.list()).map((row) => [row.type, row.userId])).toEqual([['suspend', ids[0]]]);
	});

	it('finds the users the relay knows among thousands at once (a bulk change)', async () => {
		const { db, commands, ids } = await withFaultRelay(2);
		const many = [...Array.from({ length: 6_000 }, (_, i) => 100_000 + i), ids[1]!];
		await db.transaction('rw', commands.tables(), () => commands.queue('suspend', many));
		expect((await commands.list()).map((row) => row.userId)).toEqual([ids[1]]);
	});

	it('queues a delete for the users an undone import created, if they were sent a message', async () => {
		const { db, outbox, commands, relay } = await withFaultRelay(0);
		const table = [['Email'], ...['a', 'b', 'c'].map((name) => [`${name}.import@example.com`])];
		const checked = await check(db, table);
		const summary = await importsStore(db).commit(checked.rows, {
			fileName: 'p.csv',
			mode: 'valid-rows',
			updateExisting: false
		});
		const [a, , c] = summary.createdIds as [number, number, number];
		await outbox.queueFor([a, c], 'activation');
		await importsStore(db).undo(summary.id);
		const { directoryId } = await relay.read();
		expect((await commands.list()).map((row) => [row.type, row.relayUserId])).toEqual([
			['delete', relayUserId(directoryId, a)],
			['delete', relayUserId(directoryId, c)]
		]);
	});

	it('sends commands before messages, and holds messages while a command waits for its retry', async () => {
		const { peer, users, outbox, commands, ids, clock, sync } = await withFaultRelay(2);
		peer.requests.length = 0;
		await users.setSuspended([ids[0]!], true, clock.now);
		await outbox.queueFor([ids[1]!], 'activation', { now: clock.now });

		peer.commandFaults.push({ kind: 'status', status: 503 });
		const troubled = await sync();
		expect(troubled).toMatchObject({ state: 'done', problem: { kind: 'server' }, commands: { waiting: 1 } });
		expect(peer.requests).toEqual(['POST /api/commands']);
		const [waiting] = await commands.list();
		expect(waiting).toMatchObject({ state: 'queued', attempts: 1 });
		expect(waiting!.nextAttemptAt).toBeGreaterThan(clock.now);

		// Not due yet: neither the command nor the message behind it goes (events are still read).
		peer.requests.length = 0;
		expect(await sync()).toMatchObject({ state: 'done', commands: { waiting: 1 }, flushed: { accepted: 0 } });
		expect(peer.requests).toEqual(['GET /api/events']);

		clock.now = waiting!.nextAttemptAt;
		peer.requests.length = 0;
		expect(await sync()).toMatchObject({ commands: { applied: 1, waiting: 0 }, flushed: { accepted: 1 } });
		expect(peer.requests).toEqual(['POST /api/commands', 'POST /api/messages', 'GET /api/events']);
		expect(await commands.list()).toEqual([]);
		// The same key every time: the relay applies it once.
		expect(peer.commandBatches.map((batch) => batch[0]!.idempotencyKey)).toEqual([
			waiting!.key,
			waiting!.key
		]);
		expect((await outbox.counts()).sent).toBe(3);
	});

	it('writes a damaged command back as failed, so it holds no message', async () => {
		const { db, peer, outbox, commands, ids, clock, sync } = await withFaultRelay(1);
		// As an older or broken build might have left it: a type no relay knows, still 'queued' on disk.
		const seq = await db.commands.add({
			key: 'damaged-command-key-0001',
			type: 'explode' as unknown as 'suspend',
			userId: ids[0]!,
			relayUserId: 'x',
			state: 'queued',
			attempts: 0,
			nextAttemptAt: clock.now,
			createdAt: clock.now
		});
		expect(await commands.waiting()).toBe(1);
		await outbox.queueFor(ids, 'activation', { now: clock.now });
		peer.commandBatches.length = 0;
		expect(await sync()).toMatchObject({ commands: { waiting: 0 }, flushed: { accepted: 1 } });
		expect(peer.commandBatches).toEqual([]);
		expect(await db.commands.get(seq)).toMatchObject({
			state: 'failed',
			reason: 'This command was damaged on this device.'
		});
		expect(await commands.waiting()).toBe(0);
	});

	it("waits out the relay's Retry-After, and gives up on a command the relay refuses", async () => {
		const { peer, users, commands, ids, clock, sync } = await withFaultRelay(2);
		await users.setSuspended([ids[0]!], true, clock.now);
		peer.commandFaults.push({ kind: 'status', status: 429, retryAfter: '120' });
		expect(await sync()).toMatchObject({ problem: { kind: 'rate-limited' } });
		const [limited] = await commands.list();
		expect(limited).toMatchObject({ state: 'queued', attempts: 0 });
		expect(limited!.nextAttemptAt).toBeGreaterThanOrEqual(clock.now + 120_000);

		clock.now += 120_000;
		peer.commandFaults.push({ kind: 'status', status: 404, message: 'There is no API at /api/commands.' });
		expect(await sync()).toMatchObject({ state: 'done', commands: { failed: 1, waiting: 0 } });
		expect(await commands.list()).toEqual([
			expect.objectContaining({
				state: 'failed',
				reason: 'The relay refused it: There is no API at /api/commands.'
			})
		]);
	});
});

describe('account commands the relay refused', () => {
	it('are listed, and Retry sends each user one fresh command saying what the app shows now', async () => {
		const { peer, users, commands, relay, ids, clock, sync } = await withFaultRelay(4);
		const [kept, reactivated, trashed, purged] = ids as [number, number, number, number];
		await users.setSuspended(ids, true, clock.now);
		await users.remove([purged], clock.now - 10);
		await users.remove([trashed], clock.now);
		peer.commandFaults.push({ kind: 'status', status: 404, message: 'There is no API at /api/commands.' });
		expect(await sync()).toMatchObject({ commands: { failed: 6, waiting: 0 } });
		expect(await commands.failed()).toHaveLength(6);
		expect(new Set((await commands.failed()).map((row) => row.reason))).toEqual(
			new Set(['The relay refused it: There is no API at /api/commands.'])
		);

		// Meanwhile: one is reactivated (applied), one deleted for good. Sending the old suspend again would
		// suspend the reactivated user on the relay behind the app's back.
		await users.setSuspended([reactivated], false, clock.now);
		expect(await users.purgeTrash(clock.now - 5, clock.now)).toBe(1);
		expect(await sync()).toMatchObject({ commands: { applied: 2 } });
		peer.commandBatches.length = 0;

		expect(await commands.retryFailed(clock.now)).toBe(4);
		expect(await commands.failed()).toEqual([]);
		expect(await sync()).toMatchObject({ commands: { applied: 4, waiting: 0 } });
		const sent = peer.commandBatches.flat();
		const { directoryId } = await relay.read();
		expect(sent.map((command) => [command.type, command.userId]).sort()).toEqual(
			[
				['suspend', relayUserId(directoryId, kept)],
				['reactivate', relayUserId(directoryId, reactivated)],
				['suspend', relayUserId(directoryId, trashed)],
				['delete', relayUserId(directoryId, purged)]
			].sort()
		);
	});
});

describe('a refused license command', () => {
	it('sent again still says web access is off when an admin switched it off', async () => {
		const { peer, users, commands, ids, clock, sync } = await withFaultRelay(1);
		const id = ids[0]!;
		await users.update(id, { webAccess: true }, clock.now);
		await users.update(id, { webAccess: false }, clock.now);
		peer.commandFaults.push({ kind: 'status', status: 404, message: 'There is no API at /api/commands.' });
		expect(await sync()).toMatchObject({ commands: { failed: 2, waiting: 0 } });
		expect(await commands.retryFailed(clock.now)).toBe(1);
		const key = (await users.get(id))!.licenseKey;
		expect((await commands.list()).map((row) => row.license)).toEqual([
			{ licenseKey: key, entitlements: [], webAccess: false }
		]);
	});
});

describe('account commands against the real relay', () => {
	let relay: TestRelay;

	async function mailboxLink(to: string): Promise<string> {
		type Item = { to: string; links: string[] };
		const read = async () => (await (await fetch(`${relay.url}/mailbox/messages.json`)).json()) as Item[];
		await until(async () => (await read()).some((item) => item.to === to));
		return (await read()).find((item) => item.to === to)!.links.find((link) => link.includes('/activate/'))!;
	}

	it("a suspension kills the person's link and stops a message queued after it; delete wipes the account; undo brings it back", async () => {
		relay = await startTestRelay();
		peers.push(relay);
		const app = await directory(relay.url, await relay.pair(), 1);
		const [id] = app.ids as [number];
		const { directoryId } = await app.relay.read();
		const relayId = relayUserId(directoryId, id);
		const to = (await app.users.get(id))!.email;
		await app.outbox.queueFor([id], 'activation', { now: app.clock.now });
		expect(await app.sync()).toMatchObject({ flushed: { accepted: 1 } });
		const link = await mailboxLink(to);
		expect((await fetch(link)).status).toBe(200);

		// A message queued before the suspension, still waiting when it is made: the command goes first.
		await app.outbox.queueFor([id], 'activation', { now: app.clock.now });
		await app.users.setSuspended([id], true, app.clock.now);
		// One queued after it is not queued at all: a Suspended user is skipped.
		expect(await app.outbox.queueFor([id], 'activation', { now: app.clock.now })).toMatchObject({
			queued: 0,
			reasons: { suspended: 1 }
		});
		expect(await app.sync()).toMatchObject({ commands: { applied: 1 }, flushed: { accepted: 1 } });
		expect(getAccount(relay.relay.db, relayId)?.isSuspended).toBe(true);
		expect((await fetch(link)).status).toBe(410);
		await relay.relay.delivery.settled();
		expect(await app.sync()).toMatchObject({ state: 'done' });
		const messages = await app.outbox.forUser(id);
		expect(messages.map((message) => message.delivery).sort()).toEqual(['delivered', 'undeliverable']);
		expect(messages.find((message) => message.delivery === 'undeliverable')?.reason).toBe(
			'Not sent: the user is suspended.'
		);

		await app.users.setSuspended([id], false, app.clock.now);
		await app.sync();
		expect(getAccount(relay.relay.db, relayId)?.isSuspended).toBe(false);

		const { batch } = await app.users.remove([id], app.clock.now);
		await app.sync();
		expect(getAccount(relay.relay.db, relayId)).toMatchObject({ isSuspended: true, isDeleted: false });
		await app.users.undoRemove(batch, app.clock.now);
		await app.sync();
		expect(getAccount(relay.relay.db, relayId)).toMatchObject({ isSuspended: false, isDeleted: false });
		expect(await app.commands.list()).toEqual([]);

		await app.users.remove([id], app.clock.now);
		await app.users.purgeTrash(app.clock.now + 1, app.clock.now);
		await app.sync();
		expect(getAccount(relay.relay.db, relayId)).toMatchObject({ isDeleted: true, email: null });
		expect(await app.commands.list()).toEqual([]);
	});

	it('a user suspended before any message is told to the relay with their first message, which is then not sent', async () => {
		relay = await startTestRelay();
		peers.push(relay);
		const app = await directory(relay.url, await relay.pair(), 1);
		const [id] = app.ids as [number];
		await app.users.update(id, { mobilePhone: '+447700900123' });
		await app.users.setSuspended([id], true, app.clock.now);
		expect(await app.commands.list()).toEqual([]);

		// An activation email is not queued for a Suspended user; SMS login details are, and tell the relay.
		await app.outbox.queueFor([id], 'sms-login', {
			values: () => ({ password: 'quartz lantern orbit meadow 42' }),
			now: app.clock.now
		});
		expect(await app.sync()).toMatchObject({ commands: { applied: 1 }, flushed: { accepted: 1 } });
		await relay.relay.delivery.settled();
		await app.sync();
		expect(await app.outbox.forUser(id)).toEqual([
			expect.objectContaining({ delivery: 'undeliverable', reason: 'Not sent: the user is suspended.' })
		]);
		const links = relay.relay.db.prepare('SELECT count(*) AS n FROM activation_tokens').get() as {
			n: number;
		};
		expect(links.n).toBe(0);
	});
	it("applies each user's suspend and reactivate of one round in the order they were queued", async () => {
		relay = await startTestRelay();
		peers.push(relay);
		const app = await directory(relay.url, await relay.pair(), 12);
		await app.outbox.queueFor(app.ids, 'activation', { now: app.clock.now });
		expect(await app.sync()).toMatchObject({ flushed: { accepted: 12 } });
		for (const id of app.ids) {
			await app.users.setSuspended([id], true, app.clock.now);
			await app.users.setSuspended([id], false, app.clock.now);
		}
		expect(await app.sync()).toMatchObject({ commands: { applied: 24, waiting: 0 } });
		const { directoryId } = await app.relay.read();
		expect((await app.users.rows(app.ids)).map((user) => user?.status)).toEqual(app.ids.map(() => 'Pending'));
		expect(
			app.ids.map((id) => getAccount(relay.relay.db, relayUserId(directoryId, id))?.isSuspended)
		).toEqual(app.ids.map(() => false));
	});

	it('a user suspended while the device is unpaired is suspended on the relay before a message queued meanwhile', async () => {
		relay = await startTestRelay();
		peers.push(relay);
		const app = await directory(relay.url, await relay.pair(), 1);
		const [id] = app.ids as [number];
		await app.relay.unpair();
		await app.outbox.queueFor([id], 'activation', { now: app.clock.now });
		await app.users.setSuspended([id], true, app.clock.now);
		await app.relay.paired(await relay.pair('Again'), 'd2', 'Again');

		expect(await app.sync()).toMatchObject({ commands: { applied: 1 }, flushed: { accepted: 1 } });
		await relay.relay.delivery.settled();
		await app.sync();
		expect(await app.outbox.forUser(id)).toEqual([
			expect.objectContaining({ delivery: 'undeliverable', reason: 'Not sent: the user is suspended.' })
		]);
		const links = relay.relay.db.prepare('SELECT count(*) AS n FROM activation_tokens').get() as {
			n: number;
		};
		expect(links.n).toBe(0);
	});

	it('a suspension made while unpaired reaches the relay once the device is paired again', async () => {
		relay = await startTestRelay();
		peers.push(relay);
		const app = await directory(relay.url, await relay.pair(), 1);
		const [id] = app.ids as [number];
		const to = (await app.users.get(id))!.email;
		await app.outbox.queueFor([id], 'activation', { now: app.clock.now });
		expect(await app.sync()).toMatchObject({ flushed: { accepted: 1 } });
		const link = await mailboxLink(to);

		await app.relay.unpair();
		await app.users.setSuspended([id], true, app.clock.now);
		expect(await app.sync()).toEqual({ state: 'unpaired' });
		await app.relay.paired(await relay.pair('Again'), 'd2', 'Again');
		expect(await app.sync()).toMatchObject({ commands: { applied: 1, waiting: 0 } });
		const { directoryId } = await app.relay.read();
		expect(getAccount(relay.relay.db, relayUserId(directoryId, id))?.isSuspended).toBe(true);
		expect((await fetch(link)).status).toBe(410);
	});

	describe('undoing a deletion', () => {
		const PASSWORD = 'lantern orchard pebble';
		const signIn = async (name: string) => {
			const response = await fetch(`${relay.url}/signin`, {
				method: 'POST',
				body: new URLSearchParams({ name, password: PASSWORD }),
				redirect: 'manual'
			});
			return (await response.text()).includes('You are signed in');
		};

		/** A person who set their password through the link the app had sent. */
		async function activated() {
			relay = await startTestRelay();
			peers.push(relay);
			const app = await directory(relay.url, await relay.pair(), 1);
			const [id] = app.ids as [number];
			const to = (await app.users.get(id))!.email;
			await app.outbox.queueFor([id], 'activation', { now: app.clock.now });
			await app.sync();
			const link = await mailboxLink(to);
			const set = await fetch(link, {
				method: 'POST',
				body: new URLSearchParams({ password: PASSWORD, confirm: PASSWORD })
			});
			expect(set.status).toBe(200);
			expect(await signIn(to)).toBe(true);
			const { directoryId } = await app.relay.read();
			return { ...app, id, to, relayId: relayUserId(directoryId, id) };
		}

		it('leaves the person able to sign in, while the deletion only suspended them', async () => {
			const app = await activated();
			const { batch } = await app.users.remove([app.id], app.clock.now);
			await app.sync();
			expect(getAccount(relay.relay.db, app.relayId)).toMatchObject({ isSuspended: true, isDeleted: false });
			expect(await signIn(app.to)).toBe(false);

			expect(await app.users.undoRemove(batch, app.clock.now)).toBe(1);
			await app.sync();
			expect(await signIn(app.to)).toBe(true);
			expect(await app.commands.list()).toEqual([]);
		});

		it('keeps a user who was Suspended before the deletion suspended on the relay', async () => {
			const app = await activated();
			await app.users.setSuspended([app.id], true, app.clock.now);
			await app.sync();
			const { batch } = await app.users.remove([app.id], app.clock.now);
			await app.sync();
			await app.users.undoRemove(batch, app.clock.now);
			expect(await app.commands.list()).toEqual([]);
			await app.sync();
			expect((await app.users.get(app.id))?.status).toBe('Suspended');
			expect(getAccount(relay.relay.db, app.relayId)?.isSuspended).toBe(true);
			expect(await signIn(app.to)).toBe(false);
		});

		it('sends the wipe once the trash is emptied: the deletion can no longer be undone', async () => {
			const app = await activated();
			await app.users.remove([app.id], app.clock.now);
			await app.sync();
			expect(await app.users.purgeTrash(app.clock.now + 1, app.clock.now)).toBe(1);
			expect((await app.commands.list()).map((row) => row.type)).toEqual(['delete']);
			await app.sync();
			expect(getAccount(relay.relay.db, app.relayId)).toMatchObject({
				isDeleted: true,
				email: null,
				username: null
			});
			const hash = relay.relay.db
				.prepare('SELECT password_hash FROM accounts WHERE user_id = ?')
				.get(app.relayId) as { password_hash: string | null };
			expect(hash.password_hash).toBeNull();
			expect(await signIn(app.to)).toBe(false);
		});
	});
});
