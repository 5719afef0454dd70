import { createServer, type Server } from 'node:http';
import { refuseCannotWrite } from './health.ts';
import { requestUrl } from './http.ts';
import { silentLogger, type Logger } from './log.ts';
import type { RelayRoutes } from './routes.ts';
import { SECURITY_HEADERS } from './security.ts';
import { createStaticHandler } from './static.ts';
import type { WriteHealth } from './store/write-health.ts';

export interface RelayServerOptions {
	/** The built app (`build/`). */
	readonly staticDir: string;
	/** The relay's API and pages, tried before the app's files. */
	readonly routes?: RelayRoutes;
	/** Turns a failed database write into 503 with Retry-After (and pauses what writes). */
	readonly health?: WriteHealth;
	readonly log?: Logger;
}

/** The relay's HTTP server, not yet listening: the API and the relay's pages first, then the app. */
export function createRelayServer({
	staticDir,
	routes,
	health,
	log = silentLogger
}: RelayServerOptions): Server {
	const serveStatic = createStaticHandler({ root: staticDir });
	return createServer((request, response) => {
		for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
		const handle = async (): Promise<void> => {
			if (routes && (await routes(request, response))) return;
			await serveStatic(request, response);
		};
		handle().catch((error: unknown) => {
			// A full disk is logged once by the health, not once per refused request.
			const cannotWrite = health?.noteFailure(error) ?? false;
			if (!cannotWrite) {
				log.error(
					'request-failed',
					`${request.method} ${requestUrl(request)?.pathname ?? '(unreadable address)'} failed: ${String(error)}`
				);
			}
			if (response.headersSent) {
				response.destroy();
				return;
			}
			if (cannotWrite && health) return refuseCannotWrite(health, request, response);
			response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
			response.end('Internal server error\n');
		});
	});
}
