// The relay's edge: which names it answers to (DNS rebinding), which origins are its own, form posts from
// other sites, HSTS, who the client is behind a proxy, and caps on connections. All against a real relay.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPairingCode } from '../../../src/relay/store/devices.ts';
import { activation, startTestRelay, until, type TestRelay } from './harness.ts';

interface RawResponse {
	status: number;
	headers: IncomingHttpHeaders;
	body: string;
}

/** A request with exactly these headers (fetch would not send a Host of our choosing). */
function raw(
	relay: TestRelay,
	path: string,
	options: { method?: string; headers?: Record<string, string>; body?: string } = {}
): Promise<RawResponse> {
	const { hostname, port } = new URL(relay.url);
	return new Promise((resolve, reject) => {
		const request = httpRequest(
			{
				host: hostname,
				port,
				path,
				method: options.method ?? 'GET',
				headers: options.headers,
				agent: false
			},
			(response) => {
				let body = '';
				response.setEncoding('utf8');
				response.on('data', (chunk: string) => (body += chunk));
				response.on('end', () =>
					resolve({ status: response.statusCode ?? 0, headers: response.headers, body })
				);
			}
		);
		request.on('error', reject);
		request.end(options.body);
	});
}

/** What an HTTP/1.0 client without a Host header gets back, as raw text. */
function withoutHost(relay: TestRelay, path: string): Promise<string> {
	const { port } = new URL(relay.url);
	return new Promise((resolve, reject) => {
		const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.0\r\n\r\n`));
		let text = '';
		socket.setEncoding('utf8');
		socket.on('data', (chunk: string) => (text += chunk));
		socket.on('end', () => resolve(text));
		socket.on('error', reject);
	});
}

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('the names the relay answers to', () => {
	let relay: TestRelay;
	let port: string;
	beforeAll(async () => {
		relay = await startTestRelay();
		port = new URL(relay.url).port;
		await relay.sendBatch(await relay.pair(), [activation('rebind@example.com')]);
		await until(async () => (await raw(relay, '/mailbox/messages.json')).body.includes('rebind@example.com'));
	});
	afterAll(() => relay.close());

	it('serves nothing to a foreign Host, even from loopback: no mailbox, API, page or file', async () => {
		for (const path of ['/mailbox/messages.json', '/mailbox', '/api/health', '/signin', '/', '/users']) {
			const response = await raw(relay, path, {
				headers: { Host: `attacker.example:${port}`, Origin: `http://attacker.example:${port}` }
			});
			expect(response.status, path).toBe(421);
			expect(response.body).not.toContain('rebind@example.com');
			expect(response.body).not.toContain('<h1>app</h1>');
			expect(response.headers['access-control-allow-origin']).toBeUndefined();
		}
		expect(relay.logs).toContainEqual(
			expect.objectContaining({
				event: 'request-refused',
				level: 'warn',
				status: 421,
				client: '127.0.0.1',
				path: '/mailbox/messages.json',
				host: `attacker.example:${port}`
			})
		);
	});

	it('refuses a desktop activation under a foreign Host before reading it', async () => {
		const response = await raw(relay, '/api/activate', {
			method: 'POST',
			headers: {
				Host: `attacker.example:${port}`,
				Origin: `http://attacker.example:${port}`,
				'Content-Type': 'application/json'
			},
			body: JSON.stringify({
				email: 'rebind@example.com',
				licenseKey: 'ABCDE-FGHJK-MNPQR-TVWXY',
				computer: 'PC'
			})
		});
		expect(response.status).toBe(421);
		expect(response.headers['access-control-allow-origin']).toBeUndefined();
	});

	it("answers a load balancer's GET /health whatever its Host, and nothing else under that Host", async () => {
		const headers = { Host: `10.0.0.7:${port}` };
		const health = await raw(relay, '/health', { headers });
		expect(health.status).toBe(200);
		expect(JSON.parse(health.body)).toEqual({ status: 'ready' });
		for (const path of ['/health/', '/health?x=1', '/api/health', '/mailbox/messages.json']) {
			expect((await raw(relay, path, { headers })).status, path).toBe(421);
		}
	});

	it('refuses a request with no Host at all (HTTP/1.0)', async () => {
		const text = await withoutHost(relay, '/mailbox/messages.json');
		expect(text).toMatch(/^HTTP\/1\.1 400 /);
		expect(text).not.toContain('rebind@example.com');
	});

	it('answers its loopback names on its port, and PUBLIC_URL', async () => {
		for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
			expect((await raw(relay, '/api/health', { headers: { Host: host } })).status, host).toBe(200);
		}
		for (const host of ['localhost', `localhost:${Number(port) + 1}`, `127.0.0.1.attacker.example:${port}`]) {
			expect((await raw(relay, '/api/health', { headers: { Host: host } })).status, host).toBe(421);
		}
	});

	it('counts its own loopback names as its own origin, whichever PUBLIC_URL names', async () => {
		for (const origin of [`http://localhost:${port}`, `http://[::1]:${port}`, `http://127.0.0.1:${port}`]) {
			const { code } = createPairingCode(relay.relay.db);
			const response = await raw(relay, '/api/pair', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Origin: origin },
				body: JSON.stringify({ code, deviceName: 'Laptop' })
			});
			expect(response.status, origin).toBe(200);
			expect(response.headers['access-control-allow-origin']).toBe(origin);
		}
	});

	it('lets the app it serves connect to it under each of its names', async () => {
		const policy = String((await raw(relay, '/')).headers['content-security-policy']);
		const connect = /connect-src ([^;]+)/.exec(policy)?.[1]?.split(' ');
		expect(connect).toEqual(["'self'", relay.url, `http://localhost:${port}`, `http://[::1]:${port}`]);
	});

	it('answers HOST too when it is one address, as a name and as an origin', async () => {
		const lan = await startTestRelay({ PUBLIC_URL: 'https://relay.example.org' }, '127.0.0.2');
		const lanPort = new URL(lan.url).port;
		try {
			const response = await raw(lan, '/api/pair', {
				method: 'POST',
				headers: {
					Host: `127.0.0.2:${lanPort}`,
					Origin: `http://127.0.0.2:${lanPort}`,
					'Content-Type': 'application/json'
				},
				body: JSON.stringify({ code: createPairingCode(lan.relay.db).code, deviceName: 'LAN laptop' })
			});
			expect(response.status).toBe(200);
		} finally {
			await lan.close();
		}
	});

	it('lets a refused origin read why, and does nothing for it', async () => {
		const origin = 'https://admin.example.net';
		const preflight = await raw(relay, '/api/pair', {
			method: 'OPTIONS',
			headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' }
		});
		expect(preflight.status).toBe(204);
		expect(preflight.headers['access-control-allow-origin']).toBe(origin);

		const { code } = createPairingCode(relay.relay.db);
		const refused = await raw(relay, '/api/pair', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Origin: origin },
			body: JSON.stringify({ code, deviceName: 'Elsewhere' })
		});
		expect(refused.status).toBe(403);
		expect(refused.headers['access-control-allow-origin']).toBe(origin);
		const body = JSON.parse(refused.body) as { error: { code: string; message: string } };
		expect(body.error.code).toBe('origin-not-allowed');
		expect(body.error.message).toContain('ALLOWED_ORIGINS');
		// The code was not used: the relay's own page can still pair with it.
		const own = await raw(relay, '/api/pair', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Origin: relay.url },
			body: JSON.stringify({ code, deviceName: 'Here' })
		});
		expect(own.status).toBe(200);
	});
});

