// What one device may send through the relay: the shape of a message, the per-device and per-recipient
// limits (counted from the messages table, so they hold across a restart), and the names that reach a mail.
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageResult, OutgoingMessage } from '../../../src/lib/domain/relay-protocol.ts';
import { readConfig } from '../../../src/relay/config.ts';
import { renderMail } from '../../../src/relay/delivery/templates.ts';
import { canonicalJson } from '../../../src/relay/messages/validate.ts';
import { createRelay } from '../../../src/relay/relay.ts';
import { openDatabase } from '../../../src/relay/store/database.ts';
import { createPairingCode, pairDevice } from '../../../src/relay/store/devices.ts';
import { MIGRATIONS } from '../../../src/relay/store/migrations.ts';
import { BODY_HASH_KEY_FILE } from '../../../src/relay/store/secrets.ts';
import {
	activation,
	freePort,
	newKey,
	startTestRelay,
	tempRelayDir,
	until,
	type TestRelay
} from './harness.ts';

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
function rawStatus(url: string, requestLine: string, host?: string): Promise<string> {
	const { hostname, port } = new URL(url);
	return new Promise((resolve, reject) => {
		const socket = connect(Number(port), hostname, () =>
			socket.write(`${requestLine}\r\nHost: ${host ?? `${hostname}:${port}`}\r\nConnection: close\r\n\r\n`)
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
				// Refused for its Host first, and logged: the log line must not choke on the target either.
				expect(await rawStatus(relay.url, `${method} ${target} HTTP/1.1`, 'attacker.example')).toBe(
					'HTTP/1.1 421 Misdirected Request'
				);
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

type RateLimited = Extract<MessageResult, { status: 'rate-limited' }>;

/** A relay over an existing data folder, as after a restart or an upgrade; `stop` leaves the folder. */
async function relayOn(dataDir: string, staticDir: string, env: Record<string, string> = {}) {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const config = readConfig({
		PORT: String(port),
		RELAY_DATA_DIR: dataDir,
		RELAY_STATIC_DIR: staticDir,
		PUBLIC_URL: url,
		...env
	});
	if (!config.ok) throw new Error(config.errors.join('\n'));
	const relay = createRelay(config.config, { retryBaseMs: 50 });
	await new Promise<void>((resolve) => relay.server.listen(port, '127.0.0.1', resolve));
	return {
		relay,
		send: async (token: string, messages: readonly unknown[]): Promise<MessageResult[]> => {
			const response = await fetch(`${url}/api/messages`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
				body: JSON.stringify({ messages })
			});
			expect(response.status).toBe(200);
			return ((await response.json()) as { results: MessageResult[] }).results;
		},
		stop: () => relay.close()
	};
}

function statuses(results: readonly MessageResult[]): string[] {
	return results.map((result) => result.status);
}

describe('the per-device limits', () => {
	it('stop a device at its hourly and daily caps, saying why and for how long, per device', async () => {
		const capped = await startTestRelay({
			RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR: '3',
			RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY: '5'
		});
		try {
			const device = await capped.pair('Front desk');
			const batch = Array.from({ length: 5 }, (_, i) => activation(`person${i}@example.com`));
			const results = (await capped.sendBatch(device, batch)).results;
			expect(statuses(results)).toEqual(['accepted', 'accepted', 'accepted', 'rate-limited', 'rate-limited']);
			const limited = results[3] as RateLimited;
			expect(limited.reason).toContain('This device has sent 3 messages in the last hour');
			expect(limited.retryAfterSeconds).toBeGreaterThan(3500);
			expect(limited.retryAfterSeconds).toBeLessThanOrEqual(3600);

			// The operator hears of it: one line for the batch, a warning for the cap.
			expect(capped.logs).toContainEqual(
				expect.objectContaining({
					level: 'info',
					event: 'batch-accepted',
					accepted: 3,
					replayed: 0,
					rejected: 0,
					rateLimited: 2
				})
			);
			expect(capped.logs).toContainEqual(
				expect.objectContaining({ level: 'warn', event: 'device-limit-reached', limit: 'device-hour' })
			);

			// A device that keeps trying is counted, not warned about again.
			const again = (await capped.sendBatch(device, [activation('again@example.com')])).results;
			expect(statuses(again)).toEqual(['rate-limited']);
			expect(capped.logs.filter((line) => line.event === 'device-limit-reached')).toHaveLength(1);
			expect(capped.logs.filter((line) => line.event === 'batch-accepted').at(-1)).toMatchObject({
				accepted: 0,
				rateLimited: 1
			});

			// A replay is not a new message: answered as before, over the cap or not.
			expect((await capped.sendBatch(device, [batch[0]])).results[0]).toMatchObject({
				status: 'accepted',
				replayed: true
			});
			// Another device has its own budget.
			const other = await capped.pair('Back office');
			expect(
				statuses((await capped.sendBatch(other, [activation('elsewhere@example.com')])).results)
			).toEqual(['accepted']);

			// An hour later the hourly cap has room again, until the day's 5 are used.
			capped.relay.db.prepare('UPDATE messages SET created_at = created_at - 3601000').run();
			const later = (await capped.sendBatch(device, [batch[3], batch[4], activation('one-more@example.com')]))
				.results;
			expect(statuses(later)).toEqual(['accepted', 'accepted', 'rate-limited']);
			expect((later[2] as RateLimited).reason).toContain('5 messages in the last 24 hours');
			expect((later[2] as RateLimited).retryAfterSeconds).toBeGreaterThan(22 * 3600);
		} finally {
			await capped.close();
		}
	});
});

describe('the per-recipient limit', () => {
	it('counts one address however it is spelled, and still counts after a restart', async () => {
		const { dir, dataDir, staticDir } = await tempRelayDir();
		const env = { RATE_LIMIT_MESSAGES_PER_RECIPIENT_PER_HOUR: '2' };
		try {
			const first = await relayOn(dataDir, staticDir, env);
			const { code } = createPairingCode(first.relay.db);
			const paired = pairDevice(first.relay.db, code, 'Tablet');
			if (!paired.ok) throw new Error(paired.reason);
			expect(
				statuses(
					await first.send(paired.token, [
						activation('ann@bücher.example'),
						activation('ANN@xn--bcher-kva.example')
					])
				)
			).toEqual(['accepted', 'accepted']);
			await first.stop();

			const second = await relayOn(dataDir, staticDir, env);
			try {
				const results = await second.send(paired.token, [
					activation('Ann@BU\u0308CHER.example'),
					activation('ann@xn--bcher-kva.example'),
					activation('bob@bücher.example')
				]);
				expect(statuses(results)).toEqual(['rate-limited', 'rate-limited', 'accepted']);
				expect((results[0] as RateLimited).reason).toContain('This recipient was sent 2 messages');
			} finally {
				await second.stop();
			}
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});
});

describe('the stored body hash', () => {
	const smsLogin = (to: string): OutgoingMessage => ({
		idempotencyKey: newKey(),
		template: 'sms-login',
		to,
		user: { id: crypto.randomUUID(), username: 'ann.lee' },
		values: { password: 'correct horse battery staple' }
	});
	const plainHash = (message: unknown) =>
		createHash('sha256').update(canonicalJson(message), 'utf8').digest('hex');

	it('is keyed with a secret kept beside the database, owner-only', async () => {
		const message = smsLogin('+447700900111');
		const [result] = await relay.sendBatch(token, [message]).then((answer) => answer.results);
		expect(result).toMatchObject({ status: 'accepted', replayed: false });
		const { body_hash: stored } = relay.relay.db
			.prepare('SELECT body_hash FROM messages WHERE idempotency_key = ?')
			.get(message.idempotencyKey) as { body_hash: string };
		expect(stored).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
		expect(stored).not.toContain(plainHash(message));
		expect(statSync(path.join(relay.dataDir, BODY_HASH_KEY_FILE)).mode & 0o777).toBe(0o600);

		// The same message again is a replay; with another password it is a conflict.
		expect((await relay.sendBatch(token, [message])).results[0]).toMatchObject({ replayed: true });
		const changed = { ...message, values: { password: 'another long passphrase' } };
		expect((await relay.sendBatch(token, [changed])).results[0]).toMatchObject({
			status: 'rejected',
			code: 'idempotency-conflict'
		});
	});

	it('keeps its key across restarts, and refuses to start on a damaged one, saying what to do', async () => {
		const { dir, dataDir, staticDir } = await tempRelayDir();
		try {
			const first = await relayOn(dataDir, staticDir);
			await first.stop();
			const keyFile = path.join(dataDir, BODY_HASH_KEY_FILE);
			const key = readFileSync(keyFile, 'utf8');
			const second = await relayOn(dataDir, staticDir);
			await second.stop();
			expect(readFileSync(keyFile, 'utf8')).toBe(key);

			writeFileSync(keyFile, 'not a key\n');
			await expect(relayOn(dataDir, staticDir)).rejects.toThrow(
				/body-hash\.key is damaged: .* Restore it from a backup, or delete it/
			);
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});

	it('upgrades a database of plain hashes: replays still match, and no sms-login hash is left', async () => {
		const { dir, dataDir, staticDir } = await tempRelayDir();
		try {
			// What a relay from before the upgrade stored.
			const old = openDatabase(dataDir, MIGRATIONS.slice(0, 2));
			const { code } = createPairingCode(old);
			const paired = pairDevice(old, code, 'Tablet');
			if (!paired.ok) throw new Error(paired.reason);
			const mail = activation('early@example.com');
			const sms = smsLogin('+447700900222');
			const insert = old.prepare(
				`INSERT INTO messages (idempotency_key, body_hash, device_id, template, recipient, user_id, payload, state, next_attempt_at, created_at)
				 VALUES (?, ?, ?, ?, ?, ?, '{}', 'delivered', 0, ?)`
			);
			for (const message of [mail, sms]) {
				insert.run(
					message.idempotencyKey,
					plainHash(message),
					paired.deviceId,
					message.template,
					message.to,
					message.user.id,
					Date.now()
				);
			}
			old.close();

			const upgraded = await relayOn(dataDir, staticDir);
			try {
				const hashes = upgraded.relay.db.prepare('SELECT body_hash FROM messages ORDER BY id').all() as {
					body_hash: string;
				}[];
				expect(hashes.map((row) => row.body_hash)).toEqual([plainHash(mail), 'unverifiable']);

				const replays = await upgraded.send(paired.token, [mail, sms]);
				expect(replays).toMatchObject([
					{ status: 'accepted', replayed: true },
					{ status: 'accepted', replayed: true }
				]);
				const [conflict] = await upgraded.send(paired.token, [{ ...mail, to: 'other@example.com' }]);
				expect(conflict).toMatchObject({ status: 'rejected', code: 'idempotency-conflict' });
			} finally {
				await upgraded.stop();
			}
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});
});

describe('names that reach a mail', () => {
	const named = (user: Record<string, string>): OutgoingMessage => {
		const message = activation(`${crypto.randomUUID()}@example.com`);
		return { ...message, user: { id: message.user.id, email: message.to, ...user } };
	};

	it('are left out of the mail when they could become a link, and the mail still goes', async () => {
		const cases: Record<string, string>[] = [
			{ displayName: 'Visit www.evil.example' },
			{ firstName: 'https://evil.example' },
			{ firstName: 'Ann', lastName: 'Lee@evil.example' },
			{ firstName: 'Ann <b>' },
			{ lastName: 'evil.example' },
			{ displayName: 'Call 0800 555 0100' }
		];
		const messages = cases.map(named);
		const { results } = await relay.sendBatch(token, messages);
		expect(statuses(results)).toEqual(cases.map(() => 'accepted'));
		const mailOf = (key: string) =>
			relay.relay.db
				.prepare(
					'SELECT text, html FROM mailbox JOIN messages ON messages.id = mailbox.message_id WHERE idempotency_key = ?'
				)
				.get(key) as { text: string; html: string } | undefined;
		await until(() => messages.every((message) => mailOf(message.idempotencyKey) !== undefined));
		messages.forEach((message, i) => {
			const mail = mailOf(message.idempotencyKey)!;
			const greeting = i === 2 ? 'Hello Ann,\n' : 'Hello,\n';
			expect(mail.text.startsWith(greeting), JSON.stringify(cases[i])).toBe(true);
			for (const part of ['evil', '0800', '<b>']) expect(`${mail.text}${mail.html}`).not.toContain(part);
		});
	});

	it('and license keys, the other free text in a mail, cannot be a link either', async () => {
		const welcome = (licenseKey: string): OutgoingMessage => ({
			...named({ firstName: 'Wen' }),
			template: 'welcome',
			values: { licenseKey }
		});
		const keys = [
			'https://evil.example',
			'evil.example',
			'mailto:eve@evil.example',
			'ABCD-1234-EFGH',
			'dGVzdA+/9z=='
		];
		const { results } = await relay.sendBatch(token, keys.map(welcome));
		expect(statuses(results)).toEqual(['rejected', 'rejected', 'rejected', 'accepted', 'accepted']);
		expect((results[1] as Extract<MessageResult, { status: 'rejected' }>).reason).toBe(
			'values.licenseKey looks like a web address, which mail apps turn into a link: a license key cannot be one.'
		);
	});

	it('are taken in any script, with the marks names carry', async () => {
		const names: Record<string, string>[] = [
			{ firstName: 'Zoë', lastName: "O'Brien-Smith" },
			{ displayName: 'J. R. R. Tolkien' },
			{ firstName: 'Nguyễn Văn', lastName: 'An' },
			{ displayName: '山田 太郎' },
			{ displayName: 'Robert “Bob” Smith (Jr.), 3rd' }
		];
		const { results } = await relay.sendBatch(token, names.map(named));
		expect(statuses(results)).toEqual(names.map(() => 'accepted'));
	});

	it('are left out of the greeting when one stored before names were checked is not just a name', () => {
		const mail = renderMail({
			template: 'activation',
			displayName: 'Ann, see www.evil.example',
			activationUrl: 'https://relay.example.org/activate/abc',
			signInUrl: 'https://relay.example.org/signin',
			activationTtlHours: 72
		});
		expect(mail.text.startsWith('Hello,\n')).toBe(true);
		expect(`${mail.text}${mail.html}`).not.toContain('evil');
		const welcome = renderMail({
			template: 'welcome',
			displayName: 'Zoë Lee',
			licenseKey: 'KEY-1',
			signInUrl: 'https://relay.example.org/signin',
			activationTtlHours: 72
		});
		expect(welcome.text).toMatch(/^Hello Zoë Lee,/);
	});
});
