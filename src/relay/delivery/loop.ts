import type { DatabaseSync } from 'node:sqlite';
import type { MessageTemplate } from '../../lib/domain/relay-protocol.ts';
import { readLicenseKey } from '../../lib/domain/license-key.ts';
import type { HashQueue } from '../accounts/hash-queue.ts';
import { hashPassword } from '../accounts/password.ts';
import type { RelayConfig } from '../config.ts';
import { silentLogger, type Logger } from '../log.ts';
import {
	forgetMessagesOf,
	getAccount,
	hasInitialPasswordFrom,
	mintMessageLink,
	setInitialPassword
} from '../store/accounts.ts';
import { transaction } from '../store/database.ts';
import { isCurrentKey } from '../store/licenses.ts';
import { recordEvent } from '../store/events.ts';
import { WriteHealth } from '../store/write-health.ts';
import { messageId as publicId } from '../messages/accept.ts';
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
	/** Messages delivered at the same time, in each lane (mail, SMS). */
	readonly concurrency?: number;
	/** The first retry waits up to this long, doubling each time (tests shorten it). */
	readonly retryBaseMs?: number;
	/** Whether the database takes writes; by default one of the loop's own. */
	readonly health?: WriteHealth;
	readonly log?: Logger;
	/** Where an SMS's initial password waits its turn to be hashed; without one it is hashed at once. */
	readonly hashing?: HashQueue;
	/** The key activation links are derived from (link-key.ts). */
	readonly linkKey: Buffer;
}

