import { localUserId, type OutboxMessage } from '$lib/domain/outbox';
import type { RelayEvent } from '$lib/domain/relay-protocol';
import { withComputer, withoutComputer } from '$lib/domain/relay-license';
import type { User } from '$lib/domain/user';
import type { RollcallDb } from './database';
import { refreshInitialPasswords } from './initial-passwords';
import { restoreMessage } from './outbox';
import type { RelayStore } from './relay';

/** What one page of events changed here. */
export interface AppliedEvents {
	activated: number;
	signedIn: number;
	delivery: number;
	/** Computers activated on, or freed from, users' Desktop licenses. */
	computers: number;
	/** Events about users or messages this directory does not have (deleted, or another device's). */
	skipped: number;
}

/**
 * Applies the relay's events to the directory and the outbox, and stores the cursor, in one transaction:
 * a page is applied whole or not at all, so a crash never skips or repeats one. Applying an event twice
 * changes nothing more (activatedAt and lastLoginAt only move forward).
 */
export function eventsStore(db: RollcallDb, relay: RelayStore) {
	return {
		async apply(events: readonly RelayEvent[], cursor: string): Promise<AppliedEvents> {
			const applied: AppliedEvents = { activated: 0, signedIn: 0, delivery: 0, computers: 0, skipped: 0 };
			const { directoryId } = await relay.read();
			await db.transaction('rw', [db.users, db.outbox, db.messageHistory, db.relay], async () => {
				for (const event of events) {
					const at = Date.parse(event.at);
					const time = Number.isFinite(at) ? at : Date.now();
					if (event.type === 'delivered' || event.type === 'undeliverable') {
						const stored = event.idempotencyKey ? await db.outbox.get(event.idempotencyKey) : undefined;
						if (!stored) {
							applied.skipped++;
							continue;
						}
						const message = delivered(restoreMessage({ ...stored }), event, time);
						await db.outbox.put(message);
						// SMS login details that never reached the person gave them no password.
						if (message.template === 'sms-login' && message.delivery === 'undeliverable')
							await refreshInitialPasswords(db, [message.userId]);
						applied.delivery++;
						continue;
					}
					const id = localUserId(directoryId, event.userId);
					const user = id === undefined ? undefined : await db.users.get(id);
					if (!user) {
						applied.skipped++;
						continue;
					}
					if (event.type === 'computer-activated' || event.type === 'computer-deactivated') {
						if (!event.computer) {
							applied.skipped++;
							continue;
						}
						const computers =
							event.type === 'computer-activated'
								? withComputer(user.computers, event.computer, time)
								: withoutComputer(user.computers, event.computer);
						await db.users.put({ ...user, computers });
						applied.computers++;
						continue;
					}
					if (event.type === 'activated') {
						await db.users.put(activated(user, time));
						applied.activated++;
					} else if (event.type === 'signed-in') {
						await db.users.put(signedIn(user, time));
						applied.signedIn++;
					} else {
						// A kind of event a newer relay reports and this app does not know yet.
						applied.skipped++;
					}
				}
				await relay.setCursor(cursor);
			});
			return applied;
		}
	};
}

function delivered(message: OutboxMessage, event: RelayEvent, time: number): OutboxMessage {
	const next: OutboxMessage = {
		...message,
		delivery: event.type === 'delivered' ? 'delivered' : 'undeliverable',
		deliveredAt: time
	};
	if (event.type === 'undeliverable') next.reason = event.reason || 'The relay could not deliver it.';
	return next;
}

/** The person set a password: Active (a suspended user stays suspended, but is known to have activated). */
function activated(user: User, time: number): User {
	return {
		...user,
		status: user.status === 'Suspended' ? 'Suspended' : 'Active',
		activatedAt: user.activatedAt ?? time,
		updatedAt: Math.max(user.updatedAt, time)
	};
}

/** A sign-in proves the account was activated, even if that event was lost. */
function signedIn(user: User, time: number): User {
	return {
		...user,
		status: user.status === 'Pending' ? 'Active' : user.status,
		activatedAt: user.activatedAt ?? time,
		lastLoginAt: Math.max(user.lastLoginAt, time)
	};
}

export type EventsStore = ReturnType<typeof eventsStore>;
