import { Dexie, type ObservabilitySet } from 'dexie';
import {
	draftFor,
	mailFor,
	historyMessage,
	historyOf,
	type HistoryMessage,
	isDeliveredBefore,
	isShownUnder,
	messageStates,
	type OutboxFilter,
	type MessageDraft,
	type MessageState,
	type OutboxMessage,
	type SendPreview,
	type SkipReason,
	skipReason,
	templateNames,
	type UserMessage
} from '$lib/domain/outbox';
import type { MessageTemplate, MessageValues } from '$lib/domain/relay-protocol';
import { DEFAULT_CUSTOMER_ID, nameOf, type User } from '$lib/domain/user';
import { commandsStore } from './commands';
import { customerUsers, type RollcallDb } from './database';
import { refreshInitialPasswords } from './initial-passwords';
import type { RelayStore } from './relay';

/** What the relay's answer means for one message that was being sent. */
export type SendOutcome =
	| { kind: 'accepted'; messageId: string }
	| { kind: 'failed'; reason: string }
	/** Not sent this time: try again at `at`; `isAttempt` counts it for the backoff. */
	| { kind: 'retry'; at: number; reason: string; isAttempt: boolean };

/** How many messages are in each state. */
export type OutboxCounts = Record<MessageState, number>;

const number = (value: unknown, fallback: number) =>
	typeof value === 'number' && Number.isFinite(value) ? value : fallback;
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** A stored message (possibly from an older version or damaged) made whole, so no page meets half a row. */
export function restoreMessage(stored: Record<string, unknown>): OutboxMessage {
	const state = messageStates.includes(stored.state as MessageState)
		? (stored.state as MessageState)
		: 'failed';
	const createdAt = number(stored.createdAt, Date.now());
	const message: OutboxMessage = {
		key: String(stored.key),
		template: (text(stored.template) ?? 'activation') as MessageTemplate,
		to: text(stored.to) ?? '',
		userId: number(stored.userId, 0),
		user: (stored.user ?? { id: '' }) as OutboxMessage['user'],
		state,
		attempts: Math.max(0, number(stored.attempts, 0)),
		nextAttemptAt: number(stored.nextAttemptAt, createdAt),
		createdAt
	};
	const optional = {
		values: stored.values as MessageValues | undefined,
		reason:
			text(stored.reason) ??
			(state !== stored.state ? 'This message was damaged on this device.' : undefined),
		sentAt: typeof stored.sentAt === 'number' ? stored.sentAt : undefined,
		messageId: text(stored.messageId),
		delivery:
			stored.delivery === 'delivered' || stored.delivery === 'undeliverable' ? stored.delivery : undefined,
		deliveredAt: typeof stored.deliveredAt === 'number' ? stored.deliveredAt : undefined
	};
	for (const [key, value] of Object.entries(optional)) {
		if (value !== undefined) Object.assign(message, { [key]: value });
	}
	return message;
}

/**
 * A stored history message (possibly from a backup made elsewhere) kept to what a history holds, so a
 * crafted one brings no password in; undefined without a key, a user or a template.
 */
export function restoreHistory(stored: Record<string, unknown>): HistoryMessage | undefined {
	const { key, template, userId } = stored;
	if (typeof key !== 'string' || key === '' || !Number.isSafeInteger(userId)) return undefined;
	if (typeof template !== 'string' || !Object.hasOwn(templateNames, template)) return undefined;
	const message = restoreMessage({ ...stored, state: 'sent' });
	return historyOf(message);
}

const READ_CHUNK = 2_000;

