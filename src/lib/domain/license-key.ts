import { fail, ok, type Parsed } from './result.ts';

/**
 * A user's license key: 19 random symbols and a check symbol, read aloud and typed as four groups of five
 * ('7KQ2M-X9DPR-...'). The alphabet has 31 symbols, a prime number of them: digits and capitals without
 * I, L, O and U (Crockford's choice: they pass for 1, 1, 0 and V) and without S (it passes for 5). With a
 * prime alphabet, a check symbol that makes the position-weighted sum of the symbols 0 (mod 31) catches
 * every single wrong symbol (its weight times the difference is never 0 mod a prime) and every swap of two
 * neighbours (adjacent weights differ by 1), check symbol included. 19 symbols of 31 are 94 random bits.
 */
export const KEY_ALPHABET = '0123456789ABCDEFGHJKMNPQRTVWXYZ';

const BASE = KEY_ALPHABET.length;
/** Symbols in a key, its check symbol included; weights 1..KEY_LENGTH stay below BASE, as the check needs. */
export const KEY_LENGTH = 20;
const GROUP = 5;

/** The weighted sum of the symbols' values, mod BASE: 0 for a whole key. */
function checksum(values: readonly number[]): number {
	let sum = 0;
	for (const [index, value] of values.entries()) sum = (sum + (index + 1) * value) % BASE;
	return sum;
}

/** The check symbol's value that brings the key's checksum to 0: it sits at weight KEY_LENGTH. */
function checkValue(body: readonly number[]): number {
	const partial = checksum(body);
	// KEY_LENGTH * check = -partial (mod BASE): BASE is prime, so KEY_LENGTH has an inverse.
	for (let check = 0; check < BASE; check++) {
		if ((partial + KEY_LENGTH * check) % BASE === 0) return check;
	}
	throw new Error('A prime base always has a check value.');
}

const GROUPS = new RegExp(`.{1,${GROUP}}`, 'gu');

/** A key's symbols in groups of five, as it is shown, mailed and typed. */
function grouped(symbols: string): string {
	return symbols.match(GROUPS)!.join('-');
}

/** Random numbers drawn ahead, for keys to take in turn: an import gives 100,000 keys at once. */
const POOL_SIZE = KEY_LENGTH * 256;
let pool = new Uint32Array(0);
let pooled = 0;

/**
 * Fills `array` from crypto.getRandomValues, drawn POOL_SIZE numbers at a time: one call per key cost as
 * much as all the rest of making it. Each number is handed out once.
 */
function fromPool(array: Uint32Array<ArrayBuffer>): Uint32Array {
	if (pooled + array.length > pool.length) {
		pool = crypto.getRandomValues(new Uint32Array(Math.max(POOL_SIZE, array.length)));
		pooled = 0;
	}
	array.set(pool.subarray(pooled, pooled + array.length));
	pooled += array.length;
	return array;
}

/**
 * A new random key. `random` fills an array with unpredictable numbers (crypto.getRandomValues, on the
 * page, in the worker and in Node, through fromPool); rejection sampling keeps every symbol equally likely.
 */
export function newLicenseKey(random: (array: Uint32Array<ArrayBuffer>) => Uint32Array = fromPool): string {
	const body: number[] = [];
	const limit = Math.floor(0x1_0000_0000 / BASE) * BASE;
	while (body.length < KEY_LENGTH - 1) {
		for (const n of random(new Uint32Array(KEY_LENGTH))) {
			if (n < limit && body.length < KEY_LENGTH - 1) body.push(n % BASE);
		}
	}
	const values = [...body, checkValue(body)];
	return grouped(values.map((value) => KEY_ALPHABET[value]).join(''));
}

/** What a person may type for a symbol: lower case, and the letters Rollcall leaves out for the ones they pass for. */
const READ_AS: Record<string, string> = { I: '1', L: '1', O: '0', U: 'V', S: '5' };

/**
 * Reads a key as typed or read aloud: any case, spaces or dashes anywhere, I/L/O/U/S for 1/1/0/V/5. Gives
 * the key in its grouped form, or says what is wrong (a wrong length, a symbol that is not in keys, or a
 * check that fails: a mistyped symbol or two swapped).
 */
export function readLicenseKey(raw: string): Parsed<string> {
	const symbols = [...raw.toUpperCase().replace(/[\s\-‐-―]+/gu, '')].map((c) => READ_AS[c] ?? c);
	if (symbols.length === 0) return fail('The license key is empty.');
	const wrong = symbols.find((c) => !KEY_ALPHABET.includes(c));
	if (wrong !== undefined)
		return fail(`A license key has only digits and capital letters: “${wrong}” is not one.`);
	if (symbols.length !== KEY_LENGTH) {
		return fail(`A license key has ${KEY_LENGTH} letters and digits; this one has ${symbols.length}.`);
	}
	if (checksum(symbols.map((c) => KEY_ALPHABET.indexOf(c))) !== 0) {
		return fail('This license key has a typing mistake: check each group of five against the original.');
	}
	return ok(grouped(symbols.join('')));
}
