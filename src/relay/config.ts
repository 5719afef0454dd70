import path from 'node:path';
import { parseEmail } from '../lib/domain/email.ts';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './connections.ts';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log.ts';
import { parseProxyEntry } from './proxies.ts';

/** Where the relay sends mail: an SMTP server, or the built-in mailbox page. */
export interface MailFrom {
	readonly name: string;
	readonly address: string;
}

/** Limits on how fast one caller may go; each is a count per window. */
export interface RateLimits {
	/** POST /api/messages and GET /api/events requests per device token per minute. */
	readonly requestsPerMinute: number;
	/** Messages accepted per recipient (email or phone) per hour. */
	readonly messagesPerRecipientPerHour: number;
	/** Messages accepted from one device per hour, and per 24 hours: what a stolen token can send. */
	readonly messagesPerDevicePerHour: number;
	readonly messagesPerDevicePerDay: number;
	/** Failed sign-ins per account, and per remote address, per 15 minutes. */
	readonly signInFailuresPer15Minutes: number;
	/** Pairing attempts per remote address per 15 minutes. */
	readonly pairAttemptsPer15Minutes: number;
	/** Desktop activations (POST /api/activate) per remote address per 15 minutes. */
	readonly activationsPer15Minutes: number;
}

/** What the relay needs from its environment. */
export interface RelayConfig {
	/** TCP port to listen on (PORT, default 4173). */
	readonly port: number;
	/** Interface to listen on (HOST, default 127.0.0.1: only this machine; use 0.0.0.0 behind a proxy). */
	readonly host: string;
	/** The folder holding the SQLite database (RELAY_DATA_DIR). */
	readonly dataDir: string;
	/** The built app (RELAY_STATIC_DIR, default build/ next to src/). */
	readonly staticDir: string;
	/** The address people reach the relay at, without a trailing slash: links in mails start with it. */
	readonly publicUrl: string;
	/** Origins (scheme://host[:port]) whose pages may call the API, besides the relay's own. */
	readonly allowedOrigins: readonly string[];
	/** smtp:// or smtps:// URL of the mail server; undefined keeps mail in the built-in mailbox. */
	readonly smtpUrl: string | undefined;
	/**
	 * The SMTP host that may take the password and mail without TLS (SMTP_ALLOW_PLAINTEXT); TLS is
	 * required for every other host not on this machine.
	 */
	readonly smtpPlaintextHost: string | undefined;
	readonly mailFrom: MailFrom;
	/** Where SMS messages are POSTed as JSON; undefined keeps them in the built-in mailbox. */
	readonly smsWebhookUrl: string | undefined;
	readonly smsWebhookToken: string | undefined;
	/** How long an activation link stays valid. */
	readonly activationTtlHours: number;
	/** How long an initial password from SMS login details signs in (once) after it was set. */
	readonly initialPasswordTtlHours: number;
	/** Password hashes (scrypt) running at once, and sign-ins waiting for one; see accounts/hash-queue.ts. */
	readonly passwordHashing: { readonly atOnce: number; readonly waiting: number };
	readonly rateLimits: RateLimits;
	/** Proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES): `loopback`, addresses and CIDR ranges. */
	readonly trustedProxies: readonly string[];
	/** Caps on open connections (MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS). */
	readonly connectionLimits: ConnectionLimits;
	/** Lines below this level are not logged (LOG_LEVEL, default info). */
	readonly logLevel: LogLevel;
	/** text for people, json (one object a line) for log collectors (LOG_FORMAT, default text). */
	readonly logFormat: LogFormat;
}

export type ConfigResult = { ok: true; config: RelayConfig } | { ok: false; errors: string[] };

