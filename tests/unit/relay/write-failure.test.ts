// The relay when its database stops taking writes: a full disk (SQLite's max_page_count makes the real
// database full, SQLITE_FULL) and a file system gone read-only (query_only, SQLITE_READONLY). It keeps
// running (an unhandled rejection would fail this file), refuses what needs a write with 503 and
// Retry-After, and resumes by itself: nothing accepted is lost, nothing is sent twice.
import type { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, vi } from 'vitest';
import type { EventPage } from '../../../src/lib/domain/relay-protocol.ts';
import {
	activation,
	linkIn,
	newKey,
	startSmtp,
	startTestRelay,
	timesSent,
	until,
	type TestRelay
} from './harness.ts';

// Setting a password is scrypt at full strength.
vi.setConfig({ testTimeout: 60_000 });

/** Fills the database to the brim: no free page left, and no new one allowed. */
function fillDisk(db: DatabaseSync): void {
	db.exec('CREATE TABLE filler (data BLOB)');
	const { page_count: pages } = db.prepare('PRAGMA page_count').get() as { page_count: number };
	db.exec(`PRAGMA max_page_count = ${pages}`);
	const insert = db.prepare('INSERT INTO filler VALUES (zeroblob(?))');
	for (let size = 64 * 1024; size >= 1; size = Math.floor(size / 2)) {
		try {
			for (;;) insert.run(size);
		} catch (error) {
			if ((error as { errcode?: number }).errcode !== 13) throw error;
		}
	}
}

function freeDisk(db: DatabaseSync): void {
	db.exec('PRAGMA max_page_count = 1000000000');
}

async function deliveredEvents(relay: TestRelay, token: string): Promise<EventPage['events']> {
	const response = await fetch(`${relay.url}/api/events?limit=500`, {
		headers: { Authorization: `Bearer ${token}` }
	});
	return ((await response.json()) as EventPage).events.filter((event) => event.type === 'delivered');
}

const logged = (relay: TestRelay, event: string) => relay.logs.filter((line) => line.event === event);

describe('a full disk', () => {
	it('holds deliveries, answers 503 with Retry-After, and delivers everything once when space returns', async () => {
		const relay = await startTestRelay({ RATE_LIMIT_MESSAGES_PER_RECIPIENT_PER_HOUR: '2' }, '127.0.0.1', {
			probeIntervalMs: 50
		});
		try {
			const token = await relay.pair();
			const { db, delivery } = relay.relay;
			// Accepted while the disk has room; delivered (to the mailbox, a few kB each) once it has none.
			await delivery.stop();
			const before = Array.from({ length: 10 }, (_, i) => activation(`before${i}@example.com`));
			await relay.sendBatch(token, before);
			fillDisk(db);
			delivery.start();
			// At most one of ten mailbox entries fits in what is left of a page: the loop meets the full disk.
			await until(() => logged(relay, 'cannot-write').length > 0);

			const during = Array.from({ length: 100 }, (_, i) => activation(`during${i}@example.com`));
			const refused = await relay.send(token, during);
			expect(refused.status).toBe(503);
			expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
			expect(await refused.json()).toMatchObject({
				error: { code: 'cannot-write', message: expect.stringContaining('the disk is full') as unknown }
			});
			const notReady = await fetch(`${relay.url}/health`);
			expect(notReady.status).toBe(503);
			expect(notReady.headers.get('retry-after')).not.toBeNull();
			expect(await notReady.json()).toEqual({
				status: 'cannot-write',
				reason: 'The relay cannot write to its database: the disk is full.'
			});
			// An app that retries during the outage spends none of a recipient's hourly budget (2 here).
			for (let i = 0; i < 3; i++) expect((await relay.send(token, during)).status).toBe(503);
			// Account commands are refused the same way, before anything is written.
			const suspend = await fetch(`${relay.url}/api/commands`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
				body: JSON.stringify({
					commands: [{ idempotencyKey: newKey(), type: 'suspend', userId: 'u-outage' }]
				})
			});
			expect(suspend.status).toBe(503);
			expect(suspend.headers.get('retry-after')).not.toBeNull();
			// The app's own question still has an answer: this is a relay, refusing for now.
			expect((await fetch(`${relay.url}/api/health`)).status).toBe(200);

			freeDisk(db);
			await until(() => logged(relay, 'can-write-again').length > 0);
			expect((await relay.sendBatch(token, during)).results.every((r) => r.status === 'accepted')).toBe(true);
			const all = [...before, ...during];
			await until(async () => (await deliveredEvents(relay, token)).length === all.length, 30_000);
			await delivery.settled();

			const rows = db
				.prepare(
					`SELECT idempotency_key AS key, state, attempts, (SELECT count(*) FROM mailbox WHERE message_id = messages.id) AS entries
					 FROM messages`
				)
				.all() as { key: string; state: string; attempts: number; entries: number }[];
			expect(rows).toHaveLength(all.length);
			// Each once, and the attempts the full disk cut short were not counted against the message.
			for (const row of rows) expect(row).toMatchObject({ state: 'delivered', attempts: 1, entries: 1 });
			const events = await deliveredEvents(relay, token);
			expect(new Set(events.map((event) => event.idempotencyKey)).size).toBe(all.length);
			const ready = await fetch(`${relay.url}/health`);
			expect(ready.status).toBe(200);
			expect(await ready.json()).toEqual({ status: 'ready' });
			expect((await fetch(`${relay.url}/health`, { method: 'HEAD' })).status).toBe(200);
			expect((await fetch(`${relay.url}/health`, { method: 'POST' })).status).toBe(405);

			// One line when it stopped and one when it came back, however many writes failed in between.
			expect(logged(relay, 'cannot-write')).toHaveLength(1);
			expect(logged(relay, 'cannot-write')[0]).toMatchObject({ level: 'error' });
			expect(logged(relay, 'can-write-again')).toHaveLength(1);
			expect(logged(relay, 'delivery-failed')).toHaveLength(0);
			expect(logged(relay, 'delivered')).toHaveLength(all.length);
		} finally {
			await relay.close();
		}
	});
});

