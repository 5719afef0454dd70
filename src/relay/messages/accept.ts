import { createHash, createHmac } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { MessageResult } from '../../lib/domain/relay-protocol.ts';
import type { Logger } from '../log.ts';
import { transaction } from '../store/database.ts';
import { upsertAccount } from '../store/accounts.ts';
import { fillLicense } from '../store/licenses.ts';
import { initialPasswordProblem } from '../accounts/password.ts';
import { BatchLimits, recipientKey, type LimitReached, type MessageLimits } from './limits.ts';
import { canonicalJson, keyOf, validateMessage } from './validate.ts';

export interface AcceptOptions {
	readonly deviceId: string;
	readonly limits: MessageLimits;
	/** The secret the stored body hashes are keyed with (see bodyHashKey). */
	readonly hashKey: Buffer;
	readonly log: Logger;
	/**
	 * Verdicts on SMS initial passwords worked out before the batch (checkInitialPasswords), by
	 * idempotency key; a message without one is checked here.
	 */
	readonly passwordProblems?: ReadonlyMap<string, string | undefined>;
	readonly now?: number;
}

/**
 * Answers one batch of messages that passed batchShapeProblem() (the body hash walks each one). Everything
 * accepted is committed in one transaction before this returns, so an 'accepted' answer is a promise kept
 * across a crash. The transaction also makes duplicates safe: node:sqlite
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
		`INSERT INTO messages (idempotency_key, body_hash, device_id, template, recipient, recipient_key, user_id, payload, state, next_attempt_at, created_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`
	);
	const hashKey = options.hashKey;
	let limitReached: LimitReached | undefined;
	const results = transaction(db, () => {
		const limits = new BatchLimits(db, options.deviceId, options.limits, now);
		return messages.map((raw, index): MessageResult => {
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
			const body = canonicalJson(raw);
			const bodyHash = keyedHash(hashKey, body);
			const existing = findByKey.get(key) as { id: number; body_hash: string } | undefined;
			if (existing) {
				if (isSameBody(existing.body_hash, hashKey, body)) {
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
			const recipient = recipientKey(message.template, message.to);
			const limited = limits.check(recipient);
			if (limited) {
				if (limited.limit !== 'recipient-hour' && limits.wasUnderCaps) limitReached ??= limited;
				return {
					idempotencyKey: key,
					status: 'rate-limited',
					retryAfterSeconds: limited.retryAfterSeconds,
					reason: limited.reason,
					scope: limited.limit === 'recipient-hour' ? 'recipient' : 'device'
				};
			}

			// After the limits: a device past its cap costs no password check.
			const weak = options.passwordProblems?.has(key)
				? options.passwordProblems.get(key)
				: initialPasswordProblem(message);
			if (weak) return { idempotencyKey: key, status: 'rejected', code: 'invalid', reason: weak };

			// An address the activation mail goes to is one the person can sign in with.
			const email = message.user.email ?? (message.template === 'sms-login' ? undefined : message.to);
			// The license is kept as the account's (its key only hashed), not in the stored message.
			const { license, ...person } = message.user;
			upsertAccount(db, { ...person, ...(email ? { email } : {}) }, now);
			if (license) fillLicense(db, person.id, license, now);
			const result = insert.run(
				key,
				bodyHash,
				options.deviceId,
				message.template,
				message.to,
				recipient,
				message.user.id,
				JSON.stringify({ user: person, values: message.values }),
				now,
				now
			);
			limits.accepted();
			return {
				idempotencyKey: key,
				status: 'accepted',
				messageId: messageId(Number(result.lastInsertRowid)),
				replayed: false
			};
		});
	});
	logBatch(options, results, limitReached);
	return results;
}

/**
 * One line per batch; a warning when this batch made the device reach its own cap (a stolen token would).
 * Later batches while it waits are only counted in their line, so a client that keeps trying floods nothing.
 */
function logBatch(options: AcceptOptions, results: readonly MessageResult[], limit?: LimitReached): void {
	const count = (test: (result: MessageResult) => boolean) => results.filter(test).length;
	options.log.info('batch-accepted', 'A batch of messages was answered', {
		device: options.deviceId,
		accepted: count((result) => result.status === 'accepted' && !result.replayed),
		replayed: count((result) => result.status === 'accepted' && result.replayed),
		rejected: count((result) => result.status === 'rejected'),
		rateLimited: count((result) => result.status === 'rate-limited')
	});
	if (limit) {
		options.log.warn('device-limit-reached', `A device reached its sending limit: ${limit.reason}`, {
			device: options.deviceId,
			limit: limit.limit,
			retryAfterSeconds: limit.retryAfterSeconds
		});
	}
}

// Stored body hashes are keyed (HMAC-SHA-256 under a secret kept outside the database): an sms-login body
// holds the initial password, and a plain hash in a copied database could be checked against guesses.
const KEYED = 'hmac-sha256:';
/** What the upgrade to keyed hashes left in place of the plain hash of an sms-login message stored before. */
const UNVERIFIABLE = 'unverifiable';

function keyedHash(key: Buffer, body: string): string {
	return KEYED + createHmac('sha256', key).update(body, 'utf8').digest('hex');
}

/**
 * Whether a message sent again under a stored key is the one stored. Rows from before keyed hashes hold a
 * plain SHA-256, still compared as such; an sms-login row whose plain hash was dropped cannot be compared
 * and is taken as the same message (only the app that sent it knows its key, and it never reuses one).
 */
function isSameBody(stored: string, key: Buffer, body: string): boolean {
	if (stored.startsWith(KEYED)) return stored === keyedHash(key, body);
	if (stored === UNVERIFIABLE) return true;
	return stored === createHash('sha256').update(body, 'utf8').digest('hex');
}

export function messageId(id: number): string {
	return `m${id}`;
}
