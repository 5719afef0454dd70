// How guessable a password is, by zxcvbn-ts (MIT, maintained): it looks for the password's parts in
// dictionaries of common passwords (49,000 from breach corpora), English words, names and surnames
// (about 180,000 more), and sees through what people do to them: l33t substitutions (P@ssw0rd), digits and
// symbols added at the end, repeats, sequences and keyboard walks (1qaz2wsx). Its estimate of the guesses
// an attacker needs is the product of the parts' ranks, so random words add up and a padded common word
// does not.
import { createRequire } from 'node:module';
import type { ZxcvbnFactory, ZxcvbnResult } from '@zxcvbn-ts/core';

type Core = typeof import('@zxcvbn-ts/core');
type Common = typeof import('@zxcvbn-ts/language-common');
type English = typeof import('@zxcvbn-ts/language-en');

/** Characters looked at: enough for any pattern; past it, the cost of l33t matching grows fast. */
const CHECKED_LENGTH = 64;

let checker: ZxcvbnFactory | undefined;

/**
 * The dictionaries take about half a second to load (more on a busy machine), so they load on the first
 * check, not at start-up.
 */
function loadPasswordDictionaries(): ZxcvbnFactory {
	if (checker) return checker;
	const require = createRequire(import.meta.url);
	const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as Core;
	const common = require('@zxcvbn-ts/language-common') as Common;
	const english = require('@zxcvbn-ts/language-en') as English;
	checker = new ZxcvbnFactory({
		dictionary: { ...common.dictionary, ...english.dictionary },
		graphs: common.adjacencyGraphs,
		translations: english.translations,
		maxLength: CHECKED_LENGTH,
		// Each substitution multiplies the variants tried; a few cover what people type.
		l33tMaxSubstitutions: 16
	});
	return checker;
}

/** zxcvbn's verdict on `password`; `context` words (names, addresses) count as the first words tried. */
export function guessability(password: string, context: readonly string[]): ZxcvbnResult {
	return loadPasswordDictionaries().check(password, [...context]);
}
