// How a rendered message leaves the relay. Each answer says what to do next: done, never (with the
// reason the admin sees), or again later.
import nodemailer from 'nodemailer';
import type { MailFrom } from '../config.ts';
import type { MailContent } from './templates.ts';

export type SendOutcome =
	| { readonly kind: 'delivered' }
	| { readonly kind: 'undeliverable'; readonly reason: string }
	| { readonly kind: 'retry'; readonly reason: string };

export interface OutgoingMail extends MailContent {
	readonly to: string;
	/** Derived from the idempotency key: the same message sent again carries the same Message-ID. */
	readonly messageId: string;
}

export interface OutgoingSms {
	readonly to: string;
	readonly text: string;
	readonly messageId: string;
	readonly idempotencyKey: string;
}

export type MailSender = (mail: OutgoingMail) => Promise<SendOutcome>;
export type SmsSender = (sms: OutgoingSms) => Promise<SendOutcome>;

/** Connection, greeting and inactivity limit: a server that stalls (even after DATA) frees its slot. */
export const SMTP_TIMEOUT_MS = 60_000;

export interface SmtpOptions {
	/** The one SMTP host allowed to take the credentials without TLS (SMTP_ALLOW_PLAINTEXT). */
	readonly plaintextHost?: string;
	/** Tests shorten it. */
	readonly timeoutMs?: number;
	/** Which hosts are this machine (a seam for tests): a local MTA needs no TLS. */
	readonly isLoopbackHost?: (host: string) => boolean;
}

/** What nodemailer is given: every setting the relay relies on, none left to the URL. */
export interface SmtpTransportOptions {
	readonly pool: true;
	readonly host: string;
	readonly port: number | undefined;
	/** smtps://: TLS from the first byte. */
	readonly secure: boolean;
	/** STARTTLS or no session: never the password (or a message) in clear to another machine. */
	readonly requireTLS: boolean;
	readonly auth: { readonly user: string; readonly pass: string } | undefined;
	readonly connectionTimeout: number;
	readonly greetingTimeout: number;
	readonly socketTimeout: number;
}

/** 127.0.0.0/8, ::1 and localhost: a mail server on this machine. */
export function isLoopbackHost(host: string): boolean {
	const name = host.replace(/^\[|\]$/g, '').toLowerCase();
	return name === 'localhost' || name === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(name);
}

/**
 * The transport's settings from SMTP_URL (checked by readConfig): pooled, so one session carries many
 * messages; TLS required for any server not on this machine unless the admin named it in
 * SMTP_ALLOW_PLAINTEXT.
 */
export function smtpTransportOptions(smtpUrl: string, options: SmtpOptions = {}): SmtpTransportOptions {
	const url = new URL(smtpUrl);
	const host = url.hostname.replace(/^\[|\]$/g, '');
	const secure = url.protocol === 'smtps:';
	const isLocal = (options.isLoopbackHost ?? isLoopbackHost)(host);
	const timeout = options.timeoutMs ?? SMTP_TIMEOUT_MS;
	return {
		pool: true,
		host,
		port: url.port ? Number(url.port) : undefined,
		secure,
		requireTLS: !secure && !isLocal && host.toLowerCase() !== options.plaintextHost?.toLowerCase(),
		auth: url.username
			? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
			: undefined,
		connectionTimeout: timeout,
		greetingTimeout: timeout,
		socketTimeout: timeout
	};
}

/** Mail through an SMTP server (nodemailer). */
export function smtpSender(
	smtpUrl: string,
	from: MailFrom,
	options: SmtpOptions = {}
): { send: MailSender; close: () => void } {
	const transporter = nodemailer.createTransport(smtpTransportOptions(smtpUrl, options));
	const send: MailSender = async (mail) => {
		try {
			await transporter.sendMail({
				from: { name: from.name, address: from.address },
				to: mail.to,
				// Stated outright, so nothing in the headers can add a recipient.
				envelope: { from: from.address, to: [mail.to] },
				subject: mail.subject,
				text: mail.text,
				html: mail.html,
				messageId: mail.messageId,
				disableFileAccess: true,
				disableUrlAccess: true
			});
			return { kind: 'delivered' };
		} catch (error) {
			return smtpOutcome(error);
		}
	};
	return { send, close: () => transporter.close() };
}

/**
 * A 5xx reply from the server is final (no such mailbox, refused); anything else may pass later. So is a
 * server that cannot do TLS: the admin can fix it, and the messages wait meanwhile.
 */
export function smtpOutcome(error: unknown): SendOutcome {
	const details = error as { responseCode?: unknown; response?: unknown; message?: unknown; code?: unknown };
	const reason = oneLine(String(details.response ?? details.message ?? error));
	if (details.code === 'ETLS') {
		return {
			kind: 'retry',
			reason: `The mail server did not set up STARTTLS (${reason}); the relay sends the password and mail to another machine only encrypted. Enable STARTTLS on the server, use smtps://, or name it in SMTP_ALLOW_PLAINTEXT.`
		};
	}
	if (typeof details.responseCode === 'number' && details.responseCode >= 500) {
		return { kind: 'undeliverable', reason: `The mail server refused the message: ${reason}` };
	}
	return { kind: 'retry', reason: `The mail server could not take the message now: ${reason}` };
}

/**
 * SMS through a webhook: POST application/json { to, text, messageId, idempotencyKey } with an
 * Idempotency-Key header (and Authorization: Bearer <SMS_WEBHOOK_TOKEN> when set).
 * 2xx: delivered; 4xx: undeliverable with the reply as reason; 5xx or no answer: retried later.
 */
export function webhookSender(url: string, token: string | undefined): SmsSender {
	return async (sms) => {
		let response: Response;
		try {
			response = await fetch(url, {
				method: 'POST',
				headers: {
					'Content-Type': 'application/json',
					'Idempotency-Key': sms.idempotencyKey,
					...(token ? { Authorization: `Bearer ${token}` } : {})
				},
				body: JSON.stringify(sms),
				redirect: 'error',
				signal: AbortSignal.timeout(15_000)
			});
		} catch (error) {
			return { kind: 'retry', reason: `The SMS webhook did not answer: ${oneLine(String(error))}` };
		}
		const body = oneLine(await response.text().catch(() => ''));
		if (response.ok) return { kind: 'delivered' };
		const reason = `The SMS webhook answered ${response.status}${body ? `: ${body}` : ''}`;
		if (response.status >= 400 && response.status < 500) return { kind: 'undeliverable', reason };
		return { kind: 'retry', reason };
	};
}

function oneLine(text: string): string {
	return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
