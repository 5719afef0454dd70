import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { KEY_ALPHABET, KEY_LENGTH, newLicenseKey, readLicenseKey } from '$lib/domain/license-key';

/** A random source driven by fast-check, so a failing key can be shrunk and replayed. */
const seeded = (numbers: number[]) => {
	let next = 0;
	return (array: Uint32Array) => {
		for (let i = 0; i < array.length; i++) array[i] = numbers[next++ % numbers.length]!;
		return array;
	};
};
const keys = fc
	.array(fc.nat({ max: 0xffff_ffff }), { minLength: KEY_LENGTH, maxLength: KEY_LENGTH * 2 })
	.map((numbers) => newLicenseKey(seeded(numbers)));
const symbolsOf = (key: string) => key.replaceAll('-', '');
const messageOf = (read: ReturnType<typeof readLicenseKey>) => (read.ok ? '' : read.message);

describe('license keys', () => {
	it('are four groups of five symbols from the alphabet, and read back as themselves', () => {
		fc.assert(
			fc.property(keys, (key) => {
				expect(key).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/u);
				expect([...symbolsOf(key)].every((c) => KEY_ALPHABET.includes(c))).toBe(true);
				expect(readLicenseKey(key)).toEqual({ ok: true, value: key });
			})
		);
	});

	it('leave out the symbols people confuse', () => {
		for (const c of 'ILOUS') expect(KEY_ALPHABET).not.toContain(c);
		expect(KEY_ALPHABET).toHaveLength(31);
	});

	it('are read as typed: lower case, spaces, no dashes, and O, I, L, U, S for 0, 1, 1, V, 5', () => {
		const key = newLicenseKey();
		const typed = symbolsOf(key)
			.toLowerCase()
			.replace(/(.{4})/gu, '$1 ');
		expect(readLicenseKey(typed)).toEqual({ ok: true, value: key });
		const zeroed = key.replaceAll('0', 'O').replaceAll('1', 'l').replaceAll('5', 'S');
		expect(readLicenseKey(zeroed)).toEqual({ ok: true, value: key });
	});

	it('catch every single wrong symbol', () => {
		fc.assert(
			fc.property(
				keys,
				fc.nat({ max: KEY_LENGTH - 1 }),
				fc.nat({ max: KEY_ALPHABET.length - 2 }),
				(key, at, pick) => {
					const symbols = [...symbolsOf(key)];
					const others = [...KEY_ALPHABET].filter((c) => c !== symbols[at]);
					symbols[at] = others[pick]!;
					const read = readLicenseKey(symbols.join(''));
					expect(read.ok).toBe(false);
				}
			)
		);
	});

	it('catch every swap of two different neighbours, the check symbol included', () => {
		fc.assert(
			fc.property(keys, fc.nat({ max: KEY_LENGTH - 2 }), (key, at) => {
				const symbols = [...symbolsOf(key)];
				fc.pre(symbols[at] !== symbols[at + 1]);
				[symbols[at], symbols[at + 1]] = [symbols[at + 1]!, symbols[at]!];
				expect(readLicenseKey(symbols.join('')).ok).toBe(false);
			})
		);
	});

	it('catch every single typo and neighbour swap exhaustively for one key', () => {
		const key = symbolsOf(newLicenseKey());
		for (let at = 0; at < KEY_LENGTH; at++) {
			for (const c of KEY_ALPHABET) {
				if (c === key[at]) continue;
				expect(readLicenseKey(key.slice(0, at) + c + key.slice(at + 1)).ok).toBe(false);
			}
		}
	});

	it('say what is wrong with a key that cannot be one', () => {
		expect(readLicenseKey('')).toEqual({ ok: false, message: 'The license key is empty.' });
		expect(messageOf(readLicenseKey('ABCDE-FGHJK'))).toContain('this one has 10');
		expect(messageOf(readLicenseKey('ABCDE-FGHJK-MNPQR-TVW*Y'))).toContain('“*”');
	});

	it('are all different across many draws of the real random source', () => {
		const drawn = new Set(Array.from({ length: 20_000 }, () => newLicenseKey()));
		expect(drawn.size).toBe(20_000);
	});

	it('draw their randomness in bulk from crypto.getRandomValues, never the same key twice', () => {
		const draw = vi.spyOn(crypto, 'getRandomValues');
		try {
			const made = Array.from({ length: 1000 }, () => newLicenseKey());
			// 20 numbers a key (a few more when one is refused): well under one call per key.
			expect(draw.mock.calls.length).toBeLessThanOrEqual(5);
			expect(new Set(made).size).toBe(made.length);
			for (const key of made) expect(readLicenseKey(key)).toEqual({ ok: true, value: key });
		} finally {
			draw.mockRestore();
		}
	});
});
