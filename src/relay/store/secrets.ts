import { createHash, randomBytes, randomInt } from 'node:crypto';

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
