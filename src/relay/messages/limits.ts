// How many messages one device, and one recipient, may have accepted in a window. Counted from the messages
// table itself (an accepted message is a row), so the limits are exact and survive a restart; two indexes
// keep each count to the rows of its window.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { emailKey } from '../../lib/domain/email.ts';
import type { MessageTemplate } from '../../lib/domain/relay-protocol.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The most messages accepted per window; only new messages count (a replay sends nothing). */
export interface MessageLimits {
	readonly perRecipientPerHour: number;
	readonly perDevicePerHour: number;
	readonly perDevicePerDay: number;
}

/** Why a message waits, and for how long. */
export interface LimitReached {
	readonly retryAfterSeconds: number;
	/** In the admin's words. */
	readonly reason: string;
	/** Which limit: for the operator's log. */
	readonly limit: 'device-hour' | 'device-day' | 'recipient-hour';
}

/**
 * The key a recipient is limited under: case, Unicode normalisation and the Unicode or punycode spelling
 * of the domain all count as one address (ann@bücher.example is ann@xn--bcher-kva.example). A phone number
 * is already in one form (E.164).
 */
export function recipientKey(template: MessageTemplate, to: string): string {
	return template === 'sms-login' ? to : emailKey(to);
}

const number = new Intl.NumberFormat('en');

/**
 * The limits for one batch of one device. The device's counts are read once per batch and then kept up
 * to date as messages are accepted; a recipient's count is read per message (it is a handful of rows).
 * Use inside the batch's transaction, and call accepted() for every message stored.
 */
export class BatchLimits {
	readonly #limits: MessageLimits;
	readonly #now: number;
	readonly #deviceId: string;
	readonly #nthNewestOfDevice: StatementSync;
	readonly #nthNewestOfRecipient: StatementSync;
	#lastHour: number;
	#lastDay: number;
	/** Whether the device could send when the batch began: the batch that reaches a cap is the news. */
	readonly wasUnderCaps: boolean;

	constructor(db: DatabaseSync, deviceId: string, limits: MessageLimits, now: number) {
		this.#limits = limits;
		this.#now = now;
		this.#deviceId = deviceId;
		// Counted up to the cap only: past it the number does not matter, and the work stays bounded.
		const count = db.prepare(
			'SELECT count(*) AS n FROM (SELECT 1 FROM messages WHERE device_id = ? AND created_at > ? LIMIT ?)'
		);
		const counted = (since: number, cap: number) => (count.get(deviceId, since, cap) as { n: number }).n;
		this.#lastHour = counted(now - HOUR, limits.perDevicePerHour);
		this.#lastDay = counted(now - DAY, limits.perDevicePerDay);
		this.wasUnderCaps = this.#lastHour < limits.perDevicePerHour && this.#lastDay < limits.perDevicePerDay;
		// The n-th newest row of a window: while it is in the window, so are n rows; when it leaves, there
		// is room for one more.
		this.#nthNewestOfDevice = db.prepare(
			`SELECT created_at FROM messages WHERE device_id = ? AND created_at > ?
			 ORDER BY created_at DESC LIMIT 1 OFFSET ?`
		);
		this.#nthNewestOfRecipient = db.prepare(
			`SELECT created_at FROM messages WHERE recipient_key = ? AND created_at > ?
			 ORDER BY created_at DESC LIMIT 1 OFFSET ?`
		);
	}

	/** Whether one more message to `recipient` must wait, and why; undefined when it may go now. */
	check(recipient: string): LimitReached | undefined {
		const { perDevicePerHour, perDevicePerDay, perRecipientPerHour } = this.#limits;
		if (this.#lastDay >= perDevicePerDay) {
			return {
				limit: 'device-day',
				retryAfterSeconds: this.#wait(this.#nthNewestOfDevice, this.#deviceId, DAY, perDevicePerDay),
				reason: `This device has sent ${number.format(perDevicePerDay)} messages in the last 24 hours, the most the relay takes from one device (its RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY).`
			};
		}
		if (this.#lastHour >= perDevicePerHour) {
			return {
				limit: 'device-hour',
				retryAfterSeconds: this.#wait(this.#nthNewestOfDevice, this.#deviceId, HOUR, perDevicePerHour),
				reason: `This device has sent ${number.format(perDevicePerHour)} messages in the last hour, the most the relay takes from one device (its RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR).`
			};
		}
		const recipientWait = this.#wait(this.#nthNewestOfRecipient, recipient, HOUR, perRecipientPerHour);
		if (recipientWait > 0) {
			return {
				limit: 'recipient-hour',
				retryAfterSeconds: recipientWait,
				reason: `This recipient was sent ${number.format(perRecipientPerHour)} messages in the last hour, the most the relay sends to one address or number (its RATE_LIMIT_MESSAGES_PER_RECIPIENT_PER_HOUR).`
			};
		}
		return undefined;
	}

	/** Counts a message just stored. */
	accepted(): void {
		this.#lastHour += 1;
		this.#lastDay += 1;
	}

	/** Seconds until fewer than `limit` messages of `key` fall in the window; 0 when they already do. */
	#wait(nthNewest: StatementSync, key: string, windowMs: number, limit: number): number {
		const row = nthNewest.get(key, this.#now - windowMs, limit - 1) as { created_at: number } | undefined;
		if (!row) return 0;
		return Math.max(1, Math.ceil((row.created_at + windowMs - this.#now) / 1000));
	}
}
