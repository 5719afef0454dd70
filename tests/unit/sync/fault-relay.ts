// A peer on loopback that speaks the relay protocol (src/lib/domain/relay-protocol.ts) and misbehaves on
// demand: it lets the app's sync code run against real HTTP, with the faults a real network and a real
// relay produce. It is not the relay (src/relay is): it only remembers what it was sent, once per key.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccountCommand, OutgoingMessage, RelayEvent } from '$lib/domain/relay-protocol';

/** What the next POST /api/messages does instead of answering normally. */
export type Fault =
	/** Stores the batch (each message is sent) but the answer never arrives: the connection is cut. */
	| { kind: 'lose-answer' }
	/** Answers this status for the whole request, storing nothing (with Retry-After for a 429). */
	| { kind: 'status'; status: number; retryAfter?: string; code?: string; message?: string }
	/** Stores the batch, then waits this long before answering. */
	| { kind: 'slow'; ms: number };

export interface FaultRelay {
	readonly url: string;
	readonly token: string;
	/** Faults for the coming message requests, used up in order. */
	readonly faults: Fault[];
	/** Each message sent on, by idempotency key: a key seen again is answered from here, never sent twice. */
	readonly sends: Map<string, { body: string; messageId: string }>;
	/** How many messages were answered 'accepted, replayed' (sent before under the same key). */
	replays: number;
	/** Every message request's batch, as received. */
	readonly batches: OutgoingMessage[][];
	/** Recipients refused per message ('rejected', code 'invalid'). */
	readonly refusedRecipients: Set<string>;
	/** Recipients rate-limited per message, with the seconds to wait. */
	readonly limitedRecipients: Map<string, number>;
	/** The event log the app pulls from; cursors are positions in it. */
	readonly events: Omit<RelayEvent, 'cursor'>[];
	/** Faults for the coming POST /api/commands, used up in order (only 'status' faults). */
	readonly commandFaults: Extract<Fault, { kind: 'status' }>[];
	/** Every command request's batch, as received (a faulted one too). */
	readonly commandBatches: AccountCommand[][];
	/** The authed requests in the order they came, as 'POST /api/messages' and the like. */
	readonly requests: string[];
	/** Whether the token has been revoked (every authed request then gets 401). */
	isRevoked: boolean;
	close(): Promise<void>;
}

const PAIRING_CODE = 'ABCD-EFGH';

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	response.writeHead(status, { 'content-type': 'application/json', ...headers });
	response.end(JSON.stringify(body));
}

const problem = (code: string, message: string) => ({ error: { code, message } });

async function readBody(request: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

export async function startFaultRelay(): Promise<FaultRelay> {
	const token = `token-${crypto.randomUUID()}`;
	let nextId = 1;
	const relay: Omit<FaultRelay, 'url' | 'close'> = {
		token,
		faults: [],
		sends: new Map(),
		batches: [],
		refusedRecipients: new Set(),
		limitedRecipients: new Map(),
		events: [],
		commandFaults: [],
		commandBatches: [],
		requests: [],
		replays: 0,
		isRevoked: false
	};

	function accept(message: OutgoingMessage) {
		const body = JSON.stringify(message);
		const known = relay.sends.get(message.idempotencyKey);
		if (known) {
			if (known.body !== body) {
				return {
					idempotencyKey: message.idempotencyKey,
					status: 'rejected',
					code: 'idempotency-conflict',
					reason: 'This key was used before for another message.'
				};
			}
			relay.replays++;
			return {
				idempotencyKey: message.idempotencyKey,
				status: 'accepted',
				messageId: known.messageId,
				replayed: true
			};
		}
		if (relay.refusedRecipients.has(message.to)) {
			return {
				idempotencyKey: message.idempotencyKey,
				status: 'rejected',
				code: 'invalid',
				reason: `The recipient address ${message.to} is not valid.`
			};
		}
		const wait = relay.limitedRecipients.get(message.to);
		if (wait !== undefined) {
			return { idempotencyKey: message.idempotencyKey, status: 'rate-limited', retryAfterSeconds: wait };
		}
		const messageId = `m${nextId++}`;
		relay.sends.set(message.idempotencyKey, { body, messageId });
		return { idempotencyKey: message.idempotencyKey, status: 'accepted', messageId, replayed: false };
	}

	async function messages(request: IncomingMessage, response: ServerResponse) {
		const fault = relay.faults.shift();
		const text = await readBody(request);
		if (fault?.kind === 'status') {
			const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
			return json(
				response,
				fault.status,
				problem(fault.code ?? 'fault', fault.message ?? `Fault ${fault.status}`),
				headers
			);
		}
		const batch = (JSON.parse(text) as { messages: OutgoingMessage[] }).messages;
		relay.batches.push(batch);
		const results = batch.map(accept);
		if (fault?.kind === 'lose-answer') return response.socket?.destroy();
		if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.ms));
		if (!response.destroyed) json(response, 200, { results });
	}

	async function commands(request: IncomingMessage, response: ServerResponse) {
		const batch = (JSON.parse(await readBody(request)) as { commands: AccountCommand[] }).commands;
		relay.commandBatches.push(batch);
		const fault = relay.commandFaults.shift();
		if (fault) {
			const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
			const body = problem(fault.code ?? 'fault', fault.message ?? `Fault ${fault.status}`);
			return json(response, fault.status, body, headers);
		}
		const results = batch.map((command) => ({
			idempotencyKey: command.idempotencyKey,
			status: 'applied',
			replayed: false
		}));
		json(response, 200, { results });
	}

	function events(url: URL, response: ServerResponse) {
		const after = Number(url.searchParams.get('after') ?? 0);
		const limit = Number(url.searchParams.get('limit') ?? 500);
		const page = relay.events
			.slice(after, after + limit)
			.map((event, i) => ({ ...event, cursor: String(after + i + 1) }));
		const cursor = String(after + page.length);
		json(response, 200, { events: page, cursor, hasMore: after + page.length < relay.events.length });
	}

	const server = createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://relay');
		void (async () => {
			if (url.pathname === '/api/pair' && request.method === 'POST') {
				const body = JSON.parse(await readBody(request)) as { code: string; deviceName: string };
				if (body.code.replace('-', '').toUpperCase() !== PAIRING_CODE.replace('-', '')) {
					return json(response, 400, problem('bad-code', 'This pairing code is wrong or has expired.'));
				}
				return json(response, 200, { token, deviceId: 'd1', protocol: 1 });
			}
			if (request.headers.authorization !== `Bearer ${token}` || relay.isRevoked) {
				return json(response, 401, problem('unauthorized', 'This device token was revoked.'));
			}
			relay.requests.push(`${request.method} ${url.pathname}`);
			if (url.pathname === '/api/messages' && request.method === 'POST') return messages(request, response);
			if (url.pathname === '/api/commands' && request.method === 'POST') return commands(request, response);
			if (url.pathname === '/api/events' && request.method === 'GET') return events(url, response);
			json(response, 404, problem('not-found', 'No such route.'));
		})();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return Object.assign(relay, {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	});
}

export { PAIRING_CODE };
