import type { DatabaseSync } from 'node:sqlite';
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
	/** When the initial password (SMS login details) was set, and when it was used to sign in (once). */
	readonly initialPasswordSetAt: number | null;
	readonly initialPasswordUsedAt: number | null;
}

/** Creates the account, or refreshes its names from the newest message (the directory is the source). */
export function upsertAccount(db: DatabaseSync, user: AccountDetails, now = Date.now()): void {
	db.prepare(
		`INSERT INTO accounts (user_id, email, username, display_name, updated_at) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (user_id) DO UPDATE SET
		   email = coalesce(excluded.email, email),
		   username = coalesce(excluded.username, username),
		   display_name = coalesce(excluded.display_name, display_name),
		   updated_at = excluded.updated_at`
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
	initial_password_used_at: number | null;
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
		initialPasswordUsedAt: row.initial_password_used_at
	};
}

export function getAccount(db: DatabaseSync, userId: string): Account | undefined {
	const row = db.prepare('SELECT * FROM accounts WHERE user_id = ?').get(userId) as AccountRow | undefined;
	return row && toAccount(row);
}

/** The account a person names at sign-in: by username or email, case-insensitively; only ones with a password. */
export function findAccountBySignInName(db: DatabaseSync, name: string): Account | undefined {
	const row = db
		.prepare(
			`SELECT * FROM accounts WHERE password_hash IS NOT NULL AND (lower(username) = lower(?1) OR lower(email) = lower(?1))
			 ORDER BY updated_at DESC LIMIT 1`
		)
		.get(name.trim()) as AccountRow | undefined;
	return row && toAccount(row);
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
		 initial_password_used_at = NULL, initial_password_message_id = ?, updated_at = ? WHERE user_id = ?`
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
		 WHERE user_id = ?`
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

export type LinkCheck =
	| { ok: true; userId: string; purpose: TokenPurpose; tokenHash: string }
	| { ok: false; reason: 'unknown' | 'used' | 'expired' };

/** What a link token opens, without using it up (a GET must not consume it: mail scanners prefetch links). */
export function checkLinkToken(db: DatabaseSync, token: string, now = Date.now()): LinkCheck {
	if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, reason: 'unknown' };
	const tokenHash = sha256(token);
	const row = db
		.prepare('SELECT user_id, purpose, expires_at, used_at FROM activation_tokens WHERE token_hash = ?')
		.get(tokenHash) as
		{ user_id: string; purpose: TokenPurpose; expires_at: number; used_at: number | null } | undefined;
	if (!row) return { ok: false, reason: 'unknown' };
	if (row.used_at !== null) return { ok: false, reason: 'used' };
	if (row.expires_at <= now) return { ok: false, reason: 'expired' };
	return { ok: true, userId: row.user_id, purpose: row.purpose, tokenHash };
}

/** Uses the token up; false when someone else used it first (the caller's transaction then rolls back). */
export function useLinkToken(db: DatabaseSync, tokenHash: string, now = Date.now()): boolean {
	const result = db
		.prepare(
			'UPDATE activation_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?'
		)
		.run(now, tokenHash, now);
	return Number(result.changes) === 1;
}
