// Browsers an account has signed in from (OWASP's "device cookies"): a random token in a cookie, only its
// hash stored. A sign-in from such a browser is throttled on its own, not by the account's shared budget,
// so guessers on many addresses that empty that budget do not keep the account's owner out.
import type { DatabaseSync } from 'node:sqlite';
import { randomToken, sha256 } from './secrets.ts';

/** A new token for `userId`'s browser, valid `ttlMs`; expired tokens of anyone are dropped on the way. */
export function trustBrowser(db: DatabaseSync, userId: string, ttlMs: number, now = Date.now()): string {
	const token = randomToken();
	db.prepare('DELETE FROM trusted_browsers WHERE expires_at <= ?').run(now);
	db.prepare(
		'INSERT INTO trusted_browsers (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)'
	).run(sha256(token), userId, now, now + ttlMs);
	return token;
}

/** Whether `token` is a live token of `userId`'s; a token of another account counts for nothing. */
export function isTrustedBrowser(db: DatabaseSync, token: string, userId: string, now = Date.now()): boolean {
	const row = db
		.prepare('SELECT 1 FROM trusted_browsers WHERE token_hash = ? AND user_id = ? AND expires_at > ?')
		.get(sha256(token), userId, now);
	return row !== undefined;
}
