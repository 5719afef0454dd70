// Delivery through a real SMTP server and a real HTTP webhook on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventPage, OutgoingMessage } from '../../../src/lib/domain/relay-protocol.ts';
import { smtpSender, smtpTransportOptions } from '../../../src/relay/delivery/transports.ts';
import {
	activation,
	linkIn,
	newKey,
	startSmtp,
	startTestRelay,
	timesSent,
	until,
	type TestRelay,
	type TestSmtp
} from './harness.ts';

// Each password hash is scrypt at full strength (~0.5 s alone, more on a busy machine).
vi.setConfig({ testTimeout: 60_000 });

let smtp: TestSmtp;
let relay: TestRelay;
let token: string;

beforeAll(async () => {
	smtp = await startSmtp();
	relay = await startTestRelay({ SMTP_URL: smtp.url, MAIL_FROM: 'Rollcall <rollcall@example.org>' });
	token = await relay.pair();
});
afterAll(async () => {
	await relay.close();
	await smtp.close();
});

async function events(): Promise<EventPage['events']> {
	const response = await fetch(`${relay.url}/api/events?limit=500`, {
		headers: { Authorization: `Bearer ${token}` }
	});
	return ((await response.json()) as EventPage).events;
}

function mailsFor(address: string): TestSmtp['mails'] {
	return smtp.mails.filter((mail) => mail.to.includes(address));
}

describe('mail through SMTP', () => {
	it('sends each accepted message exactly once, to its one recipient, under retries and lost answers', async () => {
		const messages = Array.from({ length: 12 }, (_, i) => activation(`person${i}@example.com`));
		// The app's worst day: every batch sent three times, answers lost in between.
		await Promise.all([relay.sendBatch(token, messages), relay.sendBatch(token, messages)]);
		await relay.sendBatch(token, messages.slice(0, 6));
		await until(() => messages.every((message) => mailsFor(message.to).length > 0));
		await relay.relay.delivery.settled();
		for (const message of messages) {
			const mails = mailsFor(message.to);
			expect(mails).toHaveLength(1);
			expect(mails[0]?.to).toEqual([message.to]);
			// Derived from the key: a receiver can tell a resend of the same message.
			expect(mails[0]?.messageId).toBe(`<${message.idempotencyKey}@127.0.0.1>`);
			expect(mails[0]?.raw).toMatch(/^From: Rollcall <rollcall@example\.org>/m);
			expect(mails[0]?.raw).toMatch(/^Subject: Activate your account/m);
		}
		const delivered = (await events()).filter((event) => event.type === 'delivered');
		for (const message of messages) {
			expect(delivered.filter((event) => event.idempotencyKey === message.idempotencyKey)).toHaveLength(1);
		}
	});

	it('retries after a temporary refusal and gives up on a permanent one', async () => {
		smtp.failNext(1, 451);
		const later = activation('later@example.com');
		await relay.sendBatch(token, [later]);
		await until(() => mailsFor('later@example.com').length === 1);

		smtp.failNext(1, 550);
		const never = activation('never@example.com');
		await relay.sendBatch(token, [never]);
		await until(async () => (await events()).some((event) => event.idempotencyKey === never.idempotencyKey));
		const event = (await events()).find((item) => item.idempotencyKey === never.idempotencyKey);
		expect(event).toMatchObject({ type: 'undeliverable', userId: never.user.id });
		expect(event?.reason).toContain('The mail server refused the message');
		expect(mailsFor('never@example.com')).toHaveLength(0);

		// The operator log: one line per retry and give-up, with the domain and never the person.
		const lines = relay.logs.filter((line) => line.event !== 'request-failed');
		expect(lines.find((line) => line.event === 'undeliverable')).toMatchObject({
			level: 'warn',
			template: 'activation',
			domain: 'example.com',
			attempt: 1,
			reason: expect.stringContaining('<…@example.com>: Mailbox unavailable') as unknown
		});
		expect(lines.find((line) => line.event === 'delivery-retry')).toMatchObject({
			level: 'warn',
			domain: 'example.com'
		});
		expect(JSON.stringify(lines)).not.toMatch(/(later|never)@example\.com/);
	});

	it('sends the welcome mail with the license key and an activation link', async () => {
		const key = newKey();
		await relay.sendBatch(token, [
			{
				idempotencyKey: key,
				template: 'welcome',
				to: 'welcome@example.com',
				user: { id: 'u-welcome', firstName: 'Wen' },
				values: { licenseKey: 'ABCD-1234-EFGH' }
			}
		]);
		await until(() => mailsFor('welcome@example.com').length === 1);
		const raw = mailsFor('welcome@example.com')[0]?.raw ?? '';
		expect(raw).toContain('ABCD-1234-EFGH');
		expect(linkIn(raw)).toMatch(new RegExp(`^${relay.url}/activate/`));
	});
});