export const DEFAULT_PORT = 4173;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_ACTIVATION_TTL_HOURS = 72;
export const DEFAULT_INITIAL_PASSWORD_TTL_HOURS = 72;
/** Two of libuv's four threads: the other two keep serving files while sign-ins are hashed. */
export const DEFAULT_PASSWORD_HASHES_AT_ONCE = 2;
export const DEFAULT_PASSWORD_HASHES_WAITING = 16;
export const DEFAULT_RATE_LIMITS: RateLimits = {
	requestsPerMinute: 300,
	messagesPerRecipientPerHour: 5,
	// An onboarding day of a few thousand invitations goes through (the app sends the rest as each hour
	// frees room); a stolen token sends 1,000 an hour at most, not 30,000 a minute.
	messagesPerDevicePerHour: 1_000,
	messagesPerDevicePerDay: 5_000,
	signInFailuresPer15Minutes: 10,
	pairAttemptsPer15Minutes: 10,
	// A person activates a computer or two; an office re-installing a dozen behind one address still fits.
	activationsPer15Minutes: 20
};
const DEFAULT_STATIC_DIR = path.resolve(import.meta.dirname, '../../build');

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and checks the relay's settings; every problem is reported at once, in plain words.
 * `cwd` is where a relative RELAY_DATA_DIR (and the default `relay-data/`) lives.
 */
