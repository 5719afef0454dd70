import type { DatabaseSync } from 'node:sqlite';
import type { MessageTemplate } from '../../lib/domain/relay-protocol.ts';
import { hashPassword } from '../accounts/password.ts';
import type { RelayConfig } from '../config.ts';
import { silentLogger, type Logger } from '../log.ts';
import { getAccount, mintMessageLink, setInitialPassword } from '../store/accounts.ts';
import { transaction } from '../store/database.ts';
import { recordEvent } from '../store/events.ts';
import type { ValidMessage } from '../messages/validate.ts';
import { renderMail, renderSms, type TemplateInput } from './templates.ts';
import type { MailSender, SendOutcome, SmsSender } from './transports.ts';

/** After this many failed tries a message is given up as undeliverable. */
export const MAX_ATTEMPTS = 12;
const BASE_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 60 * 60_000;

export interface DeliveryOptions {
	readonly db: DatabaseSync;
	readonly config: Pick<RelayConfig, 'publicUrl' | 'activationTtlHours'>;
	/** Undefined: mail goes to the built-in mailbox. */
	readonly sendMail?: MailSender;
	/** Undefined: SMS go to the built-in mailbox. */
	readonly sendSms?: SmsSender;
	/** Messages delivered at the same time. */
	readonly concurrency?: number;
	/** The first retry waits up to this long, doubling each time (tests shorten it). */
	readonly retryBaseMs?: number;
	readonly log?: Logger;
	/** The key activation links are derived from (link-key.ts). */
	readonly linkKey: Buffer;
}

/** Why a message about an account the app suspended, deleted or wrote to again is not sent, in the admin's words. */
export const NOT_SENT = {
	suspended: 'Not sent: the user is suspended.',
	deleted: 'Not sent: the user was deleted.',
	replaced: 'Not sent: a newer message to this user replaced it before it left.',
	revoked: 'Not sent again: the link it carries no longer works (the user was suspended meanwhile).'
} as const;

interface Job {
	readonly id: number;
	readonly idempotencyKey: string;
	readonly template: MessageTemplate;
	readonly recipient: string;
	readonly userId: string;
	readonly payload: Pick<ValidMessage, 'user' | 'values'>;
	readonly attempts: number;
}

/**
 * Sends accepted messages, oldest first. Each message is marked 'sending' in its own committed
 * transaction before it leaves, and marked done in another after. A message still 'sending' at start-up
 * was cut off by a crash: it is sent again with the same Message-ID (at least once, never lost). For the
 * mailbox the write and the mark are one transaction, so it is exactly once.
 */
export class DeliveryLoop {
	readonly #options: DeliveryOptions;
	readonly #concurrency: number;
	#active = 0;
	#timer: NodeJS.Timeout | undefined;
	#isStopped = true;
	#idle: (() => void)[] = [];

	constructor(options: DeliveryOptions) {
		this.#options = options;
		this.#concurrency = options.concurrency ?? 4;
	}

	start(): void {
		this.#isStopped = false;
		this.#options.db.prepare("UPDATE messages SET state = 'queued' WHERE state = 'sending'").run();
		this.wake();
	}

