import { createServer, type Server } from 'node:http';
import { SECURITY_HEADERS } from './security.ts';
import { createStaticHandler } from './static.ts';

export interface RelayServerOptions {
	/** The built app (`build/`). */
	readonly staticDir: string;
}

/**
 * The relay's HTTP server, not yet listening. Today it only serves the app; the relay's API routes
 * will be matched here, before the static files.
 */
export function createRelayServer({ staticDir }: RelayServerOptions): Server {
	const serveStatic = createStaticHandler({ root: staticDir });
	return createServer((request, response) => {
		for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
		serveStatic(request, response).catch((error: unknown) => {
			console.error(`Rollcall relay: ${request.method} ${request.url} failed:`, error);
			if (response.headersSent) {
				response.destroy();
				return;
			}
			response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
			response.end('Internal server error\n');
		});
	});
}
