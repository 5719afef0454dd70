import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DatabaseSync } from 'node:sqlite';
import {
	MAX_BATCH_BYTES,
	MAX_BATCH_COMMANDS,
	MAX_BATCH_MESSAGES,
	MAX_EVENT_PAGE,
	PAIRING_CODE_PATTERN,
	PROTOCOL_VERSION,
	type ActivationRefusal,
	type ActivationResponse,
	type CommandBatchResponse,
	type MessageBatchResponse,
	type PairingRefusal,
	type PairResponse
} from '../lib/domain/relay-protocol.ts';
import { cannotWriteError } from './health.ts';
import { applyCommands } from './commands/apply.ts';
import { acceptBatch } from './messages/accept.ts';
import { checkInitialPasswords } from './messages/initial-passwords.ts';
import type { MessageLimits } from './messages/limits.ts';
import { batchShapeProblem, checkComputerName, hasControlCharacters } from './messages/validate.ts';
import { parseEmail } from '../lib/domain/email.ts';
import { readLicenseKey } from '../lib/domain/license-key.ts';
import { bearerToken, readJson, remoteAddress, RequestError, sendJson } from './http.ts';
import type { Logger } from './log.ts';
import type { RateLimiter } from './rate-limit.ts';
import { checkDeviceToken, pairDevice } from './store/devices.ts';
import { activateComputer, type ActivatedComputer } from './store/licenses.ts';
import { readEvents } from './store/events.ts';
import type { WriteHealth } from './store/write-health.ts';

export interface ApiContext {
	readonly db: DatabaseSync;
	/** The operator log: never a token, password, code or link in it. */
	readonly log: Logger;
	readonly limits: {
		readonly perToken: RateLimiter;
		readonly pairPerAddress: RateLimiter;
		/** Desktop activations per remote address (POST /api/activate needs no token). */
		readonly activatePerAddress: RateLimiter;
		/** Counted from the messages table, so they hold across a restart. */
		readonly messages: MessageLimits;
	};
	/** The key stored message body hashes are made with (bodyHashKey). */
	readonly bodyHashKey: Buffer;
	/** Called after messages were accepted, so delivery starts at once. */
	readonly onAccepted: () => void;
	/** While writes fail, pairing and batches are refused before a limit counts them. */
	readonly health: WriteHealth;
}

/** Answers /api/...; throws RequestError for whole-request failures. */
export async function handleApi(
	context: ApiContext,
	request: IncomingMessage,
	response: ServerResponse,
	url: URL
): Promise<void> {
	const route = `${request.method ?? 'GET'} ${url.pathname}`;
	switch (route) {
		case 'GET /api/health':
			return sendJson(response, 200, { ok: true, protocol: PROTOCOL_VERSION });
		case 'POST /api/pair':
			return pair(context, request, response);
		case 'POST /api/messages':
			return messages(context, request, response);
		case 'POST /api/commands':
			return commands(context, request, response);
		case 'GET /api/events':
			return events(context, request, response, url);
		case 'POST /api/activate':
			return activate(context, request, response);
	}
	const known = [
		'/api/health',
		'/api/pair',
		'/api/messages',
		'/api/commands',
		'/api/events',
		'/api/activate'
	];
	if (known.includes(url.pathname)) {
		const allow = url.pathname === '/api/health' || url.pathname === '/api/events' ? 'GET' : 'POST';
		throw new RequestError(405, 'method-not-allowed', `${url.pathname} takes ${allow} requests only.`, {
			Allow: allow
		});
	}
	throw new RequestError(404, 'not-found', `There is no API at ${url.pathname}.`);
}

async function pair(context: ApiContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
	if (!context.health.isWritable) throw cannotWriteError(context.health);
	const wait = context.limits.pairPerAddress.take(remoteAddress(request));
	if (wait > 0) {
		throw new RequestError(429, 'rate-limited', `Too many pairing attempts. Try again in ${wait} seconds.`, {
			'Retry-After': String(wait)
		});
	}
	const body = await readJson(request, response, 4096);
	const { code, deviceName } = (typeof body === 'object' && body !== null ? body : {}) as Record<
		string,
		unknown
	>;
	if (typeof code !== 'string' || !PAIRING_CODE_PATTERN.test(code.trim().toUpperCase())) {
		throw new RequestError(
			400,
			'bad-request',
			'code must be the 8-character pairing code the relay printed, such as ABCD-EFGH.'
		);
	}
	const name = typeof deviceName === 'string' ? deviceName.trim() : '';
	if (name.length < 1 || name.length > 100 || hasControlCharacters(name)) {
		throw new RequestError(
			400,
			'bad-request',
			'deviceName must be 1 to 100 characters on one line, such as "Front desk iPad".'
		);
	}
	const outcome = pairDevice(context.db, code.trim(), name);
	if (!outcome.ok) {
		const message = {
			unknown: 'This pairing code is not right. Check it, or print a new one with `npm run relay -- pair`.',
			used: 'This pairing code was already used. Print a new one with `npm run relay -- pair`.',
			expired:
				'This pairing code has expired (codes last 15 minutes). Print a new one with `npm run relay -- pair`.'
		}[outcome.reason];
		throw new RequestError(401, `pairing-code-${outcome.reason}` satisfies PairingRefusal, message);
	}
	context.log.info('paired', 'A device was paired', { device: outcome.deviceId, name });
	const answer: PairResponse = {
		token: outcome.token,
		deviceId: outcome.deviceId,
		protocol: PROTOCOL_VERSION
	};
	sendJson(response, 200, answer);
}

