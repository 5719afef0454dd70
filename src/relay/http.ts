import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayErrorBody } from '../lib/domain/relay-protocol.ts';
import type { LogFields, Logger } from './log.ts';
import { PAGE_CONTENT_SECURITY_POLICY } from './pages/html.ts';
import { isLoopbackAddress, plainAddress } from './proxies.ts';

/** A request the relay refuses as a whole, with the status and the contract's error body. */
export class RequestError extends Error {
	readonly status: number;
	readonly code: string;
	readonly headers: Record<string, string>;
	constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
		super(message);
		this.status = status;
		this.code = code;
		this.headers = headers;
	}
}

export function sendJson(
	response: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {}
): void {
	const text = JSON.stringify(body);
	response.writeHead(status, {
		...headers,
		'Content-Type': 'application/json; charset=utf-8',
		'Cache-Control': 'no-store',
		'Content-Length': Buffer.byteLength(text)
	});
	response.end(text);
}

export function sendError(response: ServerResponse, error: RequestError): void {
	const body: RelayErrorBody = { error: { code: error.code, message: error.message } };
	sendJson(response, error.status, body, error.headers);
}

export function sendPage(response: ServerResponse, status: number, document: string): void {
	response.writeHead(status, {
		// Not no-referrer: with it a browser sends `Origin: null` on the page's own form posts, which the
		// relay refuses (routes.ts). same-origin still gives other sites nothing (an activation URL holds a token).
		'Referrer-Policy': 'same-origin',
		'Content-Type': 'text/html; charset=utf-8',
		'Cache-Control': 'no-store',
		'Content-Security-Policy': PAGE_CONTENT_SECURITY_POLICY,
		'Content-Length': Buffer.byteLength(document)
	});
	response.end(document);
}

/**
 * The request body, at most `limit` bytes: a declared or actual size over it is a 413 without reading
 * further (the connection is closed so the rest of an oversized upload is not waited for).
 */
export async function readBody(
	request: IncomingMessage,
	response: ServerResponse,
	limit: number
): Promise<Buffer> {
	const tooLarge = (): RequestError => {
		response.setHeader('Connection', 'close');
		return new RequestError(
			413,
			'too-large',
			`The request is larger than ${limit} bytes; send fewer messages at once.`
		);
	};
	const declared = Number(request.headers['content-length']);
	if (Number.isFinite(declared) && declared > limit) throw tooLarge();
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > limit) {
			request.pause();
			throw tooLarge();
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

/** The body as JSON, or a 400 that says what is wrong with it. */
export async function readJson(
	request: IncomingMessage,
	response: ServerResponse,
	limit: number
): Promise<unknown> {
	const body = await readBody(request, response, limit);
	try {
		return JSON.parse(body.toString('utf8')) as unknown;
	} catch (error) {
		throw new RequestError(
			400,
			'bad-request',
			`The request body is not valid JSON: ${(error as Error).message}`
		);
	}
}

/** Form fields of an application/x-www-form-urlencoded body. */
export async function readForm(request: IncomingMessage, response: ServerResponse): Promise<URLSearchParams> {
	const body = await readBody(request, response, 16 * 1024);
	return new URLSearchParams(body.toString('utf8'));
}

/**
 * The request's URL, or undefined when it cannot be read as one: Node passes an absolute-form target
 * (`GET http://x:99999/mailbox/messages.json`) through as written, and `new URL` throws on it.
 */
export function requestUrl(request: IncomingMessage): URL | undefined {
	try {
		return new URL(request.url ?? '/', 'http://relay.invalid');
	} catch {
		return undefined;
	}
}

/** The bearer token of the Authorization header, if any. */
export function bearerToken(request: IncomingMessage): string | undefined {
	const match = /^Bearer\s+([A-Za-z0-9_-]{1,200})\s*$/i.exec(request.headers.authorization ?? '');
	return match?.[1];
}

/** Where a request comes from, worked out once per request by the server (server.ts). */
export interface Peer {
	/** The TCP peer's address. */
	readonly peer: string;
	/** The client's address: the peer, or the client a trusted proxy names (proxies.ts). */
	readonly client: string;
	/** Whether the request came through a proxy: it has a forwarding header, or the peer is a trusted proxy. */
	readonly isProxied: boolean;
}

const peers = new WeakMap<IncomingMessage, Peer>();

export function rememberPeer(request: IncomingMessage, peer: Peer): void {
	peers.set(request, peer);
}

/** The request's Peer; a request the server did not see (none in the relay) counts as proxied. */
function peerOf(request: IncomingMessage): Peer {
	const known = peers.get(request);
	if (known) return known;
	// The socket is gone once a refused upload's connection was closed: no address then, not a crash.
	const address = (request.socket as IncomingMessage['socket'] | null)?.remoteAddress ?? 'unknown';
	return { peer: address, client: plainAddress(address), isProxied: true };
}

/** Whether the TCP peer is this machine. */
export function isLoopback(request: IncomingMessage): boolean {
	return isLoopbackAddress(peerOf(request).peer);
}

/** Whether the request came through a proxy (or claims to). */
export function isProxied(request: IncomingMessage): boolean {
	return peerOf(request).isProxied;
}

/** The client's address, for per-address limits: behind a trusted proxy, the client the proxy names. */
export function remoteAddress(request: IncomingMessage): string {
	return peerOf(request).client;
}

/** The path for a log line: never the query, and no long token-like segment (activation links). */
export function loggablePath(request: IncomingMessage): string {
	const path = requestUrl(request)?.pathname ?? '(unreadable address)';
	return path.replace(/[A-Za-z0-9_-]{20,}/g, '…').slice(0, 200);
}

/**
 * One warn line for a refused request: status, reason, client and path (never a query or token), and
 * `fields` such as the Host asked for (the logger escapes anything that could fake a line).
 */
export function logRefusal(
	log: Logger,
	request: IncomingMessage,
	status: number,
	reason: string,
	fields: LogFields = {}
): void {
	log.warn('request-refused', `Refused ${request.method ?? 'GET'} ${loggablePath(request)}: ${reason}.`, {
		status,
		reason,
		client: remoteAddress(request),
		path: loggablePath(request),
		...fields
	});
}
