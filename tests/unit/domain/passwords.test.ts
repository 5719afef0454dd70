import { describe, expect, it } from 'vitest';
import { initialPasswordProblem, passwordRuleProblem } from '../../../src/lib/domain/passwords.ts';
import { passwordProblem } from '../../../src/relay/accounts/password.ts';

const ann = ['Ann', 'Lee', 'annlee', 'ann.lee@example.com'];

describe('the password rules the app and the relay share', () => {
	it('wants 15 to 256 characters, counted as code points after NFKC', () => {
		expect(passwordRuleProblem('fourteen chars', [])).toBe(
			'Use at least 15 characters (this one has 14). A few unrelated words make a good password.'
		);
		expect(passwordRuleProblem('🦊'.repeat(15), [])).toBeUndefined();
		expect(passwordRuleProblem('x'.repeat(257), [])).toBe('Use at most 256 characters.');
	});

	it("refuses the person's names, username, email and the service's name, also in l33t", () => {
		for (const password of ['annlee-harbour-lantern', 'lantern h4rbour @nnlee', 'harbour R0llc@ll lantern']) {
			expect(passwordRuleProblem(password, ann)).toMatch(/cannot contain your name/);
		}
		expect(passwordRuleProblem('amber kettle drifts past 9 harbours', ann)).toBeUndefined();
	});

	it('is never looser than the relay: what it refuses, the relay refuses too', () => {
		for (const password of ['short one', 'annlee-harbour-lantern', 'x'.repeat(257)]) {
			expect(passwordRuleProblem(password, ann)).toBeDefined();
			expect(passwordProblem(password, ann)).toBe(passwordRuleProblem(password, ann));
		}
		// The relay alone knows breached and guessable passwords.
		expect(passwordRuleProblem('Password1234567!', ann)).toBeUndefined();
		expect(passwordProblem('Password1234567!', ann)).toMatch(/too common or too easy to guess/);
	});

	it('checks an initial password against every name the relay knows of the person', () => {
		const jojo = { firstName: 'Jo', displayName: 'Jojo Bizarre', email: 'jb@example.com' };
		expect(initialPasswordProblem('bizarre harbour lantern kettle', jojo)).toMatch(
			/cannot contain your name/
		);
		expect(passwordProblem('bizarre harbour lantern kettle', ['jb@example.com', 'Jojo Bizarre'])).toMatch(
			/cannot contain your name/
		);
		const ann = { firstName: 'Annabel', lastName: 'Leeward' };
		expect(initialPasswordProblem('annabel leeward harbour', ann)).toMatch(
			/^The password cannot go by SMS: The password cannot contain your name/
		);
		expect(initialPasswordProblem('amber kettle drifts past 9 harbours', jojo)).toBeUndefined();
	});
});
