// Activation links live one at a time: a newer message's link, a used link, or the admin's suspend or delete
// (POST /api/commands) kills the others. Against a real relay over HTTP and a real SMTP server on loopback.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CommandBatchResponse, EventPage } from '../../../src/lib/domain/relay-protocol.ts';
import { statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NOT_SENT } from '../../../src/relay/delivery/loop.ts';
import { getAccount, mintMessageLink } from '../../../src/relay/store/accounts.ts';
import { transaction } from '../../../src/relay/store/database.ts';
import { LINK_KEY_FILE, loadLinkKey } from '../../../src/relay/store/link-key.ts';
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

/** The text of a mail as a person reads it (quoted-printable soft breaks undone). */
const textOf = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

async function mailNumber(to: string, n: number): Promise<string> {
	await until(() => smtp.mails.filter((mail) => mail.to.includes(to)).length >= n);
	return smtp.mails.filter((mail) => mail.to.includes(to))[n - 1]!.raw;
}

function post(url: string, fields: Record<string, string>): Promise<Response> {
	return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

const setPassword = (link: string, password: string) => post(link, { password, confirm: password });
const signIn = (name: string, password: string) => post(`${relay.url}/signin`, { name, password });

async function eventsFor(userId: string): Promise<EventPage['events']> {
	const response = await fetch(`${relay.url}/api/events?limit=500`, {
		headers: { Authorization: `Bearer ${token}` }
	});
	return ((await response.json()) as EventPage).events.filter((event) => event.userId === userId);
}
const activations = async (userId: string) =>
	(await eventsFor(userId)).filter((event) => event.type === 'activated').length;

function command(type: string, userId: string, key = newKey()): Record<string, string> {
	return { idempotencyKey: key, type, userId };
}

function sendCommands(commands: readonly unknown[], bearer = token): Promise<Response> {
	return fetch(`${relay.url}/api/commands`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
		body: JSON.stringify({ commands })
	});
}

async function commandResults(commands: readonly unknown[]): Promise<CommandBatchResponse['results']> {
	const response = await sendCommands(commands);
	expect(response.status).toBe(200);
	return ((await response.json()) as CommandBatchResponse).results;
}

const OWN = 'lantern orchard pebble';
const OTHER = 'copper meadow whistle';

