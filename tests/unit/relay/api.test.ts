import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	MAX_BATCH_BYTES,
	type EventPage,
	type MessageResult
} from '../../../src/lib/domain/relay-protocol.ts';
import { createPairingCode, PAIRING_CODE_MINUTES } from '../../../src/relay/store/devices.ts';
import { revokeDevice } from '../../../src/relay/store/devices.ts';
import { recordEvent } from '../../../src/relay/store/events.ts';
import {
	activation,
	newKey,
	startSmtp,
	startTestRelay,
	timesSent,
	until,
	type TestRelay,
	type TestSmtp
} from './harness.ts';

let relay: TestRelay;
let token: string;
// Deliveries are counted where they arrive, a real SMTP server: a second delivery of a message is a
// second mail there (the mailbox's unique key would refuse it and hide the bug).
let smtp: TestSmtp;

beforeAll(async () => {
	smtp = await startSmtp();
	relay = await startTestRelay({
		ALLOWED_ORIGINS: 'https://admin.example.org',
		SMTP_URL: smtp.url,
		MAIL_FROM: 'rollcall@example.org'
	});
	token = await relay.pair();
});
afterAll(async () => {
	await relay.close();
	await smtp.close();
});

const sent = (idempotencyKey: string): number => timesSent(smtp, idempotencyKey);

async function pairWith(code: string, deviceName = 'Tablet'): Promise<Response> {
	return fetch(`${relay.url}/api/pair`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ code, deviceName })
	});
}

describe('pairing', () => {
	it('exchanges a code once, in any case and with or without the dash', async () => {
		const { code } = createPairingCode(relay.relay.db);
		const first = await pairWith(code.toLowerCase().replace('-', ''));
		expect(first.status).toBe(200);
		const body = (await first.json()) as { token: string; deviceId: string; protocol: number };
		expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(body.protocol).toBe(1);
		// Only the hash is stored.
		const stored = JSON.stringify(relay.relay.db.prepare('SELECT * FROM devices').all());
		expect(stored).not.toContain(body.token);

		const again = await pairWith(code);
		expect(again.status).toBe(401);
		const refusal = ((await again.json()) as { error: { code: string; message: string } }).error;
		expect(refusal.message).toContain('already used');
		// The app words each reason its own way: the code says which it is.
		expect(refusal.code).toBe('pairing-code-used');
	});

	it('refuses an expired code and a wrong one', async () => {
		const { code } = createPairingCode(relay.relay.db, Date.now() - (PAIRING_CODE_MINUTES * 60_000 + 1000));
		const expired = await pairWith(code);
		expect(expired.status).toBe(401);
		expect(await expired.json()).toMatchObject({
			error: { code: 'pairing-code-expired', message: expect.stringContaining('expired') as unknown }
		});
		const wrong = await pairWith('ZZZZ-ZZZZ');
		expect(wrong.status).toBe(401);
		expect(await wrong.json()).toMatchObject({ error: { code: 'pairing-code-unknown' } });
		const malformed = await pairWith('12');
		expect(malformed.status).toBe(400);
	});

	it('limits attempts per address', async () => {
		const limited = await startTestRelay({ RATE_LIMIT_PAIR_ATTEMPTS_PER_15_MINUTES: '2' });
		try {
			const statuses: number[] = [];
			for (let i = 0; i < 3; i++) {
				statuses.push(
					(
						await fetch(`${limited.url}/api/pair`, {
							method: 'POST',
							body: '{"code":"AAAA-AAAA","deviceName":"x"}'
						})
					).status
				);
			}
			expect(statuses).toEqual([401, 401, 429]);
		} finally {
			await limited.close();
		}
	});
});

describe('tokens', () => {
	it('refuses a request with no token, an unknown one, and a revoked one', async () => {
		const none = await fetch(`${relay.url}/api/messages`, { method: 'POST', body: '{"messages":[]}' });
		expect(none.status).toBe(401);
		expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
		expect((await relay.send('x'.repeat(43), [])).status).toBe(401);

		const doomed = await relay.pair('Lost phone');
		expect((await relay.send(doomed, [])).status).toBe(200);
		const deviceId = (
			relay.relay.db.prepare("SELECT id FROM devices WHERE name = 'Lost phone'").get() as { id: string }
		).id;
		expect(revokeDevice(relay.relay.db, deviceId)).toBe(true);
		const revoked = await relay.send(doomed, [activation('ann@example.com')]);
		expect(revoked.status).toBe(401);
		expect(await revoked.text()).toContain('revoked');
	});
});

