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

/** Mail through an SMTP server (nodemailer). */
export function smtpSender(smtpUrl: string, from: MailFrom): { send: MailSender; close: () => void } {
	// Pooled: one SMTP session carries many messages instead of a connection and handshake each.
	const url = new URL(smtpUrl);
	if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
	const transporter = nodemailer.createTransport(url.href);
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

/** A 5xx reply from the server is final (no such mailbox, refused); anything else may pass later. */
export function smtpOutcome(error: unknown): SendOutcome {
	const details = error as { responseCode?: unknown; response?: unknown; message?: unknown };
	const reason = oneLine(String(details.response ?? details.message ?? error));
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
