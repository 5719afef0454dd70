// The names the relay answers to, and the origins that are its own. Both come from configuration, never
// from a request: a page on attacker.example whose name the attacker points at 127.0.0.1 (DNS rebinding)
// sends `Host: attacker.example`, and must get nothing, least of all the loopback mailbox.

/** The names of this machine, each on the port the relay listens on, as a browser writes them in Host. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

const WILDCARD_OR_LOOPBACK = ['0.0.0.0', '::', 'localhost', '127.0.0.1', '::1'];

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/** The names the relay answers on its own port: the loopback names, and HOST when it is one address. */
function portNames(listenHost: string | undefined): string[] {
	const names: string[] = [...LOOPBACK_NAMES];
	if (listenHost && !WILDCARD_OR_LOOPBACK.includes(listenHost)) {
		// As a browser writes it: lower case, an IPv6 address bracketed and shortened.
		const name = URL.parse(`http://${listenHost.includes(':') ? `[${listenHost}]` : listenHost}`)?.hostname;
		if (name) names.push(name);
	}
	return names;
}

/** The relay's own origins: PUBLIC_URL's, and http:// on each of its names on the listening port. */
export function ownOrigins(publicUrl: string, port: number, listenHost?: string): string[] {
	const origins = [new URL(publicUrl).origin];
	for (const name of portNames(listenHost)) {
		const origin = new URL(`http://${name}:${port}`).origin;
		if (!origins.includes(origin)) origins.push(origin);
	}
	return origins;
}

/**
 * Host header values the relay answers: PUBLIC_URL's host (with or without its default port), and the
 * loopback names (and HOST when it is one specific address) on the listening port.
 */
export function allowedHosts(publicUrl: string, port: number, listenHost?: string): Set<string> {
	const url = new URL(publicUrl);
	const hosts = new Set<string>([url.host]);
	if (url.port === '') hosts.add(`${url.hostname}:${DEFAULT_PORTS[url.protocol] ?? ''}`);
	for (const name of portNames(listenHost)) {
		hosts.add(`${name}:${port}`);
		if (port === 80) hosts.add(name);
	}
	return hosts;
}

/** Whether a Host header names this relay; a missing one (HTTP/1.0) does not. */
export function isAllowedHost(host: string | undefined, allowed: ReadonlySet<string>): boolean {
	return host !== undefined && allowed.has(host.trim().toLowerCase());
}
