import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { outboxStore, restoreMessage } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { localUserId } from '$lib/domain/outbox';
import { freshDb, person } from './helpers';

async function setup() {
	const db = freshDb('outbox');
	const users = usersStore(db);
	const relay = relayStore(db);
	const outbox = outboxStore(db, relay);
	const ann = await users.add(
		person({ firstName: 'Ann', email: 'ann@example.com', mobilePhone: '+447700900123' })
	);
	const bob = await users.add(person({ firstName: 'Bob', email: 'bob@example.com' }));
	const noMail = await users.add(person({ firstName: 'Nemo', email: '' }));
	return { db, users, relay, outbox, ann, bob, noMail };
}

describe('outbox', () => {
	it('queues a template for users with somewhere to receive it, each under its own key, due now', async () => {
		const { outbox, relay, ann, bob, noMail } = await setup();
		expect(await outbox.preview([ann.id, bob.id, noMail.id, 999], 'activation')).toEqual({
			count: 2,
			names: ['Ann', 'Bob'],
			skipped: { 'no-email': { count: 1, names: ['Nemo'] }, deleted: { count: 1, names: [] } }
		});
		expect(await outbox.queueFor([ann.id, bob.id, noMail.id], 'activation', { now: 5_000 })).toEqual({
			queued: 2,
			skipped: 1,
			reasons: { 'no-email': 1 }
		});
		const messages = await outbox.list();
		expect(messages).toHaveLength(2);
		const { directoryId } = await relay.read();
		for (const message of messages) {
			expect(message).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: 5_000, createdAt: 5_000 });
			expect(message.key).toMatch(/^[0-9a-f-]{36}$/);
			expect(localUserId(directoryId, message.user.id)).toBe(message.userId);
		}
		expect(new Set(messages.map((m) => m.key)).size).toBe(2);
		expect(messages.map((m) => m.to).sort()).toEqual(['ann@example.com', 'bob@example.com']);
		expect((await outbox.counts()).queued).toBe(2);
	});

	it('sends an activation email to no one Active or Suspended, whoever asks, and says why', async () => {
		const { db, users, outbox, ann, bob, noMail } = await setup();
		const cy = await users.add(person({ firstName: 'Cy', email: 'cy@example.com' }));
		await db.users.update(ann.id, { status: 'Active', activatedAt: 1 });
		await users.setSuspended([bob.id], true);
		const ids = [ann.id, bob.id, noMail.id, cy.id];
		expect(await outbox.preview(ids, 'activation')).toEqual({
			count: 1,
			names: ['Cy'],
			skipped: {
				active: { count: 1, names: ['Ann'] },
				suspended: { count: 1, names: ['Bob'] },
				'no-email': { count: 1, names: ['Nemo'] }
			}
		});
		expect(await outbox.queueFor(ids, 'activation')).toEqual({
			queued: 1,
			skipped: 3,
			reasons: { active: 1, suspended: 1, 'no-email': 1 }
		});
		expect((await outbox.list()).map((message) => message.to)).toEqual(['cy@example.com']);
		expect(await outbox.queueFor([ann.id, bob.id], 'activation')).toMatchObject({ queued: 0 });
		expect(await outbox.list()).toHaveLength(1);
	});

	it('marks a user as having a password only when SMS login details carry one to them', async () => {
		const { users, outbox, ann } = await setup();
		await outbox.queueFor([ann.id], 'activation');
		expect((await users.get(ann.id))?.hasPassword).toBe(false);
		await outbox.queueFor([ann.id], 'sms-login', { values: () => ({ password: 'Secret-pass-1' }) });
		expect((await users.get(ann.id))?.hasPassword).toBe(true);
	});

	it('keeps a password only until the relay accepts the message, and wipes it in the same write', async () => {
		const { outbox, ann } = await setup();
		await outbox.queueFor([ann.id], 'sms-login', { values: () => ({ password: 'Secret-pass-1' }), now: 1 });
		const [queued] = await outbox.due(10, 10);
		expect(queued).toMatchObject({ to: '+447700900123', values: { password: 'Secret-pass-1' } });
		const [sending] = await outbox.markSending([queued!.key]);
		expect(sending!.state).toBe('sending');
		await outbox.settle(new Map([[queued!.key, { kind: 'accepted', messageId: 'm1' }]]), 20);
		const sent = await outbox.get(queued!.key);
		expect(sent).toMatchObject({ state: 'sent', sentAt: 20, messageId: 'm1' });
		expect(sent!.values).toBeUndefined();
		expect(JSON.stringify(sent)).not.toContain('Secret-pass-1');
	});

	it('fails with the reason, retries and cancels only from the right states', async () => {
		const { outbox, ann, bob } = await setup();
		await outbox.queueFor([ann.id, bob.id], 'activation', { now: 1 });
		const [a, b] = await outbox.due(10, 10);
		await outbox.markSending([a!.key]);
		await outbox.settle(
			new Map([[a!.key, { kind: 'failed', reason: 'The recipient address is not valid.' }]])
		);
		expect(await outbox.get(a!.key)).toMatchObject({
			state: 'failed',
			reason: 'The recipient address is not valid.',
			attempts: 1
		});
		expect(await outbox.cancel(a!.key)).toBe(false);
		expect(await outbox.retry(a!.key, 50)).toBe(true);
		expect(await outbox.get(a!.key)).toMatchObject({ state: 'queued', nextAttemptAt: 50, attempts: 0 });
		expect(await outbox.retry(b!.key)).toBe(false);
		expect(await outbox.cancel(b!.key)).toBe(true);
		expect((await outbox.get(b!.key))!.state).toBe('cancelled');
		expect(await outbox.due(100, 10)).toHaveLength(1);
	});

	it('puts messages left sending (a tab killed mid-send) back in the queue under the same keys', async () => {
		const { outbox, ann, bob } = await setup();
		await outbox.queueFor([ann.id, bob.id], 'activation', { now: 1 });
		const keys = (await outbox.due(10, 10)).map((m) => m.key);
		await outbox.markSending(keys);
		expect(await outbox.due(10, 10)).toHaveLength(0);
		expect(await outbox.requeueSending(30)).toBe(2);
		expect((await outbox.due(30, 10)).map((m) => m.key).sort()).toEqual([...keys].sort());
	});

	it('puts retries off until their time and orders the due by it', async () => {
		const { outbox, ann, bob } = await setup();
		await outbox.queueFor([ann.id, bob.id], 'activation', { now: 1 });
		const [a, b] = await outbox.due(10, 10);
		await outbox.markSending([a!.key, b!.key]);
		await outbox.settle(
			new Map([
				[a!.key, { kind: 'retry', at: 900, reason: 'Relay down', isAttempt: true }],
				[b!.key, { kind: 'retry', at: 500, reason: 'Rate-limited', isAttempt: false }]
			])
		);
		expect(await outbox.due(499, 10)).toHaveLength(0);
		expect((await outbox.due(900, 10)).map((m) => m.key)).toEqual([b!.key, a!.key]);
		expect(await outbox.nextDueAt()).toBe(500);
		expect(await outbox.get(a!.key)).toMatchObject({ attempts: 1, reason: 'Relay down' });
		expect(await outbox.get(b!.key)).toMatchObject({ attempts: 0 });
	});

	it('cancels, instead of sending, a message about a user deleted since it was queued', async () => {
		const { outbox, users, ann, bob } = await setup();
		await outbox.queueFor([ann.id, bob.id], 'activation', { now: 1 });
		await users.remove([bob.id]);
		const keys = (await outbox.due(10, 10)).map((m) => m.key);
		const sending = await outbox.markSending(keys);
		expect(sending.map((m) => m.to)).toEqual(['ann@example.com']);
		const [gone] = await outbox.forUser(bob.id);
		expect(gone).toMatchObject({ state: 'cancelled', reason: 'The user was deleted.' });
	});

	it('restores damaged rows instead of handing half a message to a page', () => {
		const restored = restoreMessage({ key: 'k', state: 'lost', createdAt: 'yesterday', attempts: -3 });
		expect(restored).toMatchObject({ key: 'k', state: 'failed', attempts: 0, to: '' });
		expect(restored.reason).toMatch(/damaged/);
		expect(restored.createdAt).toBeTypeOf('number');
	});
});

