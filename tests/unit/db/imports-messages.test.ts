import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { importsStore } from '$lib/db/imports';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { freshDb, person } from './helpers';
import { check } from './import-helpers';

describe("an import's messages to its new users", () => {
	it('queues them in the import transaction, each password only in its own SMS', async () => {
		const db = freshDb('import-messages');
		const outbox = outboxStore(db, relayStore(db));
		await usersStore(db).add(person({ email: 'old@example.com' }));
		const checked = await check(db, [
			['Email', 'Mobile phone', 'First name'],
			['old@example.com', '+447911123458', 'Old'],
			['ann@example.com', '+447911123456', 'Ann'],
			['bob@example.com', '+447911123457', 'Bob']
		]);
		const passwords = new Map([
			[3, 'Ann-initial-1'],
			[4, 'Bob-initial-2']
		]);
		const summary = await importsStore(db).commit(checked.rows, {
			fileName: 'd.csv',
			mode: 'valid-rows',
			updateExisting: false,
			afterCreate: async (created) => {
				const byUser = new Map(created.map((user) => [user.id, passwords.get(user.row)]));
				await outbox.queueFor(
					created.map((user) => user.id),
					'sms-login',
					{ values: (user) => ({ password: byUser.get(user.id) }) }
				);
			}
		});
		const messages = await outbox.list();
		expect(messages).toHaveLength(2);
		const sms = new Map(messages.map((m) => [m.to, m.values?.password]));
		expect(sms).toEqual(
			new Map([
				['+447911123456', 'Ann-initial-1'],
				['+447911123457', 'Bob-initial-2']
			])
		);
		expect(new Set(messages.map((m) => m.userId))).toEqual(new Set(summary.createdIds));
		expect(JSON.stringify(await db.users.toArray())).not.toMatch(/initial-/);
		// Only the users their SMS gives an initial password to are said to have one.
		const stored = await db.users.toArray();
		expect(stored.map((user) => [user.email, user.hasPassword])).toEqual([
			['old@example.com', false],
			['ann@example.com', true],
			['bob@example.com', true]
		]);
	});

	it('leaves no message when the import fails', async () => {
		const db = freshDb('import-messages-fail');
		const outbox = outboxStore(db, relayStore(db));
		const checked = await check(db, [['Email'], ['ann@example.com']]);
		const commit = importsStore(db).commit(checked.rows, {
			fileName: 'c.csv',
			mode: 'all-or-nothing',
			updateExisting: false,
			afterCreate: async (created) => {
				await outbox.queueFor(
					created.map((user) => user.id),
					'activation'
				);
				throw new Error('disk gone');
			}
		});
		await expect(commit).rejects.toThrow('disk gone');
		expect(await outbox.list()).toEqual([]);
		expect(await db.users.count()).toBe(0);
	});
});
