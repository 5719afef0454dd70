import type { DatabaseSync } from 'node:sqlite';
import { messageLinkToken } from './link-key.ts';
import { randomToken, sha256 } from './secrets.ts';

/** The person a message is about, as the relay keeps them to open their activation link and sign them in. */
export interface AccountDetails {
	readonly id: string;
	readonly email?: string;
	readonly username?: string;
	readonly displayName?: string;
}

export interface Account {
	readonly userId: string;
	readonly email: string | null;
	readonly username: string | null;
	readonly displayName: string | null;
	readonly passwordHash: string | null;
	readonly mustChangePassword: boolean;
	/** When the initial password (SMS login details) was set; it signs in once (useInitialPassword). */
	readonly initialPasswordSetAt: number | null;
	/** Suspended by the app: no sign-in, no link, no message until reactivated. */
	readonly isSuspended: boolean;
	/** Deleted by the app: names and password wiped; nothing more is sent or opened for this id. */
	readonly isDeleted: boolean;
}

/**
 * Creates the account, or refreshes its names from the newest message (the directory is the source). A
 * deleted account keeps no names: a message about it is not delivered, so its names are not stored again.
 */
export function upsertAccount(db: DatabaseSync, user: AccountDetails, now = Date.now()): void {
	db.prepare(
		`INSERT INTO accounts (user_id, email, username, display_name, updated_at) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (user_id) DO UPDATE SET
		   email = coalesce(excluded.email, email),
		   username = coalesce(excluded.username, username),
		   display_name = coalesce(excluded.display_name, display_name),
		   updated_at = excluded.updated_at
		 WHERE deleted_at IS NULL`
	).run(user.id, user.email ?? null, user.username ?? null, user.displayName ?? null, now);
}

interface AccountRow {
	user_id: string;
	email: string | null;
	username: string | null;
	display_name: string | null;
	password_hash: string | null;
	must_change_password: number;
	initial_password_set_at: number | null;
	suspended_at: number | null;
	deleted_at: number | null;
}

function toAccount(row: AccountRow): Account {
	return {
		userId: row.user_id,
		email: row.email,
		username: row.username,
		displayName: row.display_name,
		passwordHash: row.password_hash,
		mustChangePassword: row.must_change_password === 1,
		initialPasswordSetAt: row.initial_password_set_at,
		isSuspended: row.suspended_at !== null,
		isDeleted: row.deleted_at !== null
	};
}

export function getAccount(db: DatabaseSync, userId: string): Account | undefined {
	const row = db.prepare('SELECT * FROM accounts WHERE user_id = ?').get(userId) as AccountRow | undefined;
	return row && toAccount(row);
}

/**
 * How many accounts one sign-in name may stand for: email is unique only per customer, so one address (or
 * username) can name accounts in several customers, and sign-in checks the password against each. Each
 * check is a full password hash (about half a second), so the list is bounded: a name shared by more
 * accounts than this signs in only the most recently updated ones.
 */
export const MAX_SIGN_IN_CANDIDATES = 10;

/**
 * The accounts a person may mean at sign-in: by username or email, case-insensitively; only ones with a
 * password; the most recently updated first, at most MAX_SIGN_IN_CANDIDATES.
 */
export function findAccountsBySignInName(db: DatabaseSync, name: string): Account[] {
	const rows = db
		.prepare(
			`SELECT * FROM accounts WHERE password_hash IS NOT NULL AND (lower(username) = lower(?1) OR lower(email) = lower(?1))
			 ORDER BY updated_at DESC, user_id LIMIT ?2`
		)
		.all(name.trim(), MAX_SIGN_IN_CANDIDATES) as unknown as AccountRow[];
	return rows.map(toAccount);
}

/**
 * Sets an initial password chosen by an admin: it signs in once, then the person picks their own.
 * `messageId` is the SMS that carries it: a retry of that message changes nothing (see hasInitialPasswordFrom).
 */
export function setInitialPassword(
	db: DatabaseSync,
	userId: string,
	passwordHash: string,
	now = Date.now(),
	messageId: number | null = null
): void {
	db.prepare(
		`UPDATE accounts SET password_hash = ?, must_change_password = 1, initial_password_set_at = ?,
		 initial_password_used_at = NULL, initial_password_message_id = ?, updated_at = ?
		 WHERE user_id = ? AND deleted_at IS NULL`
	).run(passwordHash, now, messageId, now, userId);
}

