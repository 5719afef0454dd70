// Password rules from NIST SP 800-63B Rev. 4 (2025), section 3.1.1.2: at least 15 characters for a password
// that is the only factor; at least 64 allowed (here 256); no composition rules; checked against a
// blocklist of common, expected or compromised values (here zxcvbn's dictionaries and patterns, so a
// listed password with l33t, padding or repeats is refused too) and context words; Unicode accepted,
// normalised with NFKC, each code point counted once. Hashing: scrypt with OWASP's parameters
// (N=2^17, r=8, p=1).
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import {
	contextWords,
	MAX_PASSWORD_LENGTH,
	MIN_PASSWORD_LENGTH,
	normalisePassword,
	passwordRuleProblem
} from '../../lib/domain/passwords.ts';
import { guessability } from './guessability.ts';

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, normalisePassword };

const SCRYPT: ScryptOptions = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };
const KEY_LENGTH = 32;

/**
 * Why a chosen password is refused, in the person's words; undefined when it is fine. `context` is what
 * the relay knows of the person (name, username, email): no part of it may be in their password.
 */
export function passwordProblem(
	password: string,
	context: readonly (string | null | undefined)[]
): string | undefined {
	const broken = passwordRuleProblem(password, context);
	if (broken) return broken;
	const value = normalisePassword(password);
	// zxcvbn's score 4: about 10^10 guesses or more, "strong protection from offline slow-hash" attacks.
	const verdict = guessability(value, contextWords(context));
	if (verdict.score < 4) {
		const why = verdict.feedback.warning ? ` ${verdict.feedback.warning}` : '';
		return `This password is too common or too easy to guess.${why} Choose another one: a few unrelated words make a good password.`;
	}
	return undefined;
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
