import { createHash, randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** SHA-256, hex: how tokens and codes are stored, so a copy of the database opens nothing. */
export function sha256(value: string): string {
	return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** 32 random bytes, base64url: device tokens and activation links. */
export function randomToken(): string {
	return randomBytes(32).toString('base64url');
}

// No I, O, 0 or 1: a code is read off a terminal and typed by hand.
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A pairing code as printed: XXXX-XXXX. */
export function randomPairingCode(): string {
	let code = '';
	for (let i = 0; i < 8; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
	return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The form a typed code is stored and compared in: upper case, no dash or spaces. */
export function normalisePairingCode(code: string): string {
	return code.toUpperCase().replace(/[\s-]/g, '');
}

/** The file in the data folder holding the key of stored body hashes: beside the database, never in it. */
export const BODY_HASH_KEY_FILE = 'body-hash.key';

/**
 * The secret that message body hashes are keyed with, made on first use (owner-only, 0600). Kept out of
 * the database so that a copy of the database alone cannot be used to check guesses of a hashed body.
 */
export function bodyHashKey(dataDir: string): Buffer {
	return loadKeyFile(
		dataDir,
		BODY_HASH_KEY_FILE,
		'a message accepted before then and sent again is then refused as a conflict'
	);
}

/**
 * A 32-byte secret kept in `name` beside the database, never in it: made on first use with 'wx' (so a relay
 * and a CLI starting at once agree on one key), readable by the relay's user only. A damaged file stops
 * the relay with what to do and what deleting it costs (`ifLost`).
 */
export function loadKeyFile(dataDir: string, name: string, ifLost: string): Buffer {
	mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	const file = path.join(dataDir, name);
	try {
		writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
	}
	const text = readFileSync(file, 'utf8').trim();
	if (!/^[0-9a-f]{64}$/.test(text)) {
		throw new Error(
			`${file} is damaged: it must hold the 64 hex digits the relay wrote there. Restore it from a backup, or delete it to start a new one (${ifLost}).`
		);
	}
	return Buffer.from(text, 'hex');
}
