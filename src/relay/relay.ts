import type { Server } from 'node:http';
import type { DatabaseSync } from 'node:sqlite';
import type { RelayConfig } from './config.ts';
import { DeliveryLoop, type DeliveryOptions } from './delivery/loop.ts';
import { smtpSender, webhookSender } from './delivery/transports.ts';
import { ownOrigins } from './hosts.ts';
import { createLogger, type Logger } from './log.ts';
import { TrustedProxies } from './proxies.ts';
import { RateLimiter } from './rate-limit.ts';
import { createRoutes } from './routes.ts';
import { createRelayServer, type Boundary } from './server.ts';
import { openDatabase } from './store/database.ts';

export interface Relay {
	readonly server: Server;
	readonly db: DatabaseSync;
	readonly delivery: DeliveryLoop;
	readonly log: Logger;
	/** Stops delivery, closes the server's connections and the database. */
	close(): Promise<void>;
}

const MINUTE = 60_000;

export interface RelayOptions
	extends Pick<DeliveryOptions, 'retryBaseMs' | 'concurrency'>, Pick<Boundary, 'peerAddress' | 'timeouts'> {
	/** Where the operator log goes; by default stdout/stderr at the configured level and format. */
	readonly log?: Logger;
}

/** The whole relay from its settings: database, delivery loop, and the HTTP server (not yet listening). */
export function createRelay(config: RelayConfig, options: RelayOptions = {}): Relay {
	const {
		log = createLogger({ level: config.logLevel, format: config.logFormat }),
		peerAddress,
		timeouts,
		...tuning
	} = options;
	const db = openDatabase(config.dataDir);
	const smtp = config.smtpUrl ? smtpSender(config.smtpUrl, config.mailFrom) : undefined;
	const delivery = new DeliveryLoop({
		db,
		config,
		sendMail: smtp?.send,
		sendSms: config.smsWebhookUrl ? webhookSender(config.smsWebhookUrl, config.smsWebhookToken) : undefined,
		log,
		...tuning
	});
	const { rateLimits } = config;
	const routes = createRoutes({
		db,
		log,
		ownOrigins: ownOrigins(config.publicUrl, config.port, config.host),
		allowedOrigins: config.allowedOrigins,
		limits: {
			perToken: new RateLimiter(rateLimits.requestsPerMinute, MINUTE),
			perRecipient: new RateLimiter(rateLimits.messagesPerRecipientPerHour, 60 * MINUTE),
			pairPerAddress: new RateLimiter(rateLimits.pairAttemptsPer15Minutes, 15 * MINUTE)
		},
		signInLimits: {
			perAccount: new RateLimiter(rateLimits.signInFailuresPer15Minutes, 15 * MINUTE),
			perAddress: new RateLimiter(rateLimits.signInFailuresPer15Minutes * 3, 15 * MINUTE)
		},
		onAccepted: () => delivery.wake()
	});
	const server = createRelayServer({
		staticDir: config.staticDir,
		routes,
		log,
		boundary: {
			publicUrl: config.publicUrl,
			listenHost: config.host,
			trustedProxies: new TrustedProxies(config.trustedProxies),
			connections: config.connectionLimits,
			timeouts,
			peerAddress
		}
	});
	delivery.start();
	return {
		server,
		db,
		delivery,
		log,
		close: async () => {
			await delivery.stop();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			smtp?.close();
			db.close();
		}
	};
}
