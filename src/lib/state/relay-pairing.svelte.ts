import { relay } from '$lib/db';
import { storageErrorMessage } from '$lib/db/errors';
import { PAIRING_CODE_PATTERN } from '$lib/domain/relay-protocol';
import { pairingProblem } from '$lib/sync/pairing-problem';
import { RelayClient } from '$lib/sync/relay-client';
import { sync } from './sync.svelte';

/** Why an address cannot be the relay's, or undefined when it can (empty means this app's own server). */
export function relayUrlProblem(url: string): string | undefined {
	if (url === '') return undefined;
	// Read once and dropped: never rendered, so no reactive URL is needed.
	const parsed = URL.parse(url);
	if (!parsed) return 'Enter the relay’s full address, such as https://relay.example.org.';
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
		return 'The address must start with https://.';
	if (parsed.search || parsed.hash) return 'The address cannot have ? or # in it.';
	return undefined;
}

/**
 * Whether this page's own security policy keeps it from connecting to `origin`. The relay lets the app it
 * serves connect only to that relay, under its names (connect-src); to the page a request it may not make
 * fails exactly like one to a relay that is not there, so the policy is read back from this page's server
 * (a HEAD of this page). Only a policy of plain origins is judged; anything else counts as allowing.
 */
async function isKeptOutByPolicy(origin: string): Promise<boolean> {
	if (origin === location.origin) return false;
	const response = await fetch(location.href, { method: 'HEAD', cache: 'no-store' }).catch(() => undefined);
	const policy = response?.headers.get('content-security-policy') ?? '';
	const sources = /(?:^|;)\s*connect-src\s+([^;]*)/.exec(policy)?.[1]?.trim().split(/\s+/);
	if (!sources?.every((source) => source === "'self'" || URL.parse(source)?.origin === source)) return false;
	return !sources.includes(origin);
}

/** The Settings page's Relay section: the address, the pairing form, Unpair. */
export class RelayPairing {
	url = $state('');
	code = $state('');
	deviceName = $state('');
	#isBusy = $state(false);
	#message = $state<{ text: string; isError?: boolean } | null>(null);

	constructor(url: string) {
		this.url = url;
	}

	get isBusy(): boolean {
		return this.#isBusy;
	}
	get message(): { text: string; isError?: boolean } | null {
		return this.#message;
	}
	get urlProblem(): string | undefined {
		return relayUrlProblem(this.url.trim());
	}
	get codeProblem(): string | undefined {
		return PAIRING_CODE_PATTERN.test(this.code.trim().toUpperCase())
			? undefined
			: 'The code is 8 letters and digits, as the relay printed it (for example K7QD-M2XP).';
	}
	get nameProblem(): string | undefined {
		const name = this.deviceName.trim();
		if (name === '') return 'Give this device a name you will recognise in the relay’s list.';
		return name.length > 100 ? 'The name can be at most 100 characters.' : undefined;
	}

	async saveUrl(): Promise<void> {
		const problem = this.urlProblem;
		if (problem) return void (this.#message = { text: problem, isError: true });
		await this.#run(async () => {
			await relay.setUrl(this.url.trim());
			this.#message = { text: 'Relay address saved.' };
		});
	}

	async pair(): Promise<void> {
		const problem = this.urlProblem ?? this.codeProblem ?? this.nameProblem;
		if (problem) return void (this.#message = { text: problem, isError: true });
		await this.#run(async () => {
			const url = this.url.trim();
			const base = url || location.origin;
			const client = new RelayClient({ baseUrl: base });
			const name = this.deviceName.trim();
			const answer = await client.pair(this.code.trim().toUpperCase(), name);
			const origin = URL.parse(base)?.origin ?? base;
			if (!answer.ok && answer.kind === 'network' && (await isKeptOutByPolicy(origin))) {
				const text = `This copy of Rollcall (from ${location.origin}) may only connect to the addresses of the relay that serves it, and ${base} is not one of them. Open Rollcall at ${base} and pair there, or leave the address empty.`;
				return void (this.#message = { text, isError: true });
			}
			if (!answer.ok)
				return void (this.#message = { text: pairingProblem(answer, location.origin), isError: true });
			await relay.setUrl(url);
			await relay.paired(answer.value.token, answer.value.deviceId, name);
			this.code = '';
			this.#message = { text: `Paired as “${name}”. Waiting messages are on their way.` };
			sync.kick();
		});
	}

	async unpair(): Promise<void> {
		await this.#run(async () => {
			await relay.unpair();
			this.#message = {
				text: 'Unpaired. Messages wait in the Outbox until this device is paired again. To cut the relay’s side too, ask whoever runs the relay to revoke this device there (npm run relay -- tokens revoke).'
			};
		});
	}

	async #run(task: () => Promise<void>): Promise<void> {
		this.#isBusy = true;
		try {
			await task();
		} catch (error) {
			this.#message = { text: storageErrorMessage(error), isError: true };
		} finally {
			this.#isBusy = false;
		}
	}
}