describe('a database gone read-only', () => {
	it('waits to take messages, records a delivery it could not record at the time, and sends nothing twice', async () => {
		let release = (): void => {};
		const gate = new Promise<void>((resolve) => (release = resolve));
		const smtp = await startSmtp({ hold: () => gate });
		const relay = await startTestRelay(
			{ SMTP_URL: smtp.url, MAIL_FROM: 'rollcall@example.org' },
			'127.0.0.1',
			{ probeIntervalMs: 50 }
		);
		try {
			const token = await relay.pair();
			const { db, delivery } = relay.relay;
			const messages = Array.from({ length: 6 }, (_, i) => activation(`held${i}@example.com`));
			// The loop's first write, taking a message, is refused: the loop waits instead of failing.
			await delivery.stop();
			await relay.sendBatch(token, messages);
			db.exec('PRAGMA query_only = ON');
			delivery.start();
			await until(() => logged(relay, 'cannot-write').length === 1);
			expect(smtp.arrived).toHaveLength(0);
			db.exec('PRAGMA query_only = OFF');

			// Four mails at the server, waiting for its answer; then the database refuses every write.
			await until(() => smtp.arrived.length === 4);
			db.exec('PRAGMA query_only = ON');
			release();
			await until(() => logged(relay, 'cannot-write').length === 2);

			const refused = await relay.send(token, [activation('later@example.com')]);
			expect(refused.status).toBe(503);
			expect(refused.headers.get('retry-after')).not.toBeNull();
			// A page that needs a write says so in plain words, with nothing changed.
			const link = linkIn(smtp.arrived[0]?.raw ?? '');
			const password = 'plum harbour violin 7391';
			const page = await fetch(link, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ password, confirm: password }).toString()
			});
			expect(page.status).toBe(503);
			expect(page.headers.get('retry-after')).not.toBeNull();
			expect(page.headers.get('content-type')).toContain('text/html');
			expect(await page.text()).toContain('Try again in a few minutes');
			expect((await fetch(`${relay.url}/health`)).status).toBe(503);

			db.exec('PRAGMA query_only = OFF');
			await until(() => logged(relay, 'can-write-again').length === 2);
			await until(async () => (await deliveredEvents(relay, token)).length === messages.length, 30_000);
			await relay.relay.delivery.settled();
			// The four the server took during the outage were recorded, not sent again.
			for (const message of messages) expect(timesSent(smtp, message.idempotencyKey)).toBe(1);
			expect(smtp.arrived).toHaveLength(messages.length);
			expect((await relay.send(token, [activation('later@example.com')])).status).toBe(200);
			// Two outages, two lines each way.
			expect(logged(relay, 'cannot-write')).toHaveLength(2);
			expect(logged(relay, 'can-write-again')).toHaveLength(2);
			expect(logged(relay, 'cannot-write')[0]?.message).toContain('the database is read-only');
		} finally {
			await relay.close();
			await smtp.close();
		}
	});
});
