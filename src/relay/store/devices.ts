import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { transaction } from './database.ts';
import { normalisePairingCode, randomPairingCode, randomToken, sha256 } from './secrets.ts';

/** How long a printed pairing code can be used. */
export const PAIRING_CODE_MINUTES = 15;

export interface Device {
	readonly id: string;
	readonly name: string;
	readonly createdAt: number;
	readonly revokedAt: number | null;
	readonly lastSeenAt: number | null;
}

/** Makes a new one-time pairing code and stores its hash; returns the code to print. */
export function createPairingCode(db: DatabaseSync, now = Date.now()): { code: string; expiresAt: number } {
	const code = randomPairingCode();
	const expiresAt = now + PAIRING_CODE_MINUTES * 60_000;
	db.prepare('INSERT INTO pairing_codes (code_hash, created_at, expires_at) VALUES (?, ?, ?)').run(
		sha256(normalisePairingCode(code)),
		now,
		expiresAt
	);
	return { code, expiresAt };
}

export type PairOutcome =
	{ ok: true; token: string; deviceId: string } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/** Exchanges a code for a new device token, using the code up in the same transaction. */
export function pairDevice(
	db: DatabaseSync,
	code: string,
	deviceName: string,
	now = Date.now()
): PairOutcome {
	const codeHash = sha256(normalisePairingCode(code));
	return transaction(db, (): PairOutcome => {
		const row = db
			.prepare('SELECT expires_at, used_at FROM pairing_codes WHERE code_hash = ?')
			.get(codeHash) as { expires_at: number; used_at: number | null } | undefined;
		if (!row) return { ok: false, reason: 'unknown' };
		if (row.used_at !== null) return { ok: false, reason: 'used' };
		if (row.expires_at <= now) return { ok: false, reason: 'expired' };
		db.prepare('UPDATE pairing_codes SET used_at = ? WHERE code_hash = ?').run(now, codeHash);
		const token = randomToken();
		const deviceId = randomUUID();
		db.prepare('INSERT INTO devices (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)').run(
			deviceId,
			deviceName,
			sha256(token),
			now
		);
		return { ok: true, token, deviceId };
	});
}

export type TokenCheck = { ok: true; deviceId: string } | { ok: false; reason: 'unknown' | 'revoked' };

/** Who a bearer token belongs to. */
export function checkDeviceToken(db: DatabaseSync, token: string, now = Date.now()): TokenCheck {
	const row = db
		.prepare('SELECT id, revoked_at, last_seen_at FROM devices WHERE token_hash = ?')
		.get(sha256(token)) as { id: string; revoked_at: number | null; last_seen_at: number | null } | undefined;
	if (!row) return { ok: false, reason: 'unknown' };
	if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
	// At most one write a minute per device: "last seen" is for the admin, not an audit log.
	if (row.last_seen_at === null || now - row.last_seen_at > 60_000) {
		db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(now, row.id);
	}
	return { ok: true, deviceId: row.id };
}

export function listDevices(db: DatabaseSync): Device[] {
	const rows = db
		.prepare('SELECT id, name, created_at, revoked_at, last_seen_at FROM devices ORDER BY created_at')
		.all() as {
		id: string;
		name: string;
		created_at: number;
		revoked_at: number | null;
		last_seen_at: number | null;
	}[];
	return rows.map((row) => ({
		id: row.id,
		name: row.name,
		createdAt: row.created_at,
		revokedAt: row.revoked_at,
		lastSeenAt: row.last_seen_at
	}));
}

/** Revokes a device's token at once; false when there is no such device or it was already revoked. */
export function revokeDevice(db: DatabaseSync, deviceId: string, now = Date.now()): boolean {
	const result = db
		.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
		.run(now, deviceId);
	return Number(result.changes) > 0;
}
