import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleApi, type ApiContext } from './api.ts';
import { answerHealth } from './health.ts';
import { logRefusal, RequestError, requestUrl, sendError, sendPage } from './http.ts';
import { html, page } from './pages/html.ts';
import { showActivation, submitActivation } from './pages/activate.ts';
import { mailboxItem, mailboxJson, mailboxList, mayReadMailbox, refuseMailbox } from './pages/mailbox.ts';
import { showSignIn, submitSignIn, type SignInContext } from './pages/signin.ts';

export interface RoutesContext extends ApiContext, SignInContext {
	/** The relay's own origins (hosts.ts ownOrigins): PUBLIC_URL's and the loopback names on its port. */
	readonly ownOrigins: readonly string[];
	readonly allowedOrigins: readonly string[];
}

/** Answers the relay's own URLs; false for anything else (the app's files). */
export type RelayRoutes = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/**
 * Why a form post must be refused, or undefined. The relay's forms post only to themselves, so the
 * browser says `Sec-Fetch-Site: same-origin` and names one of the relay's own origins. A post from another
 * site, a sandboxed frame or a data: page (`Origin: null`) is refused. A request with neither header is
 * let through: every current browser sends Origin on a POST, so it comes from an old browser or a tool
 * such as curl, which is no cross-site forgery (the one cookie, the trusted browser's, is SameSite=Strict and
 * only eases throttling; the password is the proof).
 */
function formPostRefusal(request: IncomingMessage, ownOrigins: readonly string[]): string | undefined {
	const site = request.headers['sec-fetch-site'];
	if (site !== undefined && site !== 'same-origin' && site !== 'none') {
		return `the form was sent from another site (Sec-Fetch-Site: ${site.slice(0, 20)})`;
	}
	const origin = request.headers.origin;
	if (origin === 'null') return 'the form was sent from a page with no origin';
	if (origin !== undefined && !ownOrigins.includes(origin)) return 'the form was sent from another origin';
	return undefined;
}

export function createRoutes(context: RoutesContext): RelayRoutes {
	const { log, ownOrigins, allowedOrigins } = context;
	const mayUseApi = (origin: string): boolean =>
		ownOrigins.includes(origin) || allowedOrigins.includes(origin);

	// One line per refused request, by its code: a message can quote the request (a parser's error quotes
	// the body, which may hold a pairing code). Refusals logged where they are decided, with a better
	// reason, are passed through `logged`; a full disk is logged once by the write health, not per request.
	const loggedRefusals = new WeakSet<RequestError>();
	const noteRefusal = (error: RequestError, request: IncomingMessage): void => {
		if (error.status === 503 || loggedRefusals.has(error)) return;
		logRefusal(log, request, error.status, error.code);
	};
	const logged = (error: RequestError): RequestError => {
		loggedRefusals.add(error);
		return error;
	};

	return async (request, response) => {
		const url = requestUrl(request);
		if (!url) {
			sendError(response, new RequestError(400, 'bad-request', 'The address of this request is not valid.'));
			return true;
		}
		const path = url.pathname;
		const method = request.method ?? 'GET';

		if (path === '/health') {
			try {
				answerHealth(context.health, request, response);
			} catch (error) {
				if (!(error instanceof RequestError)) throw error;
				noteRefusal(error, request);
				sendError(response, error);
			}
			return true;
		}

		if (path === '/api' || path.startsWith('/api/')) {
			try {
				const origin = request.headers.origin;
				response.setHeader('Vary', 'Origin');
				// Every origin's page may read the answer, a refusal included: an admin whose app runs at an
				// origin the relay does not accept then reads why, instead of "cannot be reached". A refused
				// origin gets nothing else: its preflight is answered, its request is not carried out.
				if (origin !== undefined && origin !== 'null') {
					response.setHeader('Access-Control-Allow-Origin', origin);
					response.setHeader('Access-Control-Expose-Headers', 'Retry-After');
				}
				if (method === 'OPTIONS') {
					response.writeHead(204, {
						'Access-Control-Allow-Methods': 'GET, POST',
						'Access-Control-Allow-Headers': 'Authorization, Content-Type',
						'Access-Control-Max-Age': '600'
					});
					response.end();
					return true;
				}
				if (origin !== undefined && !mayUseApi(origin)) {
					logRefusal(log, request, 403, 'a page from an origin not in ALLOWED_ORIGINS');
					throw logged(
						new RequestError(
							403,
							'origin-not-allowed',
							`This relay does not accept requests from pages at ${origin.slice(0, 200)}. Open Rollcall at one of the relay's own addresses (${ownOrigins[0]}), or add ${origin.slice(0, 200)} to the relay's ALLOWED_ORIGINS setting and restart it.`
						)
					);
				}
				await handleApi(context, request, response, url);
			} catch (error) {
				if (!(error instanceof RequestError)) throw error;
				noteRefusal(error, request);
				sendError(response, error);
			}
			return true;
		}

		const isPage =
			path === '/signin' ||
			path === '/mailbox' ||
			path.startsWith('/mailbox/') ||
			path.startsWith('/activate/');
		if (!isPage) return false;
		try {
			const refusal = method === 'POST' ? formPostRefusal(request, ownOrigins) : undefined;
			if (refusal) {
				logRefusal(log, request, 403, refusal);
				throw logged(
					new RequestError(
						403,
						'origin-not-allowed',
						"This form can only be sent from the relay's own page. Open the page again and send it from there."
					)
				);
			}
			await showPage(context, request, response, path, method);
		} catch (error) {
			if (!(error instanceof RequestError)) throw error;
			noteRefusal(error, request);
			if (response.headersSent) return true;
			for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
			sendPage(
				response,
				error.status,
				page(
					'Error',
					html`<h1>That did not work</h1>
						<p>${error.message}</p>`
				)
			);
		}
		return true;
	};
}

async function showPage(
	context: RoutesContext,
	request: IncomingMessage,
	response: ServerResponse,
	path: string,
	method: string
): Promise<void> {
	const notAllowed = (allow: string): never => {
		throw new RequestError(405, 'method-not-allowed', `This page takes ${allow} requests only.`, {
			Allow: allow
		});
	};
	if (path === '/signin') {
		if (method === 'GET' || method === 'HEAD') return showSignIn(response);
		if (method === 'POST') return submitSignIn(context, request, response);
		return notAllowed('GET, POST');
	}
	const activation = /^\/activate\/([^/]+)$/.exec(path);
	if (activation) {
		const token = activation[1] ?? '';
		if (method === 'GET' || method === 'HEAD') return showActivation(context.db, token, response);
		if (method === 'POST') return submitActivation(context, token, request, response);
		return notAllowed('GET, POST');
	}
	if (path.startsWith('/mailbox')) {
		if (!mayReadMailbox(request)) {
			logRefusal(context.log, request, 403, 'the mailbox is for loopback peers only, not through a proxy');
			return refuseMailbox(response);
		}
		if (method !== 'GET' && method !== 'HEAD') return notAllowed('GET');
		if (path === '/mailbox' || path === '/mailbox/') return mailboxList(context.db, response);
		if (path === '/mailbox/messages.json') return mailboxJson(context.db, response);
		const item = /^\/mailbox\/(\d{1,15})$/.exec(path);
		if (item) return mailboxItem(context.db, Number(item[1]), response);
	}
	throw new RequestError(404, 'not-found', 'There is no such page.');
}
