// `npm run relay -- activate <email> <key> <computer>`: what a desktop program does to activate its
// license, against a running relay over HTTP, answered in plain words. Exit status 0 when the computer is
// activated (or was already), 1 when the relay refused, 2 for a wrong command line or an unreachable relay.
import type { ActivationResponse, RelayErrorBody } from '../lib/domain/relay-protocol.ts';

export const activationUsage = `  npm run relay -- activate <email> <key> <computer> [--relay <url>]
                                            activate a license on a computer, as the desktop
                                            program does (the relay's URL: --relay, else RELAY_URL,
                                            else PUBLIC_URL)`;

type Env = Readonly<Record<string, string | undefined>>;

/** Runs the command; returns the exit status. `print` and `fail` stand for stdout and stderr. */
export async function activateAt(
	args: readonly string[],
	env: Env,
	publicUrl: string,
	print: (line: string) => void = console.log,
	fail: (line: string) => void = console.error
): Promise<number> {
	const positional: string[] = [];
	let relayUrl = env.RELAY_URL?.trim() || publicUrl;
	for (let i = 0; i < args.length; i++) {
		if (args[i] === '--relay') relayUrl = args[++i] ?? '';
		else positional.push(args[i]!);
	}
	const [email, key, computer] = positional;
	if (!email || !key || !computer || positional.length !== 3) {
		fail(`Usage:\n${activationUsage}`);
		return 2;
	}
	let url: URL;
	try {
		url = new URL('/api/activate', relayUrl);
	} catch {
		fail(`"${relayUrl}" is not the address of a relay, such as http://localhost:4173.`);
		return 2;
	}
	let response: Response;
	try {
		response = await fetch(url, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ email, licenseKey: key, computer })
		});
	} catch (error) {
		fail(`The relay at ${url.origin} cannot be reached (${(error as Error).message}). Is it running?`);
		return 2;
	}
	const body = (await response.json().catch(() => ({}))) as Partial<ActivationResponse & RelayErrorBody>;
	if (response.ok && body.status === 'activated') {
		print(
			body.replayed
				? `"${body.computer}" was already activated (since ${body.activatedAt}): nothing changed.`
				: `Activated on "${body.computer}".`
		);
		return 0;
	}
	const why = body.error?.message ?? `The relay answered ${response.status}.`;
	fail(`Not activated: ${why}`);
	return 1;
}
