// What one device may send through the relay: the shape of a message, the per-device and per-recipient
// limits (counted from the messages table, so they hold across a restart), and the names that reach a mail.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageResult } from '../../../src/lib/domain/relay-protocol.ts';
import { activation, startTestRelay, type TestRelay } from './harness.ts';

let relay: TestRelay;
let token: string;

beforeAll(async () => {
	relay = await startTestRelay();
	token = await relay.pair();
});
afterAll(async () => {
	await relay.close();
});

function storedKeys(keys: readonly string[]): string[] {
	const rows = relay.relay.db
		.prepare(
			`SELECT idempotency_key FROM messages WHERE idempotency_key IN (${keys.map(() => '?').join(',')})`
		)
		.all(...keys) as { idempotency_key: string }[];
	return rows.map((row) => row.idempotency_key);
}

describe('the shape of a message', () => {
	it('answers 400 naming a message nested 100,000 deep, stores nothing of its batch, and keeps working', async () => {
		const depth = 100_000;
		const batch = [
			activation('first@example.com'),
			activation('deep@example.com'),
			activation('last@example.com')
		];
		const body = JSON.stringify({
			messages: batch.map((message, i) =>
				i === 1 ? { ...message, user: { ...message.user, firstName: 'DEEP' } } : message
			)
		}).replace('"DEEP"', `${'['.repeat(depth)}${']'.repeat(depth)}`);
		const response = await fetch(`${relay.url}/api/messages`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
			body
		});
		expect(response.status).toBe(400);
		const { error } = (await response.json()) as { error: { code: string; message: string } };
		expect(error.code).toBe('bad-request');
		expect(error.message).toContain('Message 2 of the batch');
		expect(error.message).toContain(batch[1]!.idempotencyKey);
		expect(error.message).toContain('more than 4 levels deep');
		expect(storedKeys(batch.map((message) => message.idempotencyKey))).toEqual([]);

		const { results } = await relay.sendBatch(token, [batch[0], batch[2]]);
		expect(results.map((result) => result.status)).toEqual(['accepted', 'accepted']);
	});

	it('answers 400 for a message too big to be one, and still looks at one nested as deep as allowed', async () => {
		const big = { ...activation('big@example.com'), values: { note: 'x'.repeat(20_000) } };
		const tooBig = await relay.send(token, [activation('fine@example.com'), big]);
		expect(tooBig.status).toBe(400);
		expect(((await tooBig.json()) as { error: { message: string } }).error.message).toMatch(
			/^Message 2 of the batch .* is larger than 16 KiB/
		);

		// Four levels (message, user, and two more) pass the shape check and meet the ordinary checks.
		const nested = { ...activation('nested@example.com'), values: { extra: { deeper: [1] } } };
		const [result] = (await relay.sendBatch(token, [nested])).results as MessageResult[];
		expect(result).toMatchObject({ status: 'rejected', code: 'invalid' });
	});
});

/** The status line of a request sent as written (fetch would refuse or rewrite these targets). */
function rawStatus(url: string, requestLine: string): Promise<string> {
	const { hostname, port } = new URL(url);
	return new Promise((resolve, reject) => {
		const socket = connect(Number(port), hostname, () =>
			socket.write(`${requestLine}\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`)
		);
		let answer = '';
		socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
		socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
		socket.on('error', reject);
	});
}

describe('the mailbox JSON route', () => {
	it('answers 400 to a request target no URL can be made of, and the relay keeps running', async () => {
		for (const target of [
			'http://relay.example:99999/mailbox/messages.json',
			'//relay.example:99999/mailbox/messages.json',
			'http://[::1/mailbox/messages.json'
		]) {
			for (const method of ['GET', 'HEAD']) {
				expect(await rawStatus(relay.url, `${method} ${target} HTTP/1.1`)).toBe('HTTP/1.1 400 Bad Request');
			}
		}
		expect(await rawStatus(relay.url, 'GET /mailbox/messages.json?after=%ZZ&limit=-1 HTTP/1.1')).toBe(
			'HTTP/1.1 200 OK'
		);
		const list = await fetch(`${relay.url}/mailbox/messages.json`);
		expect(list.status).toBe(200);
		expect(Array.isArray(await list.json())).toBe(true);
	});
});