/** Why a message about an account the app suspended, deleted or wrote to again is not sent, in the admin's words. */
export const NOT_SENT = {
	suspended: 'Not sent: the user is suspended.',
	deleted: 'Not sent: the user was deleted.',
	replaced: 'Not sent: a newer message to this user replaced it before it left.',
	revoked: 'Not sent again: the link it carries no longer works (the user was suspended meanwhile).',
	oldKey:
		"Not sent: the user's license key was regenerated after this welcome mail was queued; the key it carries no longer works."
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
 * Mail and SMS leave through separate lanes, each with its own workers, so a mail server that stalls
 * never holds up an SMS (nor a webhook a mail).
 */
type LaneKind = 'mail' | 'sms';
const LANE_FILTER: Record<LaneKind, string> = {
	mail: "template <> 'sms-login'",
	sms: "template = 'sms-login'"
};

interface Lane {
	readonly kind: LaneKind;
	active: number;
	timer: NodeJS.Timeout | undefined;
	/** A worker hit an internal error: the next look waits, so a poisoned row cannot spin the loop. */
	hasFailed: boolean;
}

/**
 * Sends accepted messages, oldest first. Each message is marked 'sending' in its own committed
 * transaction before it leaves, and marked done in another after. A message still 'sending' at start-up
 * was cut off by a crash: it is sent again with the same Message-ID (at least once, never lost). For the
 * mailbox the write and the mark are one transaction, so it is exactly once.
 *
 * When the database stops taking writes (a full disk), the loop pauses instead of failing: a message that
 * left but whose outcome could not be recorded keeps that outcome in memory, one that could not leave is
 * put back in the queue, both as soon as writes work again; then delivery resumes by itself.
 */
export class DeliveryLoop {
	readonly #options: DeliveryOptions;
	readonly #concurrency: number;
	readonly #health: WriteHealth;
	readonly #log: Logger;
	readonly #lanes: readonly Lane[] = (['mail', 'sms'] as const).map((kind) => ({
		kind,
		active: 0,
		timer: undefined,
		hasFailed: false
	}));
	#isStopped = true;
	#idle: (() => void)[] = [];
	/** Sent (or refused) while the database could not record it: written first when it can. */
	readonly #unrecorded = new Map<number, { job: Job; outcome: SendOutcome }>();
	/** Claimed but never sent while the database failed: back in the queue when it can write. */
	readonly #stranded = new Set<number>();

	constructor(options: DeliveryOptions) {
		this.#options = options;
		this.#concurrency = options.concurrency ?? 4;
		this.#log = options.log ?? silentLogger;
		this.#health = options.health ?? new WriteHealth(options.db, { log: this.#log });
		this.#health.onRecovered(() => this.#recover());
	}

	start(): void {
		this.#isStopped = false;
		// Cut off by a crash: back in the queue, to be sent again. Read first, so that starting on a full
		// disk writes nothing it need not; if the write fails, they go back once the disk takes writes.
		const { db } = this.#options;
		const cut = db.prepare("SELECT id FROM messages WHERE state = 'sending'").all() as { id: number }[];
		try {
			if (cut.length > 0) db.prepare("UPDATE messages SET state = 'queued' WHERE state = 'sending'").run();
		} catch (error) {
			if (!this.#health.noteFailure(error)) throw error;
			for (const row of cut) this.#stranded.add(row.id);
		}
		this.wake();
	}

	/** Something new was accepted: look now rather than at the next timer. */
	wake(): void {
		if (this.#isStopped || !this.#health.isWritable) return;
		for (const lane of this.#lanes) {
			clearTimeout(lane.timer);
			lane.timer = undefined;
			while (lane.active < this.#concurrency) {
				lane.active++;
				void this.#work(lane).then(() => {
					lane.active--;
					if (lane.active === 0) this.#whenIdle(lane);
				});
			}
		}
	}

	/** Stops taking messages and waits for those in flight. */
	async stop(): Promise<void> {
		this.#isStopped = true;
		for (const lane of this.#lanes) clearTimeout(lane.timer);
		if (this.#activeCount() > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
	}

	/** Resolves once nothing is due (for tests and the benchmark). */
	async settled(): Promise<void> {
		while (this.#activeCount() > 0 || this.#nextDue() <= Date.now()) {
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	#activeCount(): number {
		return this.#lanes.reduce((sum, lane) => sum + lane.active, 0);
	}

	#whenIdle(lane: Lane): void {
		if (this.#activeCount() === 0) for (const resolve of this.#idle.splice(0)) resolve();
		if (this.#isStopped || !this.#health.isWritable) return;
		let next: number;
		try {
			next = this.#nextDue(lane.kind);
		} catch (error) {
			this.#internalError(error);
			return;
		}
		if (next === Number.POSITIVE_INFINITY) return;
		// A timer no longer than 30 s also catches messages written by another process.
		const delay = Math.min(Math.max(next - Date.now(), lane.hasFailed ? BASE_BACKOFF_MS : 0), 30_000);
		lane.hasFailed = false;
		lane.timer = setTimeout(() => this.wake(), delay);
		lane.timer.unref();
	}

	#nextDue(kind?: LaneKind): number {
		const row = this.#options.db
			.prepare(
				`SELECT min(next_attempt_at) AS next FROM messages WHERE state = 'queued'${kind ? ` AND ${LANE_FILTER[kind]}` : ''}`
			)
			.get() as { next: number | null } | undefined;
		return row?.next ?? Number.POSITIVE_INFINITY;
	}

	/** One worker: takes due messages of its lane until none is left, the loop stops, or writes fail. */
	async #work(lane: Lane): Promise<void> {
		try {
			while (!this.#isStopped && this.#health.isWritable) {
				const job = this.#claim(lane.kind);
				if (!job) return;
				let outcome: SendOutcome | undefined;
				try {
					outcome = await this.#deliver(job);
				} catch (error) {
					if (this.#health.noteFailure(error)) {
						// Nothing left the relay: the message goes back in the queue once the disk takes writes.
						this.#stranded.add(job.id);
						return;
					}
					this.#log.error('delivery-failed', `Delivering a message hit an internal error: ${String(error)}`, {
						message: publicId(job.id)
					});
					outcome = { kind: 'retry', reason: 'The relay hit an internal error; it will try again.' };
				}
				if (outcome) this.#finish(job, outcome);
			}
		} catch (error) {
			if (this.#health.noteFailure(error)) return;
			lane.hasFailed = true;
			this.#internalError(error);
		}
	}

	/** A failed write pauses the loop (the health probes and wakes it); anything else is logged. */
	#internalError(error: unknown): void {
		if (this.#health.noteFailure(error)) return;
		this.#log.error('delivery-loop-failed', `The delivery loop hit an internal error: ${String(error)}`);
	}

	#claim(kind: LaneKind): Job | undefined {
		const { db } = this.#options;
		return transaction(db, () => {
			const row = db
				.prepare(
					`SELECT id, idempotency_key, template, recipient, user_id, payload, attempts FROM messages
					 WHERE state = 'queued' AND next_attempt_at <= ? AND ${LANE_FILTER[kind]}
					 ORDER BY next_attempt_at, id LIMIT 1`
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

	/** Writes what the outage held back: outcomes first, then the stranded messages back in the queue. */
	#recover(): void {
		const { db } = this.#options;
		try {
			transaction(db, () => {
				for (const { job, outcome } of this.#unrecorded.values()) this.#record(job, outcome);
				const requeue = db.prepare(
					"UPDATE messages SET state = 'queued', attempts = max(attempts - 1, 0) WHERE id = ? AND state = 'sending'"
				);
				for (const id of this.#stranded) requeue.run(id);
			});
		} catch (error) {
			this.#internalError(error);
			return;
		}
		for (const { job, outcome } of this.#unrecorded.values()) this.#logOutcome(job, outcome);
		this.#unrecorded.clear();
		this.#stranded.clear();
		this.wake();
	}

	/** Sends `job`; the outcome to record, or undefined when the mailbox took and recorded it at once. */
	async #deliver(job: Job): Promise<SendOutcome | undefined> {
		const { db, config, sendMail, sendSms, linkKey } = this.#options;
		const account = getAccount(db, job.userId);
		if (account?.isDeleted || account?.isSuspended) {
			return { kind: 'undeliverable', reason: NOT_SENT[account.isDeleted ? 'deleted' : 'suspended'] };
		}
		// A welcome mail queued before the key was regenerated would hand out a key that activates nothing.
		const key = job.template === 'welcome' ? readLicenseKey(job.payload.values.licenseKey ?? '') : undefined;
		if (key?.ok && !isCurrentKey(db, job.userId, key.value)) {
			return { kind: 'undeliverable', reason: NOT_SENT.oldKey };
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
			if (password !== undefined && !hasInitialPasswordFrom(db, job.userId, job.id)) {
				setInitialPassword(db, job.userId, await this.#hash(password), Date.now(), job.id);
			}
			const text = renderSms(input);
			if (!sendSms) {
				this.#toMailbox(job, { kind: 'sms', subject: null, text, html: null });
				return undefined;
			}
			const outcome = await sendSms({
				to: job.recipient,
				text,
				messageId,
				idempotencyKey: job.idempotencyKey
			});
			// A webhook's error may echo the request: its reason is logged and shown to the admin.
			return password === undefined ? outcome : withoutSecret(outcome, password);
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
			if (link.reason === 'used') return { kind: 'delivered' };
			return { kind: 'undeliverable', reason: NOT_SENT[link.reason] };
		}
		if (link.revoked > 0) {
			this.#log.debug('links-revoked', "A new link replaced the user's earlier ones", {
				user: job.userId,
				count: link.revoked
			});
		}
		const mail = renderMail({
			...input,
			activationUrl: `${config.publicUrl}/activate/${link.token}`,
			replacesEarlier: link.replacesEarlier
		});
		if (!sendMail) {
			this.#toMailbox(job, { kind: 'mail', ...mail });
			return undefined;
		}
		return sendMail({ to: job.recipient, messageId, ...mail });
	}

	/** In the person lane of the relay's HashQueue; a full queue fails this try and the message is retried. */
	#hash(password: string): Promise<string> {
		const { hashing } = this.#options;
		if (!hashing) return hashPassword(password);
		const queued = hashing.run('person', () => hashPassword(password));
		if (!queued) throw new Error('too many passwords are waiting to be hashed');
		return queued;
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
		this.#logOutcome(job, { kind: 'delivered' });
	}

	/** Records the outcome; one the database cannot take now waits in memory for it (the message left). */
	#finish(job: Job, outcome: SendOutcome): void {
		try {
			transaction(this.#options.db, () => this.#record(job, outcome));
		} catch (error) {
			if (!this.#health.noteFailure(error)) throw error;
			this.#unrecorded.set(job.id, { job, outcome });
			return;
		}
		this.#logOutcome(job, outcome);
	}

	/**
	 * One line per outcome. A mail's recipient appears as its domain only: enough to see that one provider
	 * bounces everything, while the log (often shipped to other systems and kept long) holds no addresses;
	 * the message id finds the full recipient in the database.
	 */
	#logOutcome(job: Job, outcome: SendOutcome): void {
		const fields = {
			message: publicId(job.id),
			template: job.template,
			attempt: job.attempts,
			...(job.template === 'sms-login'
				? {}
				: { domain: job.recipient.slice(job.recipient.lastIndexOf('@') + 1) })
		};
		if (outcome.kind === 'delivered') {
			this.#log.info('delivered', 'A message was delivered.', fields);
		} else if (outcome.kind === 'retry' && job.attempts < MAX_ATTEMPTS) {
			this.#log.warn('delivery-retry', 'A message could not be delivered yet; it will be tried again.', {
				...fields,
				reason: withoutAddresses(outcome.reason)
			});
		} else {
			this.#log.warn('undeliverable', 'A message was given up as undeliverable.', {
				...fields,
				reason: withoutAddresses(outcome.reason)
			});
		}
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
		// Deleted while this one was on its way: its address and names go the way of the rest of its history.
		if (getAccount(db, job.userId)?.isDeleted) forgetMessagesOf(db, job.userId);
		recordEvent(
			db,
			{ type: state, userId: job.userId, idempotencyKey: job.idempotencyKey, ...(reason ? { reason } : {}) },
			now
		);
	}
}

/** The outcome with `secret` (as written, and as JSON writes it) cut out of its reason. */
function withoutSecret(outcome: SendOutcome, secret: string): SendOutcome {
	if (outcome.kind === 'delivered') return outcome;
	let reason = outcome.reason;
	for (const form of [secret, JSON.stringify(secret).slice(1, -1)]) {
		reason = reason.split(form).join('[the password]');
	}
	return { ...outcome, reason };
}

/** A server's reason often quotes the recipient: keep its domain, drop the person. */
function withoutAddresses(text: string): string {
	return text.replace(/[^\s<>"'(),;:@]+@([A-Za-z0-9.-]+)/g, '…@$1');
}
