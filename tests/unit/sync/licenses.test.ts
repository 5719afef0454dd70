// The app's side of licenses at the relay (issue 14): the license travels with the first message, changes
// reach the relay as 'license' commands, activations come back as events, deactivation waits for the relay.
// Against a real relay over HTTP.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commandsStore, restoreCommand } from '$lib/db/commands';
import { computersStore } from '$lib/db/computers';
import { eventsStore } from '$lib/db/events';
import { importsStore } from '$lib/db/imports';
import { licensesStore } from '$lib/db/licenses';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { draftFor, messageUser, relayUserId } from '$lib/domain/outbox';
import type { RelayEvent } from '$lib/domain/relay-protocol';
import { licenseChanged, licenseFacts, licenseUpdate } from '$lib/domain/relay-license';
import { products } from '$lib/domain/fields';
import { DEFAULT_CUSTOMER_ID, type User } from '$lib/domain/user';
import { syncOnce } from '$lib/sync/sync-once';
import { freshDb, person } from '../db/helpers';
import { check } from '../db/import-helpers';
import { postForm } from '../relay/forms';
import { startTestRelay, until, type TestRelay } from '../relay/harness';
import { hashPassword } from '../../../src/relay/accounts/password';
import { setOwnPassword } from '../../../src/relay/store/accounts';

vi.setConfig({ testTimeout: 60_000 });

let relay: TestRelay;
let token: string;
beforeAll(async () => {
	relay = await startTestRelay({ RATE_LIMIT_ACTIVATIONS_PER_15_MINUTES: '1000' });
	token = await relay.pair();
});
afterAll(async () => {
	await relay.close();
});

let emails = 0;
/** A directory paired with the relay, with one user (Desktop by default) sent an activation email. */
async function directory(
	fields: { entitlements?: string; webAccess?: boolean } = { entitlements: 'Desktop' }
) {
	const db = freshDb('licenses');
	const users = usersStore(db);
	const link = relayStore(db);
	const outbox = outboxStore(db, link);
	const events = eventsStore(db, link);
	const commands = commandsStore(db);
	const computers = computersStore(db);
	await link.setUrl(relay.url);
	await link.paired(token, 'd1', 'Test device');
	// Seats enough for every product these tests give (licenses.test.ts checks the seats themselves).
	for (const product of products) await licensesStore(db).setSeats(DEFAULT_CUSTOMER_ID, product, 10);
	emails += 1;
	const email = `licensed${emails}-${Date.now()}@example.com`;
	const user = await users.add(person({ firstName: 'Lee', email, ...fields }));
	const sync = () =>
		syncOnce({
			outbox,
			commands,
			relay: link,
			events,
			origin: 'http://unused.invalid',
			now: () => Date.now(),
			random: () => 0.5,
			timeoutMs: 10_000
		});
	await outbox.queueFor([user.id], 'activation');
	expect(await sync()).toMatchObject({ state: 'done', flushed: { accepted: 1 } });
	const activate = async (key: string, computer: string) =>
		(
			await fetch(`${relay.url}/api/activate`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ email, licenseKey: key, computer })
			})
		).status;
	/** Signs in at the relay's web pages with `password`, set there as the user's own first. */
	const signIn = async (password: string) => {
		const directoryId = (await link.current())!.directoryId;
		setOwnPassword(relay.relay.db, relayUserId(directoryId, user.id), await hashPassword(password));
		return (await postForm(`${relay.url}/signin`, { name: email, password })).status;
	};
	return { db, users, commands, computers, user, email, sync, activate, signIn };
}

