// Delivery through a real SMTP server and a real HTTP webhook on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventPage } from '../../../src/lib/domain/relay-protocol.ts';
import {
	activation,
	linkIn,
	newKey,
	startSmtp,
	startTestRelay,
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