describe('SMS through the webhook', () => {
	let webhook: Server;
	const received: { body: Record<string, unknown>; headers: Record<string, unknown> }[] = [];
	let answer = 200;
	let smsRelay: TestRelay;
	let smsToken: string;

	beforeAll(async () => {
		webhook = createServer((request, response) => {
			let data = '';
			request.on('data', (chunk: Buffer) => (data += chunk.toString()));
			request.on('end', () => {
				received.push({ body: JSON.parse(data) as Record<string, unknown>, headers: request.headers });
				response.writeHead(answer, { 'Content-Type': 'text/plain' });
				response.end(answer === 200 ? 'ok' : 'number not reachable');
			});
		});
		await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
		const { port } = webhook.address() as AddressInfo;
		smsRelay = await startTestRelay({
			SMS_WEBHOOK_URL: `http://127.0.0.1:${port}/sms`,
			SMS_WEBHOOK_TOKEN: 'hook-secret'
		});
		smsToken = await smsRelay.pair();
	});
	afterAll(async () => {
		await smsRelay.close();
		await new Promise<void>((resolve) => webhook.close(() => resolve()));
	});

	it('posts the login details once, then keeps no readable password', async () => {
		const key = newKey();
		const [result] = (
			await smsRelay.sendBatch(smsToken, [
				{
					idempotencyKey: key,
					template: 'sms-login',
					to: '+447700900123',
					user: { id: 'u-sms', username: 'dana' },
					values: { password: 'Initial-Secret-42' }
				}
			])
		).results;
		expect(result).toMatchObject({ status: 'accepted' });
		await until(() => received.length === 1);
		await smsRelay.relay.delivery.settled();
		const [sms] = received;
		expect(sms?.headers.authorization).toBe('Bearer hook-secret');
		expect(sms?.headers['idempotency-key']).toBe(key);
		expect(sms?.body).toMatchObject({ to: '+447700900123', idempotencyKey: key });
		expect(sms?.body.text).toContain('Username: dana');
		expect(sms?.body.text).toContain('Password: Initial-Secret-42');
		expect(sms?.body.text).toContain(`${smsRelay.url}/signin`);
		const stored = JSON.stringify(smsRelay.relay.db.prepare('SELECT * FROM messages').all());
		expect(stored).not.toContain('Initial-Secret-42');
		const account = smsRelay.relay.db
			.prepare("SELECT password_hash FROM accounts WHERE user_id = 'u-sms'")
			.get() as { password_hash: string };
		expect(account.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
	});

	it('records a webhook 4xx as undeliverable with its reason', async () => {
		answer = 400;
		const key = newKey();
		await smsRelay.sendBatch(smsToken, [
			{
				idempotencyKey: key,
				template: 'sms-login',
				to: '+33612345678',
				user: { id: 'u-sms2', username: 'eli' },
				values: { password: 'Another-Secret-43' }
			}
		]);
		await until(() => received.length === 2);
		await smsRelay.relay.delivery.settled();
		const row = smsRelay.relay.db
			.prepare('SELECT state, last_error, payload FROM messages WHERE idempotency_key = ?')
			.get(key) as {
			state: string;
			last_error: string;
			payload: string;
		};
		expect(row.state).toBe('undeliverable');
		expect(row.last_error).toBe('The SMS webhook answered 400: number not reachable');
		expect(row.payload).not.toContain('Another-Secret-43');
		answer = 200;
	});
});

/** A real SMS webhook on loopback that answers 200 and keeps what it got. */
async function startWebhook(): Promise<{
	url: string;
	received: Record<string, unknown>[];
	close(): Promise<void>;
}> {
	const received: Record<string, unknown>[] = [];
	const server = createServer((request, response) => {
		let data = '';
		request.on('data', (chunk: Buffer) => (data += chunk.toString()));
		request.on('end', () => {
			received.push(JSON.parse(data) as Record<string, unknown>);
			response.writeHead(200, { 'Content-Type': 'text/plain' });
			response.end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/sms`,
		received,
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

function smsLogin(to: string, username: string): OutgoingMessage {
	return {
		idempotencyKey: newKey(),
		template: 'sms-login',
		to,
		user: { id: `u-${username}`, username },
		values: { password: 'Initial-Secret-42' }
	};
}

describe('a mail server that stalls after DATA', () => {
	it('holds up no SMS: mail and SMS leave through separate lanes', async () => {
		let release = (): void => {};
		const gate = new Promise<void>((resolve) => (release = resolve));
		const stalled = await startSmtp({ hold: () => gate });
		const webhook = await startWebhook();
		const both = await startTestRelay({
			SMTP_URL: stalled.url,
			MAIL_FROM: 'rollcall@example.org',
			SMS_WEBHOOK_URL: webhook.url
		});
		try {
			const deviceToken = await both.pair();
			const mails = Array.from({ length: 6 }, (_, i) => activation(`stuck${i}@example.com`));
			await both.sendBatch(deviceToken, mails);
			// Every mail worker waits on the server's answer.
			await until(() => stalled.arrived.length === 4);
			const sms = smsLogin('+447700900124', 'fay');
			await both.sendBatch(deviceToken, [sms]);
			// Setting the initial password is a full-strength scrypt: give a busy machine time.
			await until(() => webhook.received.length === 1, 30_000);
			expect(webhook.received[0]).toMatchObject({ idempotencyKey: sms.idempotencyKey });
			// ...while the mails are still stuck.
			expect(stalled.mails).toHaveLength(0);
			expect(stalled.arrived).toHaveLength(4);

			release();
			await until(() => stalled.mails.length === mails.length);
			await both.relay.delivery.settled();
			for (const mail of mails) expect(timesSent(stalled, mail.idempotencyKey)).toBe(1);
		} finally {
			await both.close();
			await stalled.close();
			await webhook.close();
		}
	});

	it('gives up on the session after the timeout and sends the mail again', async () => {
		const seen = new Set<string>();
		// Each mail's first DATA is never answered; the next one is.
		const stalling = await startSmtp({
			hold: (mail) => {
				if (seen.has(mail.messageId)) return undefined;
				seen.add(mail.messageId);
				return new Promise<void>(() => {});
			}
		});
		const shortTimeouts = await startTestRelay(
			{ SMTP_URL: stalling.url, MAIL_FROM: 'rollcall@example.org' },
			'127.0.0.1',
			{ smtpTimeoutMs: 2_000 }
		);
		try {
			const deviceToken = await shortTimeouts.pair();
			const mails = [activation('slow1@example.com'), activation('slow2@example.com')];
			await shortTimeouts.sendBatch(deviceToken, mails);
			await until(() => mails.every((mail) => timesSent(stalling, mail.idempotencyKey) > 0), 30_000);
			await shortTimeouts.relay.delivery.settled();
			for (const mail of mails) {
				expect(timesSent(stalling, mail.idempotencyKey)).toBe(1);
				const id = `<${mail.idempotencyKey}@127.0.0.1>`;
				expect(stalling.arrived.filter((arrived) => arrived.messageId === id)).toHaveLength(2);
			}
			const retries = shortTimeouts.logs.filter((line) => line.event === 'delivery-retry');
			expect(retries).toHaveLength(2);
			expect(retries[0]).toMatchObject({ level: 'warn', template: 'activation', attempt: 1 });
			expect(String(retries[0]?.reason)).toMatch(/timeout/i);
			expect(shortTimeouts.logs.filter((line) => line.event === 'delivered')).toEqual(
				mails.map(
					() => expect.objectContaining({ level: 'info', domain: 'example.com', attempt: 2 }) as unknown
				)
			);
		} finally {
			await shortTimeouts.close();
			await stalling.close();
		}
	});
});

describe('SMTP credentials', () => {
	const from = { name: 'Rollcall', address: 'rollcall@example.org' };
	const mail = {
		to: 'tls@example.com',
		messageId: '<tls-test@example.org>',
		subject: 'Activate your account',
		text: 'Hello',
		html: '<p>Hello</p>'
	};

	it('requires TLS for a mail server not on this machine, unless SMTP_ALLOW_PLAINTEXT names it', () => {
		const options = (url: string, plaintextHost?: string) => smtpTransportOptions(url, { plaintextHost });
		expect(options('smtp://relay%40example.org:p%3Ass@mail.example.org:587')).toEqual({
			pool: true,
			host: 'mail.example.org',
			port: 587,
			secure: false,
			requireTLS: true,
			auth: { user: 'relay@example.org', pass: 'p:ss' },
			// About a minute each: a server that stalls frees its slot.
			connectionTimeout: 60_000,
			greetingTimeout: 60_000,
			socketTimeout: 60_000
		});
		expect(options('smtps://mail.example.org')).toMatchObject({ secure: true, requireTLS: false });
		expect(options('smtp://mail.internal.example:25', 'mail.internal.example').requireTLS).toBe(false);
		for (const local of [
			'smtp://127.0.0.1:25',
			'smtp://LOCALHOST:25',
			'smtp://[::1]:25',
			'smtp://127.0.0.2'
		]) {
			expect(options(local).requireTLS).toBe(false);
		}
		for (const remote of [
			'smtp://10.0.0.5',
			'smtp://[2001:db8::1]:25',
			'smtp://localhost.example.org',
			'smtp://127.0.0.1.nip.io'
		]) {
			expect(options(remote).requireTLS).toBe(true);
		}
	});

	it('never sends the password to a server that offers no STARTTLS', async () => {
		const careless = await startSmtp({ offerAuth: true });
		const url = `smtp://relay-user:hunter2@127.0.0.1:${careless.port}`;
		// The real server on loopback, taken for one on another machine.
		const remote = smtpSender(url, from, { isLoopbackHost: () => false });
		const named = smtpSender(url, from, { isLoopbackHost: () => false, plaintextHost: '127.0.0.1' });
		try {
			const outcome = await remote.send(mail);
			expect(outcome).toMatchObject({ kind: 'retry' });
			expect((outcome as { reason: string }).reason).toMatch(/STARTTLS/);
			expect(careless.logins).toEqual([]);
			expect(careless.arrived).toEqual([]);
			// Named in SMTP_ALLOW_PLAINTEXT, the same server gets the password: the check above could see it.
			expect(await named.send(mail)).toEqual({ kind: 'delivered' });
			expect(careless.logins).toEqual(['relay-user']);
		} finally {
			remote.close();
			named.close();
			await careless.close();
		}
	});
});
