// Activation links, the sign-in page and the mailbox, against a relay that keeps mail in its mailbox.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventPage } from '../../../src/lib/domain/relay-protocol.ts';
import { createLinkToken, upsertAccount } from '../../../src/relay/store/accounts.ts';
import { activation, newKey, startTestRelay, until, type TestRelay } from './harness.ts';

// Each password hash is scrypt at full strength (~0.5 s alone, more on a busy machine).
vi.setConfig({ testTimeout: 60_000 });

let relay: TestRelay;
let token: string;

beforeAll(async () => {
	relay = await startTestRelay({ RATE_LIMIT_SIGNIN_FAILURES_PER_15_MINUTES: '3' });
	token = await relay.pair();
});
afterAll(async () => {
	await relay.close();
});

interface MailboxItem {
	kind: string;
	to: string;
	text: string;
	links: string[];
}

async function mailbox(): Promise<MailboxItem[]> {
	return (await (await fetch(`${relay.url}/mailbox/messages.json`)).json()) as MailboxItem[];
}

async function linkFor(to: string): Promise<string> {
	await until(async () => (await mailbox()).some((item) => item.to === to));
	const item = (await mailbox()).find((entry) => entry.to === to);
	const link = item?.links.find((url) => url.includes('/activate/'));
	if (!link) throw new Error(`no activation link for ${to}`);
	return link;
}

function post(
	url: string,
	fields: Record<string, string>,
	headers: Record<string, string> = {}
): Promise<Response> {
	return fetch(url, { method: 'POST', body: new URLSearchParams(fields), headers, redirect: 'manual' });
}

async function eventsFor(userId: string): Promise<string[]> {
	const response = await fetch(`${relay.url}/api/events?limit=500`, {
		headers: { Authorization: `Bearer ${token}` }
	});
	return ((await response.json()) as EventPage).events
		.filter((event) => event.userId === userId)
		.map((event) => event.type);
}

const GOOD_PASSWORD = 'lantern orchard pebble';

describe('the activation link', () => {
	it('shows the form on GET as often as asked, and sets the password once on POST', async () => {
		const message = activation('ann.activate@example.com', 'u-ann');
		await relay.sendBatch(token, [message]);
		const link = await linkFor('ann.activate@example.com');

		// Mail scanners open links first: GETs use nothing up.
		for (let i = 0; i < 3; i++) {
			const page = await fetch(link);
			expect(page.status).toBe(200);
			const html = await page.text();
			expect(html).toContain('<label for="password">New password</label>');
			expect(html).not.toMatch(/<script/i);
			expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
		}

		const mismatch = await post(link, { password: GOOD_PASSWORD, confirm: 'something else entirely' });
		expect(mismatch.status).toBe(422);
		expect(await mismatch.text()).toContain('The two passwords are not the same.');
		const short = await post(link, { password: 'short one', confirm: 'short one' });
		expect(await short.text()).toContain('Use at least 15 characters (this one has 9).');
		const common = await post(link, { password: 'passwordpassword', confirm: 'passwordpassword' });
		expect(await common.text()).toContain('too common');

		const done = await post(link, { password: GOOD_PASSWORD, confirm: GOOD_PASSWORD });
		expect(done.status).toBe(200);
		expect(await done.text()).toContain('Your password is set');
		expect(await eventsFor('u-ann')).toEqual(['delivered', 'activated']);

		const again = await fetch(link);
		expect(again.status).toBe(410);
		expect(await again.text()).toContain('This link was already used');
		expect(
			(await post(link, { password: 'another good passphrase', confirm: 'another good passphrase' })).status
		).toBe(410);
		expect(await eventsFor('u-ann')).toEqual(['delivered', 'activated']);
	});

	it('explains an expired link and an unknown one', async () => {
		upsertAccount(relay.relay.db, { id: 'u-late', email: 'late@example.com' });
		const expired = createLinkToken(relay.relay.db, 'u-late', 'activate', 1000, null, Date.now() - 5000);
		const page = await fetch(`${relay.url}/activate/${expired}`);
		expect(page.status).toBe(410);
		expect(await page.text()).toContain('This link has expired');
		expect(
			(await post(`${relay.url}/activate/${expired}`, { password: GOOD_PASSWORD, confirm: GOOD_PASSWORD }))
				.status
		).toBe(410);

		const unknown = await fetch(`${relay.url}/activate/${'A'.repeat(43)}`);
		expect(unknown.status).toBe(404);
		expect(await unknown.text()).toContain('This link is not valid');
	});
});

