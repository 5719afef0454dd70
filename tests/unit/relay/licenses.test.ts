// Licenses at the relay (issue 14, workflow A): desktop activations (at most 2 computers, even under 20
// requests at once), keys revoked by a 'license' command, web access and suspension. Against a real relay
// over HTTP.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newLicenseKey } from '../../../src/lib/domain/license-key.ts';
import type { AccountCommand, RelayEvent } from '../../../src/lib/domain/relay-protocol.ts';
import { hashPassword } from '../../../src/relay/accounts/password.ts';
import { setOwnPassword } from '../../../src/relay/store/accounts.ts';
import { postForm } from './forms.ts';
import { newKey, startTestRelay, until, type TestRelay } from './harness.ts';

vi.setConfig({ testTimeout: 120_000 });

let relay: TestRelay;
let token: string;

beforeAll(async () => {
	// High enough for the tests from 127.0.0.1; the limit itself is tested on a relay of its own.
	relay = await startTestRelay({ RATE_LIMIT_ACTIVATIONS_PER_15_MINUTES: '1000' });
	token = await relay.pair();
});
afterAll(async () => {
	await relay.close();
});

interface Person {
	id: string;
	email: string;
	key: string;
}

let people = 0;
/** A user the relay learns from an activation message carrying their license. */
async function person(
	entitlements: string[] = ['Desktop'],
	webAccess: boolean | undefined = undefined
): Promise<Person> {
	people += 1;
	const id = `user-${crypto.randomUUID()}`;
	const email = `person${people}@example.com`;
	const key = newLicenseKey();
	const results = await relay.sendBatch(token, [
		{
			idempotencyKey: newKey(),
			template: 'activation',
			to: email,
			user: {
				id,
				email,
				firstName: 'Pat',
				licenseKey: key,
				entitlements,
				...(webAccess === undefined ? {} : { webAccess })
			}
		}
	]);
	expect(results.results[0]).toMatchObject({ status: 'accepted' });
	return { id, email, key };
}

async function commands(list: readonly AccountCommand[]): Promise<unknown[]> {
	const response = await fetch(`${relay.url}/api/commands`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
		body: JSON.stringify({ commands: list })
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { results: unknown[] }).results;
}

async function events(): Promise<RelayEvent[]> {
	const response = await fetch(`${relay.url}/api/events?limit=500`, {
		headers: { Authorization: `Bearer ${token}` }
	});
	return ((await response.json()) as { events: RelayEvent[] }).events;
}

interface ActivationAnswer {
	status: number;
	body: Record<string, unknown> & { error?: { code: string; message: string } };
}

/** POST /api/activate from `from` (any 127.x address), on a connection of its own. */
function activate(body: unknown, from = '127.0.0.1', url = relay.url): Promise<ActivationAnswer> {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	return new Promise((resolve, reject) => {
		const outgoing = request(
			`${url}/api/activate`,
			{
				method: 'POST',
				localAddress: from,
				agent: false,
				headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ActivationAnswer['body']
					})
				);
				response.on('error', reject);
			}
		);
		outgoing.on('error', reject);
		outgoing.end(text);
	});
}