export function readConfig(env: Env, cwd: string = process.cwd()): ConfigResult {
	const errors: string[] = [];
	const text = (name: string): string => env[name]?.trim() ?? '';

	const port = readWholeNumber(env, 'PORT', DEFAULT_PORT, 1, 65535, errors);

	const host = text('HOST') || DEFAULT_HOST;
	if (/[\s/]/.test(host)) {
		errors.push(
			`HOST must be a host name or IP address such as 127.0.0.1 or 0.0.0.0, but it is "${env.HOST}".`
		);
	}

	const dataDir = path.resolve(cwd, text('RELAY_DATA_DIR') || 'relay-data');
	const staticDir = text('RELAY_STATIC_DIR')
		? path.resolve(cwd, text('RELAY_STATIC_DIR'))
		: DEFAULT_STATIC_DIR;

	let publicUrl = `http://localhost:${port}`;
	if (text('PUBLIC_URL')) {
		const url = parseUrl(text('PUBLIC_URL'), ['http:', 'https:']);
		if (!url || url.search || url.hash || url.username || url.password) {
			errors.push(
				`PUBLIC_URL must be the address people open the relay at, such as https://relay.example.org, but it is "${env.PUBLIC_URL}".`
			);
		} else {
			publicUrl = url.href.replace(/\/+$/, '');
		}
	}

	const allowedOrigins: string[] = [];
	for (const item of text('ALLOWED_ORIGINS').split(',')) {
		const value = item.trim();
		if (value === '') continue;
		const url = parseUrl(value, ['http:', 'https:']);
		if (!url || url.origin !== value.replace(/\/$/, '')) {
			errors.push(
				`ALLOWED_ORIGINS must be a comma-separated list of origins such as https://admin.example.org (scheme, host and port only), but "${value}" is not one.`
			);
		} else {
			allowedOrigins.push(url.origin);
		}
	}

	let smtpUrl: string | undefined;
	if (text('SMTP_URL')) {
		const url = parseUrl(text('SMTP_URL'), ['smtp:', 'smtps:']);
		if (!url || !url.hostname) {
			errors.push(
				'SMTP_URL must look like smtp://user:password@mail.example.org:587 or smtps://mail.example.org:465, but it does not (its value is not shown because it may hold a password).'
			);
		} else if (url.search) {
			errors.push(
				'SMTP_URL takes no settings after a "?": the relay sets TLS, pooling and timeouts itself (its value is not shown because it may hold a password).'
			);
		} else {
			smtpUrl = url.href;
		}
	}

	let smtpPlaintextHost: string | undefined;
	const plaintextHost = text('SMTP_ALLOW_PLAINTEXT').toLowerCase();
	if (plaintextHost) {
		const smtp = smtpUrl ? new URL(smtpUrl) : undefined;
		const smtpHost = smtp?.hostname.replace(/^\[|\]$/g, '').toLowerCase();
		if (!smtp) {
			errors.push(
				'SMTP_ALLOW_PLAINTEXT is set but SMTP_URL is not: it names the mail server that may receive the password without TLS.'
			);
		} else if (smtp.protocol === 'smtps:') {
			errors.push('SMTP_ALLOW_PLAINTEXT is not needed with smtps://, which is always encrypted: remove it.');
		} else if (plaintextHost !== smtpHost) {
			errors.push(
				`SMTP_ALLOW_PLAINTEXT must name the host of SMTP_URL (${smtpHost}) to let it go without TLS, but it is "${env.SMTP_ALLOW_PLAINTEXT}".`
			);
		} else {
			smtpPlaintextHost = smtpHost;
		}
	}

	let mailFrom: MailFrom = { name: 'Rollcall', address: 'rollcall@localhost' };
	if (text('MAIL_FROM')) {
		const parsed = parseMailFrom(text('MAIL_FROM'));
		if (!parsed) {
			errors.push(
				`MAIL_FROM must be an address such as rollcall@example.org or "Rollcall <rollcall@example.org>", but it is "${env.MAIL_FROM}".`
			);
		} else {
			mailFrom = parsed;
		}
	} else if (smtpUrl) {
		errors.push('MAIL_FROM is required when SMTP_URL is set: the address mail is sent from.');
	}

	let smsWebhookUrl: string | undefined;
	if (text('SMS_WEBHOOK_URL')) {
		const url = parseUrl(text('SMS_WEBHOOK_URL'), ['http:', 'https:']);
		if (!url) {
			errors.push(
				'SMS_WEBHOOK_URL must be an http:// or https:// address, but it is not (its value is not shown because it may hold a secret).'
			);
		} else {
			smsWebhookUrl = url.href;
		}
	}
	const smsWebhookToken = text('SMS_WEBHOOK_TOKEN') || undefined;
	if (smsWebhookToken && !smsWebhookUrl) {
		errors.push('SMS_WEBHOOK_TOKEN is set but SMS_WEBHOOK_URL is not: set both, or neither.');
	}
	if (smsWebhookToken && /[\r\n]/.test(smsWebhookToken)) {
		errors.push('SMS_WEBHOOK_TOKEN cannot contain line breaks.');
	}

	const activationTtlHours = readWholeNumber(
		env,
		'ACTIVATION_TTL_HOURS',
		DEFAULT_ACTIVATION_TTL_HOURS,
		1,
		24 * 365,
		errors
	);
	const initialPasswordTtlHours = readWholeNumber(
		env,
		'INITIAL_PASSWORD_TTL_HOURS',
		DEFAULT_INITIAL_PASSWORD_TTL_HOURS,
		1,
		24 * 365,
		errors
	);
	const passwordHashing = {
		atOnce: readWholeNumber(env, 'PASSWORD_HASHES_AT_ONCE', DEFAULT_PASSWORD_HASHES_AT_ONCE, 1, 64, errors),
		waiting: readWholeNumber(
			env,
			'PASSWORD_HASHES_WAITING',
			DEFAULT_PASSWORD_HASHES_WAITING,
			0,
			10_000,
			errors
		)
	};
	const rateLimits: RateLimits = {
		requestsPerMinute: readWholeNumber(
			env,
			'RATE_LIMIT_REQUESTS_PER_MINUTE',
			DEFAULT_RATE_LIMITS.requestsPerMinute,
			1,
			1_000_000,
			errors
		),
		messagesPerRecipientPerHour: readWholeNumber(
			env,
			'RATE_LIMIT_MESSAGES_PER_RECIPIENT_PER_HOUR',
			DEFAULT_RATE_LIMITS.messagesPerRecipientPerHour,
			1,
			1_000_000,
			errors
		),
		messagesPerDevicePerHour: readWholeNumber(
			env,
			'RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR',
			DEFAULT_RATE_LIMITS.messagesPerDevicePerHour,
			1,
			1_000_000,
			errors
		),
		messagesPerDevicePerDay: readWholeNumber(
			env,
			'RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY',
			DEFAULT_RATE_LIMITS.messagesPerDevicePerDay,
			1,
			10_000_000,
			errors
		),
		signInFailuresPer15Minutes: readWholeNumber(
			env,
			'RATE_LIMIT_SIGNIN_FAILURES_PER_15_MINUTES',
			DEFAULT_RATE_LIMITS.signInFailuresPer15Minutes,
			1,
			1_000_000,
			errors
		),
		pairAttemptsPer15Minutes: readWholeNumber(
			env,
			'RATE_LIMIT_PAIR_ATTEMPTS_PER_15_MINUTES',
			DEFAULT_RATE_LIMITS.pairAttemptsPer15Minutes,
			1,
			1_000_000,
			errors
		),
		activationsPer15Minutes: readWholeNumber(
			env,
			'RATE_LIMIT_ACTIVATIONS_PER_15_MINUTES',
			DEFAULT_RATE_LIMITS.activationsPer15Minutes,
			1,
			1_000_000,
			errors
		)
	};

	if (rateLimits.messagesPerDevicePerDay < rateLimits.messagesPerDevicePerHour) {
		errors.push(
			`RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY (${rateLimits.messagesPerDevicePerDay}) must be at least RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR (${rateLimits.messagesPerDevicePerHour}): a day holds every hour of it.`
		);
	}

	const trustedProxies: string[] = [];
	for (const item of text('TRUSTED_PROXIES').split(',')) {
		if (item.trim() === '') continue;
		const entry = parseProxyEntry(item);
		if (entry === undefined) {
			errors.push(
				`TRUSTED_PROXIES must be a comma-separated list of "loopback", IP addresses and ranges such as 10.0.0.0/8, but "${item.trim()}" is not one.`
			);
		} else {
			trustedProxies.push(entry);
		}
	}
	const connectionLimits: ConnectionLimits = {
		total: readWholeNumber(env, 'MAX_CONNECTIONS', DEFAULT_CONNECTION_LIMITS.total, 1, 1_000_000, errors),
		perAddress: readWholeNumber(
			env,
			'MAX_CONNECTIONS_PER_ADDRESS',
			DEFAULT_CONNECTION_LIMITS.perAddress,
			1,
			1_000_000,
			errors
		)
	};

	const logLevel = readChoice(env, 'LOG_LEVEL', LOG_LEVELS, 'info', errors);
	const logFormat = readChoice(env, 'LOG_FORMAT', LOG_FORMATS, 'text', errors);

	if (errors.length > 0) return { ok: false, errors };
	return {
		ok: true,
		config: {
			port,
			host,
			dataDir,
			staticDir,
			publicUrl,
			allowedOrigins,
			smtpUrl,
			smtpPlaintextHost,
			mailFrom,
			smsWebhookUrl,
			smsWebhookToken,
			activationTtlHours,
			initialPasswordTtlHours,
			passwordHashing,
			rateLimits,
			trustedProxies,
			connectionLimits,
			logLevel,
			logFormat
		}
	};
}

