import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { commandsStore } from '$lib/db/commands';
import type { RollcallDb } from '$lib/db/database';
import { importsStore } from '$lib/db/imports';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { relayUserId } from '$lib/domain/outbox';
import { freshDb, person } from './helpers';
import { check } from './import-helpers';

const DAY = 86_400_000;
const NOW = 100 * DAY;

/** A device that sent activation emails, which the relay then reported delivered (a day after). */
async function sentAndDelivered(db: RollcallDb, ids: readonly number[]) {
	const relay = relayStore(db);
	const outbox = outboxStore(db, relay);
	await outbox.queueFor(ids, 'activation', { now: NOW - 3 * DAY });
	await db.outbox.toCollection().modify({
		state: 'sent',
		sentAt: NOW - 3 * DAY,
		messageId: 'relay-message',
		delivery: 'delivered',
		deliveredAt: NOW - 2 * DAY
	});
	const { directoryId } = await relay.read();
	return { outbox, commands: commandsStore(db), relayId: (id: number) => relayUserId(directoryId, id) };
}

describe('delivered messages cleared from the Outbox list', () => {
	it('still tell the relay of a later suspension and deletion of their users', async () => {
		const db = freshDb('history-commands');
		const users = usersStore(db);
		const ids: number[] = [];
		for (const name of ['Ann', 'Bob', 'Cy']) {
			ids.push((await users.add(person({ firstName: name, email: `${name}@example.com` }))).id);
		}
		const [ann, bob, cy] = ids as [number, number, number];
		const { outbox, commands, relayId } = await sentAndDelivered(db, ids);
		expect(await outbox.clearDelivered(NOW)).toBe(3);
		expect(await db.outbox.count()).toBe(0);

		await users.setSuspended([ann], true, NOW);
		await users.setSuspended([ann], false, NOW);
		await users.remove([bob], NOW);
		await users.purgeTrash(NOW + 1, NOW + 1);
		expect((await commands.list()).map((row) => [row.type, row.relayUserId])).toEqual([
			['suspend', relayId(ann)],
			['reactivate', relayId(ann)],
			['suspend', relayId(bob)],
			['delete', relayId(bob)]
		]);
		// Cy was never changed: nothing was queued for them.
		expect((await commands.list()).some((row) => row.userId === cy)).toBe(false);
	});

	it('count in a bulk change too (read in one pass over the messaged users), and no one else does', async () => {
		const db = freshDb('history-bulk');
		const users = usersStore(db);
		const ann = (await users.add(person({ firstName: 'Ann', email: 'ann@example.com' }))).id;
		const bob = (await users.add(person({ firstName: 'Bob', email: 'bob@example.com' }))).id;
		const { outbox, commands } = await sentAndDelivered(db, [ann]);
		expect(await outbox.clearDelivered(NOW)).toBe(1);
		// More ids than queue() looks up one by one: Ann, Bob (never messaged) and many never seen.
		const many = [ann, bob, ...Array.from({ length: 6_000 }, (_, i) => 1_000 + i)];
		const queued = await db.transaction('rw', commands.tables(), () => commands.queue('suspend', many, NOW));
		expect(queued).toBe(1);
		expect((await commands.list()).map((row) => row.userId)).toEqual([ann]);
	});

	it('still tell the relay to forget the users of an undone import', async () => {
		const db = freshDb('history-import');
		const imports = importsStore(db);
		const checked = await check(db, [
			['Email', 'First name'],
			['dee@example.com', 'Dee'],
			['eve@example.com', 'Eve']
		]);
		const { createdIds } = await imports.commit(checked.rows, {
			fileName: 'new.csv',
			mode: 'all-or-nothing',
			updateExisting: false,
			now: NOW - 4 * DAY
		});
		const { outbox, commands, relayId } = await sentAndDelivered(db, createdIds);
		expect(await outbox.clearDelivered(NOW)).toBe(2);

		await imports.undo((await imports.history())[0]!.id, NOW);
		expect((await commands.list()).map((row) => [row.type, row.relayUserId])).toEqual(
			createdIds.map((id) => ['delete', relayId(id)])
		);
		// Their history goes with them: it named their addresses.
		expect(await db.messageHistory.count()).toBe(0);
	});

	it("stay in the user's messages, as delivered, keeping only what the history needs", async () => {
		const db = freshDb('history-user');
		const users = usersStore(db);
		const ann = await users.add(person({ firstName: 'Ann', email: 'ann@example.com' }));
		const { outbox } = await sentAndDelivered(db, [ann.id]);
		const [before] = await outbox.forUser(ann.id);
		// Defensive: even a delivered message that somehow kept values leaves them behind.
		await db.outbox.update(before!.key, { values: { password: 'Never-Kept-1' } });
		expect(await outbox.clearDelivered(NOW)).toBe(1);
		// A message queued after the clearing shows first, beside the cleared one.
		await outbox.queueFor([ann.id], 'welcome', { now: NOW + DAY });

		const messages = await outbox.forUser(ann.id);
		expect(messages.map((m) => [m.template, m.state, m.delivery])).toEqual([
			['welcome', 'queued', undefined],
			['activation', 'sent', 'delivered']
		]);
		expect(messages[1]).toMatchObject({
			key: before!.key,
			sentAt: NOW - 3 * DAY,
			deliveredAt: NOW - 2 * DAY,
			createdAt: NOW - 3 * DAY
		});
		expect(await db.messageHistory.toArray()).toEqual([
			{
				key: before!.key,
				template: 'activation',
				userId: ann.id,
				to: 'ann@example.com',
				createdAt: NOW - 3 * DAY,
				sentAt: NOW - 3 * DAY,
				deliveredAt: NOW - 2 * DAY,
				delivery: 'delivered'
			}
		]);
		// The Outbox list shows only what is left in it.
		expect((await outbox.list()).map((m) => m.template)).toEqual(['welcome']);
	});

	it('go when their user is deleted for good (an address kept for no one), as the outbox keeps its own', async () => {
		const db = freshDb('history-deleted');
		const users = usersStore(db);
		const ann = await users.add(person({ firstName: 'Ann', email: 'ann@example.com' }));
		const bob = await users.add(person({ firstName: 'Bob', email: 'bob@example.com' }));
		const cy = await users.add(person({ firstName: 'Cy', email: 'cy@example.com' }));
		const { outbox } = await sentAndDelivered(db, [ann.id, bob.id, cy.id]);
		// Ann's and Cy's messages are cleared, Bob's stays in the Outbox list.
		await db.outbox
			.where('userId')
			.equals(bob.id)
			.modify({ deliveredAt: NOW + DAY });
		expect(await outbox.clearDelivered(NOW)).toBe(2);
		await users.remove([ann.id, bob.id], NOW);
		// Still in the trash: an undo would bring Ann back with her history.
		expect(await outbox.forUser(ann.id)).toHaveLength(1);
		await users.purgeTrash(NOW + 1, NOW + 1);
		expect(await outbox.forUser(ann.id)).toEqual([]);
		expect(await outbox.forUser(bob.id)).toHaveLength(1);
		expect(await outbox.forUser(cy.id)).toHaveLength(1);
	});
});

