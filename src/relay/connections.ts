// Caps on open connections, so that one machine (or a botnet) opening thousands of idle sockets cannot
// hold the relay's memory and file descriptors. Counted per TCP peer: at that level the relay knows
// nothing else. A proxy's connections carry many clients, so a trusted proxy's (and this machine's) count
// only towards the total; per-client connection limits then belong at the proxy (nginx limit_conn).
import type { Server, Socket } from 'node:net';
import type { Logger } from './log.ts';
import { plainAddress } from './proxies.ts';

export interface ConnectionLimits {
	/** Open connections in all (MAX_CONNECTIONS). */
	readonly total: number;
	/** Open connections from one address (MAX_CONNECTIONS_PER_ADDRESS); loopback and trusted proxies are exempt. */
	readonly perAddress: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { total: 1000, perAddress: 100 };

/** At most one log line per this long about refused connections: a flood must not flood the log too. */
const LOG_INTERVAL_MS = 60_000;

export interface ConnectionCapOptions {
	readonly limits: ConnectionLimits;
	readonly log: Logger;
	/** The TCP peer's address. */
	readonly peerAddress: (socket: Socket) => string;
	/** Addresses counted only towards the total (loopback, trusted proxies). */
	readonly isExempt: (address: string) => boolean;
	readonly now?: () => number;
}

/**
 * Closes each new connection over a cap before the HTTP parser sees it (the client gets a reset: writing
 * even a 503 would mean reading its request first). Refusals are logged at most once a minute, with how
 * many there were since the last line.
 */
export function capConnections(server: Server, options: ConnectionCapOptions): void {
	const { limits, log, peerAddress, isExempt, now = Date.now } = options;
	const open = new Map<string, number>();
	let total = 0;
	let lastLogAt = -Infinity;
	let unlogged = 0;

	const refuse = (socket: Socket, address: string, reason: string): void => {
		socket.destroy();
		unlogged += 1;
		if (now() - lastLogAt < LOG_INTERVAL_MS) return;
		log.warn('connection-refused', `Refused a connection: ${reason}.`, {
			client: address,
			refused: unlogged,
			openConnections: total
		});
		lastLogAt = now();
		unlogged = 0;
	};

	// Prepended, so a refused socket is closed before the HTTP server's own listener starts reading it.
	server.prependListener('connection', (socket: Socket) => {
		const address = plainAddress(peerAddress(socket));
		if (total >= limits.total) {
			return refuse(socket, address, `the relay already has ${limits.total} open connections`);
		}
		const count = open.get(address) ?? 0;
		if (!isExempt(address) && count >= limits.perAddress) {
			return refuse(socket, address, `${limits.perAddress} connections from one address are open`);
		}
		total += 1;
		open.set(address, count + 1);
		socket.once('close', () => {
			total -= 1;
			const left = (open.get(address) ?? 1) - 1;
			if (left === 0) open.delete(address);
			else open.set(address, left);
		});
	});
}