describe('the sign-in page', () => {
	it('signs in with the chosen password and records it; a wrong one gets the same message as an unknown name', async () => {
		const good = await post(`${relay.url}/signin`, {
			name: 'ANN.ACTIVATE@example.com',
			password: GOOD_PASSWORD
		});
		expect(good.status).toBe(200);
		expect(await good.text()).toContain('You are signed in');
		expect(await eventsFor('u-ann')).toEqual(['delivered', 'activated', 'signed-in']);

		const wrong = await post(`${relay.url}/signin`, {
			name: 'ann.activate@example.com',
			password: 'not the password at all'
		});
		const unknown = await post(`${relay.url}/signin`, {
			name: 'nobody@example.com',
			password: 'not the password at all'
		});
		expect(wrong.status).toBe(401);
		expect(unknown.status).toBe(401);
		expect(await wrong.text()).toContain('The username or password is not right.');
		expect(await unknown.text()).toContain('The username or password is not right.');
		expect(await eventsFor('u-ann')).toEqual(['delivered', 'activated', 'signed-in']);
	});

	it('slows failures at one account from one address', async () => {
		// RATE_LIMIT_SIGNIN_FAILURES_PER_15_MINUTES is 3: half of it (rounded up) goes at once, then it waits.
		for (let i = 0; i < 2; i++) {
			expect(
				(await post(`${relay.url}/signin`, { name: 'target@example.com', password: `guess number ${i}` }))
					.status
			).toBe(401);
		}
		const limited = await post(`${relay.url}/signin`, {
			name: 'Target@example.com',
			password: 'guess number 4'
		});
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(await limited.text()).toContain('Too many attempts.');
	});

	it('refuses a sign-in form posted from another site', async () => {
		const response = await post(
			`${relay.url}/signin`,
			{ name: 'a', password: 'b' },
			{ Origin: 'https://evil.example' }
		);
		expect(response.status).toBe(403);
	});

	it('lets SMS login details sign in once, then asks for an own password', async () => {
		await relay.sendBatch(token, [
			{
				idempotencyKey: newKey(),
				template: 'sms-login',
				to: '+447700900456',
				user: { id: 'u-dana', username: 'dana' },
				values: { password: 'Initial-Secret-42' }
			}
		]);
		await until(async () => (await mailbox()).some((item) => item.to === '+447700900456'));
		await relay.relay.delivery.settled();
		const sms = (await mailbox()).find((item) => item.to === '+447700900456');
		expect(sms?.kind).toBe('sms');
		expect(sms?.text).toContain('Password: Initial-Secret-42');

		const first = await post(`${relay.url}/signin`, { name: 'dana', password: 'Initial-Secret-42' });
		const html = await first.text();
		expect(html).toContain('Choose your own now');
		const action = /action="(\/activate\/[A-Za-z0-9_-]{43})"/.exec(html)?.[1];
		expect(action).toBeDefined();
		expect(await eventsFor('u-dana')).toEqual(['delivered']);

		const chosen = await post(`${relay.url}${action}`, {
			password: 'violet harbour seventeen',
			confirm: 'violet harbour seventeen'
		});
		expect(chosen.status).toBe(200);
		expect(await eventsFor('u-dana')).toEqual(['delivered', 'activated', 'signed-in']);
		// The initial password stops working.
		expect((await post(`${relay.url}/signin`, { name: 'dana', password: 'Initial-Secret-42' })).status).toBe(
			401
		);
	});
});

describe('the mailbox', () => {
	it('lists newest first with clickable links, for this machine only', async () => {
		const list = await fetch(`${relay.url}/mailbox`);
		expect(list.status).toBe(200);
		const html = await list.text();
		expect(html.indexOf('+447700900456')).toBeLessThan(html.indexOf('ann.activate@example.com'));
		const first = /href="(\/mailbox\/\d+)"/.exec(html)?.[1];
		const item = await (await fetch(`${relay.url}${first}`)).text();
		expect(item).toMatch(/<a href="http:\/\/127\.0\.0\.1:\d+\/signin">/);

		const proxied = await fetch(`${relay.url}/mailbox/messages.json`, {
			headers: { 'X-Forwarded-For': '203.0.113.9' }
		});
		expect(proxied.status).toBe(403);
	});

	it('answers 403 to a peer that is not loopback', async () => {
		// The relay's socket-address seam stands in for another machine: this one may have no other address.
		const remote = await startTestRelay({}, '127.0.0.1', { peerAddress: () => '203.0.113.7' });
		try {
			const response = await fetch(`${remote.url}/mailbox/messages.json`);
			expect(response.status).toBe(403);
			expect((await fetch(`${remote.url}/api/health`)).status).toBe(200);
			expect(remote.logs).toContainEqual(
				expect.objectContaining({ event: 'request-refused', status: 403, client: '203.0.113.7' })
			);
		} finally {
			await remote.close();
		}
	});
});

describe('the relay pages', () => {
	it('are labelled, script-free and keyboard-usable forms', async () => {
		const html = await (await fetch(`${relay.url}/signin`)).text();
		expect(html).toContain('<html lang="en">');
		expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
		for (const id of ['name', 'password']) expect(html).toContain(`<label for="${id}">`);
		expect(html).toContain('<button type="submit">Sign in</button>');
		expect(html).not.toMatch(/<script|tabindex="-|onclick/i);
	});
});
