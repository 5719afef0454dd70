// A real relay for tests: its own temporary data and static folders, a free loopback port, and helpers
// that speak the protocol. Plus a real SMTP server on loopback (smtp-server) that records what arrives.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { MessageBatchResponse, OutgoingMessage } from '../../../src/lib/domain/relay-protocol.ts';
import { readConfig } from '../../../src/relay/config.ts';
import { createLogger } from '../../../src/relay/log.ts';
import { createRelay, type Relay, type RelayOptions } from '../../../src/relay/relay.ts';
import { createPairingCode } from '../../../src/relay/store/devices.ts';

/** A port nobody listens on right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
	const server = createNetServer();
	await new Promise<void>((resolve) => server.listen(0, host, resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/** A temporary folder with a tiny built app (index.html) in `build/`. */
export async function tempRelayDir(): Promise<{ dir: string; staticDir: string; dataDir: string }> {
	const dir = await mkdtemp(path.join(tmpdir(), 'rollcall-relay-'));
	const staticDir = path.join(dir, 'build');
	await mkdir(staticDir);
	await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Rollcall</title><h1>app</h1>');
	return { dir, staticDir, dataDir: path.join(dir, 'data') };
}

export interface TestRelay {
	readonly relay: Relay;
	readonly url: string;
	readonly dataDir: string;
	/** Every line the relay logged (at debug and above), parsed from its JSON form. */
	readonly logs: Record<string, unknown>[];
	/** Pairs a device and returns its token. */
	pair(name?: string): Promise<string>;
	send(token: string, messages: readonly unknown[], headers?: Record<string, string>): Promise<Response>;
	sendBatch(token: string, messages: readonly unknown[]): Promise<MessageBatchResponse>;
	close(): Promise<void>;
}

export async function startTestRelay(
	env: Record<string, string> = {},
	host = '127.0.0.1',
	options: Pick<RelayOptions, 'peerAddress' | 'timeouts'> = {}
): Promise<TestRelay> {
	const { dir, staticDir, dataDir } = await tempRelayDir();
	const port = await freePort(host);
	const url = `http://${host}:${port}`;
	const result = readConfig({
		PORT: String(port),
		HOST: host,
		RELAY_DATA_DIR: dataDir,
		RELAY_STATIC_DIR: staticDir,
		PUBLIC_URL: url,
		...env
	});
	if (!result.ok) throw new Error(result.errors.join('\n'));
	const logs: Record<string, unknown>[] = [];
	const log = createLogger({
		level: 'debug',
		format: 'json',
		write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>)
	});
	const relay = createRelay(result.config, { retryBaseMs: 50, log, ...options });
	await new Promise<void>((resolve) => relay.server.listen(port, host, resolve));

	const send = (token: string, messages: readonly unknown[], headers: Record<string, string> = {}) =>
		fetch(`${url}/api/messages`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...headers },
			body: JSON.stringify({ messages })
		});
	return {
		relay,
		url,
		dataDir,
		logs,
		pair: async (name = 'Test device') => {
			const { code } = createPairingCode(relay.db);
			const response = await fetch(`${url}/api/pair`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ code, deviceName: name })
			});
			const body = (await response.json()) as { token: string };
			return body.token;
		},
		send,
		sendBatch: async (token, messages) => {
			const response = await send(token, messages);
			if (response.status !== 200)
				throw new Error(`POST /api/messages: ${response.status} ${await response.text()}`);
			return (await response.json()) as MessageBatchResponse;
		},
		close: async () => {
			await relay.close();
			await rm(dir, { recursive: true, force: true });
		}
	};
}

let keySeq = 0;
/** A fresh idempotency key. */
export function newKey(): string {
	keySeq += 1;
	return `test-${crypto.randomUUID()}-${keySeq}`;
}

export function activation(
	to: string,
	userId: string = crypto.randomUUID(),
	key = newKey()
): OutgoingMessage {
	return {
		idempotencyKey: key,
		template: 'activation',
		to,
		user: { id: userId, email: to, firstName: 'Ann', lastName: 'Lee' }
	};
}

/** One mail as the SMTP server received it. */
export interface ReceivedMail {
	readonly to: readonly string[];
	readonly messageId: string;
	readonly raw: string;
}

export interface TestSmtp {
	readonly url: string;
	readonly mails: ReceivedMail[];
	/** Answer the next `count` DATA commands with this SMTP error code instead of accepting. */
	failNext(count: number, code: number): void;
	close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps every mail it accepts, after `delayMs` per mail. */
export async function startSmtp(delayMs = 0): Promise<TestSmtp> {
	const mails: ReceivedMail[] = [];
	let failures: { count: number; code: number } = { count: 0, code: 0 };
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => setTimeout(finish, delayMs));
			const finish = (): void => {
				if (failures.count > 0) {
					failures.count -= 1;
					const error = Object.assign(
						new Error(failures.code >= 500 ? 'Mailbox unavailable' : 'Try again later'),
						{
							responseCode: failures.code
						}
					);
					callback(error);
					return;
				}
				const raw = Buffer.concat(chunks).toString('utf8');
				const messageId = /^Message-ID:\s*(.+)$/im.exec(raw)?.[1]?.trim() ?? '';
				mails.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), messageId, raw });
				callback();
			};
		}
	});
	// A client that dies mid-session (the crash test kills the relay) resets its connection: that is the
	// test's doing, not a failure of this server, and unhandled it would end the test run.
	server.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code !== 'ECONNRESET') throw error;
	});
	const port = await freePort();
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return {
		url: `smtp://127.0.0.1:${port}`,
		mails,
		failNext: (count, code) => {
			failures = { count, code };
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

/** Waits until `check` is true (polling), or fails after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
	const end = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > end) throw new Error('Timed out waiting');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/** The activation link in a mail's text (quoted-printable soft breaks undone). */
export function linkIn(raw: string): string {
	const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
	const match = /https?:\/\/[^\s"<>]+\/activate\/[A-Za-z0-9_-]{43}/.exec(text);
	if (!match) throw new Error(`No activation link in:\n${raw}`);
	return match[0];
}
