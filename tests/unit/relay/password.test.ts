import { describe, expect, it } from 'vitest';
import {
	hashPassword,
	initialPasswordProblem,
	passwordProblem,
	verifyPassword
} from '../../../src/relay/accounts/password.ts';
import { RateLimiter } from '../../../src/relay/rate-limit.ts';

describe('password rules (NIST SP 800-63B Rev. 4)', () => {
	it('needs 15 characters, counting each Unicode code point once', () => {
		expect(passwordProblem('fourteen chars', [])).toBe(
			'Use at least 15 characters (this one has 14). A few unrelated words make a good password.'
		);
		expect(passwordProblem('mauve otter jig', [])).toBeUndefined();
		// 15 emoji are 30 UTF-16 units but 15 characters.
		expect(passwordProblem('🐢🦊🐙🦉🐝🐢🦊🐙🦉🐝🐢🦊🐙🦉🌵', [])).toBeUndefined();
		expect(passwordProblem('🐢🦊🐙🦉🐝🐢🦊🐙🦉🐝🐢🦊🐙🦉', [])).toContain('this one has 14');
	});

	it('allows long passwords and has no composition rules', () => {
		expect(passwordProblem('all lower case words are fine here', [])).toBeUndefined();
		expect(passwordProblem('no digits no capitals no symbols at all', [])).toBeUndefined();
		expect(passwordProblem('a long passphrase '.repeat(14), [])).toBeUndefined();
		expect(passwordProblem('z y'.repeat(86), [])).toBe('Use at most 256 characters.');
	});

	it('lets random words through, however they are joined', () => {
		for (const good of [
			'correct-staple-lantern-ocean',
			'lantern orchard pebble',
			'violet harbour seventeen',
			'Tulip granite okra 9'
		]) {
			expect(passwordProblem(good, ['margaret', 'margaret@example.com']), good).toBeUndefined();
		}
	});

	it('refuses breached and common passwords, also with l33t, padding, repeats, sequences and keyboard walks', () => {
		for (const bad of [
			// The four the review got accepted: a common word plus l33t or padding.
			'P@ssw0rd12345678',
			'Password1234567!',
			'qwertyqwertyqwerty',
			'changeme12345678',
			'passwordpassword',
			'PasswordPassword',
			'iloveyouiloveyou!',
			'aaaaaaaaaaaaaaaa',
			'abcabcabcabcabcabc',
			'123456789012345',
			'abcdefghijklmnop',
			'ponmlkjihgfedcba',
			'qwertyuiopasdfgh',
			'1qaz2wsx3edc4rfv',
			'trustno1trustno1'
		]) {
			expect(passwordProblem(bad, []), bad).toMatch(
				/^This password is too common or too easy to guess\..* Choose another one: a few unrelated words make a good password\.$/
			);
		}
	});

	it("refuses the person's names, username, email and the service's name, also in l33t", () => {
		const context = ['margaret.smith', 'margaret.smith@example.com', 'Margaret Smith'];
		const refusal =
			'The password cannot contain your name, username or email address, or the name Rollcall. Choose another one.';
		for (const bad of [
			'hello margaret from the office',
			'smith family holiday house',
			'M4rg4ret lantern orchard',
			'my rollcall sign in secret',
			'R0llc@ll lantern orchard'
		]) {
			expect(passwordProblem(bad, context), bad).toBe(refusal);
		}
		// Short name parts are no signal: "Ann" is in too many good passwords.
		expect(passwordProblem('lantern annex orchard', ['ann', 'ann@example.com'])).toBeUndefined();
	});

	it('checks the initial password of SMS login details like any password, and nothing else', () => {
		const sms = (password: string) => ({
			template: 'sms-login',
			user: { username: 'dana.white', displayName: 'Dana White' },
			values: { password }
		});
		expect(initialPasswordProblem(sms('violet harbour seventeen'))).toBeUndefined();
		expect(initialPasswordProblem(sms('Password1234567!'))).toMatch(
			/^The initial password \(values\.password\) is refused: This password is too common/
		);
		expect(initialPasswordProblem(sms('dana.white.2024.spring'))).toContain('cannot contain your name');
		expect(initialPasswordProblem({ template: 'activation', user: {}, values: {} })).toBeUndefined();
	});

	it('salts every hash: one password hashed twice gives two different hashes, each verifying', async () => {
		const [first, second] = await Promise.all([
			hashPassword('violet harbour seventeen'),
			hashPassword('violet harbour seventeen')
		]);
		expect(first).not.toBe(second);
		expect(first.split('$')[4]).not.toBe(second.split('$')[4]);
		expect(await verifyPassword('violet harbour seventeen', first)).toBe(true);
		expect(await verifyPassword('violet harbour seventeen', second)).toBe(true);
	}, 60_000);

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
		limiter.give('a');
		expect(limiter.peek('a')).toBe(0);
	});
});
