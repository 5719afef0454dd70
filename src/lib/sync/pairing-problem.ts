import { PAIRING_REFUSALS, type PairingRefusal } from '$lib/domain/relay-protocol';
import type { RelayProblem } from './relay-client';

const askForNew = 'Ask whoever runs the relay for a new pairing code, and type it here.';

/**
 * The relay's reasons for refusing a code, in what the admin can do about each. The relay's own message
 * is not shown: it is written for whoever runs the relay (it names the command that prints a code), and
 * the admin on a tablet cannot run it. The Relay section explains that command once, for them.
 */
const refusals: Record<PairingRefusal, string> = {
	'pairing-code-unknown': `The relay does not know this code. Check it against the code you were given (8 letters and digits, such as K7QD-M2XP); if it is the same, ask whoever runs the relay for a new one, and type it here.`,
	'pairing-code-used': `This code was used already: a code pairs one device, once. ${askForNew}`,
	'pairing-code-expired': `This code has expired: a code works for 15 minutes after it is made. ${askForNew}`
};

const isRefusal = (code: string | undefined): code is PairingRefusal =>
	(PAIRING_REFUSALS as readonly (string | undefined)[]).includes(code);

/** A wait in words: '30 seconds', '1 minute', '15 minutes'. */
function waitWords(seconds: number): string {
	if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
	const minutes = Math.ceil(seconds / 60);
	return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** The sentence an admin reads when pairing did not work, with what to do, from the page at `pageOrigin`. */
export function pairingProblem(problem: RelayProblem, pageOrigin: string): string {
	switch (problem.kind) {
		case 'network':
			return `${problem.message} Check the address, and that this device is online.`;
		// The relay is there and says (or the browser shows) that it does not take requests from this page.
		case 'blocked':
			return problem.message;
		case 'rate-limited':
			return `Too many pairing attempts from this network: wait ${waitWords(problem.retryAfterSeconds)}, then try again.`;
		case 'unpaired':
			// An older relay says 'pairing-code-refused' for all three reasons.
			return isRefusal(problem.code)
				? refusals[problem.code]
				: `The relay did not accept this code: it may be mistyped, used already, or older than 15 minutes. ${askForNew}`;
		case 'server':
			if (problem.status === 503) {
				const wait =
					problem.retryAfterSeconds === undefined ? 'a few minutes' : waitWords(problem.retryAfterSeconds);
				return `The relay cannot save anything right now, so it cannot take a new device. Try again in ${wait}; if it goes on, tell whoever runs the relay.`;
			}
			return `The relay could not pair this device: ${problem.message}`;
		case 'refused':
			if (problem.status === 404) {
				return 'There is no Rollcall relay at this address (or it is an older one without pairing). Check the address.';
			}
			if (problem.status === 403) return `The relay refused this page (${pageOrigin}): ${problem.message}`;
			return `The relay could not pair this device: ${problem.message}`;
		case 'too-large':
			return `The relay could not pair this device: ${problem.message}`;
	}
}
