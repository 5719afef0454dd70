import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleApi, type ApiContext } from './api.ts';
import { RequestError, sendError, sendPage } from './http.ts';
import { html, page } from './pages/html.ts';
import { showActivation, submitActivation } from './pages/activate.ts';
import { mailboxItem, mailboxJson, mailboxList, mayReadMailbox, refuseMailbox } from './pages/mailbox.ts';
import { showSignIn, submitSignIn, type SignInLimits } from './pages/signin.ts';

export interface RoutesContext extends ApiContext {
	readonly publicUrl: string;
	readonly allowedOrigins: readonly string[];
	readonly signInLimits: SignInLimits;
}

/** Answers the relay's own URLs; false for anything else (the app's files). */
export type RelayRoutes = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export function createRoutes(context: RoutesContext): RelayRoutes {
	const ownOrigin = new URL(context.publicUrl).origin;
	const isOwnOrigin = (request: IncomingMessage, origin: string): boolean =>
		origin === ownOrigin ||
		origin === `http://${request.headers.host ?? ''}` ||
		origin === `https://${request.headers.host ?? ''}`;

	return async (request, response) => {
		const url = new URL(request.url ?? '/', 'http://relay.invalid');
		const path = url.pathname;
		const method = request.method ?? 'GET';

		if (path === '/api' || path.startsWith('/api/')) {
			try {
				const origin = request.headers.origin;
				if (origin !== undefined) {
					if (!isOwnOrigin(request, origin) && !context.allowedOrigins.includes(origin)) {
						throw new RequestError(
							403,
							'origin-not-allowed',
							`Pages from ${origin} may not use this relay. Add the origin to the relay's ALLOWED_ORIGINS.`
						);
					}
					response.setHeader('Access-Control-Allow-Origin', origin);
					response.setHeader('Access-Control-Expose-Headers', 'Retry-After');
				}
				response.setHeader('Vary', 'Origin');
				if (method === 'OPTIONS') {
					response.writeHead(204, {
						'Access-Control-Allow-Methods': 'GET, POST',
						'Access-Control-Allow-Headers': 'Authorization, Content-Type',
						'Access-Control-Max-Age': '600'
					});
					response.end();
					return true;
				}
				await handleApi(context, request, response, url);
			} catch (error) {
				if (!(error instanceof RequestError)) throw error;
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
			if (method === 'POST') {
				// The relay's forms post only to themselves; a post from another site's page is refused.
				const origin = request.headers.origin;
				if (origin !== undefined && origin !== 'null' && !isOwnOrigin(request, origin)) {
					throw new RequestError(
						403,
						'origin-not-allowed',
						"This form can only be sent from the relay's own page."
					);
				}
			}
			await showPage(context, request, response, path, method);
		} catch (error) {
			if (!(error instanceof RequestError)) throw error;
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
		if (method === 'POST') return submitSignIn(context.db, context.signInLimits, request, response);
		return notAllowed('GET, POST');
	}
	const activation = /^\/activate\/([^/]+)$/.exec(path);
	if (activation) {
		const token = activation[1] ?? '';
		if (method === 'GET' || method === 'HEAD') return showActivation(context.db, token, response);
		if (method === 'POST') return submitActivation(context.db, context.log, token, request, response);
		return notAllowed('GET, POST');
	}
	if (path.startsWith('/mailbox')) {
		if (!mayReadMailbox(request)) return refuseMailbox(response);
		if (method !== 'GET' && method !== 'HEAD') return notAllowed('GET');
		if (path === '/mailbox' || path === '/mailbox/') return mailboxList(context.db, response);
		if (path === '/mailbox/messages.json') return mailboxJson(context.db, response);
		const item = /^\/mailbox\/(\d{1,15})$/.exec(path);
		if (item) return mailboxItem(context.db, Number(item[1]), response);
	}
	throw new RequestError(404, 'not-found', 'There is no such page.');
}
