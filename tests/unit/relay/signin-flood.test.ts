// A flood of sign-ins against a real relay with a real scrypt (about 0.5 s a hash, more on a busy
// machine). Nothing here measures time: what is counted is how many hashes ran, how many ran at once, and
// which requests finished before which.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../../src/relay/accounts/password.ts';
import { createLinkToken, setOwnPassword, upsertAccount } from '../../../src/relay/store/accounts.ts';
import { countStatuses, postForm, type FormAnswer } from './forms.ts';
import { startTestRelay, until, type TestRelay } from './harness.ts';

vi.setConfig({ testTimeout: 180_000 });

// RATE_LIMIT_SIGNIN_FAILURES_PER_15_MINUTES = 4: per account 4, per address 12, per source 2 at once.
const LIMIT = 4;
const CAP = 2;

describe('a flood of sign-ins', () => {
	let relay: TestRelay;
	beforeAll(async () => {
		relay = await startTestRelay({
			RATE_LIMIT_SIGNIN_FAILURES_PER_15_MINUTES: String(LIMIT),
			PASSWORD_HASHES_AT_ONCE: String(CAP),
			PASSWORD_HASHES_WAITING: '100'
		});
		upsertAccount(relay.relay.db, { id: 'u-flood', username: 'flood', email: 'flood@example.com' });
		setOwnPassword(relay.relay.db, 'u-flood', await hashPassword('violet harbour seventeen'));
	});
	afterAll(async () => {
		await relay.close();
	});

	const started = (): number => relay.relay.hashing.stats().started;

	it('runs no more hashes at one account than its limit, from one address or from many', async () => {
		const before = started();
		const signIn = (name: string, from: string): Promise<FormAnswer> =>
			postForm(`${relay.url}/signin`, { name, password: 'a wrong guess of mine' }, from);

		// 24 at once from one address, by username and email alike.
		const one = await Promise.all(
			Array.from({ length: 24 }, (_, i) => signIn(i % 2 ? 'flood' : 'FLOOD@example.com', '127.0.0.1'))
		);
		expect(countStatuses(one)).toEqual({ 401: LIMIT / 2, 429: 24 - LIMIT / 2 });
		// 24 more at once from 12 other addresses: the account's budget is what is left of 4.
		const many = await Promise.all(
			Array.from({ length: 24 }, (_, i) => signIn('flood', `127.0.1.${(i % 12) + 1}`))
		);
		expect(countStatuses(many)[401]).toBe(LIMIT / 2);
		expect(started() - before).toBe(LIMIT);
		for (const answer of [...one, ...many].filter(({ status }) => status === 429)) {
			expect(Number(answer.retryAfter)).toBeGreaterThan(0);
			expect(answer.text).toContain('Too many attempts.');
		}
		expect(relay.logs.some((line) => line.event === 'signin-throttled' && line.account === 'u-flood')).toBe(
			true
		);
	});

	it('runs at most three times the limit from one address, a few at once, while files and the API answer', async () => {
		const before = started();
		const from = '127.0.0.9';
		let isFloodOver = false;
		const flood = Promise.all(
			Array.from({ length: 30 }, (_, i) =>
				postForm(`${relay.url}/signin`, { name: `someone-${i}@example.com`, password: 'guess' + i }, from)
			)
		).then((answers) => {
			isFloodOver = true;
			return answers;
		});
		// Once hashing has begun, a file and the API must not wait for the flood.
		await until(() => relay.relay.hashing.stats().running > 0);
		const file = fetch(`${relay.url}/index.html`).then(async (response) => ({
			status: response.status,
			text: await response.text(),
			isFloodOver
		}));
		const health = fetch(`${relay.url}/api/health`).then((response) => ({
			status: response.status,
			isFloodOver
		}));
		expect(await file).toEqual({
			status: 200,
			text: expect.stringContaining('<h1>app</h1>') as unknown,
			isFloodOver: false
		});
		expect(await health).toEqual({ status: 200, isFloodOver: false });

		const answers = await flood;
		expect(countStatuses(answers)).toEqual({ 401: LIMIT * 3, 429: 30 - LIMIT * 3 });
		expect(started() - before).toBe(LIMIT * 3);
		expect(relay.relay.hashing.stats().maxRunning).toBe(CAP);
		expect(relay.logs.filter((line) => line.event === 'signin-failed' && line.client === from)).toHaveLength(
			LIMIT * 3
		);
	});
});

describe('a full hashing queue', () => {
	let relay: TestRelay;
	beforeAll(async () => {
		relay = await startTestRelay({
			RATE_LIMIT_SIGNIN_FAILURES_PER_15_MINUTES: '100',
			PASSWORD_HASHES_AT_ONCE: String(CAP),
			PASSWORD_HASHES_WAITING: '2'
		});
	});
	afterAll(async () => {
		await relay.close();
	});

	it('refuses sign-ins beyond it with 429 and Retry-After, and still lets a person activate', async () => {
		upsertAccount(relay.relay.db, { id: 'u-new', email: 'new@example.com' });
		const link = `${relay.url}/activate/${createLinkToken(relay.relay.db, 'u-new', 'activate', 3_600_000)}`;

		const flood = Promise.all(
			Array.from({ length: 12 }, (_, i) =>
				postForm(`${relay.url}/signin`, { name: `guest-${i}`, password: 'guess' + i }, `127.0.2.${i + 1}`)
			)
		);
		// The sign-in lane is full: two hashing, two waiting.
		await until(() => relay.relay.hashing.stats().waiting === 2);
		const activation = postForm(link, {
			password: 'lantern orchard pebble',
			confirm: 'lantern orchard pebble'
		});

		const answers = await flood;
		// Which requests found room depends on when each arrived; what holds always: every one was either
		// checked or refused as busy, at least one was refused, and only the admitted ones were hashed.
		const { 401: checked = 0, 429: busy = 0 } = countStatuses(answers);
		expect(checked + busy).toBe(12);
		expect(busy).toBeGreaterThan(0);
		for (const answer of answers.filter(({ status }) => status === 429)) {
			expect(Number(answer.retryAfter)).toBeGreaterThan(0);
			expect(answer.text).toContain('The relay is busy checking other sign-ins. Try again in a few seconds.');
		}
		expect((await activation).status).toBe(200);
		const { maxRunning, started, refused } = relay.relay.hashing.stats();
		expect(maxRunning).toBe(CAP);
		expect(started).toBe(checked + 1);
		expect(refused).toBe(busy);
		expect(relay.logs.filter((line) => line.event === 'hash-queue-full')).toHaveLength(busy);
	});
});
