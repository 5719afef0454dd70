// The app's side of the relay protocol (src/lib/domain/relay-protocol.ts): every request, and every answer
// sorted into what the app does next. Answers are checked before use: a relay (or a proxy in front of it)
// may send anything.
import type {
	AccountCommand,
	CommandBatchResponse,
	CommandResult,
	EventPage,
	MessageBatchResponse,
	MessageResult,
	OutgoingMessage,
	PairResponse,
	RelayEvent,
	RelayEventType
} from '$lib/domain/relay-protocol';

import { MAX_COMPUTER_NAME } from '$lib/domain/relay-protocol';
/** A request that did not get a usable answer, sorted by what to do about it. */
export type RelayProblem =
	/** No answer (offline, relay down, wrong address, timeout): try again later. */
	| { kind: 'network'; message: string }
	/**
	 * The relay answered but does not take requests from this page's origin (its 403 origin-not-allowed,
	 * or the browser kept its answer from the page): nothing was done; it helps to try again only once the
	 * relay's ALLOWED_ORIGINS (or the app's address) changes.
	 */
	| { kind: 'blocked'; message: string }
	/** 401: no token, or one the relay does not know or revoked: pair again (or, pairing, a code refused). */
	| { kind: 'unpaired'; code?: string; message: string }
	/** 413: the body is too big: send fewer messages at once. */
	| { kind: 'too-large'; message: string }
	/** 429: wait `retryAfterSeconds`. */
	| { kind: 'rate-limited'; retryAfterSeconds: number; message: string }
	/** 5xx, or an answer that does not follow the protocol: try again later. */
	| {
			kind: 'server';
			status: number;
			message: string;
			/** A 503's Retry-After (the relay cannot write to its disk for now): wait at least this long. */
			retryAfterSeconds?: number;
	  }
	/** Another 4xx: the request is wrong and sending it again will not help. */
	| { kind: 'refused'; status: number; code: string; message: string };

export type RelayAnswer<T> = { ok: true; value: T } | ({ ok: false } & RelayProblem);

export interface RelayClientOptions {
	/** The relay's base URL (e.g. https://relay.example.org). */
	baseUrl: string;
	token?: string;
	/** Give up on a request after this long (ms). */
	timeoutMs?: number;
	fetch?: typeof fetch;
	/** The origin of the page the app runs in (location.origin), named when the relay refuses it. */
	pageOrigin?: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** A relay's reason is shown as given, up to this many characters. */
const MAX_REASON = 500;
const eventTypes: readonly RelayEventType[] = [
	'delivered',
	'undeliverable',
	'activated',
	'signed-in',
	'computer-activated',
	'computer-deactivated'
];

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string';

/** Retry-After as seconds: a number of seconds or an HTTP date; 1 s when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number {
	if (header === null) return 1;
	const seconds = Number(header.trim());
	if (header.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
	const date = Date.parse(header);
	return Number.isFinite(date) ? Math.max(0, Math.ceil((date - now) / 1000)) : 1;
}

export class RelayClient {
	readonly #base: string;
	readonly #token: string | undefined;
	readonly #timeoutMs: number;
	readonly #fetch: typeof fetch;
	readonly #pageOrigin: string | undefined;

	constructor(options: RelayClientOptions) {
		this.#base = options.baseUrl.replace(/\/+$/u, '');
		this.#token = options.token;
		this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
		this.#pageOrigin = options.pageOrigin ?? globalThis.location?.origin;
	}

	/** Trades a one-time pairing code for a device token. */
	async pair(code: string, deviceName: string): Promise<RelayAnswer<PairResponse>> {
		const answer = await this.#request('/api/pair', { method: 'POST', body: { code, deviceName } });
		if (!answer.ok) return answer;
		const body = answer.value;
		if (isRecord(body) && isText(body.token) && body.token && isText(body.deviceId)) {
			return {
				ok: true,
				value: { token: body.token, deviceId: body.deviceId, protocol: Number(body.protocol) }
			};
		}
		return malformed('pairing');
	}

