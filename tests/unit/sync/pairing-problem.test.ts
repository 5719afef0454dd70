import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairingProblem } from '$lib/sync/pairing-problem';
import { RelayClient, type RelayAnswer } from '$lib/sync/relay-client';
import { createPairingCode, PAIRING_CODE_MINUTES } from '../../../src/relay/store/devices.ts';
import { freePort, startTestRelay, type TestRelay } from '../relay/harness.ts';

const PAGE = 'https://admin.example.org';

/** What the admin reads for a pairing answer: the words of a refusal, or '' when it paired. */
function words(answer: RelayAnswer<unknown>): string {
	return answer.ok ? '' : pairingProblem(answer, PAGE);
}

let relay: TestRelay;
beforeAll(async () => {
	relay = await startTestRelay({ RATE_LIMIT_PAIR_ATTEMPTS_PER_15_MINUTES: '3' });
});
afterAll(() => relay.close());

describe('what an admin reads when a real relay refuses pairing', () => {
	it('words each of the relay’s reasons as what to ask of whoever runs it, never the command', async () => {
		const client = new RelayClient({ baseUrl: relay.url });
		const { code } = createPairingCode(relay.relay.db);
		expect(words(await client.pair(code, 'Front desk'))).toBe('');
		const used = words(await client.pair(code, 'Front desk'));
		const late = createPairingCode(relay.relay.db, Date.now() - (PAIRING_CODE_MINUTES * 60_000 + 1000));
		const expired = words(await client.pair(late.code, 'Front desk'));
		// Three attempts are allowed from this address: the fourth is refused for the number of attempts.
		const limited = words(await client.pair('ZZZZ-ZZZZ', 'Front desk'));
		expect(used).toBe(
			'This code was used already: a code pairs one device, once. Ask whoever runs the relay for a new pairing code, and type it here.'
		);
		expect(expired).toBe(
			'This code has expired: a code works for 15 minutes after it is made. Ask whoever runs the relay for a new pairing code, and type it here.'
		);
		expect(limited).toMatch(
			/^Too many pairing attempts from this network: wait \d+ minutes?, then try again\.$/
		);
		for (const sentence of [used, expired, limited]) expect(sentence).not.toMatch(/npm|relay --/);
	});

	it('tells a code the relay does not know from one it used, and asks the admin to check it first', async () => {
		const fresh = await startTestRelay();
		try {
			const unknown = words(await new RelayClient({ baseUrl: fresh.url }).pair('ZZZZ-ZZZZ', 'Front desk'));
			expect(unknown).toMatch(
				/^The relay does not know this code\. Check it against the code you were given/
			);
			expect(unknown).toContain('ask whoever runs the relay for a new one');
			expect(unknown).not.toMatch(/npm|relay --/);
		} finally {
			await fresh.close();
		}
	});

	it('says to check the address when nothing answers there', async () => {
		const nowhere = `http://127.0.0.1:${await freePort()}`;
		const said = words(await new RelayClient({ baseUrl: nowhere }).pair('ZZZZ-ZZZZ', 'Front desk'));
		expect(said).toBe(
			`The relay at ${nowhere} cannot be reached (offline, or the address is wrong). Check the address, and that this device is online.`
		);
	});
});

describe('pairing words for answers a test relay is not made to give', () => {
	it('words an older relay’s one refusal for every reason without its command', () => {
		const said = pairingProblem(
			{
				kind: 'unpaired',
				code: 'pairing-code-refused',
				message: 'This pairing code was already used. Print a new one with `npm run relay -- pair`.'
			},
			PAGE
		);
		expect(said).toBe(
			'The relay did not accept this code: it may be mistyped, used already, or older than 15 minutes. Ask whoever runs the relay for a new pairing code, and type it here.'
		);
	});

	it('says a relay that cannot save is a wait, then a word to whoever runs it', () => {
		const said = pairingProblem(
			{
				kind: 'server',
				status: 503,
				message: 'The relay cannot save anything (disk full).',
				retryAfterSeconds: 30
			},
			PAGE
		);
		expect(said).toBe(
			'The relay cannot save anything right now, so it cannot take a new device. Try again in 30 seconds; if it goes on, tell whoever runs the relay.'
		);
	});

	it('says an address with no relay behind it is the address to check', () => {
		const said = pairingProblem(
			{ kind: 'refused', status: 404, code: 'not-found', message: 'Not found' },
			PAGE
		);
		expect(said).toContain('There is no Rollcall relay at this address');
	});
});