describe('one live link per person', () => {
	it("kills an older link when a newer message is sent, says so in the newer mail, and keeps the person's own password", async () => {
		const user = 'u-links-resend';
		const to = 'resend@example.com';
		await relay.sendBatch(token, [activation(to, user)]);
		const first = await mailNumber(to, 1);
		expect(textOf(first)).not.toContain('no longer work');
		await relay.sendBatch(token, [activation(to, user)]);
		const second = await mailNumber(to, 2);
		expect(textOf(second)).toContain('This is a new link: links in earlier messages no longer work.');
		const [oldLink, newLink] = [linkIn(first), linkIn(second)];
		expect(newLink).not.toBe(oldLink);

		const stale = await fetch(oldLink);
		expect(stale.status).toBe(410);
		expect(await stale.text()).toContain('This link no longer works');

		expect((await setPassword(newLink, OWN)).status).toBe(200);
		// The older link cannot replace the password the person chose.
		expect((await setPassword(oldLink, OTHER)).status).toBe(410);
		expect((await signIn(to, OWN)).status).toBe(200);
		expect((await signIn(to, OTHER)).status).toBe(401);
		expect(await activations(user)).toBe(1);
	});

	it("kills the person's other links when one is used", async () => {
		const user = 'u-links-two';
		const to = 'two@example.com';
		await relay.sendBatch(token, [
			activation(to, user),
			{
				idempotencyKey: newKey(),
				template: 'sms-login',
				to: '+447700900789',
				user: { id: user, username: 'twolinks', email: to },
				values: { password: 'Initial-Secret-77' }
			}
		]);
		const mailed = linkIn(await mailNumber(to, 1));
		await until(async () => (await eventsFor(user)).filter((e) => e.type === 'delivered').length === 2);
		// Signing in with the SMS password opens a second link: the form to choose one's own.
		const html = await (await signIn('twolinks', 'Initial-Secret-77')).text();
		const action = /action="(\/activate\/[A-Za-z0-9_-]{43})"/.exec(html)?.[1];
		expect(action).toBeDefined();
		expect((await fetch(mailed)).status).toBe(200);

		expect((await setPassword(`${relay.url}${action}`, OWN)).status).toBe(200);
		expect((await fetch(mailed)).status).toBe(410);
		expect((await setPassword(mailed, OTHER)).status).toBe(410);
		expect((await signIn('twolinks', OWN)).status).toBe(200);
		expect(await activations(user)).toBe(1);
		expect(relay.logs).toContainEqual(expect.objectContaining({ level: 'info', event: 'activated', user }));
		expect(relay.logs).toContainEqual(
			expect.objectContaining({ level: 'debug', event: 'links-revoked', user, count: 1 })
		);
	});

	it('gives every attempt of one message the same link (a retry after a refusal)', async () => {
		const user = 'u-links-retry';
		smtp.failNext(1, 451);
		await relay.sendBatch(token, [activation('retry@example.com', user)]);
		const link = linkIn(await mailNumber('retry@example.com', 1));
		const refused = smtp.refused.filter((mail) => mail.to.includes('retry@example.com'));
		expect(refused).toHaveLength(1);
		expect(linkIn(refused[0]!.raw)).toBe(link);
		const stored = relay.relay.db
			.prepare('SELECT count(*) AS n FROM activation_tokens WHERE user_id = ?')
			.get(user) as { n: number };
		expect(stored.n).toBe(1);
		expect((await fetch(link)).status).toBe(200);
	});

	it('does not send an older message once a newer message to the person has its link', async () => {
		const user = 'u-links-overtaken';
		const to = 'overtaken@example.com';
		const db = relay.relay.db;
		await relay.relay.delivery.stop();
		const [older, newer] = [activation(to, user), activation(to, user)];
		await relay.sendBatch(token, [older]);
		await relay.sendBatch(token, [newer]);
		// As when the older one waits for a retry while the newer one goes: the newer link exists first.
		const newerId = (
			db.prepare('SELECT id FROM messages WHERE idempotency_key = ?').get(newer.idempotencyKey) as {
				id: number;
			}
		).id;
		transaction(db, () =>
			mintMessageLink(
				db,
				loadLinkKey(relay.dataDir),
				{ id: newerId, idempotencyKey: newer.idempotencyKey, userId: user },
				3_600_000
			)
		);
		relay.relay.delivery.start();
		await until(async () => (await eventsFor(user)).length === 2);
		const events = await eventsFor(user);
		expect(events.find((event) => event.idempotencyKey === older.idempotencyKey)).toMatchObject({
			type: 'undeliverable',
			reason: NOT_SENT.replaced
		});
		expect(events.find((event) => event.idempotencyKey === newer.idempotencyKey)?.type).toBe('delivered');
		expect(smtp.mails.filter((mail) => mail.to.includes(to))).toHaveLength(1);
		expect((await fetch(linkIn(await mailNumber(to, 1)))).status).toBe(200);
	});

	it('does not send a retry whose link died meanwhile, and counts one whose link was used as delivered', async () => {
		const db = relay.relay.db;
		const to = 'retried@example.com';
		await relay.relay.delivery.stop();
		const [suspended, used] = [activation(to, 'u-links-retry-dead'), activation(to, 'u-links-retry-used')];
		await relay.sendBatch(token, [suspended, used]);
		// What a first attempt leaves behind: each message's link minted (its mail may have arrived).
		const tokens = [suspended, used].map((message) => {
			const { id } = db
				.prepare('SELECT id FROM messages WHERE idempotency_key = ?')
				.get(message.idempotencyKey) as { id: number };
			const minted = transaction(db, () =>
				mintMessageLink(
					db,
					loadLinkKey(relay.dataDir),
					{ id, ...message, userId: message.user.id },
					3_600_000
				)
			);
			return minted.ok ? minted.token : '';
		});
		// One is suspended and reactivated while its attempt is in flight; the other person uses their link.
		const setState = (state: string) =>
			db
				.prepare('UPDATE messages SET state = ? WHERE idempotency_key = ?')
				.run(state, suspended.idempotencyKey);
		setState('sending');
		await commandResults([command('suspend', suspended.user.id), command('reactivate', suspended.user.id)]);
		setState('queued');
		expect((await setPassword(`${relay.url}/activate/${tokens[1]}`, OWN)).status).toBe(200);

		relay.relay.delivery.start();
		await until(async () => (await eventsFor(used.user.id)).some((event) => event.type === 'delivered'));
		await until(async () => (await eventsFor(suspended.user.id)).length === 1);
		expect((await eventsFor(suspended.user.id))[0]).toMatchObject({
			type: 'undeliverable',
			reason: NOT_SENT.revoked
		});
		expect(smtp.mails.filter((mail) => mail.to.includes(to))).toHaveLength(0);
	});

	it('keeps the link key beside the database, readable by the relay only, and the same on every start', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'rollcall-link-key-'));
		try {
			const key = loadLinkKey(dir);
			expect(key).toHaveLength(32);
			expect(loadLinkKey(dir).equals(key)).toBe(true);
			expect(statSync(path.join(dir, LINK_KEY_FILE)).mode & 0o777).toBe(0o600);
			writeFileSync(path.join(dir, LINK_KEY_FILE), 'short');
			expect(() => loadLinkKey(dir)).toThrow(
				/link-key is damaged: .* delete it to start a new one \(links already sent then stop working\)/
			);
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});

	it('sets the password once when one link is posted twice at the same moment', async () => {
		const user = 'u-links-race';
		const to = 'race@example.com';
		await relay.sendBatch(token, [activation(to, user)]);
		const link = linkIn(await mailNumber(to, 1));
		// Both pass the link check, then hash (real scrypt) side by side; only one may use the link.
		const answers = await Promise.all([setPassword(link, OWN), setPassword(link, OTHER)]);
		expect(answers.map((answer) => answer.status).sort()).toEqual([200, 410]);
		expect(await activations(user)).toBe(1);
		const signedIn = [(await signIn(to, OWN)).status, (await signIn(to, OTHER)).status].sort();
		expect(signedIn).toEqual([200, 401]);
	});
});