function readWholeNumber(
	env: Env,
	name: string,
	fallback: number,
	min: number,
	max: number,
	errors: string[]
): number {
	const raw = env[name]?.trim() ?? '';
	if (raw === '') return fallback;
	const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
	if (!Number.isInteger(value) || value < min || value > max) {
		errors.push(`${name} must be a whole number from ${min} to ${max}, but it is "${env[name]}".`);
		return fallback;
	}
	return value;
}

function readChoice<T extends string>(
	env: Env,
	name: string,
	choices: readonly T[],
	fallback: T,
	errors: string[]
): T {
	const raw = env[name]?.trim().toLowerCase() ?? '';
	if (raw === '') return fallback;
	const choice = choices.find((item) => item === raw);
	if (!choice) errors.push(`${name} must be one of ${choices.join(', ')}, but it is "${env[name]}".`);
	return choice ?? fallback;
}

function parseUrl(value: string, protocols: readonly string[]): URL | undefined {
	try {
		const url = new URL(value);
		return protocols.includes(url.protocol) ? url : undefined;
	} catch {
		return undefined;
	}
}

/** `address` or `Name <address>`; the name may not hold anything that could end a header. */
function parseMailFrom(value: string): MailFrom | undefined {
	const match = /^(?:([^<>"\r\n]*?)\s*<([^<>\s]+)>|([^<>\s]+))$/.exec(value);
	if (!match) return undefined;
	const address = match[2] ?? match[3] ?? '';
	const parsed = parseEmail(address);
	if (!parsed.ok && !/^[A-Za-z0-9._+-]+@localhost$/.test(address)) return undefined;
	return { name: match[1]?.trim() ?? '', address };
}