describe('desktop activation', () => {
	it('lets exactly 2 of 20 activations at once through, and answers the rest naming the two computers', async () => {
		const pat = await person();
		const answers = await Promise.all(
			Array.from({ length: 20 }, (_, i) =>
				activate({ email: pat.email, licenseKey: pat.key, computer: `PC-${i + 1}` }, `127.0.8.${i + 1}`)
			)
		);
		const activated = answers.filter((a) => a.status === 200);
		expect(activated).toHaveLength(2);
		const refused = answers.filter((a) => a.status !== 200);
		expect(refused).toHaveLength(18);
		const names = activated.map((a) => a.body.computer as string);
		for (const answer of refused) {
			expect(answer.status).toBe(409);
			expect(answer.body.error?.code).toBe('activation-limit');
			expect(answer.body.error?.message).toContain(`"${names[0]}"`);
			expect(answer.body.error?.message).toContain(`"${names[1]}"`);
			expect(answer.body.error?.message).toContain('administrator can deactivate one');
			expect((answer.body.computers as { name: string }[]).map((c) => c.name).sort()).toEqual(
				[...names].sort()
			);
		}
		const activations = (await events()).filter(
			(e) => e.type === 'computer-activated' && e.userId === pat.id
		);
		expect(activations.map((e) => e.computer).sort()).toEqual([...names].sort());
	});

	it('activates an already activated computer again without a change, whatever its spelling', async () => {
		const pat = await person();
		const first = await activate({ email: pat.email, licenseKey: pat.key, computer: 'Office PC' });
		expect(first).toMatchObject({ status: 200, body: { computer: 'Office PC', replayed: false } });
		// The key as a person types it: lower case, no dashes; the computer's name in another case.
		const typed = pat.key.toLowerCase().replaceAll('-', ' ');
		const again = await activate({
			email: pat.email.toUpperCase(),
			licenseKey: typed,
			computer: ' office pc '
		});
		expect(again).toMatchObject({ status: 200, body: { computer: 'Office PC', replayed: true } });
		expect(again.body.activatedAt).toBe(first.body.activatedAt);
		expect(await activate({ email: pat.email, licenseKey: pat.key, computer: 'Laptop' })).toMatchObject({
			status: 200
		});
		// Two held: the first one still activates again, a third does not.
		expect((await activate({ email: pat.email, licenseKey: pat.key, computer: 'OFFICE PC' })).status).toBe(
			200
		);
		expect((await activate({ email: pat.email, licenseKey: pat.key, computer: 'Third' })).status).toBe(409);
		const activations = (await events()).filter(
			(e) => e.type === 'computer-activated' && e.userId === pat.id
		);
		expect(activations).toHaveLength(2);
	});

	it('refuses a regenerated key at once, and takes the new one', async () => {
		const pat = await person();
		const newer = newLicenseKey();
		const [result] = await commands([
			{
				idempotencyKey: newKey(),
				type: 'license',
				userId: pat.id,
				license: { licenseKey: newer, entitlements: ['Desktop'] }
			}
		]);
		expect(result).toMatchObject({ status: 'applied' });
		const old = await activate({ email: pat.email, licenseKey: pat.key, computer: 'PC' });
		expect(old.status).toBe(403);
		expect(old.body.error?.code).toBe('license-not-recognised');
		// A message queued before the key changed, sent after: it does not bring the old key back.
		await relay.sendBatch(token, [
			{
				idempotencyKey: newKey(),
				template: 'activation',
				to: pat.email,
				user: { id: pat.id, email: pat.email, licenseKey: pat.key, entitlements: ['Desktop'] }
			}
		]);
		expect((await activate({ email: pat.email, licenseKey: pat.key, computer: 'PC' })).status).toBe(403);
		expect((await activate({ email: pat.email, licenseKey: newer, computer: 'PC' })).status).toBe(200);
	});

	it("gives a wrong email and a wrong key the same answer, and refuses a key given to someone else's address", async () => {
		const pat = await person();
		const other = await person();
		const wrongEmail = await activate({ email: 'nobody@example.com', licenseKey: pat.key, computer: 'PC' });
		const wrongKey = await activate({ email: pat.email, licenseKey: newLicenseKey(), computer: 'PC' });
		const othersKey = await activate({ email: other.email, licenseKey: pat.key, computer: 'PC' });
		for (const answer of [wrongEmail, wrongKey, othersKey]) {
			expect(answer.status).toBe(403);
			expect(answer.body).toEqual(wrongEmail.body);
		}
		expect(wrongEmail.body.error?.code).toBe('license-not-recognised');
	});

	it('refuses a suspended or deleted user, and a user without Desktop', async () => {
		const suspended = await person();
		await commands([{ idempotencyKey: newKey(), type: 'suspend', userId: suspended.id }]);
		const answer = await activate({ email: suspended.email, licenseKey: suspended.key, computer: 'PC' });
		expect(answer).toMatchObject({ status: 403, body: { error: { code: 'license-not-usable' } } });

		const deleted = await person();
		await commands([{ idempotencyKey: newKey(), type: 'delete', userId: deleted.id }]);
		expect((await activate({ email: deleted.email, licenseKey: deleted.key, computer: 'PC' })).status).toBe(
			403
		);

		const webOnly = await person(['Web']);
		const noDesktop = await activate({ email: webOnly.email, licenseKey: webOnly.key, computer: 'PC' });
		expect(noDesktop).toMatchObject({ status: 403, body: { error: { code: 'no-desktop-license' } } });
	});

	it('refuses missing fields, a huge computer name, a key with a typo and a body that is not JSON', async () => {
		const pat = await person();
		const cases: unknown[] = [
			{},
			{ email: pat.email, licenseKey: pat.key },
			{ email: pat.email, computer: 'PC' },
			{ licenseKey: pat.key, computer: 'PC' },
			{ email: pat.email, licenseKey: pat.key, computer: 'x'.repeat(101) },
			{ email: pat.email, licenseKey: pat.key, computer: 'PC\r\nX-Evil: 1' },
			{ email: pat.email, licenseKey: pat.key, computer: '   ' },
			{ email: pat.email, licenseKey: pat.key, computer: 42 },
			{ email: [pat.email], licenseKey: pat.key, computer: 'PC' },
			{
				email: pat.email,
				licenseKey: pat.key.slice(0, -1) + (pat.key.endsWith('0') ? '1' : '0'),
				computer: 'PC'
			},
			'not json',
			[pat.email, pat.key, 'PC']
		];
		for (const body of cases) {
			const answer = await activate(body);
			expect(answer.status, JSON.stringify(body)).toBe(400);
			expect(answer.body.error?.code).toBe('bad-request');
		}
		const huge = await activate({ email: pat.email, licenseKey: pat.key, computer: 'x'.repeat(10_000) });
		expect(huge.status).toBe(413);
		expect((await events()).some((e) => e.userId === pat.id && e.type === 'computer-activated')).toBe(false);
	});

	it('frees a slot on a deactivate command, with the event the app waits for', async () => {
		const pat = await person();
		for (const computer of ['One', 'Two']) {
			expect((await activate({ email: pat.email, licenseKey: pat.key, computer })).status).toBe(200);
		}
		expect((await activate({ email: pat.email, licenseKey: pat.key, computer: 'Three' })).status).toBe(409);
		const key = newKey();
		const deactivate: AccountCommand = {
			idempotencyKey: key,
			type: 'deactivate',
			userId: pat.id,
			computer: 'one'
		};
		expect(await commands([deactivate])).toEqual([
			{ idempotencyKey: key, status: 'applied', replayed: false }
		]);
		expect(await commands([deactivate])).toEqual([
			{ idempotencyKey: key, status: 'applied', replayed: true }
		]);
		expect(await commands([{ ...deactivate, computer: 'Two' }])).toMatchObject([
			{ status: 'rejected', code: 'idempotency-conflict' }
		]);
		const freed = (await events()).filter((e) => e.type === 'computer-deactivated' && e.userId === pat.id);
		expect(freed.map((e) => e.computer)).toEqual(['one']);
		expect((await activate({ email: pat.email, licenseKey: pat.key, computer: 'Three' })).status).toBe(200);
	});

	it("frees the old license's computers when Desktop is taken away or the key is replaced, and only then", async () => {
		const pat = await person();
		const license = (licenseKey: string, entitlements: ('Desktop' | 'Web')[]): AccountCommand => ({
			idempotencyKey: newKey(),
			type: 'license',
			userId: pat.id,
			license: { licenseKey, entitlements }
		});
		const activateAll = async (key: string, computers: string[]) => {
			for (const computer of computers) {
				expect((await activate({ email: pat.email, licenseKey: key, computer })).status).toBe(200);
			}
		};
		const freed = async () =>
			(await events())
				.filter((e) => e.type === 'computer-deactivated' && e.userId === pat.id)
				.map((e) => e.computer);
		await activateAll(pat.key, ['One', 'Two']);
		// The same key, Web added: the computers stay.
		await commands([license(pat.key, ['Desktop', 'Web'])]);
		expect(await freed()).toEqual([]);
		expect((await activate({ email: pat.email, licenseKey: pat.key, computer: 'Three' })).status).toBe(409);

		// Desktop taken away: both freed; granted again: two free slots.
		await commands([license(pat.key, ['Web'])]);
		expect((await freed()).sort()).toEqual(['One', 'Two']);
		await commands([license(pat.key, ['Desktop'])]);
		await activateAll(pat.key, ['Three', 'Four']);

		// A new key: the old key's computers are freed, the new key has both slots.
		const newer = newLicenseKey();
		await commands([license(newer, ['Desktop'])]);
		expect((await freed()).sort()).toEqual(['Four', 'One', 'Three', 'Two']);
		await activateAll(newer, ['Five', 'Six']);
	});

	it('refuses malformed license and deactivate commands', async () => {
		const id = 'user-x';
		const bad: unknown[] = [
			{ idempotencyKey: newKey(), type: 'license', userId: id },
			{
				idempotencyKey: newKey(),
				type: 'license',
				userId: id,
				license: { licenseKey: 'ABC', entitlements: [] }
			},
			{
				idempotencyKey: newKey(),
				type: 'license',
				userId: id,
				license: { licenseKey: newLicenseKey(), entitlements: ['Server'] }
			},
			{
				idempotencyKey: newKey(),
				type: 'license',
				userId: id,
				license: { licenseKey: newLicenseKey(), entitlements: ['Web', 'Web'] }
			},
			{
				idempotencyKey: newKey(),
				type: 'license',
				userId: id,
				license: { licenseKey: newLicenseKey(), entitlements: [], webAccess: 'yes' }
			},
			{ idempotencyKey: newKey(), type: 'deactivate', userId: id },
			{ idempotencyKey: newKey(), type: 'deactivate', userId: id, computer: 'x'.repeat(101) },
			{ idempotencyKey: newKey(), type: 'suspend', userId: id, computer: 'PC' }
		];
		const results = await commands(bad as AccountCommand[]);
		expect(results.map((r) => (r as { status: string }).status)).toEqual(bad.map(() => 'rejected'));
	});

	it('limits activation attempts per address', async () => {
		const limited = await startTestRelay({ RATE_LIMIT_ACTIVATIONS_PER_15_MINUTES: '3' });
		try {
			const body = { email: 'someone@example.com', licenseKey: newLicenseKey(), computer: 'PC' };
			for (let i = 0; i < 3; i++) expect((await activate(body, '127.0.9.1', limited.url)).status).toBe(403);
			const refused = await activate(body, '127.0.9.1', limited.url);
			expect(refused.status).toBe(429);
			expect(refused.body.error?.code).toBe('rate-limited');
			expect((await activate(body, '127.0.9.2', limited.url)).status).toBe(403);
		} finally {
			await limited.close();
		}
	});

	it('counts a replayed activation against the limit: one valid key does not buy unlimited attempts', async () => {
		const limited = await startTestRelay({ RATE_LIMIT_ACTIVATIONS_PER_15_MINUTES: '3' });
		try {
			const own = await limited.pair();
			const email = 'replayer@example.com';
			const licenseKey = newLicenseKey();
			await limited.sendBatch(own, [
				{
					idempotencyKey: newKey(),
					template: 'activation',
					to: email,
					user: { id: `user-${crypto.randomUUID()}`, email, licenseKey, entitlements: ['Desktop'] }
				}
			]);
			const body = { email, licenseKey, computer: 'PC' };
			// The new activation is given back; each replay costs one of the 3.
			const first = await activate(body, '127.0.9.3', limited.url);
			expect(first).toMatchObject({ status: 200, body: { replayed: false } });
			for (let i = 0; i < 3; i++) {
				expect(await activate(body, '127.0.9.3', limited.url)).toMatchObject({
					status: 200,
					body: { replayed: true }
				});
			}
			expect((await activate(body, '127.0.9.3', limited.url)).status).toBe(429);
		} finally {
			await limited.close();
		}
	});

	it('finds the account by its key through an index, not a scan of every account', () => {
		const plan = relay.relay.db
			.prepare('EXPLAIN QUERY PLAN SELECT user_id FROM accounts WHERE license_key_hash = ?')
			.all('x') as { detail: string }[];
		expect(plan.map((step) => step.detail).join('\n')).toMatch(/USING INDEX accounts_license_key/);
	});
});