	/** Sends a batch; the answer has exactly one valid result per message, in order, or is a problem. */
	async send(messages: readonly OutgoingMessage[]): Promise<RelayAnswer<MessageBatchResponse>> {
		const answer = await this.#request('/api/messages', {
			method: 'POST',
			body: { messages },
			isAuthed: true
		});
		if (!answer.ok) return answer;
		const results = isRecord(answer.value) ? answer.value.results : undefined;
		if (!Array.isArray(results) || results.length !== messages.length) return malformed('messages');
		const checked: MessageResult[] = [];
		for (const [i, result] of results.entries()) {
			const valid = checkResult(result, messages[i]!.idempotencyKey);
			if (!valid) return malformed('messages');
			checked.push(valid);
		}
		return { ok: true, value: { results: checked } };
	}

	/** Sends account commands; the answer has exactly one valid result per command, in order, or is a problem. */
	async commands(commands: readonly AccountCommand[]): Promise<RelayAnswer<CommandBatchResponse>> {
		const answer = await this.#request('/api/commands', {
			method: 'POST',
			body: { commands },
			isAuthed: true
		});
		if (!answer.ok) return answer;
		const results = isRecord(answer.value) ? answer.value.results : undefined;
		if (!Array.isArray(results) || results.length !== commands.length) return malformed('commands');
		const checked: CommandResult[] = [];
		for (const [i, result] of results.entries()) {
			const valid = checkCommandResult(result, commands[i]!.idempotencyKey);
			if (!valid) return malformed('commands');
			checked.push(valid);
		}
		return { ok: true, value: { results: checked } };
	}

	/** One page of events after `cursor` (from the beginning when undefined). */
	async events(cursor: string | undefined, limit: number): Promise<RelayAnswer<EventPage>> {
		const query = new URLSearchParams({ limit: String(limit) });
		if (cursor !== undefined) query.set('after', cursor);
		const answer = await this.#request(`/api/events?${query}`, { method: 'GET', isAuthed: true });
		if (!answer.ok) return answer;
		const page = answer.value;
		if (
			!isRecord(page) ||
			!isText(page.cursor) ||
			typeof page.hasMore !== 'boolean' ||
			!Array.isArray(page.events)
		) {
			return malformed('events');
		}
		const events: RelayEvent[] = [];
		for (const event of page.events) {
			const checked = checkEvent(event);
			if (checked === undefined) return malformed('events');
			// A kind of event from a newer relay is passed over, not a reason to stop reading.
			if (checked !== null) events.push(checked);
		}
		return { ok: true, value: { events, cursor: page.cursor, hasMore: page.hasMore } };
	}

	async #request(
		path: string,
		options: { method: 'GET' | 'POST'; body?: unknown; isAuthed?: boolean }
	): Promise<RelayAnswer<unknown>> {
		if (options.isAuthed && !this.#token) {
			return { ok: false, kind: 'unpaired', message: 'This device is not paired with the relay.' };
		}
		const headers: Record<string, string> = { accept: 'application/json' };
		if (options.body !== undefined) headers['content-type'] = 'application/json';
		if (options.isAuthed) headers.authorization = `Bearer ${this.#token}`;
		let response: Response;
		let text: string;
		try {
			// The timeout covers the body too: a relay that stalls mid-answer is as good as none.
			const signal = AbortSignal.timeout(this.#timeoutMs);
			response = await this.#fetch(`${this.#base}${path}`, {
				method: options.method,
				headers,
				body: options.body === undefined ? undefined : JSON.stringify(options.body),
				signal
			});
			text = await response.text();
		} catch (error) {
			const isTimeout = (error as { name?: string } | null)?.name === 'TimeoutError';
			if (isTimeout) {
				const seconds = Math.round(this.#timeoutMs / 1000);
				return {
					ok: false,
					kind: 'network',
					message: `The relay at ${this.#base} did not answer within ${seconds} s.`
				};
			}
			const seen = await this.#probe();
			if (seen === 'unreadable') return { ok: false, kind: 'blocked', message: this.#blockedMessage() };
			return {
				ok: false,
				kind: 'network',
				message:
					seen === 'readable'
						? `The connection to the relay at ${this.#base} broke off before its answer arrived.`
						: `The relay at ${this.#base} cannot be reached (offline, or the address is wrong).`
			};
		}
		const body = parseJson(text);
		if (response.ok) {
			return body === undefined ? malformed(path) : { ok: true, value: body };
		}
		const error = isRecord(body) && isRecord(body.error) ? body.error : {};
		const code = isText(error.code) ? error.code : `http-${response.status}`;
		const said = isText(error.message) && error.message ? error.message : `HTTP ${response.status}`;
		if (response.status === 401) return { ok: false, kind: 'unpaired', code, message: said };
		if (response.status === 413) return { ok: false, kind: 'too-large', message: said };
		if (response.status === 429) {
			const wait = retryAfterSeconds(response.headers.get('retry-after'));
			return { ok: false, kind: 'rate-limited', retryAfterSeconds: wait, message: said };
		}
		if (response.status >= 500) {
			const retryAfter = response.headers.get('retry-after');
			return {
				ok: false,
				kind: 'server',
				status: response.status,
				message: said,
				...(retryAfter === null ? {} : { retryAfterSeconds: retryAfterSeconds(retryAfter) })
			};
		}
		if (response.status === 403 && code === 'origin-not-allowed') {
			return { ok: false, kind: 'blocked', message: said };
		}
		return { ok: false, kind: 'refused', status: response.status, code, message: said };
	}

	/**
	 * What this page can see of the relay now. A browser fails a request with the same TypeError whether
	 * nothing answered, the connection broke, or CORS kept the answer from this page. A no-cors request is
	 * not read, so it is never kept back: when it gets an (opaque) answer but a plain one does not, the
	 * relay is there and refuses this page.
	 */
	async #probe(): Promise<'nothing' | 'unreadable' | 'readable'> {
		const reaches = (mode: RequestMode): Promise<boolean> =>
			this.#fetch(`${this.#base}/api/health`, { mode, signal: AbortSignal.timeout(this.#timeoutMs) }).then(
				() => true,
				() => false
			);
		if (!(await reaches('no-cors'))) return 'nothing';
		return (await reaches('cors')) ? 'readable' : 'unreadable';
	}

	#blockedMessage(): string {
		const page = this.#pageOrigin ?? 'this page';
		// Only the browser knows why it withheld the answer: a relay that refuses this origin, or a proxy in
		// front of it answering an error page of its own (the relay down behind it). Both are said.
		return `Something answers at ${this.#base}, but the browser does not let ${page} read the answer. Either the relay does not accept requests from ${page} (open Rollcall at the relay’s own address, or add ${page} to the relay’s ALLOWED_ORIGINS setting and restart it), or a proxy in front of the relay answers with an error page because the relay is down.`;
	}
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function malformed(what: string): RelayAnswer<never> {
	return {
		ok: false,
		kind: 'server',
		status: 200,
		message: `The relay's answer to ${what} does not follow the protocol (is the address a Rollcall relay?).`
	};
}

