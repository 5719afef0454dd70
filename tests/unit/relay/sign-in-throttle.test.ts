import { describe, expect, it } from 'vitest';
import { SignInThrottle, type SignInGate } from '../../../src/relay/accounts/sign-in-throttle.ts';

const MINUTE = 60_000;
const WINDOW = 15 * MINUTE;

/** A throttle at the default limit (10 per 15 minutes) on a clock the test moves. */
function throttle(): { gate: SignInThrottle; at: (ms: number) => void } {
	let now = 0;
	return {
		gate: new SignInThrottle({ limit: 10, windowMs: WINDOW, now: () => now }),
		at: (ms) => (now = ms)
	};
}

function waitOf(result: SignInGate): number {
	return result.ok ? 0 : result.retryAfterSeconds;
}

describe('SignInThrottle', () => {
	it('lets one source fail five times at once, then doubles its wait from 90 s up to 15 minutes', () => {
		const { gate, at } = throttle();
		for (let i = 0; i < 5; i++) expect(gate.begin('198.51.100.7', 'user:u1').ok).toBe(true);
		const refused = gate.begin('198.51.100.7', 'user:u1');
		expect(refused).toEqual({ ok: false, limit: 'source', retryAfterSeconds: 90 });

		let now = 0;
		const waits: number[] = [];
		for (let i = 0; i < 6; i++) {
			const wait = waitOf(gate.begin('198.51.100.7', 'user:u1'));
			waits.push(wait);
			now += wait * 1000;
			at(now);
			expect(gate.begin('198.51.100.7', 'user:u1').ok).toBe(true);
		}
		expect(waits).toEqual([90, 180, 360, 720, 900, 900]);
	});

	it('keeps the account open to others while one source hammers it', () => {
		const { gate, at } = throttle();
		let now = 0;
		// The attacker tries as fast as the throttle allows for an hour.
		while (now < 60 * MINUTE) {
			const result = gate.begin('203.0.113.66', 'user:u1');
			now += result.ok ? 0 : result.retryAfterSeconds * 1000;
			at(now);
		}
		// The person, from their own address, is not made to wait.
		const person = gate.begin('198.51.100.7', 'user:u1');
		expect(person.ok).toBe(true);
		if (person.ok) gate.succeeded(person.attempt);
	});

	it('shares one budget per account across sources: many sources wait a refill step, not a lock-out', () => {
		const { gate, at } = throttle();
		for (let i = 0; i < 10; i++) expect(gate.begin(`203.0.113.${i}`, 'user:u1').ok).toBe(true);
		expect(gate.begin('198.51.100.7', 'user:u1')).toEqual({
			ok: false,
			limit: 'account',
			retryAfterSeconds: 90
		});
		at(90_000);
		expect(gate.begin('198.51.100.7', 'user:u1').ok).toBe(true);
	});

	it('limits one address across accounts to three times the limit', () => {
		const { gate } = throttle();
		for (let i = 0; i < 30; i++) expect(gate.begin('203.0.113.5', `name:user${i}`).ok).toBe(true);
		expect(gate.begin('203.0.113.5', 'name:another')).toMatchObject({ ok: false, limit: 'address' });
	});

	it('forgets a source after a right password, and gives back what a withdrawn attempt took', () => {
		const { gate } = throttle();
		const attempts = Array.from({ length: 5 }, () => gate.begin('198.51.100.7', 'user:u1'));
		const last = attempts[4]!;
		if (last.ok) gate.withdraw(last.attempt);
		const again = gate.begin('198.51.100.7', 'user:u1');
		expect(again.ok).toBe(true);
		if (again.ok) gate.succeeded(again.attempt);
		for (let i = 0; i < 5; i++) expect(gate.begin('198.51.100.7', 'user:u1').ok).toBe(true);
	});

	it('throttles a trusted browser on its own, outside the budgets its account and address share', () => {
		const { gate } = throttle();
		for (let i = 0; i < 10; i++) gate.begin(`203.0.113.${i}`, 'user:u1');
		for (let i = 0; i < 30; i++) gate.begin('198.51.100.7', `name:user${i}`);
		expect(gate.begin('198.51.100.7', 'user:u1')).toMatchObject({ ok: false, limit: 'account' });

		const trusted = gate.begin('198.51.100.7', 'user:u1', 'browser-hash');
		expect(trusted).toMatchObject({ ok: true, attempt: { isTrusted: true } });
		if (trusted.ok) gate.succeeded(trusted.attempt);
		// Wrong passwords from it back off like any source's.
		for (let i = 0; i < 5; i++) expect(gate.begin('198.51.100.7', 'user:u1', 'browser-hash').ok).toBe(true);
		expect(gate.begin('198.51.100.7', 'user:u1', 'browser-hash')).toEqual({
			ok: false,
			limit: 'source',
			retryAfterSeconds: 90
		});
	});
});