describe('npm run relay -- activate', () => {
	const ROOT = path.resolve(import.meta.dirname, '../../..');
	/** The real CLI against the running relay (asynchronously: the relay answers in this process). */
	const cli = (...args: string[]): Promise<{ status: number; out: string }> =>
		new Promise((resolve) => {
			execFile(
				path.join(ROOT, 'node_modules/.bin/node'),
				['src/relay/cli.ts', 'activate', ...args],
				{
					cwd: ROOT,
					env: { ...process.env, RELAY_DATA_DIR: relay.dataDir, PUBLIC_URL: relay.url },
					timeout: 30_000
				},
				(error, stdout, stderr) =>
					resolve({ status: error ? Number(error.code ?? 1) : 0, out: stdout + stderr })
			);
		});

	it('activates as the desktop program does, says so in plain words, and exits 1 on a refusal', async () => {
		const pat = await person();
		expect(await cli(pat.email, pat.key, 'Front desk')).toEqual({
			status: 0,
			out: 'Activated on "Front desk".\n'
		});
		const again = await cli(pat.email, pat.key, 'front desk');
		expect(again.status).toBe(0);
		expect(again.out).toContain('"Front desk" was already activated');
		expect((await cli(pat.email, pat.key, 'Back office')).status).toBe(0);
		const third = await cli(pat.email, pat.key, 'Third');
		expect(third.status).toBe(1);
		expect(third.out).toContain('Not activated: Your license is already activated on 2 computers');
		expect(third.out).toContain('"Front desk"');
		expect((await cli('nobody@example.com', pat.key, 'PC')).out).toContain('do not go together');
		expect((await cli(pat.email, pat.key)).status).toBe(2);
		// Another relay's address, as an option: nobody listens there.
		const unreachable = await cli(pat.email, pat.key, 'PC', '--relay', 'http://127.0.0.1:9');
		expect(unreachable.status).toBe(2);
		expect(unreachable.out).toContain('cannot be reached');
	});
});