/** The device behind the bearer token, with the per-token limit applied; throws 401 / 429. */
function authorise(context: ApiContext, request: IncomingMessage): string {
	const token = bearerToken(request);
	if (!token) {
		throw new RequestError(401, 'unauthorized', 'A device token is required: pair this device in Settings.', {
			'WWW-Authenticate': 'Bearer'
		});
	}
	const check = checkDeviceToken(context.db, token);
	if (!check.ok) {
		throw new RequestError(
			401,
			'unauthorized',
			check.reason === 'revoked'
				? "This device's token was revoked on the relay. Pair the device again in Settings."
				: 'The relay does not know this device token. Pair the device again in Settings.',
			{ 'WWW-Authenticate': 'Bearer error="invalid_token"' }
		);
	}
	const wait = context.limits.perToken.take(check.deviceId);
	if (wait > 0) {
		throw new RequestError(
			429,
			'rate-limited',
			`Too many requests from this device. Try again in ${wait} seconds.`,
			{
				'Retry-After': String(wait)
			}
		);
	}
	return check.deviceId;
}

/**
 * The device and the `field` array of a batch request, or the whole-request refusal: 503 while the database
 * takes no writes (before the device's allowance is spent), 401/429 for the token, 400 for the body's
 * shape, 413 past `max` items.
 */
async function readBatch(
	context: ApiContext,
	request: IncomingMessage,
	response: ServerResponse,
	field: 'messages' | 'commands',
	max: number
): Promise<{ deviceId: string; list: unknown[] }> {
	if (!context.health.isWritable) throw cannotWriteError(context.health);
	const deviceId = authorise(context, request);
	const body = await readJson(request, response, MAX_BATCH_BYTES);
	const list: unknown =
		typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
	if (!Array.isArray(list)) {
		throw new RequestError(400, 'bad-request', `The body must be a JSON object with a "${field}" array.`);
	}
	if (list.length > max) {
		throw new RequestError(
			413,
			`too-many-${field}`,
			`At most ${max} ${field} per request; this one has ${list.length}.`
		);
	}
	return { deviceId, list: list as unknown[] };
}

async function messages(
	context: ApiContext,
	request: IncomingMessage,
	response: ServerResponse
): Promise<void> {
	const { deviceId, list } = await readBatch(context, request, response, 'messages', MAX_BATCH_MESSAGES);
	// Before anything walks the messages: a message nested 100,000 deep would overflow the stack.
	const shape = batchShapeProblem(list);
	if (shape) throw new RequestError(400, 'bad-request', shape);
	const passwordProblems = await checkInitialPasswords(context.db, deviceId, context.limits.messages, list);
	const results = acceptBatch(context.db, list, {
		deviceId,
		limits: context.limits.messages,
		hashKey: context.bodyHashKey,
		log: context.log,
		passwordProblems
	});
	if (results.some((result) => result.status === 'accepted' && !result.replayed)) context.onAccepted();
	const answer: MessageBatchResponse = { results };
	sendJson(response, 200, answer);
}

/** Account commands (suspend, reactivate, delete): links and sign-in follow what the admin did. */
async function commands(
	context: ApiContext,
	request: IncomingMessage,
	response: ServerResponse
): Promise<void> {
	const { deviceId, list } = await readBatch(context, request, response, 'commands', MAX_BATCH_COMMANDS);
	const results = applyCommands(context.db, list, {
		deviceId,
		onApplied: (applied) => {
			context.log.info('account-command', `An account was told to ${applied.type}`, {
				device: deviceId,
				user: applied.userId,
				command: applied.type,
				messagesStopped: applied.messagesStopped
			});
			context.log.debug('links-revoked', "The account's unused links no longer work", {
				user: applied.userId,
				count: applied.linksRevoked
			});
		}
	});
	const answer: CommandBatchResponse = { results };
	sendJson(response, 200, answer);
}

