import type { Server } from 'node:http';
import type { DatabaseSync } from 'node:sqlite';
import type { RelayConfig } from './config.ts';
import { DeliveryLoop, type DeliveryOptions } from './delivery/loop.ts';
import { smtpSender, webhookSender } from './delivery/transports.ts';
import { HashQueue } from './accounts/hash-queue.ts';
import { SignInThrottle } from './accounts/sign-in-throttle.ts';
import { ownOrigins } from './hosts.ts';
import { createLogger, type Logger } from './log.ts';
import { TrustedProxies } from './proxies.ts';
import { RateLimiter } from './rate-limit.ts';
import { createRoutes } from './routes.ts';
import { createRelayServer, type Boundary } from './server.ts';
import { openDatabase } from './store/database.ts';
import { WriteHealth } from './store/write-health.ts';
import { bodyHashKey } from './store/secrets.ts';
import { loadLinkKey } from './store/link-key.ts';

export interface Relay {
	readonly server: Server;
	readonly db: DatabaseSync;
	readonly delivery: DeliveryLoop;
	/** Whether the database takes writes (GET /health, the 503 answers, the delivery loop's pause). */
	readonly health: WriteHealth;
	readonly log: Logger;
	/** Every password hash (sign-in, activation, SMS login details) waits its turn here. */
	readonly hashing: HashQueue;
	/** Stops delivery, closes the server's connections and the database. */
	close(): Promise<void>;
}

const MINUTE = 60_000;

export interface RelayOptions
	extends Pick<DeliveryOptions, 'retryBaseMs' | 'concurrency'>, Pick<Boundary, 'peerAddress' | 'timeouts'> {
	/** Where the operator log goes; by default stdout/stderr at the configured level and format. */
	readonly log?: Logger;
	/** SMTP connection, greeting and inactivity timeout (tests shorten it). */
	readonly smtpTimeoutMs?: number;
	/** How often a write is tried while the database refuses them, and at most how often /health writes. */
	readonly probeIntervalMs?: number;
}

/** The whole relay from its settings: database, delivery loop, and the HTTP server (not yet listening). */
export function createRelay(config: RelayConfig, options: RelayOptions = {}): Relay {
	const {
		log = createLogger({ level: config.logLevel, format: config.logFormat }),
		smtpTimeoutMs,
		probeIntervalMs,
		peerAddress,
		timeouts,
		...tuning
	} = options;
	// Before the database opens: a damaged key stops the relay with nothing left open.
	const hashKey = bodyHashKey(config.dataDir);
	const db = openDatabase(config.dataDir);
	const hashing = new HashQueue({
		running: config.passwordHashing.atOnce,
		waiting: config.passwordHashing.waiting
	});
	const health = new WriteHealth(db, { log, probeIntervalMs });
	const smtp = config.smtpUrl
		? smtpSender(config.smtpUrl, config.mailFrom, {
				plaintextHost: config.smtpPlaintextHost,
				timeoutMs: smtpTimeoutMs
			})
		: undefined;
	if (config.smtpPlaintextHost) {
		log.warn(
			'smtp-plaintext-allowed',
			'SMTP_ALLOW_PLAINTEXT: the mail server may receive the password and the mail without encryption.',
			{ host: config.smtpPlaintextHost }
		);
	}
	const delivery = new DeliveryLoop({
		db,
		config,
		health,
		sendMail: smtp?.send,
		sendSms: config.smsWebhookUrl ? webhookSender(config.smsWebhookUrl, config.smsWebhookToken) : undefined,
		log,
		hashing,
		linkKey: loadLinkKey(config.dataDir),
		...tuning
	});
	const { rateLimits } = config;
	const routes = createRoutes({
		db,
		log,
		publicUrl: config.publicUrl,
		ownOrigins: ownOrigins(config.publicUrl, config.port, config.host),
		allowedOrigins: config.allowedOrigins,
		limits: {
			perToken: new RateLimiter(rateLimits.requestsPerMinute, MINUTE),
			pairPerAddress: new RateLimiter(rateLimits.pairAttemptsPer15Minutes, 15 * MINUTE),
			activatePerAddress: new RateLimiter(rateLimits.activationsPer15Minutes, 15 * MINUTE),
			messages: {
				perRecipientPerHour: rateLimits.messagesPerRecipientPerHour,
				perDevicePerHour: rateLimits.messagesPerDevicePerHour,
				perDevicePerDay: rateLimits.messagesPerDevicePerDay
			}
		},
		health,
		bodyHashKey: hashKey,
		hashing,
		throttle: new SignInThrottle({ limit: rateLimits.signInFailuresPer15Minutes, windowMs: 15 * MINUTE }),
		initialPasswordTtlMs: config.initialPasswordTtlHours * 60 * MINUTE,
		onAccepted: () => delivery.wake()
	});
	const server = createRelayServer({
		staticDir: config.staticDir,
		routes,
		health,
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
		health,
		log,
		hashing,
		close: async () => {
			health.close();
			await delivery.stop();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			smtp?.close();
			db.close();
		}
	};
}
