import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from '../../../src/relay/accounts/password.ts';
import { RateLimiter } from '../../../src/relay/rate-limit.ts';

describe('password rules (NIST SP 800-63B Rev. 4)', () => {
	it('needs 15 characters, counting each Unicode code point once', () => {
		expect(passwordProblem('fourteen chars', [])).toBe(
			'Use at least 15 characters (this one has 14). A few unrelated words make a good password.'
		);
		expect(passwordProblem('fifteen chars!!', [])).toBeUndefined();
		// 15 emoji are 30 UTF-16 units but 15 characters.
		expect(passwordProblem('🐢🦊🐙🦉🐝🐢🦊🐙🦉🐝🐢🦊🐙🦉🌵', [])).toBeUndefined();
		expect(passwordProblem('🐢🦊🐙🦉🐝🐢🦊🐙🦉🐝🐢🦊🐙🦉', [])).toContain('this one has 14');
	});

	it('allows long passwords and has no composition rules', () => {
		expect(passwordProblem('all lower case words are fine here', [])).toBeUndefined();
		expect(passwordProblem('x'.repeat(10) + ' '.repeat(5) + 'y'.repeat(49), [])).toBeUndefined();
		expect(passwordProblem('a long passphrase '.repeat(14), [])).toBeUndefined();
		expect(passwordProblem('z y'.repeat(86), [])).toBe('Use at most 256 characters.');
	});

	it('refuses common, repetitive, sequential and context-specific passwords', () => {
		for (const bad of [
			'passwordpassword',
			'PasswordPassword',
			'aaaaaaaaaaaaaaaa',
			'abcabcabcabcabcabc',
			'123456789012345',
			'abcdefghijklmnop',
			'qwertyuiopasdfgh',
			'ponmlkjihgfedcba'
		]) {
			expect(passwordProblem(bad, []), bad).toBe(
				'This password is too common or too easy to guess. Choose another one.'
			);
		}
		expect(passwordProblem('hello margaret from rollcall', ['margaret', 'margaret@example.com'])).toBe(
			'The password cannot contain your username or email address.'
		);
	});

	it('hashes with scrypt at OWASP parameters and verifies NFKC-equal input', async () => {
		// "ﬁ" (U+FB01) is "fi" after NFKC: a phone keyboard and a laptop may type either.
		const stored = await hashPassword('ﬁve quiet mountain lakes');
		expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
		expect(await verifyPassword('five quiet mountain lakes', stored)).toBe(true);
		expect(await verifyPassword('five quiet mountain lake', stored)).toBe(false);
	}, 60_000);
});

describe('RateLimiter', () => {
	it('allows the limit, then says how long to wait, refilling evenly', () => {
		let now = 0;
		const limiter = new RateLimiter(2, 60_000, () => now);
		expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 30]);
		expect(limiter.take('b')).toBe(0);
		now = 30_000;
		expect(limiter.take('a')).toBe(0);
		expect(limiter.peek('a')).toBe(30);
		limiter.reset('a');
		expect(limiter.peek('a')).toBe(0);
	});
});
