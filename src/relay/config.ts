/** What the relay needs from its environment. */
export interface RelayConfig {
	/** TCP port to listen on (PORT, default 4173). */
	readonly port: number;
	/** Interface to listen on (HOST, default 127.0.0.1: only this machine; use 0.0.0.0 behind a proxy). */
	readonly host: string;
}

export type ConfigResult = { ok: true; config: RelayConfig } | { ok: false; errors: string[] };

export const DEFAULT_PORT = 4173;
export const DEFAULT_HOST = '127.0.0.1';

/** Reads and checks the relay's settings; every problem is reported at once, in plain words. */
export function readConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
	const errors: string[] = [];

	const rawPort = env.PORT?.trim() ?? '';
	let port = DEFAULT_PORT;
	if (rawPort !== '') {
		port = /^\d+$/.test(rawPort) ? Number(rawPort) : Number.NaN;
		if (!Number.isInteger(port) || port < 1 || port > 65535) {
			errors.push(`PORT must be a whole number from 1 to 65535, but it is "${env.PORT}".`);
		}
	}

	const rawHost = env.HOST?.trim() ?? '';
	const host = rawHost === '' ? DEFAULT_HOST : rawHost;
	if (/[\s/]/.test(host)) {
		errors.push(
			`HOST must be a host name or IP address such as 127.0.0.1 or 0.0.0.0, but it is "${env.HOST}".`
		);
	}

	return errors.length > 0 ? { ok: false, errors } : { ok: true, config: { port, host } };
}
