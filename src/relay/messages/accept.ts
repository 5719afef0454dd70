import { createHash } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { MessageResult } from '../../lib/domain/relay-protocol.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { transaction } from '../store/database.ts';
import { upsertAccount } from '../store/accounts.ts';
import { initialPasswordProblem } from '../accounts/password.ts';
import { canonicalJson, keyOf, validateMessage } from './validate.ts';

export interface AcceptOptions {
	readonly deviceId: string;
	/** Messages per recipient; only new messages count (a replay sends nothing). */
	readonly perRecipient: RateLimiter;
	readonly now?: number;
}

/**
 * Answers one batch. Everything accepted is committed in one transaction before this returns, so an
 * 'accepted' answer is a promise kept across a crash. The transaction also makes duplicates safe: node:sqlite
 * is synchronous, so two requests with the same key cannot interleave inside it, and the UNIQUE key
 * would refuse a second row even if they could.
 */
export function acceptBatch(
	db: DatabaseSync,
	messages: readonly unknown[],
	options: AcceptOptions
): MessageResult[] {
	const now = options.now ?? Date.now();
	const findByKey = db.prepare('SELECT id, body_hash FROM messages WHERE idempotency_key = ?');
	const insert = db.prepare(
		`INSERT INTO messages (idempotency_key, body_hash, device_id, template, recipient, user_id, payload, state, next_attempt_at, created_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`
	);
	return transaction(db, () =>
		messages.map((raw, index): MessageResult => {
			const key = keyOf(raw);
			if (!key) {
				return {
					idempotencyKey:
						typeof (raw as { idempotencyKey?: unknown })?.idempotencyKey === 'string'
							? String((raw as { idempotencyKey: string }).idempotencyKey).slice(0, 128)
							: `#${index}`,
					status: 'rejected',
					code: 'invalid',
					reason: 'idempotencyKey must be 16 to 128 characters of letters, digits, _ and -.'
				};
			}
			const bodyHash = createHash('sha256').update(canonicalJson(raw), 'utf8').digest('hex');
			const existing = findByKey.get(key) as { id: number; body_hash: string } | undefined;
			if (existing) {
				if (existing.body_hash === bodyHash) {
					return {
						idempotencyKey: key,
						status: 'accepted',
						messageId: messageId(existing.id),
						replayed: true
					};
				}
				return {
					idempotencyKey: key,
					status: 'rejected',
					code: 'idempotency-conflict',
					reason: 'This idempotency key was already used for a different message; the first one stands.'
				};
			}
			const checked = validateMessage(raw);
			if (!checked.ok)
				return { idempotencyKey: key, status: 'rejected', code: 'invalid', reason: checked.reason };
			const message = checked.message;
			const weak = initialPasswordProblem(message);
			if (weak) return { idempotencyKey: key, status: 'rejected', code: 'invalid', reason: weak };

			const wait = options.perRecipient.take(message.to.toLowerCase());
			if (wait > 0) return { idempotencyKey: key, status: 'rate-limited', retryAfterSeconds: wait };

			// An address the activation mail goes to is one the person can sign in with.
			const email = message.user.email ?? (message.template === 'sms-login' ? undefined : message.to);
			upsertAccount(db, { ...message.user, ...(email ? { email } : {}) }, now);
			const result = insert.run(
				key,
				bodyHash,
				options.deviceId,
				message.template,
				message.to,
				message.user.id,
				JSON.stringify({ user: message.user, values: message.values }),
				now,
				now
			);
			return {
				idempotencyKey: key,
				status: 'accepted',
				messageId: messageId(Number(result.lastInsertRowid)),
				replayed: false
			};
		})
	);
}

export function messageId(id: number): string {
	return `m${id}`;
}