describe('web access', () => {
	const signIn = (name: string, password: string) => postForm(`${relay.url}/signin`, { name, password });

	it('refuses sign-in with web access off, with a page that says so; on, or never set, signs in', async () => {
		const off = await person(['Desktop'], false);
		const on = await person(['Web'], true);
		const unset = await person([]);
		const hash = await hashPassword('violet harbour engine');
		for (const who of [off, on, unset]) setOwnPassword(relay.relay.db, who.id, hash);

		const refused = await signIn(off.email, 'violet harbour engine');
		expect(refused.status).toBe(403);
		expect(refused.text).toContain('Web access is turned off for your account');
		expect((await signIn(on.email, 'violet harbour engine')).status).toBe(200);
		expect((await signIn(unset.email, 'violet harbour engine')).status).toBe(200);
		// A wrong password learns nothing about web access.
		const wrong = await signIn(off.email, 'not the password');
		expect(wrong.status).toBe(401);
		expect(wrong.text).not.toContain('Web access');

		// The admin turns it on: sign-in works; off again: refused.
		const license = (webAccess: boolean): AccountCommand => ({
			idempotencyKey: newKey(),
			type: 'license',
			userId: off.id,
			license: { licenseKey: off.key, entitlements: ['Desktop', 'Web'], webAccess }
		});
		await commands([license(true)]);
		expect((await signIn(off.email, 'violet harbour engine')).status).toBe(200);
		await commands([license(false)]);
		expect((await signIn(off.email, 'violet harbour engine')).status).toBe(403);
	});

	it("sends the welcome mail only to the user's own address, with their own key", async () => {
		const key = newLicenseKey();
		const welcome = (to: string, valuesKey: string) => ({
			idempotencyKey: newKey(),
			template: 'welcome',
			to,
			user: {
				id: `user-${crypto.randomUUID()}`,
				email: 'owner@example.com',
				licenseKey: key,
				entitlements: ['Web'],
				webAccess: true
			},
			values: { licenseKey: valuesKey }
		});
		const { results } = await relay.sendBatch(token, [
			welcome('someone.else@example.com', key),
			welcome('owner@example.com', newLicenseKey()),
			welcome('OWNER@example.com', key)
		]);
		expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'accepted']);
	});

	it('does not send a welcome mail queued before the key was regenerated: its key works no more', async () => {
		const pat = await person(['Web'], true);
		const newer = newLicenseKey();
		await commands([
			{
				idempotencyKey: newKey(),
				type: 'license',
				userId: pat.id,
				license: { licenseKey: newer, entitlements: ['Web'], webAccess: true }
			}
		]);
		const stale = newKey();
		const fresh = newKey();
		const welcome = (idempotencyKey: string, key: string) => ({
			idempotencyKey,
			template: 'welcome',
			to: pat.email,
			user: { id: pat.id, email: pat.email, licenseKey: key, entitlements: ['Web'], webAccess: true },
			values: { licenseKey: key }
		});
		const { results } = await relay.sendBatch(token, [welcome(stale, pat.key), welcome(fresh, newer)]);
		expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
		await until(async () => {
			const done = (await events()).filter((e) => e.idempotencyKey === stale || e.idempotencyKey === fresh);
			return done.length === 2;
		});
		const outcome = new Map((await events()).map((e) => [e.idempotencyKey, e]));
		expect(outcome.get(stale)).toMatchObject({
			type: 'undeliverable',
			reason: expect.stringContaining('regenerated') as unknown
		});
		expect(outcome.get(fresh)?.type).toBe('delivered');
	});
});
