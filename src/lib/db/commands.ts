import type { IndexableType, PromiseExtended, Table } from 'dexie';
import type { AccountCommand, AccountCommandType } from '$lib/domain/relay-protocol';
import { relayUserId } from '$lib/domain/outbox';
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

/** A stored command made whole (a damaged one is kept as failed, never sent half-read). */
export function restoreCommand(stored: Record<string, unknown>): CommandRow {
	const isWhole =
		typeof stored.key === 'string' &&
		typeof stored.relayUserId === 'string' &&
		(stored.type === 'suspend' || stored.type === 'reactivate' || stored.type === 'delete') &&
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
	return row;
}

/** The command as the protocol sends it. */
export function outgoingCommand(row: CommandRow): AccountCommand {
	return { idempotencyKey: row.key, type: row.type, userId: row.relayUserId };
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
		 * hear of a suspension before a message queued while unpaired reaches it. Returns how many were queued.
		 */
		queue(type: AccountCommandType, ids: readonly number[], now = Date.now()): PromiseExtended<number> {
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
					const known = new Set(keys);
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
							createdAt: now
						}));
					return db.commands.bulkAdd(rows).then(() => rows.length);
				});
			});
		},

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
				const byType: Record<AccountCommandType, number[]> = { suspend: [], reactivate: [], delete: [] };
				ids.forEach((id, i) => {
					const user = users[i];
					const type = user ? (user.status === 'Suspended' ? 'suspend' : 'reactivate') : 'delete';
					byType[!user && trashed.has(id) ? 'suspend' : type].push(id);
				});
				await db.commands.bulkDelete(failed.map((row) => row.seq!));
				let queued = 0;
				for (const type of ['suspend', 'reactivate', 'delete'] as const) {
					queued += await store.queue(type, byType[type], now);
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