describe('licenses between the app and the relay', () => {
	it('activations reach the user as events; a deactivation waits for the relay, then frees the slot', async () => {
		const app = await directory();
		const key = app.user.licenseKey!;
		expect(await app.activate(key, 'Office PC')).toBe(200);
		expect(await app.activate(key, 'Laptop')).toBe(200);
		expect(await app.activate(key, 'Third')).toBe(409);
		await app.sync();
		const listed = (await app.users.get(app.user.id))!.computers ?? [];
		expect(listed.map((c) => c.name)).toEqual(['Office PC', 'Laptop']);
		expect(listed.every((c) => c.activatedAt > 0 && c.deactivationQueuedAt === undefined)).toBe(true);

		await app.computers.deactivate(app.user.id, 'Office PC');
		const waiting = (await app.users.get(app.user.id))!.computers!;
		expect(waiting[0]?.name).toBe('Office PC');
		expect(waiting[0]?.deactivationQueuedAt).toBeGreaterThan(0);
		expect((await app.commands.list()).map((row) => [row.type, row.computer])).toEqual([
			['deactivate', 'Office PC']
		]);
		// Asked twice while waiting: still one command.
		await app.computers.deactivate(app.user.id, 'Office PC');
		expect(await app.commands.list()).toHaveLength(1);
		// Until the relay has it, the slot is still taken.
		expect(await app.activate(key, 'Third')).toBe(409);

		await app.sync();
		expect(await app.commands.list()).toEqual([]);
		expect((await app.users.get(app.user.id))!.computers!.map((c) => c.name)).toEqual(['Laptop']);
		expect(await app.activate(key, 'Third')).toBe(200);
		await app.sync();
		expect((await app.users.get(app.user.id))!.computers!.map((c) => c.name)).toEqual(['Laptop', 'Third']);
	});

	it('a regenerated key reaches the relay as a command: the old key activates nothing, the new one does', async () => {
		const app = await directory();
		const old = app.user.licenseKey!;
		const renewed = await app.computers.regenerateKey(app.user.id);
		expect(renewed.licenseKey).not.toBe(old);
		expect((await app.commands.list()).map((row) => [row.type, row.license?.licenseKey])).toEqual([
			['license', renewed.licenseKey]
		]);
		// Not yet at the relay: the old key still works there.
		expect(await app.activate(old, 'Before sync')).toBe(200);
		await app.sync();
		expect(await app.activate(old, 'After sync')).toBe(403);
		expect(await app.activate(renewed.licenseKey!, 'After sync')).toBe(200);
	});

	it('changing products or web access queues a license command; other changes do not', async () => {
		const app = await directory({ entitlements: 'Web', webAccess: true });
		await app.users.update(app.user.id, { firstName: 'Lea' });
		expect(await app.commands.list()).toEqual([]);
		await app.users.update(app.user.id, { webAccess: false });
		await app.users.update(app.user.id, { entitlements: 'Web; Desktop' });
		expect((await app.commands.list()).map((row) => row.license)).toEqual([
			{ licenseKey: app.user.licenseKey, entitlements: ['Web'], webAccess: false },
			{ licenseKey: app.user.licenseKey, entitlements: ['Desktop', 'Web'], webAccess: false }
		]);
		await app.sync();
		expect(await app.commands.list()).toEqual([]);
		expect(await app.activate(app.user.licenseKey!, 'PC')).toBe(200);
	});

	it('giving or taking a product and switching web access in bulk tell the relay, as an edit does', async () => {
		const app = await directory({ entitlements: 'Desktop' });
		const licenses = licensesStore(app.db);
		expect(await app.activate(app.user.licenseKey!, 'PC')).toBe(200);
		expect(await licenses.setProduct([app.user.id], 'Desktop', false)).toBe(1);
		expect(await licenses.setWebAccess([app.user.id], true)).toBe(1);
		expect(await licenses.setWebAccess([app.user.id], false)).toBe(1);
		// Switched off, the user has no product left, yet the relay hears "off" in so many words.
		expect((await app.commands.list()).map((row) => row.license)).toEqual([
			{ licenseKey: app.user.licenseKey, entitlements: [] },
			{ licenseKey: app.user.licenseKey, entitlements: [], webAccess: true },
			{ licenseKey: app.user.licenseKey, entitlements: [], webAccess: false }
		]);
		await app.sync();
		// Desktop taken away: the key activates no further computer.
		expect(await app.activate(app.user.licenseKey!, 'Laptop')).toBe(403);
	});

	it('web access switched off for a user with no product refuses their sign-in at the relay', async () => {
		const app = await directory({ webAccess: true });
		expect(await app.signIn('violet harbour engine')).toBe(200);
		await app.users.update(app.user.id, { webAccess: false });
		await app.sync();
		expect(await app.commands.list()).toEqual([]);
		expect(await app.signIn('violet harbour engine')).toBe(403);
		// On again: signs in.
		await app.users.update(app.user.id, { webAccess: true });
		await app.sync();
		expect(await app.signIn('violet harbour engine')).toBe(200);
	});

	it('an import that changes products queues a license command, and so does its undo', async () => {
		const app = await directory();
		const imports = importsStore(app.db);
		const checked = await check(
			app.db,
			[
				['Email', 'Licenses'],
				[app.email, 'Desktop; Mobile']
			],
			{
				updateExisting: true
			}
		);
		expect(checked.rows.map((row) => row.status)).toEqual(['update']);
		const summary = await imports.commit(checked.rows, {
			fileName: 'f.csv',
			mode: 'all-or-nothing',
			updateExisting: true
		});
		expect((await app.commands.list()).map((row) => row.license?.entitlements)).toEqual([
			['Desktop', 'Mobile']
		]);
		await imports.undo(summary.id);
		expect((await app.commands.list()).map((row) => row.license?.entitlements)).toEqual([
			['Desktop', 'Mobile'],
			['Desktop']
		]);
	});

	it("a welcome mail queued for users reaches each one's own address with their own key", async () => {
		const app = await directory();
		const db = app.db;
		const outbox = outboxStore(db, relayStore(db));
		const other = await app.users.add(
			person({ firstName: 'Wen', email: `wen${Date.now()}@example.com`, webAccess: true })
		);
		expect(await outbox.queueFor([app.user.id, other.id], 'welcome')).toMatchObject({ queued: 2 });
		expect(await app.sync()).toMatchObject({ flushed: { accepted: 2 } });
		for (const who of [app.user, other]) {
			await until(
				() =>
					relay.relay.db
						.prepare("SELECT 1 FROM mailbox WHERE recipient = ? AND subject LIKE 'Welcome%'")
						.get(who.email) !== undefined
			);
			const mail = relay.relay.db
				.prepare("SELECT text FROM mailbox WHERE recipient = ? AND subject LIKE 'Welcome%'")
				.get(who.email) as {
				text: string;
			};
			expect(mail.text).toContain(`Your license key: ${who.licenseKey}`);
		}
	});

	it('queues nothing for a user the relay was never sent', async () => {
		const app = await directory();
		const stranger = await app.users.add(person({ firstName: 'S', email: `s${Date.now()}@example.com` }));
		await app.computers.regenerateKey(stranger.id);
		await app.users.update(stranger.id, { entitlements: 'Desktop' });
		expect(await app.commands.list()).toEqual([]);
	});
});