describe('form posts', () => {
	let relay: TestRelay;
	beforeAll(async () => {
		relay = await startTestRelay();
	});
	afterAll(() => relay.close());

	const signIn = (headers: Record<string, string>) =>
		raw(relay, '/signin', {
			method: 'POST',
			headers: { ...FORM, ...headers },
			body: form({ name: 'x', password: 'y' })
		});

	it('refuses Origin: null, a foreign origin and any cross-site or same-site post', async () => {
		const posts: Record<string, string>[] = [
			{ Origin: 'null' },
			{ Origin: 'https://evil.example' },
			{ 'Sec-Fetch-Site': 'cross-site' },
			{ 'Sec-Fetch-Site': 'same-site', Origin: relay.url },
			{ 'Sec-Fetch-Site': 'cross-site', Origin: relay.url }
		];
		for (const headers of posts) {
			const response = await signIn(headers);
			expect(response.status, JSON.stringify(headers)).toBe(403);
			expect(response.headers['content-type']).toContain('text/html');
			expect(response.body).toContain('This form can only be sent from the relay');
		}
		const activation = await raw(relay, `/activate/${'A'.repeat(43)}`, {
			method: 'POST',
			headers: { ...FORM, Origin: 'null' },
			body: form({ password: 'p', confirm: 'p' })
		});
		expect(activation.status).toBe(403);
		const line = relay.logs.find((entry) => entry.event === 'request-refused' && entry.path !== '/signin');
		// The token in the path never reaches the log.
		expect(line).toMatchObject({ status: 403, path: '/activate/…' });
		expect(JSON.stringify(relay.logs)).not.toContain('A'.repeat(20));
	});

	// Each sign-in runs a real scrypt hash: slow on a busy machine.
	it(
		'takes a post from its own page, and one from a tool that sends neither header',
		{ timeout: 60_000 },
		async () => {
			expect((await signIn({ Origin: relay.url, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(401);
			expect((await signIn({})).status).toBe(401);
		}
	);

	it('gives its pages a referrer policy under which the browser sends their real origin', async () => {
		const page = await raw(relay, '/signin');
		expect(page.headers['referrer-policy']).toBe('same-origin');
	});
});

describe('Strict-Transport-Security', () => {
	it('is on every answer when PUBLIC_URL is https, and never on plain http', async () => {
		const secure = await startTestRelay({ PUBLIC_URL: 'https://relay.example.org' });
		const plain = await startTestRelay();
		try {
			for (const [path, host] of [
				['/api/health', 'relay.example.org'],
				['/signin', 'relay.example.org:443'],
				['/', 'relay.example.org'],
				['/api/health', 'attacker.example']
			] as const) {
				const response = await raw(secure, path, { headers: { Host: host } });
				expect(response.headers['strict-transport-security'], path).toBe('max-age=31536000');
			}
			expect((await raw(secure, '/api/health', { headers: { Host: 'relay.example.org' } })).status).toBe(200);
			expect((await raw(plain, '/api/health')).headers['strict-transport-security']).toBeUndefined();
		} finally {
			await Promise.all([secure.close(), plain.close()]);
		}
	});
});

describe('behind a proxy', () => {
	const pairWith = (relay: TestRelay, forwardedFor: string) =>
		raw(relay, '/api/pair', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor },
			body: JSON.stringify({ code: 'AAAA-AAAA', deviceName: 'Guess' })
		});

	it('limits each client a trusted proxy names on its own, reading X-Forwarded-For from the nearest hop', async () => {
		const relay = await startTestRelay({
			TRUSTED_PROXIES: 'loopback',
			RATE_LIMIT_PAIR_ATTEMPTS_PER_15_MINUTES: '2'
		});
		try {
			// The client may write anything left of what the proxy appends: it does not buy more tries.
			for (const spoof of ['1.1.1.1', '2.2.2.2']) {
				expect((await pairWith(relay, `${spoof}, 203.0.113.1`)).status).not.toBe(429);
			}
			expect((await pairWith(relay, '3.3.3.3, 203.0.113.1')).status).toBe(429);
			// Another client behind the same proxy is not locked out.
			expect((await pairWith(relay, '203.0.113.2')).status).not.toBe(429);
			// A chain of trusted proxies is walked through.
			expect((await pairWith(relay, '203.0.113.1, 127.0.0.1')).status).toBe(429);
		} finally {
			await relay.close();
		}
	});

	it('believes no forwarding header from a peer it does not trust', async () => {
		const relay = await startTestRelay({ RATE_LIMIT_PAIR_ATTEMPTS_PER_15_MINUTES: '2' });
		try {
			for (const client of ['203.0.113.1', '203.0.113.2']) {
				expect((await pairWith(relay, client)).status).not.toBe(429);
			}
			expect((await pairWith(relay, '203.0.113.3')).status).toBe(429);
		} finally {
			await relay.close();
		}
	});

	it('refuses the mailbox through a proxy: a forwarding header, or a peer that is a trusted proxy', async () => {
		const direct = await startTestRelay();
		const proxied = await startTestRelay({ TRUSTED_PROXIES: 'loopback' });
		try {
			expect((await raw(direct, '/mailbox/messages.json')).status).toBe(200);
			for (const header of ['Forwarded', 'X-Forwarded-For', 'X-Real-IP']) {
				const response = await raw(direct, '/mailbox/messages.json', {
					headers: { [header]: '203.0.113.9' }
				});
				expect(response.status, header).toBe(403);
			}
			// A TCP proxy on this machine adds no header; naming it a trusted proxy closes the mailbox.
			expect((await raw(proxied, '/mailbox/messages.json')).status).toBe(403);
			const refusal = await raw(proxied, '/signin', {
				method: 'POST',
				headers: { ...FORM, Origin: 'null', 'X-Forwarded-For': '203.0.113.5' },
				body: form({ name: 'x', password: 'y' })
			});
			expect(refusal.status).toBe(403);
			expect(proxied.logs).toContainEqual(
				expect.objectContaining({ event: 'request-refused', path: '/signin', client: '203.0.113.5' })
			);
		} finally {
			await Promise.all([direct.close(), proxied.close()]);
		}
	});
});

describe('connections', () => {
	/** Opens `count` sockets one after another; each settles when it is connected or closed. */
	async function openSockets(
		relay: TestRelay,
		count: number
	): Promise<{ sockets: Socket[]; closed: Set<Socket> }> {
		const { port } = new URL(relay.url);
		const sockets: Socket[] = [];
		const closed = new Set<Socket>();
		for (let i = 0; i < count; i++) {
			const socket = connect(Number(port), '127.0.0.1');
			socket.on('error', () => {});
			// Flowing, so that the end of a connection the server closes is seen.
			socket.resume();
			socket.on('close', () => closed.add(socket));
			await new Promise<void>((resolve) => socket.once('connect', resolve).once('close', resolve));
			sockets.push(socket);
		}
		return { sockets, closed };
	}

	/** One request on an open socket; resolves with the status line. */
	function ask(socket: Socket, port: string): Promise<string> {
		return new Promise((resolve) => {
			socket.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').split('\r\n')[0] ?? ''));
			socket.write(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
		});
	}

	it('closes connections over the cap per address, logs it once, and serves again when they go', async () => {
		// Seen as one remote machine: connections from this one (the operator, or a local proxy) count only
		// towards the total.
		const relay = await startTestRelay({ MAX_CONNECTIONS_PER_ADDRESS: '5' }, '127.0.0.1', {
			timeouts: { headersTimeout: 120_000, requestTimeout: 120_000 },
			peerAddress: () => '203.0.113.7'
		});
		const { port } = new URL(relay.url);
		try {
			const { sockets, closed } = await openSockets(relay, 8);
			await until(() => closed.size === 3);
			const kept = sockets.filter((socket) => !closed.has(socket));
			expect(kept).toEqual(sockets.slice(0, 5));
			for (const socket of kept) expect(await ask(socket, port)).toBe('HTTP/1.1 200 OK');
			for (const socket of kept) socket.destroy();

			const refusals = relay.logs.filter((entry) => entry.event === 'connection-refused');
			expect(refusals).toEqual([
				expect.objectContaining({ level: 'warn', client: '203.0.113.7', refused: 1 })
			]);
			// Once the server has seen them close, a new client gets in.
			await until(async () => (await fetch(`${relay.url}/api/health`).catch(() => undefined))?.ok === true);
		} finally {
			await relay.close();
		}
	});

	it('caps connections in total, this machine and trusted proxies included', async () => {
		const relay = await startTestRelay(
			{ MAX_CONNECTIONS: '4', MAX_CONNECTIONS_PER_ADDRESS: '2', TRUSTED_PROXIES: 'loopback' },
			'127.0.0.1',
			{ timeouts: { headersTimeout: 120_000, requestTimeout: 120_000 } }
		);
		try {
			// A proxy's address is exempt from the per-address cap (it carries many clients), not from the total.
			const { sockets, closed } = await openSockets(relay, 6);
			await until(() => closed.size === 2);
			expect(sockets.filter((socket) => !closed.has(socket))).toEqual(sockets.slice(0, 4));
			for (const socket of sockets) socket.destroy();
		} finally {
			await relay.close();
		}
	});

	it('closes a connection that sends nothing, once its headers are overdue', async () => {
		const relay = await startTestRelay({}, '127.0.0.1', {
			timeouts: { headersTimeout: 200, requestTimeout: 200, connectionsCheckingInterval: 50 }
		});
		try {
			const { sockets, closed } = await openSockets(relay, 1);
			await until(() => closed.has(sockets[0]!));
		} finally {
			await relay.close();
		}
	});

	it('does not hold a silent connection for long by default', async () => {
		const relay = await startTestRelay();
		try {
			const { server } = relay.relay;
			expect(server.headersTimeout).toBeLessThanOrEqual(15_000);
			expect(server.requestTimeout).toBeLessThanOrEqual(60_000);
			expect(server.keepAliveTimeout).toBeLessThanOrEqual(5_000);
		} finally {
			await relay.close();
		}
	});
});
