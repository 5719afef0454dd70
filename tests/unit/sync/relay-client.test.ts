import { afterEach, describe, expect, it } from 'vitest';
import { RelayClient, retryAfterSeconds } from '$lib/sync/relay-client';
import { PAIRING_CODE, startFaultRelay, type FaultRelay } from './fault-relay';

const relays: FaultRelay[] = [];
afterEach(async () => {
	for (const relay of relays.splice(0)) await relay.close();
});

describe('the relay client', () => {
	it('pairs with the right code and reports a wrong one in the relay’s words', async () => {
		const peer = await startFaultRelay();
		relays.push(peer);
		const client = new RelayClient({ baseUrl: `${peer.url}/` });
		expect(await client.pair(PAIRING_CODE.toLowerCase(), 'Front desk')).toEqual({
			ok: true,
			value: { token: peer.token, deviceId: 'd1', protocol: 1 }
		});
		expect(await client.pair('ZZZZ-ZZZZ', 'Front desk')).toMatchObject({
			ok: false,
			kind: 'refused',
			status: 400,
			code: 'bad-code',
			message: 'This pairing code is wrong or has expired.'
		});
	});

	it('says the relay cannot be reached when nothing listens', async () => {
		const peer = await startFaultRelay();
		await peer.close();
		const answer = await new RelayClient({ baseUrl: peer.url, token: 't' }).events(undefined, 10);
		expect(answer).toMatchObject({
			ok: false,
			kind: 'network',
			message: expect.stringContaining('cannot be reached') as unknown
		});
	});

	it('tells a relay that refuses this page from one that cannot be reached', async () => {
		const peer = await startFaultRelay();
		relays.push(peer);
		// A browser fails a request whose answer CORS keeps from the page with a TypeError, as if nothing
		// answered; a no-cors request goes through (its answer is opaque).
		const browserFetch: typeof fetch = (input, init) =>
			init?.mode === 'no-cors' ? fetch(input, init) : Promise.reject(new TypeError('Failed to fetch'));
		const client = new RelayClient({
			baseUrl: peer.url,
			fetch: browserFetch,
			pageOrigin: 'http://127.0.0.1:4173'
		});
		const answer = await client.pair(PAIRING_CODE, 'Front desk');
		expect(answer).toMatchObject({ ok: false, kind: 'blocked' });
		const message = answer.ok ? '' : answer.message;
		expect(message).toContain(
			`Something answers at ${peer.url}, but the browser does not let http://127.0.0.1:4173 read the answer.`
		);
		expect(message).toContain('ALLOWED_ORIGINS');
		expect(message).not.toContain('cannot be reached');
	});

	it('passes on the relay’s own words when it refuses this page’s origin, as a problem to wait out', async () => {
		const peer = await startFaultRelay();
		relays.push(peer);
		const said = 'This relay does not accept requests from pages at https://elsewhere.example.';
		peer.faults.push({ kind: 'status', status: 403, code: 'origin-not-allowed', message: said });
		const answer = await new RelayClient({ baseUrl: peer.url, token: peer.token }).send([]);
		expect(answer).toEqual({ ok: false, kind: 'blocked', message: said });
	});

	it('refuses to send without a token, before any request', async () => {
		const answer = await new RelayClient({ baseUrl: 'http://127.0.0.1:9' }).send([]);
		expect(answer).toMatchObject({ ok: false, kind: 'unpaired' });
	});

	it('takes a rate-limited result with or without the reason and scope of newer relays', async () => {
		const keys = ['k-with-reason-000001', 'k-old-relay-00000002', 'k-odd-scope-00000003'];
		const answer = {
			results: [
				{
					idempotencyKey: keys[0],
					status: 'rate-limited',
					retryAfterSeconds: 60,
					reason: ' Cap. ',
					scope: 'device'
				},
				{ idempotencyKey: keys[1], status: 'rate-limited', retryAfterSeconds: 5 },
				{ idempotencyKey: keys[2], status: 'rate-limited', retryAfterSeconds: 5, reason: 7, scope: 'planet' }
			]
		};
		const client = new RelayClient({
			baseUrl: 'http://relay.invalid',
			token: 't',
			fetch: () => Promise.resolve(Response.json(answer))
		});
		const messages = keys.map((idempotencyKey) => ({
			idempotencyKey,
			template: 'activation' as const,
			to: 'ann@example.com',
			user: { id: 'u1' }
		}));
		expect(await client.send(messages)).toEqual({
			ok: true,
			value: {
				results: [
					{
						idempotencyKey: keys[0],
						status: 'rate-limited',
						retryAfterSeconds: 60,
						reason: 'Cap.',
						scope: 'device'
					},
					{ idempotencyKey: keys[1], status: 'rate-limited', retryAfterSeconds: 5 },
					{ idempotencyKey: keys[2], status: 'rate-limited', retryAfterSeconds: 5 }
				]
			}
		});
	});

	it('takes a commands answer only with one result per command, under its key', async () => {
		const command = { idempotencyKey: 'k-0123456789abcdef', type: 'suspend', userId: 'u1' } as const;
		const answering = (body: unknown) =>
			new RelayClient({
				baseUrl: 'http://relay.invalid',
				token: 't',
				fetch: () => Promise.resolve(new Response(JSON.stringify(body), { status: 200 }))
			});
		const applied = { idempotencyKey: command.idempotencyKey, status: 'applied', replayed: true };
		expect(await answering({ results: [applied] }).commands([command])).toEqual({
			ok: true,
			value: { results: [applied] }
		});
		for (const results of [
			[],
			[{ ...applied, idempotencyKey: 'k-another-key-0000' }],
			[{ status: 'maybe' }]
		]) {
			expect(await answering({ results }).commands([command])).toMatchObject({
				ok: false,
				kind: 'server',
				message: expect.stringContaining('does not follow the protocol') as unknown
			});
		}
	});

	it('reads Retry-After as seconds or as an HTTP date', () => {
		const now = Date.parse('2026-11-22T10:00:00Z');
		expect(retryAfterSeconds('120', now)).toBe(120);
		expect(retryAfterSeconds('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30);
		expect(retryAfterSeconds('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
		expect(retryAfterSeconds(null, now)).toBe(1);
		expect(retryAfterSeconds('soon', now)).toBe(1);
	});
});
