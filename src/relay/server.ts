import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { capConnections, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './connections.ts';
import { allowedHosts, isAllowedHost, ownOrigins } from './hosts.ts';
import { loggablePath, logRefusal, rememberPeer } from './http.ts';
import { refuseCannotWrite } from './health.ts';
import { silentLogger, type Logger } from './log.ts';
import { FORWARDING_HEADERS, isLoopbackAddress, TrustedProxies } from './proxies.ts';
import type { RelayRoutes } from './routes.ts';
import { SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY } from './security.ts';
import { createStaticHandler } from './static.ts';
import type { WriteHealth } from './store/write-health.ts';

/** How long a connection may take over each part of a request (ms). */
export interface ServerTimeouts {
	/** From the connection (or the previous request) to the request's last header line. */
	readonly headersTimeout: number;
	/** For the whole request, body included. */
	readonly requestTimeout: number;
	/** An idle kept-alive connection is closed after this long. */
	readonly keepAliveTimeout: number;
	/** How often the first two are checked: an idle connection lives at most their sum plus this. */
	readonly connectionsCheckingInterval: number;
}

/**
 * Node's defaults (60 s for headers, checked every 30 s) let thousands of silent connections live ~90 s;
 * a browser sends its headers at once, and the largest body the relay takes is a few MB.
 */
export const DEFAULT_TIMEOUTS: ServerTimeouts = {
	headersTimeout: 10_000,
	requestTimeout: 60_000,
	keepAliveTimeout: 5_000,
	connectionsCheckingInterval: 2_000
};

/** Who may reach the relay, and how it tells where a request comes from. */
export interface Boundary {
	/** PUBLIC_URL: its host is a name the relay answers to; https turns on Strict-Transport-Security. */
	readonly publicUrl: string;
	/** HOST: when it is one specific address, that address is a name the relay answers to as well. */
	readonly listenHost?: string;
	readonly trustedProxies?: TrustedProxies;
	readonly connections?: ConnectionLimits;
	readonly timeouts?: Partial<ServerTimeouts>;
	/** The TCP peer's address; tests stand in for another machine here. */
	readonly peerAddress?: (socket: Socket) => string;
}

export interface RelayServerOptions {
	/** The built app (`build/`). */
	readonly staticDir: string;
	/** The relay's API and pages, tried before the app's files. */
	readonly routes?: RelayRoutes;
	/** Turns a failed database write into 503 with Retry-After (and pauses what writes). */
	readonly health?: WriteHealth;
	readonly log?: Logger;
	readonly boundary: Boundary;
}

const socketAddress = (socket: Socket): string => socket.remoteAddress ?? 'unknown';

/**
 * The relay's HTTP server, not yet listening: a request for a name the relay is not configured for gets
 * nothing; then the API and the relay's pages, then the app.
 */
export function createRelayServer({
	staticDir,
	routes,
	health,
	log = silentLogger,
	boundary
}: RelayServerOptions): Server {
	// Known once the port is: the loopback names count on the port the relay actually listens on.
	let hosts: ReadonlySet<string> = new Set();
	let origins: readonly string[] = [];
	const serveStatic = createStaticHandler({ root: staticDir, connectSources: () => origins });
	const { publicUrl, listenHost, peerAddress = socketAddress } = boundary;
	const proxies = boundary.trustedProxies ?? new TrustedProxies([]);
	const timeouts = { ...DEFAULT_TIMEOUTS, ...boundary.timeouts };
	const isHttps = new URL(publicUrl).protocol === 'https:';

	const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
		const peer = peerAddress(request.socket);
		const forwardedFor = request.headers['x-forwarded-for'];
		rememberPeer(request, {
			peer,
			client: proxies.clientOf(peer, Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor),
			isProxied: proxies.has(peer) || FORWARDING_HEADERS.some((name) => name in request.headers)
		});
		// A load balancer's health check names the backend by its own address: /health says only whether the
		// database takes writes, nothing a rebinding page could use, so it answers whatever the Host.
		const isHealthCheck = request.url === '/health';
		if (!isHealthCheck && !isAllowedHost(request.headers.host, hosts)) {
			return misdirected(request, response, log);
		}
		if (routes && (await routes(request, response))) return;
		await serveStatic(request, response);
	};

	const server = createServer(
		{ connectionsCheckingInterval: timeouts.connectionsCheckingInterval },
		(request, response) => {
			for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
			if (isHttps) response.setHeader('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
			handle(request, response).catch((error: unknown) => {
				// A full disk is logged once by the health, not once per refused request.
				const cannotWrite = health?.noteFailure(error) ?? false;
				// A client that hung up mid-request is its own doing: worth a debug line, not an error per abort.
				const isAborted =
					(error as NodeJS.ErrnoException | null)?.code === 'ECONNRESET' ||
					(error as Error | null)?.message === 'aborted';
				if (!cannotWrite) {
					// The path as loggablePath gives it: an activation path holds a token.
					log[isAborted ? 'debug' : 'error'](
						isAborted ? 'request-aborted' : 'request-failed',
						`${request.method} ${loggablePath(request)} failed: ${String(error)}`
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
		}
	);
	server.headersTimeout = timeouts.headersTimeout;
	server.requestTimeout = timeouts.requestTimeout;
	server.keepAliveTimeout = timeouts.keepAliveTimeout;
	server.on('listening', () => {
		const { port } = server.address() as AddressInfo;
		hosts = allowedHosts(publicUrl, port, listenHost);
		origins = ownOrigins(publicUrl, port, listenHost);
	});
	capConnections(server, {
		limits: boundary.connections ?? DEFAULT_CONNECTION_LIMITS,
		log,
		peerAddress,
		// This machine is the operator or a local proxy (trusted or not): its clients must not share one cap.
		isExempt: (address) => isLoopbackAddress(address) || proxies.has(address)
	});
	return server;
}

/** A Host the relay is not configured for (DNS rebinding, or a wrong PUBLIC_URL): nothing is served. */
function misdirected(request: IncomingMessage, response: ServerResponse, log: Logger): void {
	const isMissing = request.headers.host === undefined;
	const status = isMissing ? 400 : 421;
	const reason = isMissing ? 'no Host header' : 'a Host the relay is not configured for';
	// The name asked for tells a rebinding attempt from a PUBLIC_URL that does not match the proxy's Host.
	logRefusal(log, request, status, reason, { host: request.headers.host?.slice(0, 100) });
	const text = isMissing
		? 'Bad request: the request names no host.\n'
		: 'Misdirected request: this relay answers only at its own address (PUBLIC_URL) and on localhost.\n';
	response.writeHead(status, {
		'Content-Type': 'text/plain; charset=utf-8',
		'Cache-Control': 'no-store',
		'Content-Length': Buffer.byteLength(text)
	});
	response.end(request.method === 'HEAD' ? undefined : text);
}
