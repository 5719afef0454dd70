import type { IndexableType, PromiseExtended, Table } from 'dexie';
import {
	ACCOUNT_COMMAND_TYPES,
	LICENSED_PRODUCTS,
	type AccountCommand,
	type AccountCommandType,
	type LicenseFacts
} from '$lib/domain/relay-protocol';
import { relayUserId } from '$lib/domain/outbox';
import { licenseFacts, licenseUpdate } from '$lib/domain/relay-license';
import type { User } from '$lib/domain/user';
import type { CommandRow, RollcallDb } from './database';
import { restoreRelay } from './relay';

/** What the relay's answer means for one command that was being sent. */
export type CommandOutcome =
	| { kind: 'applied' }
	| { kind: 'failed'; reason: string }
	/** Not applied this time: try again at `at`; `isAttempt` counts it for the backoff. */
	| { kind: 'retry'; at: number; reason: string; isAttempt: boolean };

/** Up to this many users, queue() looks each up by key; above, it reads every messaged user once. */
const BY_KEY_AT_MOST = 5_000;

const STATES = new Set<CommandRow['state']>(['queued', 'sending', 'failed']);

/** A stored license as a command carries it, or undefined when it is not one. */
function restoreLicense(stored: unknown): LicenseFacts | undefined {
	if (typeof stored !== 'object' || stored === null) return undefined;
	const { licenseKey, entitlements, webAccess } = stored as Record<string, unknown>;
	if (typeof licenseKey !== 'string' || !Array.isArray(entitlements)) return undefined;
	if (!entitlements.every((p) => (LICENSED_PRODUCTS as readonly unknown[]).includes(p))) return undefined;
	if (webAccess !== undefined && typeof webAccess !== 'boolean') return undefined;
	return {
		licenseKey,
		entitlements: entitlements as LicenseFacts['entitlements'],
		...(webAccess === undefined ? {} : { webAccess })
	};
}

/** A stored command made whole (a damaged one is kept as failed, never sent half-read). */
export function restoreCommand(stored: Record<string, unknown>): CommandRow {
	const license = stored.type === 'license' ? restoreLicense(stored.license) : undefined;
	const computer =
		stored.type === 'deactivate' && typeof stored.computer === 'string' ? stored.computer : undefined;
	const isWhole =
		typeof stored.key === 'string' &&
		typeof stored.relayUserId === 'string' &&
		ACCOUNT_COMMAND_TYPES.includes(stored.type as AccountCommandType) &&
		(stored.type !== 'license' || license !== undefined) &&
		(stored.type !== 'deactivate' || computer !== undefined) &&
		STATES.has(stored.state as CommandRow['state']);
	const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
	const row: CommandRow = {
		seq: number(stored.seq),
		key: String(stored.key),
		type: stored.type as AccountCommandType,
		userId: number(stored.userId),
		relayUserId: String(stored.relayUserId),
		state: isWhole ? (stored.state as CommandRow['state']) : 'failed',
		attempts: number(stored.attempts),
		nextAttemptAt: number(stored.nextAttemptAt),
		createdAt: number(stored.createdAt)
	};
	const reason = isWhole ? stored.reason : 'This command was damaged on this device.';
	if (typeof reason === 'string') row.reason = reason;
	if (license) row.license = license;
	if (computer !== undefined) row.computer = computer;
	return row;
}

/** The command as the protocol sends it. */
export function outgoingCommand(row: CommandRow): AccountCommand {
	const command: AccountCommand = { idempotencyKey: row.key, type: row.type, userId: row.relayUserId };
	if (row.type === 'license' && row.license) return { ...command, license: row.license };
	if (row.type === 'deactivate' && row.computer !== undefined) return { ...command, computer: row.computer };
	return command;
}

/**
 * Commands module: the account commands waiting for the relay. They are queued inside the transaction that
 * changes the users (users.ts), and sent in the order queued, before any message (sync-once.ts).
 */
