// What a review that attacked the merged relay found: a deleted person's address left behind, a webhook
// echoing an SMS password into the log, and password checks paid for by a device past its cap.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessageResult } from '../../../src/lib/domain/relay-protocol.ts';
import { activation, newKey, startSmtp, startTestRelay, until, type TestRelay } from './harness.ts';

vi.setConfig({ testTimeout: 60_000 });

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
	for (const close of closing.splice(0).reverse()) await close();
});

async function relayWith(env: Record<string, string> = {}): Promise<{ relay: TestRelay; token: string }> {
	const relay = await startTestRelay(env);
	closing.push(() => relay.close());
	return { relay, token: await relay.pair() };
}

async function remove(relay: TestRelay, token: string, userId: string): Promise<void> {
	const response = await fetch(`${relay.url}/api/commands`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
		body: JSON.stringify({ commands: [{ idempotencyKey: newKey(), type: 'delete', userId }] })
	});
	expect(response.status).toBe(200);
}

const rowsOf = (relay: TestRelay, userId: string) =>
	relay.relay.db
		.prepare('SELECT state, recipient, recipient_key, payload FROM messages WHERE user_id = ?')
		.all(userId) as { state: string; recipient: string; recipient_key: string; payload: string }[];

describe('a deleted person', () => {
	it('leaves no address in the history, even of a mail that was on its way when the delete came', async () => {
		let release = (): void => {};
		const gate = new Promise<void>((resolve) => (release = resolve));
		const smtp = await startSmtp({ hold: () => gate });
		closing.push(() => smtp.close());
		const { relay, token } = await relayWith({ SMTP_URL: smtp.url, MAIL_FROM: 'rollcall@example.org' });
		const to = 'leaving@example.com';
		await relay.sendBatch(token, [activation(to, 'u-leaving')]);
		await until(() => smtp.arrived.some((mail) => mail.to.includes(to)));

		await remove(relay, token, 'u-leaving');
		release();
		await until(() => rowsOf(relay, 'u-leaving').every((row) => row.state !== 'sending'));
		for (const row of rowsOf(relay, 'u-leaving')) {
			expect([row.recipient, row.recipient_key]).toEqual(['', '']);
			expect(row.payload).not.toContain(to);
			expect(row.payload).not.toContain('Ann');
		}
	});

	it('leaves nothing in the built-in mailbox', async () => {
		const { relay, token } = await relayWith();
		await relay.sendBatch(token, [activation('boxed@example.com', 'u-boxed')]);
		const mailbox = () =>
			relay.relay.db
				.prepare("SELECT count(*) AS n FROM mailbox WHERE recipient = 'boxed@example.com'")
				.get() as {
				n: number;
			};
		await until(() => mailbox().n === 1);
		await remove(relay, token, 'u-boxed');
		expect(mailbox().n).toBe(0);
		expect(rowsOf(relay, 'u-boxed').map((row) => row.recipient_key)).toEqual(['']);
	});
});

describe('an SMS initial password', () => {
	it('never reaches the log, the database or the events when the webhook echoes it back', async () => {
		const webhook: Server = createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () =>
				response.writeHead(400).end(`invalid request: ${Buffer.concat(chunks).toString()}`)
			);
		});
		await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
		closing.push(() => new Promise((resolve) => webhook.close(resolve)));
		const { port } = webhook.address() as AddressInfo;
		const { relay, token } = await relayWith({ SMS_WEBHOOK_URL: `http://127.0.0.1:${port}/sms` });
		const password = 'amber "kettle" drifts past 9 harbours';
		const key = newKey();
		const { results } = await relay.sendBatch(token, [
			{
				idempotencyKey: key,
				template: 'sms-login',
				to: '+447700900125',
				user: { id: 'u-echo', username: 'eve' },
				values: { password }
			}
		]);
		expect(results[0]).toMatchObject({ status: 'accepted' });
		const row = () =>
			relay.relay.db.prepare('SELECT state, last_error FROM messages WHERE idempotency_key = ?').get(key) as {
				state: string;
				last_error: string | null;
			};
		await until(() => row().state === 'undeliverable');
		expect(row().last_error).toContain('The SMS webhook answered 400: invalid request:');
		expect(row().last_error).toContain('[the password]');
		const events = relay.relay.db.prepare('SELECT reason FROM events').all() as { reason: string | null }[];
		for (const text of [row().last_error, JSON.stringify(events), JSON.stringify(relay.logs)]) {
			expect(text).not.toContain('kettle');
		}
	});

	it('is not checked for a device past its cap: its messages are rate-limited first', async () => {
		const { relay, token } = await relayWith({
			RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR: '1',
			RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY: '1'
		});
		await relay.sendBatch(token, [activation('first@example.com')]);
		const weak = (i: number) => ({
			idempotencyKey: newKey(),
			template: 'sms-login' as const,
			to: `+44770090013${i}`,
			user: { id: `u-weak-${i}`, username: `weak${i}` },
			values: { password: 'Password1234567!' }
		});
		const { results } = await relay.sendBatch(token, [weak(1), weak(2), weak(3)]);
		expect(results.map((result: MessageResult) => result.status)).toEqual([
			'rate-limited',
			'rate-limited',
			'rate-limited'
		]);
	});
});
