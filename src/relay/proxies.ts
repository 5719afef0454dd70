// Which machine a request comes from. Behind a reverse proxy every TCP peer is the proxy, so per-address
// limits would lump all clients together; the proxy names the client in X-Forwarded-For, but so can any
// client. Only hops the operator trusts (TRUSTED_PROXIES) are believed, walking the header from the
// nearest hop outwards like Express's 'trust proxy' with a list, and Caddy's and nginx's real-IP modules.
import { BlockList, isIP } from 'node:net';

/** The TRUSTED_PROXIES word for this machine's own addresses (a proxy on the same host). */
export const LOOPBACK = 'loopback';

/** Headers a proxy adds; a request carrying any of them came through one (or pretends to). */
export const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) as 192.0.2.1: one spelling per client. */
export function plainAddress(address: string): string {
	const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
	return (mapped?.[1] ?? address).toLowerCase();
}

/** Whether an address is this machine's (127.0.0.0/8 or ::1, also as an IPv4-mapped address). */
export function isLoopbackAddress(address: string): boolean {
	const plain = plainAddress(address);
	return plain === '::1' || /^127\./.test(plain);
}

/** One TRUSTED_PROXIES entry (`loopback`, an address, or a CIDR range) as written, or undefined. */
export function parseProxyEntry(entry: string): string | undefined {
	const value = entry.trim().toLowerCase();
	if (value === LOOPBACK) return value;
	const [address = '', prefix, ...rest] = value.split('/');
	const family = isIP(address);
	if (family === 0 || rest.length > 0) return undefined;
	if (prefix === undefined) return address;
	const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
	return bits >= 0 && bits <= (family === 4 ? 32 : 128) ? `${address}/${bits}` : undefined;
}

/** The address of one X-Forwarded-For hop; some proxies add a port (`192.0.2.1:5678`, `[2001:db8::1]:80`). */
function hopAddress(hop: string): string | undefined {
	const value = hop.trim();
	const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value)?.[1];
	const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value)?.[1];
	const address = bracketed ?? withPort ?? value;
	return isIP(address) === 0 ? undefined : plainAddress(address);
}

/** The proxies whose forwarding headers the relay believes. */
export class TrustedProxies {
	readonly #list = new BlockList();
	readonly #isEmpty: boolean;

	/** `entries` as parseProxyEntry returns them. */
	constructor(entries: readonly string[]) {
		this.#isEmpty = entries.length === 0;
		for (const entry of entries) {
			if (entry === LOOPBACK) {
				this.#list.addSubnet('127.0.0.0', 8, 'ipv4');
				this.#list.addAddress('::1', 'ipv6');
				continue;
			}
			const [address = '', prefix] = entry.split('/');
			const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
			if (prefix === undefined) this.#list.addAddress(address, type);
			else this.#list.addSubnet(address, Number(prefix), type);
		}
	}

	/** Whether `address` is one of the trusted proxies. */
	has(address: string): boolean {
		if (this.#isEmpty) return false;
		const plain = plainAddress(address);
		const family = isIP(plain);
		return family !== 0 && this.#list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
	}

	/**
	 * The client's address: the TCP peer, unless it is a trusted proxy; then X-Forwarded-For is read from
	 * its right end (the hop nearest the relay) and the first address that is not a trusted proxy is the
	 * client. Everything left of it was written by someone the relay does not trust, so it is not read.
	 * A hop that is not an address stops the walk at the last trusted one.
	 */
	clientOf(peer: string, forwardedFor: string | undefined): string {
		let client = plainAddress(peer);
		if (!this.has(client) || forwardedFor === undefined) return client;
		for (const hop of forwardedFor.split(',').reverse()) {
			const address = hopAddress(hop);
			if (address === undefined) break;
			client = address;
			if (!this.has(address)) break;
		}
		return client;
	}
}