	/** Something new was accepted: look now rather than at the next timer. */
	wake(): void {
		if (this.#isStopped) return;
		clearTimeout(this.#timer);
		this.#timer = undefined;
		while (this.#active < this.#concurrency) {
			this.#active++;
			void this.#work().finally(() => {
				this.#active--;
				if (this.#active === 0) this.#whenIdle();
			});
		}
	}

	/** Stops taking messages and waits for those in flight. */
	async stop(): Promise<void> {
		this.#isStopped = true;
		clearTimeout(this.#timer);
		if (this.#active > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
	}

	/** Resolves once nothing is due (for tests and the benchmark). */
	async settled(): Promise<void> {
		while (this.#active > 0 || this.#nextDue() <= Date.now()) {
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	#whenIdle(): void {
		for (const resolve of this.#idle.splice(0)) resolve();
		if (this.#isStopped) return;
		const next = this.#nextDue();
		if (next === Number.POSITIVE_INFINITY) return;
		// A timer no longer than 30 s also catches messages written by another process.
		const delay = Math.min(Math.max(next - Date.now(), 0), 30_000);
		this.#timer = setTimeout(() => this.wake(), delay);
		this.#timer.unref();
	}

	#nextDue(): number {
		const row = this.#options.db
			.prepare("SELECT min(next_attempt_at) AS next FROM messages WHERE state = 'queued'")
			.get() as { next: number | null } | undefined;
		return row?.next ?? Number.POSITIVE_INFINITY;
	}

	async #work(): Promise<void> {
		while (!this.#isStopped) {
			const job = this.#claim();
			if (!job) return;
			try {
				await this.#deliver(job);
			} catch (error) {
				(this.#options.log ?? silentLogger).error(
					'delivery-failed',
					`Delivering a message hit an internal error: ${String(error)}`,
					{ message: job.id }
				);
				this.#finish(job, { kind: 'retry', reason: 'The relay hit an internal error; it will try again.' });
			}
		}
	}

	#claim(): Job | undefined {
		const { db } = this.#options;
		return transaction(db, () => {
			const row = db
				.prepare(
					`SELECT id, idempotency_key, template, recipient, user_id, payload, attempts FROM messages
					 WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1`
				)
				.get(Date.now()) as
				| {
						id: number;
						idempotency_key: string;
						template: MessageTemplate;
						recipient: string;
						user_id: string;
						payload: string;
						attempts: number;
				  }
				| undefined;
			if (!row) return undefined;
			db.prepare("UPDATE messages SET state = 'sending', attempts = attempts + 1 WHERE id = ?").run(row.id);
			return {
				id: row.id,
				idempotencyKey: row.idempotency_key,
				template: row.template,
				recipient: row.recipient,
				userId: row.user_id,
				payload: JSON.parse(row.payload) as Job['payload'],
				attempts: row.attempts + 1
			};
		});
	}

	async #deliver(job: Job): Promise<void> {
		const { db, config, sendMail, sendSms, linkKey } = this.#options;
		const account = getAccount(db, job.userId);
		if (account?.isDeleted || account?.isSuspended) {
			return this.#finish(job, {
				kind: 'undeliverable',
				reason: NOT_SENT[account.isDeleted ? 'deleted' : 'suspended']
			});
		}
		const input: TemplateInput = {
			template: job.template,
			displayName: account?.displayName ?? job.payload.user.displayName,
			username: account?.username ?? job.payload.user.username,
			email: account?.email ?? job.payload.user.email,
			licenseKey: job.payload.values.licenseKey,
			password: job.payload.values.password,
			signInUrl: `${config.publicUrl}/signin`,
			activationTtlHours: config.activationTtlHours
		};
		const messageId = `<${job.idempotencyKey}@${new URL(config.publicUrl).hostname}>`;

		if (job.template === 'sms-login') {
			// The admin's initial password becomes the account's (hashed) before the SMS that names it leaves.
			const password = job.payload.values.password;
			if (password !== undefined) setInitialPassword(db, job.userId, await hashPassword(password));
			const text = renderSms(input);
			if (!sendSms) return this.#toMailbox(job, { kind: 'sms', subject: null, text, html: null });
			const outcome = await sendSms({
				to: job.recipient,
				text,
				messageId,
				idempotencyKey: job.idempotencyKey
			});
			return this.#finish(job, outcome);
		}

		// Every attempt of one message carries the same link (in case an earlier attempt's mail did arrive); a
		// newer message's link kills this one, and this one kills older ones.
		const link = transaction(db, () =>
			mintMessageLink(
				db,
				linkKey,
				{ id: job.id, idempotencyKey: job.idempotencyKey, userId: job.userId },
				config.activationTtlHours * 3_600_000
			)
		);
		if (!link.ok) {
			// The person used this message's link: an earlier attempt did arrive.
			if (link.reason === 'used') return this.#finish(job, { kind: 'delivered' });
			return this.#finish(job, { kind: 'undeliverable', reason: NOT_SENT[link.reason] });
		}
		if (link.revoked > 0) {
			(this.#options.log ?? silentLogger).debug(
				'links-revoked',
				"A new link replaced the user's earlier ones",
				{
					user: job.userId,
					count: link.revoked
				}
			);
		}
		const mail = renderMail({
			...input,
			activationUrl: `${config.publicUrl}/activate/${link.token}`,
			replacesEarlier: link.replacesEarlier
		});
		if (!sendMail) return this.#toMailbox(job, { kind: 'mail', ...mail });
		const outcome = await sendMail({ to: job.recipient, messageId, ...mail });
		return this.#finish(job, outcome);
	}

	#toMailbox(
		job: Job,
		content: { kind: 'mail' | 'sms'; subject: string | null; text: string; html: string | null }
	): void {
		const { db } = this.#options;
		transaction(db, () => {
			db.prepare(
				'INSERT INTO mailbox (kind, message_id, recipient, subject, text, html, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
			).run(content.kind, job.id, job.recipient, content.subject, content.text, content.html, Date.now());
			this.#record(job, { kind: 'delivered' });
		});
	}

	#finish(job: Job, outcome: SendOutcome): void {
		transaction(this.#options.db, () => this.#record(job, outcome));
	}

	/** The message's new state and its event; call inside a transaction. */
	#record(job: Job, outcome: SendOutcome): void {
		const { db } = this.#options;
		const now = Date.now();
		if (outcome.kind === 'retry' && job.attempts < MAX_ATTEMPTS) {
			const ceiling = Math.min(
				MAX_BACKOFF_MS,
				(this.#options.retryBaseMs ?? BASE_BACKOFF_MS) * 2 ** (job.attempts - 1)
			);
			db.prepare(
				"UPDATE messages SET state = 'queued', next_attempt_at = ?, last_error = ? WHERE id = ?"
			).run(now + Math.round(Math.random() * ceiling), outcome.reason, job.id);
			return;
		}
		const state = outcome.kind === 'delivered' ? 'delivered' : 'undeliverable';
		const reason =
			outcome.kind === 'delivered'
				? null
				: outcome.kind === 'retry'
					? `Gave up after ${job.attempts} attempts. ${outcome.reason}`
					: outcome.reason;
		// The password has done its job: no readable copy stays behind.
		const values: { licenseKey?: string; password?: string } = { ...job.payload.values };
		delete values.password;
		db.prepare(
			'UPDATE messages SET state = ?, finished_at = ?, last_error = ?, payload = ? WHERE id = ?'
		).run(state, now, reason, JSON.stringify({ user: job.payload.user, values }), job.id);
		recordEvent(
			db,
			{ type: state, userId: job.userId, idempotencyKey: job.idempotencyKey, ...(reason ? { reason } : {}) },
			now
		);
	}
}
