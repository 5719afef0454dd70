// A relay process killed with SIGKILL while batches arrive and mail leaves, then restarted on the same
// data: every accepted message is delivered, and none twice (bar the documented window: a message the
// SMTP server took in the instant before the relay could record it, resent with the same Message-ID).
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { MessageBatchResponse, OutgoingMessage } from '../../../src/lib/domain/relay-protocol.ts';
import { DATABASE_FILE } from '../../../src/relay/store/database.ts';
import { activation, freePort, linkIn, startSmtp, tempRelayDir, until } from './harness.ts';

vi.setConfig({ testTimeout: 120_000 });

const ROOT = path.resolve(import.meta.dirname, '../../..');
const children: ChildProcess[] = [];

afterAll(() => {
	for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

interface RunningRelay {
	readonly child: ChildProcess;
	readonly pairingCode: string;
}

async function startRelayProcess(env: Record<string, string>): Promise<RunningRelay> {
	const child = spawn(path.join(ROOT, 'node_modules/.bin/node'), ['src/relay/main.ts'], {
		cwd: ROOT,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	children.push(child);
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	await until(
		() => /Pairing code: ([A-Z2-9]{4}-[A-Z2-9]{4})/.test(output) || child.exitCode !== null,
		20_000
	);
	const code = /Pairing code: ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(output)?.[1];
	if (!code) throw new Error(`The relay did not start:\n${output}`);
	return { child, pairingCode: code };
}

describe('a relay killed mid-batch', () => {
	it('loses nothing and sends nothing twice after a restart', async () => {
		const smtp = await startSmtp({ delayMs: 15 });
		const { dir, staticDir, dataDir } = await tempRelayDir();
		const port = await freePort();
		const url = `http://127.0.0.1:${port}`;
		const env = {
			PORT: String(port),
			RELAY_DATA_DIR: dataDir,
			RELAY_STATIC_DIR: staticDir,
			PUBLIC_URL: url,
			SMTP_URL: smtp.url,
			MAIL_FROM: 'rollcall@example.org',
			RATE_LIMIT_MESSAGES_PER_RECIPIENT_PER_HOUR: '1000'
		};
		try {
			const first = await startRelayProcess(env);
			const pair = await fetch(`${url}/api/pair`, {
				method: 'POST',
				body: JSON.stringify({ code: first.pairingCode, deviceName: 'Crash test' })
			});
			const { token } = (await pair.json()) as { token: string };

			const batches: OutgoingMessage[][] = Array.from({ length: 20 }, (_, b) =>
				Array.from({ length: 25 }, (_, i) => activation(`p${b}-${i}@example.com`))
			);
			const post = async (batch: OutgoingMessage[]): Promise<MessageBatchResponse | undefined> => {
				try {
					const response = await fetch(`${url}/api/messages`, {
						method: 'POST',
						headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
						body: JSON.stringify({ messages: batch })
					});
					return response.ok ? ((await response.json()) as MessageBatchResponse) : undefined;
				} catch {
					return undefined; // The answer was lost with the process.
				}
			};

			// Batches keep arriving, two at a time, while mail leaves; the process dies in the middle.
			const acceptedBeforeKill = new Set<string>();
			let next = 0;
			const sender = async (): Promise<void> => {
				while (next < batches.length && first.child.exitCode === null) {
					const answer = await post(batches[next++] ?? []);
					for (const result of answer?.results ?? []) {
						if (result.status === 'accepted') acceptedBeforeKill.add(result.idempotencyKey);
					}
				}
			};
			const sending = Promise.all([sender(), sender()]);
			await until(() => smtp.mails.length >= 40, 60_000);
			first.child.kill('SIGKILL');
			await sending;
			await new Promise((resolve) => first.child.once('exit', resolve));
			expect(acceptedBeforeKill.size).toBeGreaterThan(0);

			// What the dead process left: every answered 'accepted' is on disk; some may be mid-send.
			const db = new DatabaseSync(path.join(dataDir, DATABASE_FILE));
			const stored = new Set(
				(db.prepare('SELECT idempotency_key AS key FROM messages').all() as { key: string }[]).map(
					(row) => row.key
				)
			);
			const inFlight = new Set(
				(
					db.prepare("SELECT idempotency_key AS key FROM messages WHERE state = 'sending'").all() as {
						key: string;
					}[]
				).map((row) => row.key)
			);
			db.close();
			for (const key of acceptedBeforeKill) expect(stored.has(key)).toBe(true);
			expect(inFlight.size).toBeLessThanOrEqual(4);

			// Restart on the same data; the app sends every batch again (it cannot know which answers were lost).
			await startRelayProcess(env);
			for (const batch of batches) {
				const answer = await post(batch);
				expect(answer?.results.every((result) => result.status === 'accepted')).toBe(true);
				for (const result of answer?.results ?? []) {
					if (acceptedBeforeKill.has(result.idempotencyKey)) expect(result).toMatchObject({ replayed: true });
				}
			}

			const all = batches.flat();
			const expectedIds = new Set(all.map((message) => `<${message.idempotencyKey}@127.0.0.1>`));
			await until(() => new Set(smtp.mails.map((mail) => mail.messageId)).size >= expectedIds.size, 90_000);
			const counts = new Map<string, number>();
			for (const mail of smtp.mails) counts.set(mail.messageId, (counts.get(mail.messageId) ?? 0) + 1);
			// Nothing lost, nothing unexpected.
			expect(new Set(counts.keys())).toEqual(expectedIds);
			// Twice only for a message that was mid-send at the kill, never for any other.
			const twice = [...counts].filter(([, count]) => count > 1).map(([id]) => id.slice(1, id.indexOf('@')));
			for (const key of twice) expect(inFlight.has(key)).toBe(true);
			// And with the same activation link both times: the link key outlives the process.
			for (const key of twice) {
				const copies = smtp.mails.filter((mail) => mail.messageId === `<${key}@127.0.0.1>`);
				expect(new Set(copies.map((mail) => linkIn(mail.raw))).size).toBe(1);
			}
			expect([...counts.values()].every((count) => count <= 2)).toBe(true);
		} finally {
			for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
			await smtp.close();
			await rm(dir, { recursive: true, force: true });
		}
	});
});