describe('a user and their messages together', () => {
	it('saves both or neither: a refused user leaves no message (and no password) behind', async () => {
		const { outbox, users } = await setup();
		const add = (email: string) =>
			outbox.together(async () => {
				const added = await users.add(person({ firstName: 'New', email, mobilePhone: '+447700900124' }));
				await outbox.queueFor([added.id], 'activation');
				await outbox.queueFor([added.id], 'sms-login', { values: () => ({ password: 'Initial-pass-9' }) });
				return added;
			});
		const added = await add('new@example.com');
		expect((await outbox.forUser(added.id)).map((m) => m.template).sort()).toEqual([
			'activation',
			'sms-login'
		]);
		await expect(add('ann@example.com')).rejects.toThrow(/already taken/);
		expect(await outbox.list()).toHaveLength(2);
	});
});

describe("a user's initial password follows the SMS login details that carry it", () => {
	const withPassword = (now: number) => ({ values: () => ({ password: 'Secret-pass-1' }), now });
	const hasPassword = async (users: Awaited<ReturnType<typeof setup>>['users'], id: number) =>
		(await users.get(id))!.hasPassword;

	it('goes when they are cancelled, unless another SMS carried one', async () => {
		const { users, outbox, ann } = await setup();
		await outbox.queueFor([ann.id], 'sms-login', withPassword(1));
		expect(await hasPassword(users, ann.id)).toBe(true);
		const [first] = await outbox.forUser(ann.id);
		expect(await outbox.cancel(first!.key)).toBe(true);
		expect(await hasPassword(users, ann.id)).toBe(false);

		// One sent, then another cancelled: the sent one carried a password to them.
		await outbox.queueFor([ann.id], 'sms-login', withPassword(2));
		const [sent] = await outbox.forUser(ann.id);
		await outbox.markSending([sent!.key]);
		await outbox.settle(new Map([[sent!.key, { kind: 'accepted', messageId: 'm-1' }]]));
		await outbox.queueFor([ann.id], 'sms-login', withPassword(3));
		const [waiting] = await outbox.forUser(ann.id);
		expect(waiting!.key).not.toBe(sent!.key);
		await outbox.cancel(waiting!.key);
		expect(await hasPassword(users, ann.id)).toBe(true);
	});

	it('cancelled because the user was deleted, it does not come back with an undone deletion', async () => {
		const { users, outbox, ann } = await setup();
		await outbox.queueFor([ann.id], 'sms-login', withPassword(1));
		const [message] = await outbox.forUser(ann.id);
		const { batch } = await users.remove([ann.id]);
		expect(await outbox.markSending([message!.key])).toEqual([]);
		expect((await outbox.get(message!.key))?.state).toBe('cancelled');
		await users.undoRemove(batch);
		expect(await hasPassword(users, ann.id)).toBe(false);
	});

	it('stays when the user comes back before it was sent: it still goes', async () => {
		const { users, outbox, ann } = await setup();
		await outbox.queueFor([ann.id], 'sms-login', withPassword(1));
		const { batch } = await users.remove([ann.id]);
		await users.undoRemove(batch);
		expect(await hasPassword(users, ann.id)).toBe(true);
	});
});