describe('an initial password delivered by SMS and cleared from the Outbox list', () => {
	/** Ann was sent SMS login details with a password, delivered, then cleared into her history. */
	async function deliveredSms(db: RollcallDb) {
		const users = usersStore(db);
		const ann = (
			await users.add(person({ firstName: 'Ann', email: 'ann@example.com', mobilePhone: '+33612345678' }))
		).id;
		const outbox = outboxStore(db, relayStore(db));
		const values = () => ({ password: 'Correct-Horse-Battery-9' });
		await outbox.queueFor([ann], 'sms-login', { values, now: NOW - 3 * DAY });
		await db.outbox
			.toCollection()
			.modify({ state: 'sent', delivery: 'delivered', deliveredAt: NOW - 2 * DAY });
		expect(await outbox.clearDelivered(NOW)).toBe(1);
		return { ann, users, outbox, values };
	}

	it('is still hers when a later SMS is cancelled', async () => {
		const db = freshDb('history-password-cancel');
		const { ann, users, outbox, values } = await deliveredSms(db);
		await outbox.queueFor([ann], 'sms-login', { values, now: NOW });
		const [later] = await db.outbox.toArray();
		await outbox.cancel(later!.key);
		expect((await users.get(ann))?.hasPassword).toBe(true);
	});
});