/** Outbox module: every read and write of queued messages goes through here. */
export function outboxStore(db: RollcallDb, relay: RelayStore) {
	/** The ids of a customer's users and deleted users. */
	async function customerUserIds(customerId: number): Promise<Set<number>> {
		const ids = new Set(await customerUsers(db, customerId).primaryKeys());
		await db.trash.each((row) => {
			if (row.user.customerId === customerId) ids.add(row.user.id);
		});
		return ids;
	}

	const commands = commandsStore(db);
	const restored = (rows: (OutboxMessage | undefined)[]) =>
		rows
			.filter((row) => row !== undefined)
			.map((row) => restoreMessage(row as unknown as Record<string, unknown>));

	async function eachUser(ids: readonly number[], visit: (user: User) => void): Promise<void> {
		for (let start = 0; start < ids.length; start += READ_CHUNK) {
			const found = await db.users.bulkGet(ids.slice(start, start + READ_CHUNK));
			for (const user of found) if (user) visit(user);
		}
	}

	/** Adds drafts as queued messages, due now, each under a new idempotency key. */
	function enqueue(drafts: readonly MessageDraft[], now = Date.now()): Promise<OutboxMessage[]> {
		const messages = drafts.map((draft): OutboxMessage => ({
			...draft,
			key: crypto.randomUUID(),
			state: 'queued',
			attempts: 0,
			nextAttemptAt: now,
			createdAt: now
		}));
		for (const message of messages) if (message.values === undefined) delete message.values;
		return db.transaction('rw', db.outbox, async () => {
			await db.outbox.bulkAdd(messages);
			return messages;
		});
	}

	/** Moves messages in `from` to a new state, with changes; returns those that were moved. */
	function move(keys: readonly string[], from: MessageState, change: (m: OutboxMessage) => OutboxMessage) {
		return db.transaction('rw', db.outbox, async () => {
			const moved = restored(await db.outbox.bulkGet([...keys]))
				.filter((m) => m.state === from)
				.map(change);
			await db.outbox.bulkPut(moved);
			return moved;
		});
	}

	/** Every sent message, through the sender's index (sent ones are never due again). */
	const sentRows = () =>
		db.outbox.where('[state+nextAttemptAt]').between(['sent', Dexie.minKey], ['sent', Dexie.maxKey]);

	return {
		enqueue,

		/**
		 * Runs `scope` (a user's creation and the messages queued for them) in one transaction, so the user
		 * and their messages are saved together or not at all: a form's password never outlives a failed save.
		 */
		together: <T>(scope: () => Promise<T>): Promise<T> =>
			// The license pools too: users.add checks the seats it takes in this transaction.
			db.transaction('rw', [db.users, db.licensePools, ...commands.tables()], scope),

		/**
		 * Queues a template for users, all in one transaction with the read of who they are; users it cannot
		 * go to (skipReason: already Active or Suspended for an activation, no address) are skipped and
		 * counted by reason, whatever the page asked. `values` per user (the form's password for SMS): a
		 * user whose SMS carries an initial password is marked as having one (the relay sets it from the SMS).
		 * For a suspended user a 'suspend' command goes first: the relay may not know them yet (they had no
		 * message when suspended), and it then refuses the message and says why, rather than send it.
		 */
		async queueFor(
			ids: readonly number[],
			template: MessageTemplate,
			options: { values?: (user: User) => MessageValues | undefined; now?: number } = {}
		): Promise<{ queued: number; skipped: number; reasons: Partial<Record<SkipReason, number>> }> {
			const { directoryId } = await relay.read();
			return db.transaction('rw', [db.users, ...commands.tables()], async () => {
				const drafts: MessageDraft[] = [];
				const suspended: number[] = [];
				const withPassword: number[] = [];
				const reasons: Partial<Record<SkipReason, number>> = {};
				await eachUser(ids, (user) => {
					const reason = skipReason(user, template);
					if (reason) return void (reasons[reason] = (reasons[reason] ?? 0) + 1);
					const draft = draftFor(user, mailFor(user, template), directoryId, options.values?.(user))!;
					drafts.push(draft);
					if (user.status === 'Suspended') suspended.push(user.id);
					if (draft.values?.password !== undefined && !user.hasPassword) withPassword.push(user.id);
				});
				await enqueue(drafts, options.now);
				await commands.queue('suspend', suspended, options.now);
				await db.users.where(':id').anyOf(withPassword).modify({ hasPassword: true });
				// Users deleted meanwhile are skipped too.
				const skipped = ids.length - drafts.length;
				const deleted = skipped - Object.values(reasons).reduce((sum, n) => sum + n, 0);
				if (deleted > 0) reasons.deleted = deleted;
				return { queued: drafts.length, skipped, reasons };
			});
		},

		/** Who sending a template to these users would reach, and who it leaves out and why, for the confirm dialog. */
		async preview(ids: readonly number[], template: MessageTemplate, named = 3): Promise<SendPreview> {
			const result: SendPreview = { count: 0, names: [], skipped: {} };
			const add = (group: { count: number; names: string[] }, name: string) => {
				group.count++;
				if (group.names.length < named) group.names.push(name);
			};
			let found = 0;
			await db.transaction('r', db.users, () =>
				eachUser(ids, (user) => {
					found++;
					const reason = skipReason(user, template);
					add(reason ? (result.skipped[reason] ??= { count: 0, names: [] }) : result, nameOf(user));
				})
			);
			if (found < ids.length) result.skipped.deleted = { count: ids.length - found, names: [] };
			return result;
		},

		/**
		 * The newest messages first, for the Outbox page: all of them, or those the filter shows; with several
		 * customers, only those to the customer's users (and its deleted users, whose messages may still wait).
		 */
		async list(
			limit = 500,
			filter: OutboxFilter = 'All',
			customerId = DEFAULT_CUSTOMER_ID
		): Promise<OutboxMessage[]> {
			const newest = db.outbox.orderBy('createdAt').reverse();
			const theirs = (await db.customers.count()) > 1 ? await customerUserIds(customerId) : undefined;
			const isShown = (m: OutboxMessage) =>
				(filter === 'All' || isShownUnder(m, filter)) && (!theirs || theirs.has(m.userId));
			// Unfiltered, the index's own limit reads only the rows shown.
			const rows = await (filter === 'All' && !theirs ? newest : newest.filter(isShown))
				.limit(limit)
				.toArray();
			return restored(rows);
		},

		/** How many messages were delivered before `before`: what clearDelivered would remove. */
		countDelivered: (before: number): Promise<number> =>
			sentRows()
				.filter((m) => isDeliveredBefore(m, before))
				.count(),

		/**
		 * Takes the messages delivered before `before` off the Outbox list, in one transaction; returns how
		 * many. Each moves to its user's message history (what of it the user's page shows): the user keeps
		 * their 'Resend', and commands.queue still knows the relay knows them, so a later suspension or
		 * deletion reaches it. Nothing else is moved: a waiting, failed or undeliverable message still asks
		 * something of the admin.
		 */
		clearDelivered(before: number): Promise<number> {
			return db.transaction('rw', db.outbox, db.messageHistory, async () => {
				const cleared = restored(
					await sentRows()
						.filter((m) => isDeliveredBefore(m, before))
						.toArray()
				);
				await db.messageHistory.bulkPut(cleared.map(historyOf));
				await db.outbox.bulkDelete(cleared.map((m) => m.key));
				return cleared.length;
			});
		},

		/** One user's messages, newest first: those in the outbox and those cleared into their history. */
		async forUser(userId: number): Promise<UserMessage[]> {
			return db.transaction('r', db.outbox, db.messageHistory, async () => {
				const [inOutbox, inHistory] = await Promise.all([
					db.outbox.where('userId').equals(userId).toArray(),
					db.messageHistory.where('userId').equals(userId).toArray()
				]);
				const rows: UserMessage[] = [...restored(inOutbox), ...inHistory.map(historyMessage)];
				return rows.sort((a, b) => b.createdAt - a.createdAt);
			});
		},

		get: async (key: string) => restored([await db.outbox.get(key)])[0],

		/** One read transaction for all the states: the header re-reads these after every change. */
		counts(): Promise<OutboxCounts> {
			return db.transaction('r', db.outbox, async () => {
				const entries = await Promise.all(
					messageStates.map(async (state) => {
						const count = await db.outbox
							.where('[state+nextAttemptAt]')
							.between([state, Dexie.minKey], [state, Dexie.maxKey])
							.count();
						return [state, count] as const;
					})
				);
				return Object.fromEntries(entries) as OutboxCounts;
			});
		},

		/** Queued messages due by `now`, the longest-waiting first. */
		async due(now: number, limit: number): Promise<OutboxMessage[]> {
			const rows = await db.outbox
				.where('[state+nextAttemptAt]')
				.between(['queued', Dexie.minKey], ['queued', now], true, true)
				.limit(limit)
				.toArray();
			return restored(rows);
		},

		/** When the next queued message falls due, or undefined when none waits. */
		async nextDueAt(): Promise<number | undefined> {
			const first = await db.outbox
				.where('[state+nextAttemptAt]')
				.between(['queued', Dexie.minKey], ['queued', Dexie.maxKey])
				.first();
			return first?.nextAttemptAt;
		},

		/**
		 * Marks queued messages as being sent, durably, before they go out; returns those marked. A message
		 * about a user deleted since it was queued (by hand, or by undoing their import) is cancelled instead:
		 * it would open an account for someone no longer in the directory.
		 */
		markSending(keys: readonly string[]): Promise<OutboxMessage[]> {
			return db.transaction('rw', db.outbox, db.users, async () => {
				const queued = restored(await db.outbox.bulkGet([...keys])).filter((m) => m.state === 'queued');
				const present = await db.users.bulkGet(queued.map((m) => m.userId));
				const sending: OutboxMessage[] = [];
				const dropped: OutboxMessage[] = [];
				queued.forEach((message, i) => {
					if (present[i]) sending.push({ ...message, state: 'sending' });
					else
						dropped.push(wipePassword({ ...message, state: 'cancelled', reason: 'The user was deleted.' }));
				});
				await db.outbox.bulkPut([...sending, ...dropped]);
				return sending;
			});
		},

		/**
		 * Messages left 'sending' by a tab that died mid-send go back to the queue, due now, under the same
		 * key: the relay answers a repeated key with its first answer, so nothing is sent twice.
		 */
		async requeueSending(now = Date.now()): Promise<number> {
			const keys: string[] = await db.outbox
				.where('[state+nextAttemptAt]')
				.between(['sending', Dexie.minKey], ['sending', Dexie.maxKey])
				.primaryKeys();
			const moved = await move(keys, 'sending', (m) => ({ ...m, state: 'queued', nextAttemptAt: now }));
			return moved.length;
		},

		/** Records the relay's answers, in one transaction; an accepted message's password is wiped in it. */
		settle(outcomes: ReadonlyMap<string, SendOutcome>, now = Date.now()): Promise<OutboxMessage[]> {
			return move([...outcomes.keys()], 'sending', (message) => {
				const outcome = outcomes.get(message.key)!;
				if (outcome.kind === 'accepted') {
					const sent: OutboxMessage = {
						...message,
						state: 'sent',
						sentAt: now,
						messageId: outcome.messageId
					};
					delete sent.reason;
					return wipePassword(sent);
				}
				if (outcome.kind === 'failed') {
					return { ...message, state: 'failed', reason: outcome.reason, attempts: message.attempts + 1 };
				}
				return {
					...message,
					state: 'queued',
					reason: outcome.reason,
					nextAttemptAt: outcome.at,
					attempts: message.attempts + (outcome.isAttempt ? 1 : 0)
				};
			});
		},

		/** A failed message goes back to the queue, due now, under the same key. */
		retry: (key: string, now = Date.now()) =>
			move([key], 'failed', (m) => ({ ...m, state: 'queued', nextAttemptAt: now, attempts: 0 })).then(
				(moved) => moved.length > 0
			),

		/**
		 * A waiting message will not be sent; its password (if any) is wiped at once, and SMS login details
		 * take back the user's initial password with them (unless another SMS carries one).
		 */
		cancel: (key: string) =>
			db.transaction('rw', [db.outbox, db.users, db.messageHistory], async () => {
				const moved = await move([key], 'queued', (m) => wipePassword({ ...m, state: 'cancelled' }));
				await refreshInitialPasswords(
					db,
					moved.filter((m) => m.template === 'sms-login').map((m) => m.userId)
				);
				return moved.length > 0;
			}),

		/** Calls `listener` after every change to the outbox, in this tab or another. */
		onChange(listener: () => void): () => void {
			const prefix = `idb://${db.name}/outbox/`;
			const handler = (parts: ObservabilitySet) => {
				if (Object.keys(parts).some((part) => part.startsWith(prefix))) listener();
			};
			Dexie.on.storagemutated.subscribe(handler);
			return () => Dexie.on.storagemutated.unsubscribe(handler);
		}
	};
}

/** The message without a readable password: once sent or cancelled, no copy stays on the device. */
function wipePassword(message: OutboxMessage): OutboxMessage {
	if (message.values?.password === undefined) return message;
	const { password, ...rest } = message.values;
	void password;
	const wiped = { ...message, values: rest };
	if (Object.keys(rest).length === 0) delete (wiped as Partial<OutboxMessage>).values;
	return wiped;
}

export type OutboxStore = ReturnType<typeof outboxStore>;