/**
 * Whether message `messageId` set the account's initial password already. A retried SMS must not set it
 * again: that would make a used one sign in once more, or replace the password the person chose since.
 */
export function hasInitialPasswordFrom(db: DatabaseSync, userId: string, messageId: number): boolean {
	return (
		db
			.prepare('SELECT 1 FROM accounts WHERE user_id = ? AND initial_password_message_id = ?')
			.get(userId, messageId) !== undefined
	);
}

/**
 * Uses up the initial password `passwordHash` (the one just verified); false when it was used already
 * (or replaced meanwhile): two sign-ins at the same moment cannot both get through.
 */
export function useInitialPassword(
	db: DatabaseSync,
	userId: string,
	passwordHash: string,
	now = Date.now()
): boolean {
	const result = db
		.prepare(
			`UPDATE accounts SET initial_password_used_at = ? WHERE user_id = ? AND password_hash = ?
			 AND must_change_password = 1 AND initial_password_used_at IS NULL`
		)
		.run(now, userId, passwordHash);
	return Number(result.changes) === 1;
}

/** Sets the password the person chose. */
export function setOwnPassword(
	db: DatabaseSync,
	userId: string,
	passwordHash: string,
	now = Date.now()
): void {
	db.prepare(
		`UPDATE accounts SET password_hash = ?, must_change_password = 0, activated_at = coalesce(activated_at, ?), updated_at = ?
		 WHERE user_id = ? AND deleted_at IS NULL`
	).run(passwordHash, now, now, userId);
}

export function recordSignIn(db: DatabaseSync, userId: string, now = Date.now()): void {
	db.prepare('UPDATE accounts SET last_sign_in_at = ? WHERE user_id = ?').run(now, userId);
}

export type TokenPurpose = 'activate' | 'change-password';

/** A new single-use link token; only its hash is stored. Returns the token for the link. */
export function createLinkToken(
	db: DatabaseSync,
	userId: string,
	purpose: TokenPurpose,
	ttlMs: number,
	messageId: number | null = null,
	now = Date.now()
): string {
	const token = randomToken();
	db.prepare(
		'INSERT INTO activation_tokens (token_hash, user_id, message_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)'
	).run(sha256(token), userId, messageId, purpose, now, now + ttlMs);
	return token;
}

/**
 * The link of one message (activation or welcome): the same token for every attempt to deliver it, derived
 * from the link key and the message's idempotency key, with only its hash stored. Minting it revokes every
 * other unused link of the user, in the same transaction, so at most one link per user is live. Refused when
 * the account is suspended or deleted, or when a newer message's link exists (this message was replaced
 * while it waited). `replacesEarlier`: the user was sent a link before, which no longer works; the mail says so.
 */
export function mintMessageLink(
	db: DatabaseSync,
	linkKey: Buffer,
	message: { id: number; idempotencyKey: string; userId: string },
	ttlMs: number,
	now = Date.now()
):
	| { ok: true; token: string; replacesEarlier: boolean; revoked: number }
	| { ok: false; reason: 'suspended' | 'deleted' | 'replaced' | 'revoked' | 'used' } {
	const account = getAccount(db, message.userId);
	if (account?.isDeleted) return { ok: false, reason: 'deleted' };
	if (account?.isSuspended) return { ok: false, reason: 'suspended' };
	const newer = db
		.prepare('SELECT 1 FROM activation_tokens WHERE user_id = ? AND message_id > ? LIMIT 1')
		.get(message.userId, message.id);
	if (newer) return { ok: false, reason: 'replaced' };
	const token = messageLinkToken(linkKey, message.idempotencyKey);
	const tokenHash = sha256(token);
	// A retry of the same message renews the link's lifetime (the new mail promises it), unless it was used
	// or revoked meanwhile: a dead link stays dead.
	db.prepare(
		`INSERT INTO activation_tokens (token_hash, user_id, message_id, purpose, created_at, expires_at)
		 VALUES (?, ?, ?, 'activate', ?, ?)
		 ON CONFLICT (token_hash) DO UPDATE SET expires_at = excluded.expires_at
		 WHERE used_at IS NULL AND revoked_at IS NULL`
	).run(tokenHash, message.userId, message.id, now, now + ttlMs);
	// An earlier attempt's link that died meanwhile (the account was suspended while this one waited to be
	// tried again), or that the person already used (so an earlier attempt did arrive), is not sent again.
	const own = db
		.prepare('SELECT used_at, revoked_at FROM activation_tokens WHERE token_hash = ?')
		.get(tokenHash) as { used_at: number | null; revoked_at: number | null };
	if (own.used_at !== null) return { ok: false, reason: 'used' };
	if (own.revoked_at !== null) return { ok: false, reason: 'revoked' };
	const earlier = db
		.prepare(
			'SELECT 1 FROM activation_tokens WHERE user_id = ? AND message_id IS NOT NULL AND message_id <> ? LIMIT 1'
		)
		.get(message.userId, message.id);
	const revoked = revokeLinks(db, message.userId, now, tokenHash);
	return { ok: true, token, replacesEarlier: earlier !== undefined, revoked };
}

