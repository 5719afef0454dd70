import { createServer, type Server } from 'node:http';
import { requestUrl } from './http.ts';
import { silentLogger, type Logger } from './log.ts';
import type { RelayRoutes } from './routes.ts';
import { SECURITY_HEADERS } from './security.ts';
import { createStaticHandler } from './static.ts';

export interface RelayServerOptions {
	/** The built app (`build/`). */
	readonly staticDir: string;
	/** The relay's API and pages, tried before the app's files. */
	readonly routes?: RelayRoutes;
	readonly log?: Logger;
}

/** The relay's HTTP server, not yet listening: the API and the relay's pages first, then the app. */
export function createRelayServer({ staticDir, routes, log = silentLogger }: RelayServerOptions): Server {
	const serveStatic = createStaticHandler({ root: staticDir });
	return createServer((request, response) => {
		for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
		const handle = async (): Promise<void> => {
			if (routes && (await routes(request, response))) return;
			await serveStatic(request, response);
		};
		handle().catch((error: unknown) => {
			log.error(
				'request-failed',
				`${request.method} ${requestUrl(request)?.pathname ?? '(unreadable address)'} failed: ${String(error)}`
			);
			if (response.headersSent) {
				response.destroy();
				return;
			}
			response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
			response.end('Internal server error\n');
		});
	});
}