describe('POST /api/messages', () => {
	it('accepts, then answers a retry with the first answer and sends once', async () => {
		const message = activation('replay@example.com');
		const [first] = (await relay.sendBatch(token, [message])).results;
		expect(first).toMatchObject({ status: 'accepted', replayed: false });
		// The same message with its keys in another order is the same message.
		const reordered = {
			user: message.user,
			to: message.to,
			template: message.template,
			idempotencyKey: message.idempotencyKey
		};
		const [second] = (await relay.sendBatch(token, [reordered])).results;
		expect(second).toEqual({ ...first, replayed: true });
		await until(() => sent(message.idempotencyKey) > 0);
		await relay.relay.delivery.settled();
		expect(sent(message.idempotencyKey)).toBe(1);
	});

	it('sends once when the answer is lost and the client retries', async () => {
		const message = activation('lost@example.com');
		const body = JSON.stringify({ messages: [message] });
		// The client hangs up as soon as the answer starts, without reading it.
		await new Promise<void>((resolve, reject) => {
			const req = httpRequest(`${relay.url}/api/messages`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }
			});
			req.on('response', () => {
				req.destroy();
				resolve();
			});
			req.on('error', reject);
			req.end(body);
		});
		const [retry] = (await relay.sendBatch(token, [message])).results;
		expect(retry).toMatchObject({ status: 'accepted', replayed: true });
		await until(() => sent(message.idempotencyKey) > 0);
		await relay.relay.delivery.settled();
		expect(sent(message.idempotencyKey)).toBe(1);
	});

	it('refuses the same key with a different body, keeping the first', async () => {
		const key = newKey();
		await relay.sendBatch(token, [activation('first@example.com', 'u-first', key)]);
		const [conflict] = (await relay.sendBatch(token, [activation('second@example.com', 'u-first', key)]))
			.results;
		expect(conflict).toMatchObject({ status: 'rejected', code: 'idempotency-conflict' });
		await until(() => sent(key) > 0);
		await relay.relay.delivery.settled();
		const recipients = smtp.mails.flatMap((mail) => mail.to);
		expect(recipients).toContain('first@example.com');
		expect(recipients).not.toContain('second@example.com');
	});

	it('stores and sends one message when duplicates arrive at the same time', async () => {
		const message = activation('together@example.com');
		const answers = await Promise.all(
			Array.from({ length: 8 }, () => relay.sendBatch(token, [message, message]))
		);
		const results = answers.flatMap((answer) => answer.results);
		expect(results.every((result) => result.status === 'accepted')).toBe(true);
		expect(results.filter((result) => result.status === 'accepted' && !result.replayed)).toHaveLength(1);
		expect(new Set(results.map((result) => (result as { messageId: string }).messageId)).size).toBe(1);
		await until(() => sent(message.idempotencyKey) > 0);
		await relay.relay.delivery.settled();
		expect(sent(message.idempotencyKey)).toBe(1);
	});

	it.each([
		['two addresses', 'ann@example.com, eve@evil.example'],
		['a list with a semicolon', 'ann@example.com;eve@evil.example'],
		['a display name', 'Ann <ann@example.com>'],
		['a comment', 'ann@example.com (eve@evil.example)'],
		['a quoted local part with a newline', '"ann\r\nBcc: eve@evil.example"@example.com'],
		['a header after CR/LF', 'ann@example.com\r\nBcc: eve@evil.example'],
		['a bare LF', 'ann@example.com\nBcc: eve@evil.example'],
		['no domain ending', 'ann@localhost'],
		['a phone number', '+447700900123']
	])('refuses a recipient with %s', async (_name, to) => {
		const [result] = (await relay.sendBatch(token, [activation(to)])).results;
		expect(result).toMatchObject({ status: 'rejected', code: 'invalid' });
		expect((result as { reason: string }).reason).toMatch(/^to/);
	});

	it('refuses header injection through names and values, and values a template does not use', async () => {
		const cases: unknown[] = [
			{ ...activation('a@example.com'), user: { id: 'u1', firstName: 'Ann\r\nBcc: eve@evil.example' } },
			{ ...activation('a@example.com'), values: { licenseKey: 'ABC' } },
			{ ...activation('a@example.com'), subject: 'Free money' },
			{ ...activation('a@example.com'), user: { id: 'u1', html: '<b>hi</b>' } },
			{ ...activation('a@example.com'), template: 'free-form' },
			{ idempotencyKey: newKey(), template: 'welcome', to: 'a@example.com', user: { id: 'u1' } },
			{
				idempotencyKey: newKey(),
				template: 'sms-login',
				to: '+447700900123',
				user: { id: 'u1', username: 'ann' },
				values: {}
			},
			{
				idempotencyKey: newKey(),
				template: 'sms-login',
				to: '07700 900123',
				user: { id: 'u1', username: 'ann' },
				values: { password: 'x' }
			},
			{ ...activation('a@example.com'), user: { id: 'u1', lastName: 'x'.repeat(101) } }
		];
		const { results } = await relay.sendBatch(token, cases);
		expect(results.map((result) => result.status)).toEqual(cases.map(() => 'rejected'));
		expect(results.map((result) => (result as { reason: string }).reason)).toEqual([
			'user.firstName cannot contain line breaks or control characters.',
			'values.licenseKey is not used by the activation template (it takes no values).',
			'The message has fields the relay does not take: subject.',
			'user has fields the relay does not take: html.',
			'template must be one of activation, welcome, sms-login.',
			'values.licenseKey is required for the welcome mail: 1 to 100 letters, digits and . _ + / = -, no spaces.',
			'values.password is required for SMS login details.',
			'to must be a mobile number in international form, such as +447700900123.',
			'user.lastName is too long: at most 100 characters.'
		]);
	});

	it('reports a bad key under what was sent, and answers in order', async () => {
		const good = activation('order@example.com');
		const { results } = await relay.sendBatch(token, [
			{ ...good, idempotencyKey: 'short' },
			good,
			'not an object'
		]);
		expect(results.map((result) => [result.idempotencyKey, result.status])).toEqual([
			['short', 'rejected'],
			[good.idempotencyKey, 'accepted'],
			['#2', 'rejected']
		]);
	});

	it('refuses malformed JSON (400), an oversized body (413) and too many messages (413)', async () => {
		const malformed = await fetch(`${relay.url}/api/messages`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}` },
			body: '{"messages": ['
		});
		expect(malformed.status).toBe(400);
		expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('bad-request');

		const huge = await fetch(`${relay.url}/api/messages`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}` },
			body: JSON.stringify({ messages: [], padding: 'x'.repeat(MAX_BATCH_BYTES) })
		});
		expect(huge.status).toBe(413);

		const many = await relay.send(
			token,
			Array.from({ length: 101 }, () => activation('many@example.com'))
		);
		expect(many.status).toBe(413);
		expect(await many.text()).toContain('At most 100 messages');
	});

	it('stops reading a body without a declared length at the limit', async () => {
		const status = await new Promise<number>((resolve, reject) => {
			const req = httpRequest(`${relay.url}/api/messages`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${token}`, 'Transfer-Encoding': 'chunked' }
			});
			req.on('response', (response) => resolve(response.statusCode ?? 0));
			req.on('error', reject);
			const chunk = 'x'.repeat(64 * 1024);
			// Far more than the limit; the relay answers before it is all sent.
			for (let i = 0; i < 8; i++) req.write(chunk);
			req.end();
		});
		expect(status).toBe(413);
	});

	it('limits messages per recipient, per message', async () => {
		const limited = await startTestRelay({ RATE_LIMIT_MESSAGES_PER_RECIPIENT_PER_HOUR: '2' });
		try {
			const deviceToken = await limited.pair();
			const messages = [
				activation('busy@example.com'),
				activation('BUSY@example.com'),
				activation('busy@example.com'),
				activation('calm@example.com')
			];
			const { results } = await limited.sendBatch(deviceToken, messages);
			expect(results.map((result) => result.status)).toEqual([
				'accepted',
				'accepted',
				'rate-limited',
				'accepted'
			]);
			expect(
				(results[2] as Extract<MessageResult, { status: 'rate-limited' }>).retryAfterSeconds
			).toBeGreaterThan(0);
			// A replay of an accepted message is not a new send and is not limited.
			const [replay] = (await limited.sendBatch(deviceToken, [messages[0]])).results;
			expect(replay).toMatchObject({ status: 'accepted', replayed: true });
		} finally {
			await limited.close();
		}
	});

	it('answers a burst over the per-token limit with 429 and Retry-After', async () => {
		const limited = await startTestRelay({ RATE_LIMIT_REQUESTS_PER_MINUTE: '3' });
		try {
			const deviceToken = await limited.pair();
			const responses = await Promise.all(Array.from({ length: 5 }, () => limited.send(deviceToken, [])));
			const statuses = responses.map((response) => response.status).sort();
			expect(statuses).toEqual([200, 200, 200, 429, 429]);
			const refused = responses.find((response) => response.status === 429);
			expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
			// Another device has its own budget.
			expect((await limited.send(await limited.pair('Other'), [])).status).toBe(200);
		} finally {
			await limited.close();
		}
	});
});

describe('GET /api/events', () => {
	it('pages through events with a cursor', async () => {
		const fresh = await startTestRelay();
		try {
			const deviceToken = await fresh.pair();
			for (let i = 0; i < 5; i++) recordEvent(fresh.relay.db, { type: 'signed-in', userId: `user-${i}` });
			const get = async (query: string): Promise<EventPage> => {
				const response = await fetch(`${fresh.url}/api/events${query}`, {
					headers: { Authorization: `Bearer ${deviceToken}` }
				});
				expect(response.status).toBe(200);
				return (await response.json()) as EventPage;
			};
			const first = await get('?limit=2');
			expect(first.events.map((event) => event.userId)).toEqual(['user-0', 'user-1']);
			expect(first.hasMore).toBe(true);
			const second = await get(`?after=${first.cursor}&limit=2`);
			expect(second.events.map((event) => event.userId)).toEqual(['user-2', 'user-3']);
			const third = await get(`?after=${second.cursor}&limit=2`);
			expect(third.events.map((event) => event.userId)).toEqual(['user-4']);
			expect(third.hasMore).toBe(false);
			const empty = await get(`?after=${third.cursor}`);
			expect(empty).toEqual({ events: [], cursor: third.cursor, hasMore: false });
			expect(third.events[0]).toMatchObject({
				type: 'signed-in',
				at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown
			});

			for (const bad of ['?after=abc', '?limit=0', '?limit=501', '?limit=x']) {
				const response = await fetch(`${fresh.url}/api/events${bad}`, {
					headers: { Authorization: `Bearer ${deviceToken}` }
				});
				expect(response.status).toBe(400);
			}
			expect((await fetch(`${fresh.url}/api/events`)).status).toBe(401);
		} finally {
			await fresh.close();
		}
	});
});

describe('CORS and headers', () => {
	it('answers a preflight from an allowed origin, and refuses other origins readably', async () => {
		const preflight = await fetch(`${relay.url}/api/messages`, {
			method: 'OPTIONS',
			headers: { Origin: 'https://admin.example.org', 'Access-Control-Request-Method': 'POST' }
		});
		expect(preflight.status).toBe(204);
		expect(preflight.headers.get('access-control-allow-origin')).toBe('https://admin.example.org');
		expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');

		const evil = await fetch(`${relay.url}/api/messages`, {
			method: 'OPTIONS',
			headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' }
		});
		// The preflight passes so that the page can read the refusal; the request itself does nothing.
		expect(evil.status).toBe(204);

		const refused = activation('cors@example.com');
		const evilPost = await relay.send(token, [refused], { Origin: 'https://evil.example' });
		expect(evilPost.status).toBe(403);
		expect(evilPost.headers.get('access-control-allow-origin')).toBe('https://evil.example');
		expect(((await evilPost.json()) as { error: { message: string } }).error.message).toContain(
			'ALLOWED_ORIGINS'
		);
		const stored = relay.relay.db
			.prepare('SELECT count(*) AS n FROM messages WHERE idempotency_key = ?')
			.get(refused.idempotencyKey) as { n: number };
		expect(stored.n).toBe(0);

		const own = await relay.send(token, [], { Origin: relay.url });
		expect(own.status).toBe(200);
		expect(own.headers.get('access-control-allow-origin')).toBe(relay.url);
	});

	it('puts the security headers on API answers, pages and the app', async () => {
		for (const url of ['/api/health', '/signin', '/', '/api/nothing']) {
			const response = await fetch(`${relay.url}${url}`);
			expect(response.headers.get('x-content-type-options')).toBe('nosniff');
			expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
			// The relay's own pages send same-origin, so that their forms post with a real Origin.
			expect(response.headers.get('referrer-policy')).toBe(url === '/signin' ? 'same-origin' : 'no-referrer');
		}
		expect(await (await fetch(`${relay.url}/api/health`)).json()).toEqual({ ok: true, protocol: 1 });
		expect(await (await fetch(`${relay.url}/users`)).text()).toContain('<h1>app</h1>');
	});
});