function checkResult(result: unknown, key: string): MessageResult | undefined {
	if (!isRecord(result) || result.idempotencyKey !== key) return undefined;
	if (result.status === 'accepted' && isText(result.messageId)) {
		return {
			idempotencyKey: key,
			status: 'accepted',
			messageId: result.messageId,
			replayed: result.replayed === true
		};
	}
	if (result.status === 'rejected' && isText(result.reason)) {
		const code =
			result.code === 'idempotency-conflict' || result.code === 'recipient-refused' ? result.code : 'invalid';
		return {
			idempotencyKey: key,
			status: 'rejected',
			code,
			reason: result.reason || 'Refused by the relay.'
		};
	}
	if (result.status === 'rate-limited' && typeof result.retryAfterSeconds === 'number') {
		// A relay from before December 2026 says neither why nor whose limit: both are optional.
		const reason = isText(result.reason) ? result.reason.trim().slice(0, MAX_REASON) : '';
		return {
			idempotencyKey: key,
			status: 'rate-limited',
			retryAfterSeconds: Math.max(0, result.retryAfterSeconds),
			...(reason && { reason }),
			...((result.scope === 'device' || result.scope === 'recipient') && { scope: result.scope })
		};
	}
	return undefined;
}

function checkCommandResult(result: unknown, key: string): CommandResult | undefined {
	if (!isRecord(result) || result.idempotencyKey !== key) return undefined;
	if (result.status === 'applied') {
		return { idempotencyKey: key, status: 'applied', replayed: result.replayed === true };
	}
	if (result.status === 'rejected' && isText(result.reason)) {
		return {
			idempotencyKey: key,
			status: 'rejected',
			code: result.code === 'idempotency-conflict' ? result.code : 'invalid',
			reason: result.reason || 'Refused by the relay.'
		};
	}
	return undefined;
}

/** The event, null for a well-formed event of a type this app does not know, undefined when malformed. */
function checkEvent(event: unknown): RelayEvent | null | undefined {
	if (!isRecord(event) || !isText(event.cursor) || !isText(event.userId) || !isText(event.at))
		return undefined;
	if (!eventTypes.includes(event.type as RelayEventType)) return null;
	return {
		cursor: event.cursor,
		type: event.type as RelayEventType,
		userId: event.userId,
		at: event.at,
		...(isText(event.idempotencyKey) && { idempotencyKey: event.idempotencyKey }),
		...(isText(event.reason) && { reason: event.reason }),
		// A computer's name, as long as the relay lets one be.
		...(isText(event.computer) && { computer: event.computer.slice(0, MAX_COMPUTER_NAME * 2) })
	};
}
