// Sign-in limits keyed by the account, and initial passwords (SMS login details) that sign in once.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../../src/relay/accounts/password.ts';
import { setInitialPassword, setOwnPassword, upsertAccount } from '../../../src/relay/store/accounts.ts';
import { postForm } from './forms.ts';
import { newKey, startTestRelay, until, type TestRelay } from './harness.ts';

// Each password hash is scrypt at full strength (~0.5 s alone, more on a busy machine).
vi.setConfig({ testTimeout: 120_000 });

const HOUR = 3_600_000;
let relay: TestRelay;
let token: string;

beforeAll(async () => {
	// 4 failures per account per 15 minutes: 2 at once from one source, then it waits.
	relay = await startTestRelay({ RATE_LIMIT_SIGNIN_FAILURES_PER_15_MINUTES: '4' });
	token = await relay.pair();
});
afterAll(async () => {
	await relay.close();
});

const signIn = (name: string, password: string, from = '127.0.0.1', cookie?: string) =>
	postForm(`${relay.url}/signin`, { name, password }, from, cookie);

describe('sign-in limits', () => {
	it('count username and email as one account, and slow the guesser without keeping its owner out', async () => {
		upsertAccount(relay.relay.db, { id: 'u-kim', username: 'kim.lee', email: 'kim@example.com' });
		setOwnPassword(relay.relay.db, 'u-kim', await hashPassword('marble canyon whistle'));
		const attacker = '127.0.3.1';

		expect((await signIn('kim.lee', 'first wrong guess', attacker)).status).toBe(401);
		expect((await signIn('KIM@example.com', 'second wrong guess', attacker)).status).toBe(401);
		for (const name of ['kim.lee', 'kim@example.com', 'Kim.Lee', 'kim.lee', 'kim.lee']) {
			const refused = await signIn(name, 'another wrong guess', attacker);
			expect(refused.status).toBe(429);
			expect(Number(refused.retryAfter)).toBeGreaterThan(0);
		}

		// The owner, from their own address, signs in at once.
		const owner = await signIn('kim.lee', 'marble canyon whistle', '127.0.3.2');
		expect(owner.status).toBe(200);
		expect(owner.text).toContain('You are signed in');

		const failed = relay.logs.filter((line) => line.event === 'signin-failed');
		expect(failed).toHaveLength(2);
		expect(failed[0]).toMatchObject({ level: 'warn', client: attacker, account: 'u-kim' });
		expect(relay.logs.filter((line) => line.event === 'signin-throttled')).toHaveLength(5);
		const logged = JSON.stringify(relay.logs);
		for (const secret of ['wrong guess', 'marble canyon whistle', 'kim@example.com', 'kim.lee']) {
			expect(logged).not.toContain(secret);
		}
	});

	it('signs in each of two people whose address is one in two customers, by their own password', async () => {
		const db = relay.relay.db;
		upsertAccount(db, { id: 'u-ana-north', email: 'ana@shared.example', displayName: 'Ana North' });
		upsertAccount(db, { id: 'u-ana-south', email: 'ana@shared.example', displayName: 'Ana South' });
		// South updated last: it was the only one a sign-in by this address found.
		setOwnPassword(db, 'u-ana-north', await hashPassword('granite willow falcon'), Date.now() - HOUR);
		setOwnPassword(db, 'u-ana-south', await hashPassword('saffron pebble comet'), Date.now());

		const north = await signIn('ana@shared.example', 'granite willow falcon', '127.0.3.21');
		expect(north.status).toBe(200);
		expect(north.text).toContain('Welcome, Ana North.');
		const south = await signIn('ANA@shared.example', 'saffron pebble comet', '127.0.3.22');
		expect(south.status).toBe(200);
		expect(south.text).toContain('Welcome, Ana South.');
		expect((await signIn('ana@shared.example', 'neither of theirs', '127.0.3.23')).status).toBe(401);
		const signedIn = relay.logs.filter((line) => line.event === 'signed-in').map((line) => line.account);
		expect(signedIn).toEqual(expect.arrayContaining(['u-ana-north', 'u-ana-south']));
	});

	it('starts a source afresh after its right password', async () => {
		upsertAccount(relay.relay.db, { id: 'u-lou', username: 'lou' });
		setOwnPassword(relay.relay.db, 'u-lou', await hashPassword('copper meadow lantern'));
		const from = '127.0.3.3';
		expect((await signIn('lou', 'a typo in my password', from)).status).toBe(401);
		expect((await signIn('lou', 'copper meadow lantern', from)).status).toBe(200);
		expect((await signIn('lou', 'another typo in it', from)).status).toBe(401);
		expect((await signIn('lou', 'and another typo', from)).status).toBe(401);
		expect((await signIn('lou', 'and a third typo', from)).status).toBe(429);
	});

	it("let a browser its account signed in from through when guessers on many addresses have used up the account's budget", async () => {
		upsertAccount(relay.relay.db, { id: 'u-max', username: 'max' });
		setOwnPassword(relay.relay.db, 'u-max', await hashPassword('harbour tulip engine'));
		const first = await signIn('max', 'harbour tulip engine', '127.0.6.1');
		expect(first.status).toBe(200);
		expect(first.cookie).toMatch(/^rollcall_browser=[A-Za-z0-9_-]{43}$/);

		// Two addresses, two guesses each: the account's 4 are used up.
		await Promise.all(
			['127.0.6.2', '127.0.6.2', '127.0.6.3', '127.0.6.3'].map((from) => signIn('max', 'guess', from))
		);
		const stranger = await signIn('max', 'harbour tulip engine', '127.0.6.4');
		expect(stranger.status).toBe(429);
		expect(relay.logs.at(-1)).toMatchObject({ event: 'signin-throttled', limit: 'account' });

		// The owner's browser, now on yet another address, is not kept out.
		const owner = await signIn('max', 'harbour tulip engine', '127.0.6.5', first.cookie);
		expect(owner.status).toBe(200);
		expect(owner.cookie).toBeUndefined();
	});
});

