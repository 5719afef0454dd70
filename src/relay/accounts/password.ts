// Password rules from NIST SP 800-63B Rev. 4 (2025), section 3.1.1.2: at least 15 characters for a password
// that is the only factor; at least 64 allowed (here 256); no composition rules; checked against a
// blocklist of common, expected or compromised values; Unicode accepted, normalised with NFKC, each code
// point counted once. Hashing: scrypt with OWASP's parameters (N=2^17, r=8, p=1).
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { COMMON_PASSWORDS } from './common-passwords.ts';

export const MIN_PASSWORD_LENGTH = 15;
export const MAX_PASSWORD_LENGTH = 256;

const SCRYPT: ScryptOptions = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };
const KEY_LENGTH = 32;

/** The form a password is compared and hashed in. */
export function normalisePassword(password: string): string {
	return password.normalize('NFKC');
}

/** Why a chosen password is refused, in the person's words; undefined when it is fine. */
export function passwordProblem(
	password: string,
	context: readonly (string | null | undefined)[]
): string | undefined {
	const value = normalisePassword(password);
	const length = [...value].length;
	if (length < MIN_PASSWORD_LENGTH) {
		return `Use at least ${MIN_PASSWORD_LENGTH} characters (this one has ${length}). A few unrelated words make a good password.`;
	}
	if (length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
	const lower = value.toLowerCase();
	if (COMMON_PASSWORDS.has(lower) || isRepetitive(lower) || isSequence(lower)) {
		return 'This password is too common or too easy to guess. Choose another one.';
	}
	for (const word of context) {
		const part = word?.toLowerCase().split('@')[0]?.trim();
		if (part && part.length >= 4 && lower.includes(part)) {
			return 'The password cannot contain your username or email address.';
		}
	}
	return undefined;
}

/** One short chunk repeated ("abcabcabc...", "aaaa..."). */
function isRepetitive(value: string): boolean {
	const chars = [...value];
	for (let size = 1; size <= 4; size++) {
		const chunk = chars.slice(0, size).join('');
		if (chunk.repeat(Math.ceil(chars.length / size)).startsWith(value)) return true;
	}
	return false;
}

const SEQUENCES = [
	'abcdefghijklmnopqrstuvwxyz',
	'0123456789012345678901234567890',
	'qwertyuiopasdfghjklzxcvbnm',
	'1qaz2wsx3edc4rfv5tgb6yhn7ujm'
];

/** A run along the alphabet, the digits or the keyboard, either way. */
function isSequence(value: string): boolean {
	return SEQUENCES.some((sequence) => {
		const both = sequence + sequence;
		const reversed = [...both].reverse().join('');
		return both.includes(value) || reversed.includes(value);
	});
}

/** scrypt$N$r$p$salt$hash, all base64url: the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
	const salt = randomBytes(16);
	const hash = await derive(normalisePassword(password), salt, SCRYPT);
	return [
		'scrypt',
		SCRYPT.N,
		SCRYPT.r,
		SCRYPT.p,
		salt.toString('base64url'),
		hash.toString('base64url')
	].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [scheme, n, r, p, salt, hash] = stored.split('$');
	if (scheme !== 'scrypt' || !salt || !hash) return false;
	const options: ScryptOptions = { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem };
	const expected = Buffer.from(hash, 'base64url');
	const actual = await derive(normalisePassword(password), Buffer.from(salt, 'base64url'), options);
	return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Spends the same time as a real check, so an unknown name cannot be told from a wrong password. */
export async function verifyNothing(password: string): Promise<false> {
	await derive(normalisePassword(password), randomBytes(16), SCRYPT);
	return false;
}

// The callback form runs on libuv's thread pool: the event loop stays free during the ~0.5 s hash.
function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
	});
}