function events(context: ApiContext, request: IncomingMessage, response: ServerResponse, url: URL): void {
	authorise(context, request);
	const after = url.searchParams.get('after') ?? '';
	const limitText = url.searchParams.get('limit') ?? '';
	if (after !== '' && !/^\d{1,15}$/.test(after)) {
		throw new RequestError(400, 'bad-request', 'after must be a cursor returned by an earlier page.');
	}
	if (limitText !== '' && !/^\d{1,4}$/.test(limitText)) {
		throw new RequestError(400, 'bad-request', `limit must be a whole number from 1 to ${MAX_EVENT_PAGE}.`);
	}
	const limit = limitText === '' ? 100 : Number(limitText);
	if (limit < 1 || limit > MAX_EVENT_PAGE) {
		throw new RequestError(400, 'bad-request', `limit must be a whole number from 1 to ${MAX_EVENT_PAGE}.`);
	}
	sendJson(response, 200, readEvents(context.db, after === '' ? 0 : Number(after), limit));
}

/** '2026-12-07 18:40 UTC': a time in a refusal a person reads. */
function readableTime(ms: number): string {
	return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Why an activation was refused, in the person's words (the same words whichever of email or key is wrong). */
function refusalMessage(refusal: ActivationRefusal, computers: readonly ActivatedComputer[] = []): string {
	switch (refusal) {
		case 'license-not-recognised':
			return 'This email and license key do not go together. Check both (the key is 20 letters and digits in groups of five), or ask your administrator.';
		case 'license-not-usable':
			return 'This license cannot activate computers now. Ask your administrator.';
		case 'no-desktop-license':
			return 'Your license does not include Desktop, so it cannot activate a computer. Ask your administrator.';
		case 'activation-limit': {
			const held = computers.map((c) => `"${c.name}" (since ${readableTime(c.activatedAt)})`).join(' and ');
			return `Your license is already activated on ${computers.length} computers, the most it allows: ${held}. Your administrator can deactivate one of them on your page in Rollcall to free its slot.`;
		}
	}
}

/**
 * A desktop program activates the user's Desktop license on its computer: the email and key are the
 * credential (no device token), so every attempt counts against its address's limit before anything is
 * looked up, and a wrong email and a wrong key get the same answer.
 */
async function activate(
	context: ApiContext,
	request: IncomingMessage,
	response: ServerResponse
): Promise<void> {
	if (!context.health.isWritable) throw cannotWriteError(context.health);
	const client = remoteAddress(request);
	const wait = context.limits.activatePerAddress.take(client);
	if (wait > 0) {
		throw new RequestError(
			429,
			'rate-limited',
			`Too many activation attempts. Try again in ${wait} seconds.`,
			{
				'Retry-After': String(wait)
			}
		);
	}
	const body = await readJson(request, response, 4096);
	const fields = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<
		string,
		unknown
	>;
	const email =
		typeof fields.email === 'string' && fields.email.length <= 254 ? parseEmail(fields.email) : undefined;
	if (!email?.ok || hasControlCharacters(String(fields.email))) {
		throw new RequestError(400, 'bad-request', 'email must be the email address the license was given to.');
	}
	const key =
		typeof fields.licenseKey === 'string' && fields.licenseKey.length <= 40
			? readLicenseKey(fields.licenseKey)
			: undefined;
	if (!key?.ok) {
		throw new RequestError(
			400,
			'bad-request',
			key && !key.ok
				? `licenseKey: ${key.message}`
				: 'licenseKey must be the license key: 20 letters and digits in groups of five.'
		);
	}
	const computer = checkComputerName(fields.computer, 'computer');
	if (!computer.ok) throw new RequestError(400, 'bad-request', computer.reason);

	const outcome = activateComputer(context.db, {
		email: email.value,
		groupedKey: key.value,
		computer: computer.value
	});
	if (!outcome.ok) {
		context.log.warn('activation-refused', `A desktop activation was refused: ${outcome.refusal}.`, {
			client,
			...(outcome.userId ? { account: outcome.userId } : {})
		});
		const status = outcome.refusal === 'activation-limit' ? 409 : 403;
		return sendJson(response, status, {
			error: { code: outcome.refusal, message: refusalMessage(outcome.refusal, outcome.computers) },
			...(outcome.refusal === 'activation-limit'
				? {
						computers: (outcome.computers ?? []).map((c) => ({
							name: c.name,
							activatedAt: new Date(c.activatedAt).toISOString()
						}))
					}
				: {})
		});
	}
	// The owner's own new activation does not use up the address's budget for the next computer. A replay
	// does: one valid key must not buy unlimited attempts.
	if (!outcome.replayed) {
		context.limits.activatePerAddress.give(client);
		context.log.info('computer-activated', 'A desktop license was activated on a computer.', {
			client,
			account: outcome.userId
		});
	}
	const answer: ActivationResponse = {
		status: 'activated',
		computer: outcome.computer.name,
		activatedAt: new Date(outcome.computer.activatedAt).toISOString(),
		replayed: outcome.replayed
	};
	sendJson(response, 200, answer);
}