describe('account commands', () => {
	it('suspend kills links and refuses sign-in without saying whether the password was right; reactivate lets the person in again', async () => {
		const user = 'u-cmd-suspend';
		const to = 'suspend@example.com';
		await relay.sendBatch(token, [activation(to, user)]);
		expect((await setPassword(linkIn(await mailNumber(to, 1)), OWN)).status).toBe(200);
		await relay.sendBatch(token, [activation(to, user)]);
		const pending = linkIn(await mailNumber(to, 2));

		expect(await commandResults([command('suspend', user)])).toEqual([
			expect.objectContaining({ status: 'applied', replayed: false })
		]);
		const dead = await fetch(pending);
		expect(dead.status).toBe(410);
		expect(await dead.text()).toContain('This link no longer works');
		const right = await signIn(to, OWN);
		const wrong = await signIn(to, OTHER);
		expect([right.status, wrong.status]).toEqual([401, 401]);
		const rightText = await right.text();
		expect(rightText).toContain('the account may be suspended');
		expect(rightText).toBe(await wrong.text());
		const stranger = await signIn('nobody@example.com', OWN);
		expect((await stranger.text()).replace('nobody@example.com', to)).toBe(rightText);

		// A message sent while suspended is not delivered.
		const meanwhile = activation(to, user);
		await relay.sendBatch(token, [meanwhile]);
		await until(async () =>
			(await eventsFor(user)).some((event) => event.idempotencyKey === meanwhile.idempotencyKey)
		);
		expect((await eventsFor(user)).at(-1)).toMatchObject({
			type: 'undeliverable',
			reason: 'Not sent: the user is suspended.'
		});

		await commandResults([command('reactivate', user)]);
		expect((await signIn(to, OWN)).status).toBe(200);
		// Links stay dead; a new message brings a new one that works.
		expect((await fetch(pending)).status).toBe(410);
		await relay.sendBatch(token, [activation(to, user)]);
		expect((await fetch(linkIn(await mailNumber(to, 3)))).status).toBe(200);
		expect(relay.logs).toContainEqual(
			expect.objectContaining({ level: 'info', event: 'account-command', command: 'suspend', user })
		);
	});

	it('delete kills links, wipes the password and names, and stops waiting messages', async () => {
		const user = 'u-cmd-delete';
		const to = 'delete@example.com';
		await relay.sendBatch(token, [activation(to, user)]);
		expect((await setPassword(linkIn(await mailNumber(to, 1)), OWN)).status).toBe(200);

		// Hold delivery so the next message is still waiting when the delete comes.
		await relay.relay.delivery.stop();
		const waiting = activation(to, user);
		await relay.sendBatch(token, [waiting]);
		await commandResults([command('delete', user)]);
		relay.relay.delivery.start();
		await until(async () =>
			(await eventsFor(user)).some((event) => event.idempotencyKey === waiting.idempotencyKey)
		);
		await relay.relay.delivery.settled();
		expect(smtp.mails.filter((mail) => mail.to.includes(to))).toHaveLength(1);
		expect((await eventsFor(user)).at(-1)).toMatchObject({
			type: 'undeliverable',
			idempotencyKey: waiting.idempotencyKey,
			reason: 'Not sent: the user was deleted.'
		});
		expect(getAccount(relay.relay.db, user)).toMatchObject({
			email: null,
			username: null,
			displayName: null,
			passwordHash: null,
			isDeleted: true
		});
		expect((await signIn(to, OWN)).status).toBe(401);
		const history = relay.relay.db
			.prepare('SELECT recipient, payload FROM messages WHERE user_id = ?')
			.all(user) as { recipient: string; payload: string }[];
		for (const row of history) expect(`${row.recipient} ${row.payload}`).not.toMatch(/delete@|Ann|Lee/);
	});

	it('applies a command once when the same request arrives eight times at once', async () => {
		const batch = [command('suspend', 'u-cmd-burst')];
		const answers = await Promise.all(Array.from({ length: 8 }, () => commandResults(batch)));
		expect(answers.flat().filter((result) => result.status === 'applied' && !result.replayed)).toHaveLength(
			1
		);
		expect(answers.flat().every((result) => result.status === 'applied')).toBe(true);
		const rows = relay.relay.db
			.prepare("SELECT count(*) AS n FROM commands WHERE user_id = 'u-cmd-burst'")
			.get() as {
			n: number;
		};
		expect(rows.n).toBe(1);
	});

	it('answers a repeated command with its first answer and refuses a key reused for another', async () => {
		const key = newKey();
		expect(await commandResults([command('suspend', 'u-cmd-idem', key)])).toEqual([
			{ idempotencyKey: key, status: 'applied', replayed: false }
		]);
		await commandResults([command('reactivate', 'u-cmd-idem')]);
		// The replay does not suspend again.
		expect(await commandResults([command('suspend', 'u-cmd-idem', key)])).toEqual([
			{ idempotencyKey: key, status: 'applied', replayed: true }
		]);
		expect(getAccount(relay.relay.db, 'u-cmd-idem')?.isSuspended).toBe(false);
		expect(await commandResults([command('delete', 'u-cmd-idem', key)])).toEqual([
			expect.objectContaining({ status: 'rejected', code: 'idempotency-conflict' })
		]);
		const [badType, noKey] = await commandResults([command('explode', 'u-cmd-idem'), { type: 'suspend' }]);
		expect(badType).toMatchObject({ status: 'rejected', code: 'invalid' });
		expect(badType?.status === 'rejected' && badType.reason).toMatch(/^type must be/);
		expect(noKey).toMatchObject({ idempotencyKey: '#1', status: 'rejected', code: 'invalid' });
		expect((await sendCommands([command('suspend', 'u-x')], 'not-a-token')).status).toBe(401);
		const tooMany = Array.from({ length: 101 }, () => command('suspend', 'u-x'));
		expect((await sendCommands(tooMany)).status).toBe(413);
		expect(getAccount(relay.relay.db, 'u-x')).toBeUndefined();
	});
});