describe('SMS login details', () => {
	async function sendSms(username: string, password: string) {
		return relay.sendBatch(token, [
			{
				idempotencyKey: newKey(),
				template: 'sms-login',
				to: '+447700900789',
				user: { id: `u-${username.replace('.', '-')}`, username, firstName: 'Eve', lastName: 'Stone' },
				values: { password }
			}
		]);
	}

	it('are refused when the initial password is common or holds the person’s name, saying what to change', async () => {
		const common = await sendSms('eve.common', 'P@ssw0rd12345678');
		expect(common.results[0]).toMatchObject({
			status: 'rejected',
			code: 'invalid',
			reason: expect.stringMatching(
				/^The initial password \(values\.password\) is refused: This password is too common or too easy to guess\..* Choose another one/
			) as unknown
		});
		const named = await sendSms('eve.named', 'Eve Stone spring lantern');
		expect(named.results[0]).toMatchObject({
			status: 'rejected',
			reason: expect.stringContaining('cannot contain your name, username or email address') as unknown
		});
	});

	it('sign in once, even when sent twice at the same moment, and then only lead to choosing a password', async () => {
		const sent = await sendSms('eve', 'tundra maple quartz');
		expect(sent.results[0]?.status).toBe('accepted');
		await until(
			() =>
				relay.relay.db.prepare("SELECT 1 FROM mailbox WHERE recipient = '+447700900789'").get() !== undefined
		);
		await relay.relay.delivery.settled();

		const [first, second] = await Promise.all([
			signIn('eve', 'tundra maple quartz', '127.0.4.1'),
			signIn('eve', 'tundra maple quartz', '127.0.4.2')
		]);
		const answers = [first, second].sort((a, b) => a.status - b.status);
		expect(answers.map((answer) => answer.status)).toEqual([200, 401]);
		expect(answers[0]?.text).toContain('Choose your own now');
		expect(answers[1]?.text).toContain(
			'The login details sent to you work only once, and they have been used.'
		);

		const again = await signIn('eve', 'tundra maple quartz', '127.0.4.3');
		expect(again.status).toBe(401);
		expect(again.text).toContain('work only once');
		expect(again.text).not.toContain('You are signed in');
	});

	it('stop signing in after INITIAL_PASSWORD_TTL_HOURS (72 by default), with a message that says so', async () => {
		const hash = await hashPassword('saffron glacier pillow');
		upsertAccount(relay.relay.db, { id: 'u-old', username: 'old.details' });
		upsertAccount(relay.relay.db, { id: 'u-fresh', username: 'fresh.details' });
		setInitialPassword(relay.relay.db, 'u-old', hash, Date.now() - 72 * HOUR - 60_000);
		setInitialPassword(relay.relay.db, 'u-fresh', hash, Date.now() - 71 * HOUR);

		const old = await signIn('old.details', 'saffron glacier pillow', '127.0.5.1');
		expect(old.status).toBe(401);
		expect(old.text).toContain(
			'The login details sent to you have expired: they work for 72 hours. Ask your administrator to send new ones.'
		);
		const fresh = await signIn('fresh.details', 'saffron glacier pillow', '127.0.5.2');
		expect(fresh.status).toBe(200);
		expect(fresh.text).toContain('Choose your own now');
		expect(
			relay.logs.some((line) => line.event === 'signin-initial-refused' && line.reason === 'expired')
		).toBe(true);
	});
});

describe('a retried SMS', () => {
	it('does not set its initial password again: a used one stays used', async () => {
		// The webhook holds the first try until the person has signed in, then fails it (503): the relay retries.
		let releaseFirst: () => void = () => {};
		const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
		let tries = 0;
		const webhook = createServer((request, response) => {
			request.resume();
			tries += 1;
			const status = tries === 1 ? 503 : 200;
			void (tries === 1 ? firstHeld : Promise.resolve()).then(() => response.writeHead(status).end());
		});
		await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
		const { port } = webhook.address() as AddressInfo;
		const smsRelay = await startTestRelay({ SMS_WEBHOOK_URL: `http://127.0.0.1:${port}/sms` });
		try {
			const smsToken = await smsRelay.pair();
			await smsRelay.sendBatch(smsToken, [
				{
					idempotencyKey: newKey(),
					template: 'sms-login',
					to: '+447700900321',
					user: { id: 'u-rae', username: 'rae' },
					values: { password: 'pewter lagoon compass' }
				}
			]);
			await until(() => tries === 1);
			const signInThere = () =>
				postForm(`${smsRelay.url}/signin`, { name: 'rae', password: 'pewter lagoon compass' });
			expect((await signInThere()).status).toBe(200);

			releaseFirst();
			await until(() => tries === 2);
			await smsRelay.relay.delivery.settled();
			const again = await signInThere();
			expect(again.status).toBe(401);
			expect(again.text).toContain('work only once');
		} finally {
			await smsRelay.close();
			await new Promise<void>((resolve) => webhook.close(() => resolve()));
		}
	});
});
