import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import type { OutboxMessage } from '$lib/domain/outbox';
import { freshDb } from './helpers';

const DAY = 86_400_000;
const NOW = 100 * DAY;

function message(key: string, changes: Partial<OutboxMessage>): OutboxMessage {
	return {
		key,
		template: 'activation',
		to: `${key}@example.com`,
		userId: 1,
		user: { id: '00000000-0000-4000-8000-000000000001' },
		state: 'queued',
		attempts: 0,
		nextAttemptAt: 0,
		createdAt: NOW - 60 * DAY,
		...changes
	};
}

async function setup() {
	const db = freshDb('outbox-clear');
	const outbox = outboxStore(db, relayStore(db));
	await db.outbox.bulkPut([
		message('old-delivered', {
			state: 'sent',
			sentAt: NOW - 40 * DAY,
			delivery: 'delivered',
			deliveredAt: NOW - 40 * DAY
		}),
		message('recent-delivered', {
			state: 'sent',
			sentAt: NOW - 2 * DAY,
			delivery: 'delivered',
			deliveredAt: NOW - 2 * DAY
		}),
		message('old-undeliverable', {
			state: 'sent',
			sentAt: NOW - 40 * DAY,
			delivery: 'undeliverable',
			deliveredAt: NOW - 40 * DAY
		}),
		message('old-sent', { state: 'sent', sentAt: NOW - 40 * DAY }),
		message('old-failed', { state: 'failed', reason: 'refused' }),
		message('old-cancelled', { state: 'cancelled' }),
		message('waiting', { state: 'queued', createdAt: NOW - DAY })
	]);
	return { db, outbox };
}

describe('the Outbox filter and Clear delivered', () => {
	it('lists the messages in one state as the admin reads it, newest first', async () => {
		const { outbox } = await setup();
		const keys = async (filter: Parameters<typeof outbox.list>[1]) =>
			(await outbox.list(500, filter)).map((m) => m.key);
		expect(await keys('All')).toHaveLength(7);
		expect((await keys('All'))[0]).toBe('waiting');
		expect(await keys('Delivered')).toEqual(expect.arrayContaining(['old-delivered', 'recent-delivered']));
		expect(await keys('Delivered')).toHaveLength(2);
		expect(await keys('Sent')).toEqual(['old-sent']);
		expect(await keys('Undeliverable')).toEqual(['old-undeliverable']);
		expect(await keys('Waiting')).toEqual(['waiting']);
		expect(await keys('Failed')).toEqual(['old-failed']);
		expect(await keys('Cancelled')).toEqual(['old-cancelled']);
		expect(await keys('Sending')).toEqual([]);
	});

	it('counts, then removes, only the messages delivered before the chosen time', async () => {
		const { db, outbox } = await setup();
		expect(await outbox.countDelivered(NOW - 30 * DAY)).toBe(1);
		expect(await outbox.countDelivered(NOW)).toBe(2);
		expect(await outbox.clearDelivered(NOW - 30 * DAY)).toBe(1);
		expect(await db.outbox.get('old-delivered')).toBeUndefined();
		const left = (await db.outbox.toArray()).map((m) => m.key).sort();
		expect(left).toEqual([
			'old-cancelled',
			'old-failed',
			'old-sent',
			'old-undeliverable',
			'recent-delivered',
			'waiting'
		]);
		expect(await outbox.clearDelivered(NOW - 30 * DAY)).toBe(0);
		expect(await outbox.clearDelivered(NOW)).toBe(1);
		expect(await outbox.countDelivered(NOW)).toBe(0);
	});
});
