import { describe, expect, it } from 'vitest';
import { clearAgeName, isDeliveredBefore, isShownUnder, sendNowProblem } from '$lib/domain/outbox';

describe('the Outbox in the admin’s words', () => {
	it('files a sent message under what the relay later said about it', () => {
		expect(isShownUnder({ state: 'sent' }, 'Sent')).toBe(true);
		expect(isShownUnder({ state: 'sent', delivery: 'delivered' }, 'Sent')).toBe(false);
		expect(isShownUnder({ state: 'sent', delivery: 'delivered' }, 'Delivered')).toBe(true);
		expect(isShownUnder({ state: 'queued' }, 'Waiting')).toBe(true);
		expect(isShownUnder({ state: 'failed' }, 'All')).toBe(true);
	});

	it('clears a delivered message by when it was delivered, and nothing that was not delivered', () => {
		const delivered = {
			state: 'sent',
			delivery: 'delivered',
			createdAt: 1,
			sentAt: 5,
			deliveredAt: 10
		} as const;
		expect(isDeliveredBefore(delivered, 11)).toBe(true);
		expect(isDeliveredBefore(delivered, 10)).toBe(false);
		expect(isDeliveredBefore({ ...delivered, deliveredAt: undefined }, 6)).toBe(true);
		expect(isDeliveredBefore({ ...delivered, delivery: 'undeliverable' }, 99)).toBe(false);
		expect(isDeliveredBefore({ ...delivered, delivery: undefined }, 99)).toBe(false);
		expect(isDeliveredBefore({ ...delivered, state: 'failed' }, 99)).toBe(false);
		expect(clearAgeName(0)).toBe('any age');
		expect(clearAgeName(1)).toBe('more than a day ago');
		expect(clearAgeName(30)).toBe('more than 30 days ago');
	});

	it('says why Send now has nothing to do', () => {
		const ready = { waiting: 2, isOnline: true, isPaired: true, isSyncing: false };
		expect(sendNowProblem(ready)).toBeUndefined();
		expect(sendNowProblem({ ...ready, waiting: 0 })).toBe('Nothing is waiting to be sent.');
		expect(sendNowProblem({ ...ready, isOnline: false })).toMatch(/offline/);
		expect(sendNowProblem({ ...ready, isPaired: false })).toMatch(/not paired/);
		expect(sendNowProblem({ ...ready, waiting: 0, isOnline: false })).toBe('Nothing is waiting to be sent.');
	});
});
