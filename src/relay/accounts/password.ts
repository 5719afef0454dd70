// Password rules from NIST SP 800-63B Rev. 4 (2025), section 3.1.1.2: at least 15 characters for a password
// that is the only factor; at least 64 allowed (here 256); no composition rules; checked against a
// blocklist of common, expected or compromised values (here zxcvbn's dictionaries and patterns, so a
// listed password with l33t, padding or repeats is refused too) and context words; Unicode accepted,
// normalised with NFKC, each code point counted once. Hashing: scrypt with OWASP's parameters
// (N=2^17, r=8, p=1).
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { guessability } from './guessability.ts';

export const MIN_PASSWORD_LENGTH = 15;
export const MAX_PASSWORD_LENGTH = 256;

const SCRYPT: ScryptOptions = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };
const KEY_LENGTH = 32;

/** The form a password is compared and hashed in. */
export function normalisePassword(password: string): string {
	return password.normalize('NFKC');
}

/** The service's own name: people put it in passwords made for it, and attackers try it first. */
const SERVICE_WORDS = ['rollcall', 'roll call'];

/**
 * Why a chosen password is refused, in the person's words; undefined when it is fine. `context` is what
 * the relay knows of the person (name, username, email): no part of it may be in their password.
 */
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
	const words = contextWords(context);
	const variants = unl33t(value.toLowerCase());
	if (words.some((word) => variants.some((variant) => variant.includes(word)))) {
		return 'The password cannot contain your name, username or email address, or the name Rollcall. Choose another one.';
	}
	// zxcvbn's score 4: about 10^10 guesses or more, "strong protection from offline slow-hash" attacks.
	const verdict = guessability(value, [...words, ...SERVICE_WORDS]);
	if (verdict.score < 4) {
		const why = verdict.feedback.warning ? ` ${verdict.feedback.warning}` : '';
		return `This password is too common or too easy to guess.${why} Choose another one: a few unrelated words make a good password.`;
	}
	return undefined;
}

// What people type for letters. 1, ! and | stand for i or l: each is tried both ways.
const L33T: Record<string, string> = {
	'4': 'a',
	'@': 'a',
	'3': 'e',
	'0': 'o',
	$: 's',
	'5': 's',
	'7': 't',
	'+': 't'
};

/** The password as typed, and as read with l33t substitutions undone ("R0llc@ll" is "rollcall"). */
function unl33t(lower: string): string[] {
	const plain = [...lower].map((char) => L33T[char] ?? char).join('');
	return [lower, plain.replace(/[1!|]/g, 'i'), plain.replace(/[1!|]/g, 'l')];
}

/**
 * Why the initial password of SMS login details is refused, for the admin who chose it; undefined for
 * other messages. It becomes the account's password, so it meets the same rules as one the person chooses.
 */
export function initialPasswordProblem(message: {
	readonly template: string;
	readonly user: { readonly username?: string; readonly email?: string; readonly displayName?: string };
	readonly values: { readonly password?: string };
}): string | undefined {
	if (message.template !== 'sms-login' || message.values.password === undefined) return undefined;
	const { username, email, displayName } = message.user;
	const problem = passwordProblem(message.values.password, [username, email, displayName]);
	return problem && `The initial password (values.password) is refused: ${problem}`;
}

/** The person's names and the parts of their username and email's local part of 4 characters or more. */
function contextWords(context: readonly (string | null | undefined)[]): string[] {
	const words = new Set(SERVICE_WORDS);
	for (const item of context) {
		const local = item?.normalize('NFKC').toLowerCase().split('@')[0]?.trim() ?? '';
		for (const part of [local, ...local.split(/[^\p{L}\p{N}]+/u)]) {
			if ([...part].length >= 4) words.add(part);
		}
	}
	return [...words];
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
