// The names the relay answers to, and the origins that are its own. Both come from configuration, never
// from a request: a page on attacker.example whose name the attacker points at 127.0.0.1 (DNS rebinding)
// sends `Host: attacker.example`, and must get nothing, least of all the loopback mailbox.

/** The names of this machine, each on the port the relay listens on, as a browser writes them in Host. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/** The relay's own origins: PUBLIC_URL's, and http:// on each loopback name and the listening port. */
export function ownOrigins(publicUrl: string, port: number): string[] {
	const origins = [new URL(publicUrl).origin];
	for (const name of LOOPBACK_NAMES) {
		const origin = new URL(`http://${name}:${port}`).origin;
		if (!origins.includes(origin)) origins.push(origin);
	}
	return origins;
}

/** Host header values the relay answers: PUBLIC_URL's host (with or without its default port), the
 * loopback names on the listening port, and HOST when it is one specific address. */
export function allowedHosts(publicUrl: string, port: number, listenHost?: string): Set<string> {
	const url = new URL(publicUrl);
	const hosts = new Set<string>([url.host]);
	if (url.port === '') hosts.add(`${url.hostname}:${DEFAULT_PORTS[url.protocol] ?? ''}`);
	const names: string[] = [...LOOPBACK_NAMES];
	if (listenHost && !['0.0.0.0', '::', 'localhost', '127.0.0.1', '::1'].includes(listenHost)) {
		names.push(listenHost.includes(':') ? `[${listenHost}]` : listenHost);
	}
	for (const name of names) {
		hosts.add(`${name.toLowerCase()}:${port}`);
		if (port === 80) hosts.add(name.toLowerCase());
	}
	return hosts;
}

/** Whether a Host header names this relay; a missing one (HTTP/1.0) does not. */
export function isAllowedHost(host: string | undefined, allowed: ReadonlySet<string>): boolean {
	return host !== undefined && allowed.has(host.trim().toLowerCase());
}
