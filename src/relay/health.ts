// The relay's answers about its own state. GET /health is for process managers and load balancers: ready
// (200) only while the database takes writes. /api/health stays the app's question (is this a Rollcall
// relay, which protocol) and answers while the disk is full, so the app tells "refused for now" from
// "cannot be reached".
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestError, requestUrl, sendError, sendJson, sendPage } from './http.ts';
import { html, page } from './pages/html.ts';
import type { WriteHealth } from './store/write-health.ts';

/** GET /health: 200 when ready; 503 with the reason and Retry-After while writes fail. */
export function answerHealth(health: WriteHealth, request: IncomingMessage, response: ServerResponse): void {
	if (request.method !== 'GET' && request.method !== 'HEAD') {
		throw new RequestError(405, 'method-not-allowed', '/health takes GET requests only.', {
			Allow: 'GET, HEAD'
		});
	}
	if (health.check()) return sendJson(response, 200, { status: 'ready' });
	sendJson(
		response,
		503,
		{ status: 'cannot-write', reason: `The relay cannot write to its database: ${health.problem}.` },
		{ 'Retry-After': String(health.retryAfterSeconds) }
	);
}

/**
 * The answer to a request that needed a write while the database refuses them: 503 with Retry-After,
 * as the protocol's JSON error under /api and as a page elsewhere. Nothing the relay accepted before is lost.
 */
export function refuseCannotWrite(
	health: WriteHealth,
	request: IncomingMessage,
	response: ServerResponse
): void {
	const path = requestUrl(request)?.pathname ?? '/';
	if (path === '/api' || path.startsWith('/api/')) return sendError(response, cannotWriteError(health));
	response.setHeader('Retry-After', String(health.retryAfterSeconds));
	sendPage(
		response,
		503,
		page(
			'Try again soon',
			html`<h1>Try again in a few minutes</h1>
				<p>
					This service cannot save anything right now, so nothing was changed. Please try again in a few
					minutes.
				</p>`
		)
	);
}

/** The API's 503 while writes fail; thrown before anything is counted (a rate limit, a pairing attempt). */
export function cannotWriteError(health: WriteHealth): RequestError {
	const wait = String(health.retryAfterSeconds);
	return new RequestError(
		503,
		'cannot-write',
		`The relay cannot save anything right now (${health.problem ?? 'its database refuses writes'}); what it accepted before is kept. Try again in ${wait} seconds.`,
		{ 'Retry-After': wait }
	);
}