/** Kills every unused link of the user (but `except`); returns how many were live or waiting. */
export function revokeLinks(db: DatabaseSync, userId: string, now = Date.now(), except = ''): number {
	const result = db
		.prepare(
			`UPDATE activation_tokens SET revoked_at = ?
			 WHERE user_id = ? AND used_at IS NULL AND revoked_at IS NULL AND token_hash <> ?`
		)
		.run(now, userId, except);
	return Number(result.changes);
}

export type LinkCheck =
	| { ok: true; userId: string; purpose: TokenPurpose; tokenHash: string }
	| { ok: false; reason: 'unknown' | 'used' | 'expired' | 'revoked' };

/** What a link token opens, without using it up (a GET must not consume it: mail scanners prefetch links). */
export function checkLinkToken(db: DatabaseSync, token: string, now = Date.now()): LinkCheck {
	if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, reason: 'unknown' };
	const tokenHash = sha256(token);
	const row = db
		.prepare(
			`SELECT t.user_id, t.purpose, t.expires_at, t.used_at, t.revoked_at, a.suspended_at, a.deleted_at
			 FROM activation_tokens t LEFT JOIN accounts a ON a.user_id = t.user_id WHERE t.token_hash = ?`
		)
		.get(tokenHash) as
		| {
				user_id: string;
				purpose: TokenPurpose;
				expires_at: number;
				used_at: number | null;
				revoked_at: number | null;
				suspended_at: number | null;
				deleted_at: number | null;
		  }
		| undefined;
	if (!row) return { ok: false, reason: 'unknown' };
	if (row.used_at !== null) return { ok: false, reason: 'used' };
	if (row.revoked_at !== null || row.suspended_at !== null || row.deleted_at !== null)
		return { ok: false, reason: 'revoked' };
	if (row.expires_at <= now) return { ok: false, reason: 'expired' };
	return { ok: true, userId: row.user_id, purpose: row.purpose, tokenHash };
}

/**
 * Uses the token up and kills every other unused link of the user; false when the token was used or
 * revoked first (two POSTs of one link: only one sets the password). Call inside the transaction that sets
 * the password, so the caller's rollback undoes both. Returns how many other links died.
 */
export function useLinkToken(
	db: DatabaseSync,
	tokenHash: string,
	now = Date.now()
): false | { revoked: number } {
	const row = db
		.prepare(
			`UPDATE activation_tokens SET used_at = ?
			 WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?
			 RETURNING user_id`
		)
		.get(now, tokenHash, now) as { user_id: string } | undefined;
	// Suspending or deleting an account revokes its links in the command's transaction: the guard above
	// covers them too.
	if (!row) return false;
	return { revoked: revokeLinks(db, row.user_id, now, tokenHash) };
}

/**
 * A deleted person's address and names leave the message history and the built-in mailbox (the keys and
 * hashes stay, so a replayed message is still recognised). A message still on its way is left for the
 * delivery loop, which calls this again when it lands.
 */
export function forgetMessagesOf(db: DatabaseSync, userId: string): void {
	db.prepare(
		`UPDATE messages SET recipient = '', recipient_key = '',
		   payload = json_object('user', json_object('id', user_id), 'values', json_object())
		 WHERE user_id = ? AND state <> 'sending'`
	).run(userId);
	db.prepare('DELETE FROM mailbox WHERE message_id IN (SELECT id FROM messages WHERE user_id = ?)').run(
		userId
	);
}