export function commandsStore(db: RollcallDb) {
	const restored = (rows: (CommandRow | undefined)[]) =>
		rows
			.filter((row) => row !== undefined)
			.map((row) => restoreCommand(row as unknown as Record<string, unknown>));
	const inState = (state: CommandRow['state']) => db.commands.where('state').equals(state);

	/** Moves commands in `from` (by key) with `change`; a change to undefined removes the command. */
	function move(
		keys: readonly string[],
		from: CommandRow['state'],
		change: (row: CommandRow) => CommandRow | undefined
	): Promise<CommandRow[]> {
		return db.transaction('rw', db.commands, async () => {
			// Read by key (random UUIDs), so put back in queue order: the relay applies a batch in the order
			// it is sent, and a suspend must stay ahead of the reactivate queued after it.
			const rows = restored(
				await db.commands
					.where('key')
					.anyOf([...keys])
					.toArray()
			)
				.filter((row) => row.state === from)
				.sort((a, b) => a.seq! - b.seq!);
			const kept: CommandRow[] = [];
			const gone: number[] = [];
			for (const row of rows) {
				const next = change(row);
				if (next) kept.push(next);
				else gone.push(row.seq!);
			}
			await db.commands.bulkPut(kept);
			await db.commands.bulkDelete(gone);
			return kept;
		});
	}

	/**
	 * The user ids `read` finds in the outbox and in the users' message history, in Dexie's promises (see
	 * queue). Both count: a message cleared from the Outbox list moved to its user's history, and the relay
	 * knows that person just as before, so clearing the list never stops a suspension or deletion reaching it.
	 */
	function everMessaged(
		read: (table: Table<unknown, string>) => PromiseExtended<IndexableType[]>
	): PromiseExtended<number[]> {
		return read(db.outbox as Table<unknown, string>).then((inOutbox) =>
			read(db.messageHistory as Table<unknown, string>).then(
				(inHistory) => [...inOutbox, ...inHistory] as number[]
			)
		);
	}

	const store = {
		/** The tables a transaction must hold to call queue(). */
		tables: () => [db.commands, db.relay, db.outbox, db.messageHistory],

		/**
		 * The users between `first` and `last` (inclusive) this device ever queued a message for, inside the
		 * caller's transaction over tables(): those the relay may know.
		 */
		messagedBetween: (first: number, last: number): PromiseExtended<number[]> =>
			everMessaged((table) => table.where('userId').between(first, last, true, true).keys()),

		/**
		 * Queues `type` for the users; call inside the caller's 'rw' transaction over tables(). Only for users
		 * this device ever queued a message for (the relay may know them; it knows no one else), and whether
		 * the device is paired or not: like a message, a command waits for the pairing, and the relay must
		 * hear of a suspension before a message queued while unpaired reaches it. `alsoKnown` are users the
		 * caller knows the relay may know though no message here says so (messages a restore replaced).
		 * Returns how many were queued.
		 */
		queue(
			type: AccountCommandType,
			ids: readonly number[],
			now = Date.now(),
			payload: (userId: number) => Pick<CommandRow, 'license' | 'computer'> = () => ({}),
			alsoKnown: readonly number[] = []
		): PromiseExtended<number> {
			// Dexie's promises all the way (no native async here): this runs inside another module's transaction,
			// and a native promise that settles at once would let that transaction commit under it.
			return db.relay.get('relay').then((stored) => {
				const link = restoreRelay(stored);
				// No relay record yet: no message was ever queued (queueFor creates it), so the relay knows no
				// one. A record alone proves nothing (the Users page makes one for its column choice): the
				// messages decide below.
				if (!link || ids.length === 0) return 0;
				// Looking up a few users is cheapest by key; for a bulk change, one pass over the messaged users.
				const messaged = everMessaged((table) =>
					ids.length <= BY_KEY_AT_MOST
						? table
								.where('userId')
								.anyOf([...ids])
								.keys()
						: table.orderBy('userId').uniqueKeys()
				);
				return messaged.then((keys) => {
					const known = new Set([...keys, ...alsoKnown]);
					const rows = ids
						.filter((id) => known.has(id))
						.map((userId): CommandRow => ({
							key: crypto.randomUUID(),
							type,
							userId,
							relayUserId: relayUserId(link.directoryId, userId),
							state: 'queued',
							attempts: 0,
							nextAttemptAt: now,
							createdAt: now,
							...payload(userId)
						}));
					return db.commands.bulkAdd(rows).then(() => rows.length);
				});
			});
		},

		/**
		 * Tells the relay the license of each user whose key, products or web access changed (`pairs` of the
		 * user before and after). Call inside the caller's 'rw' transaction over tables(), wherever users are
		 * written: like queue(), only for users the relay may know (it learns the others' license with their
		 * first message). Returns how many were queued.
		 */
		queueLicenseChanges(
			pairs: readonly (readonly [before: User, after: User])[],
			now = Date.now()
		): PromiseExtended<number> {
			const changed = new Map(
				pairs.flatMap(([before, after]) => {
					const facts = licenseUpdate(before, after);
					return facts ? [[after.id, facts] as const] : [];
				})
			);
			return store.queue('license', [...changed.keys()], now, (id) => ({ license: changed.get(id)! }));
		},

		/**
		 * Asks the relay to free `computer`'s slot of the user's Desktop license; call inside the caller's 'rw'
		 * transaction over tables(). Returns 0 when the relay cannot know the user (it then holds no slot).
		 */
		queueDeactivate: (userId: number, computer: string, now = Date.now()): PromiseExtended<number> =>
			store.queue('deactivate', [userId], now, () => ({ computer })),

		/**
		 * The first waiting commands, in order, when the first is due by `now` (none may overtake it). A
		 * damaged one among them is written back as failed on the way: left 'queued' on disk, it would be
		 * counted as waiting forever and hold every message behind it.
		 */
		due(now: number, limit: number): Promise<CommandRow[]> {
			return db.transaction('rw', db.commands, async () => {
				for (;;) {
					const rows = restored(await inState('queued').limit(limit).toArray());
					const damaged = rows.filter((row) => row.state !== 'queued');
					if (damaged.length === 0) return rows[0] !== undefined && rows[0].nextAttemptAt <= now ? rows : [];
					for (const row of damaged) {
						await db.commands.update(row.seq, { state: 'failed', reason: row.reason });
					}
				}
			});
		},

		/** How many commands wait to be sent (messages wait behind them). */
		waiting: () => inState('queued').count(),

		/** When the first waiting command falls due, or undefined when none waits. */
		async nextDueAt(): Promise<number | undefined> {
			const first = await inState('queued').first();
			return first && restoreCommand(first as unknown as Record<string, unknown>).nextAttemptAt;
		},

		/** Marks waiting commands as being sent, durably, before they go; returns those marked. */
		markSending: (keys: readonly string[]) => move(keys, 'queued', (row) => ({ ...row, state: 'sending' })),

		/** Commands left 'sending' by a tab that died go back to the queue, due now, under the same keys. */
		async requeueSending(now = Date.now()): Promise<number> {
			const keys = (await inState('sending').toArray()).map((row) => row.key);
			return (await move(keys, 'sending', (row) => ({ ...row, state: 'queued', nextAttemptAt: now }))).length;
		},

		/** Records the relay's answers in one transaction: an applied command is done and removed. */
		settle(outcomes: ReadonlyMap<string, CommandOutcome>): Promise<CommandRow[]> {
			return move([...outcomes.keys()], 'sending', (row) => {
				const outcome = outcomes.get(row.key)!;
				if (outcome.kind === 'applied') return undefined;
				if (outcome.kind === 'failed') {
					return { ...row, state: 'failed', reason: outcome.reason, attempts: row.attempts + 1 };
				}
				return {
					...row,
					state: 'queued',
					reason: outcome.reason,
					nextAttemptAt: outcome.at,
					attempts: row.attempts + (outcome.isAttempt ? 1 : 0)
				};
			});
		},

		/** The commands the relay refused or that were damaged, in order: the Outbox page shows them. */
		failed: async () => restored(await inState('failed').toArray()),

		/**
		 * Tries the refused commands again: each user gets one fresh command saying what the app shows now
		 * (suspend for a Suspended or deleted-but-restorable user, reactivate for one who is not, delete
		 * for one gone for good), queued behind the others. Sending the old command again could undo a
		 * later one already applied (a stale suspend after a reactivate). Returns how many were queued.
		 */
		retryFailed(now = Date.now()): Promise<number> {
			return db.transaction('rw', [db.users, db.trash, ...store.tables()], async () => {
				const failed = restored(await inState('failed').toArray());
				const ids = [...new Set(failed.map((row) => row.userId))];
				const users = await db.users.bulkGet(ids);
				const trashed = new Set((await db.trash.toArray()).map((row) => row.user.id));
				const failedOf = (type: AccountCommandType) =>
					new Set(failed.filter((row) => row.type === type).map((row) => row.userId));
				const [licensing, deactivating] = [failedOf('license'), failedOf('deactivate')];
				const hadStatus = new Set(
					failed.filter((row) => row.type !== 'license' && row.type !== 'deactivate').map((row) => row.userId)
				);
				const byType: Record<'suspend' | 'reactivate' | 'delete', number[]> = {
					suspend: [],
					reactivate: [],
					delete: []
				};
				ids.forEach((id, i) => {
					if (!hadStatus.has(id)) return;
					const user = users[i];
					const type = user ? (user.status === 'Suspended' ? 'suspend' : 'reactivate') : 'delete';
					byType[!user && trashed.has(id) ? 'suspend' : type].push(id);
				});
				await db.commands.bulkDelete(failed.map((row) => row.seq!));
				let queued = 0;
				for (const type of ['suspend', 'reactivate', 'delete'] as const) {
					queued += await store.queue(type, byType[type], now);
				}
				// The license as it is now, and the computers still waiting to be freed.
				const found = users.filter((user): user is User => user !== undefined);
				// A refused command that told web access explicitly (an admin's switch) keeps telling it: the
				// facts alone leave it out for a user no longer managed, and the relay would read that as on.
				const toldWebAccess = new Set(
					failed
						.filter((row) => row.type === 'license' && row.license?.webAccess !== undefined)
						.map((row) => row.userId)
				);
				const licensed = new Map(
					found.flatMap((user) => {
						const current = licensing.has(user.id) ? licenseFacts(user) : undefined;
						const facts =
							current && toldWebAccess.has(user.id)
								? { ...current, webAccess: user.webAccess === true }
								: current;
						return facts ? [[user.id, facts] as const] : [];
					})
				);
				queued += await store.queue('license', [...licensed.keys()], now, (id) => ({
					license: licensed.get(id)!
				}));
				for (const user of found.filter((user) => deactivating.has(user.id))) {
					for (const computer of user.computers ?? []) {
						if (computer.deactivationQueuedAt === undefined) continue;
						queued += await store.queue('deactivate', [user.id], now, () => ({ computer: computer.name }));
					}
				}
				return queued;
			});
		},

		/** Every command not yet applied, in order (for tests). */
		list: async () => restored(await db.commands.toArray())
	};
	return store;
}

export type CommandsStore = ReturnType<typeof commandsStore>;