describe('computer events', () => {
	it('add a computer once, remove it, and skip what this app does not know', async () => {
		const db = freshDb('computer-events');
		const link = relayStore(db);
		const users = usersStore(db);
		const events = eventsStore(db, link);
		const user = await users.add(person({ firstName: 'Ev', email: 'ev@example.com' }));
		const { directoryId } = await link.read();
		const id = relayUserId(directoryId, user.id);
		const at = '2026-12-07T10:00:00.000Z';
		const event = (cursor: string, type: string, computer?: string) =>
			({ cursor, type, userId: id, at, ...(computer ? { computer } : {}) }) as RelayEvent;
		const applied = await events.apply(
			[
				event('1', 'computer-activated', 'Office PC'),
				event('2', 'computer-activated', 'office pc'),
				event('3', 'computer-activated', 'Laptop'),
				event('4', 'computer-deactivated', 'OFFICE PC'),
				event('5', 'computer-activated'),
				event('6', 'something-newer', 'X')
			],
			'6'
		);
		expect(applied).toMatchObject({ computers: 4, skipped: 2, signedIn: 0 });
		expect((await users.get(user.id))!.computers).toEqual([{ name: 'Laptop', activatedAt: Date.parse(at) }]);
	});
});

describe('license facts', () => {
	const user = (fields: Partial<User>) => ({ licenseKey: 'K', ...fields }) as User;

	it('carry web access only for a user whose license the admin manages', () => {
		expect(licenseFacts(user({ webAccess: false }))).toEqual({ licenseKey: 'K', entitlements: [] });
		expect(licenseFacts(user({ webAccess: true }))).toEqual({
			licenseKey: 'K',
			entitlements: [],
			webAccess: true
		});
		expect(licenseFacts(user({ entitlements: 'mobile; Desktop', webAccess: false }))).toEqual({
			licenseKey: 'K',
			entitlements: ['Desktop', 'Mobile'],
			webAccess: false
		});
		expect(licenseFacts(user({ licenseKey: undefined }))).toBeUndefined();
		expect(licenseChanged(user({ entitlements: 'Desktop' }), user({ entitlements: 'desktop' }))).toBe(false);
		expect(licenseChanged(user({}), user({ licenseKey: 'L' }))).toBe(true);
	});

	it("tell the relay an admin's web access switch in so many words, and nothing for a user never managed", () => {
		expect(licenseUpdate(user({ webAccess: true }), user({ webAccess: false }))).toEqual({
			licenseKey: 'K',
			entitlements: [],
			webAccess: false
		});
		// A new key for someone never managed: web access stays out (a missing value signs in as before).
		expect(licenseUpdate(user({ webAccess: false }), user({ licenseKey: 'L', webAccess: false }))).toEqual({
			licenseKey: 'L',
			entitlements: []
		});
		expect(licenseUpdate(user({}), user({ webAccess: false }))).toBeUndefined();
		expect(licenseUpdate(user({ entitlements: 'Desktop' }), user({}))).toEqual({
			licenseKey: 'K',
			entitlements: []
		});
	});

	it('go with every message', () => {
		const facts = messageUser(
			user({ id: 7, email: 'a@example.com', entitlements: 'Desktop' }),
			'0f0e0d0c-0b0a-4908-8706-050403020100'
		);
		expect(facts).toMatchObject({ licenseKey: 'K', entitlements: ['Desktop'], webAccess: false });
	});

	it("puts the user's own key in a welcome mail to their own address", () => {
		const draft = draftFor(
			user({ id: 7, email: 'a@example.com', status: 'Pending' }),
			'welcome',
			'0f0e0d0c-0b0a-4908-8706-050403020100'
		);
		expect(draft).toMatchObject({ to: 'a@example.com', values: { licenseKey: 'K' } });
	});

	it('restores a damaged license or deactivate command as failed', () => {
		const base = { key: 'k', relayUserId: 'r', state: 'queued', userId: 1 };
		expect(restoreCommand({ ...base, type: 'license' }).state).toBe('failed');
		expect(
			restoreCommand({ ...base, type: 'license', license: { licenseKey: 'K', entitlements: ['X'] } }).state
		).toBe('failed');
		expect(restoreCommand({ ...base, type: 'deactivate' }).state).toBe('failed');
		expect(restoreCommand({ ...base, type: 'deactivate', computer: 'PC' })).toMatchObject({
			state: 'queued',
			computer: 'PC'
		});
		expect(
			restoreCommand({ ...base, type: 'license', license: { licenseKey: 'K', entitlements: ['Web'] } })
		).toMatchObject({ state: 'queued', license: { licenseKey: 'K', entitlements: ['Web'] } });
	});
});
