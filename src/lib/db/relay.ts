import type { RelayRow, RollcallDb } from './database';

/** This device's relay settings as the app reads them. */
export interface RelayLink {
	directoryId: string;
	/** The relay's base URL, or undefined for the app's own origin. */
	url?: string;
	token?: string;
	deviceId?: string;
	deviceName?: string;
	pairedAt?: number;
	isRevoked: boolean;
	cursor?: string;
}

const KEY = 'relay';
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** A stored relay record (possibly older or damaged) made whole; a token without a device is kept as is. */
export function restoreRelay(
	stored: Partial<Record<keyof RelayRow, unknown>> | undefined
): RelayLink | undefined {
	const directoryId = text(stored?.directoryId);
	if (!stored || !directoryId) return undefined;
	return {
		directoryId,
		url: text(stored.url),
		token: text(stored.token),
		deviceId: text(stored.deviceId),
		deviceName: text(stored.deviceName),
		pairedAt: typeof stored.pairedAt === 'number' ? stored.pairedAt : undefined,
		isRevoked: stored.isRevoked === true,
		cursor: text(stored.cursor)
	};
}

/** Relay module: the single record saying where the relay is and how this device is paired with it. */
export function relayStore(db: RollcallDb) {
	/** The record, created with a fresh directory id the first time anything needs it. */
	function ensure(): Promise<RelayLink> {
		return db.transaction('rw', db.relay, async () => {
			const found = restoreRelay(await db.relay.get(KEY));
			if (found) return found;
			const row: RelayRow = { key: KEY, directoryId: crypto.randomUUID() };
			await db.relay.put(row);
			return restoreRelay(row)!;
		});
	}

	async function change(changes: Partial<Omit<RelayRow, 'key'>>, clear: (keyof RelayRow)[] = []) {
		await db.transaction('rw', db.relay, async () => {
			const current = await ensure();
			const next: Record<string, unknown> = { ...current, ...changes, key: KEY };
			for (const key of clear) delete next[key];
			for (const [key, value] of Object.entries(next)) if (value === undefined) delete next[key];
			await db.relay.put(next as unknown as RelayRow);
		});
	}

	return {
		read: ensure,

		/** The record as stored, or undefined before anything needed it: a read only, for live queries. */
		current: async (): Promise<RelayLink | undefined> => restoreRelay(await db.relay.get(KEY)),

		/** Where the relay is; an empty URL means the app's own origin. */
		setUrl: (url: string) => change({ url: url || undefined }, url ? [] : ['url']),

		/** Stores the token the relay gave; a new pairing starts reading events from the beginning. */
		paired: (token: string, deviceId: string, deviceName: string, now = Date.now()) =>
			change({ token, deviceId, deviceName, pairedAt: now, isRevoked: false }, ['cursor']),

		/** Forgets the token (the admin's Unpair). */
		unpair: () => change({}, ['token', 'deviceId', 'deviceName', 'pairedAt', 'isRevoked', 'cursor']),

		/** The relay refused the token: keep the device name to show, but it is no longer paired. */
		revoked: () => change({ isRevoked: true }, ['token']),

		/** Runs inside the caller's transaction (events are applied with their cursor, all or nothing). */
		setCursor: (cursor: string) => change({ cursor })
	};
}

export type RelayStore = ReturnType<typeof relayStore>;
