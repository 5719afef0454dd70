import { newLicenseKey } from '$lib/domain/license-key';
import { userKeys, type User } from '$lib/domain/user';
import { commandsStore } from './commands';
import type { RollcallDb } from './database';

/**
 * A user's license key and the computers their Desktop license is activated on: the admin regenerates the
 * key (the old one stops working at the relay once it has the command) and frees a computer's slot. Both
 * reach the relay as account commands, queued in the transaction that changes the user.
 */
export function computersStore(db: RollcallDb) {
	const commands = commandsStore(db);
	const change = (
		id: number,
		edit: (user: User) => User | undefined,
		queue: (before: User, after: User) => unknown
	) =>
		db.transaction('rw', [db.users, ...commands.tables()], async () => {
			const user = await db.users.get(id);
			if (!user) throw new Error('This user no longer exists: it may have been deleted in another tab.');
			const next = edit(user);
			if (!next) return user;
			await db.users.put(next);
			await queue(user, next);
			return next;
		});

	return {
		/** Whether the relay may know the user (a message was queued for them here): it must learn a new key. */
		mayBeKnown: (id: number): Promise<boolean> =>
			db.transaction('r', commands.tables(), () =>
				commands.messagedBetween(id, id).then((ids) => ids.length > 0)
			),

		/**
		 * Gives the user a new key; the relay learns it with the next sync (a 'license' command, when it
		 * knows the user), and from then on the old key activates nothing.
		 */
		regenerateKey: (id: number, now = Date.now()): Promise<User> =>
			change(
				id,
				(user) => {
					// The key is one of the user's unique entries (uniqueKeys): derived again with it.
					const next = { ...user, licenseKey: newLicenseKey(), updatedAt: now };
					return { ...next, ...userKeys(next, next.customerId) };
				},
				(before, after) => commands.queueLicenseChanges([[before, after]], now)
			),

		/**
		 * Asks the relay to free `computer`'s slot. The computer stays listed, marked as waiting, until the
		 * relay's event says it is free; asking again while it waits changes nothing. For a user the relay
		 * cannot know (never messaged from here) there is nothing to wait for: the computer goes at once.
		 */
		deactivate: (id: number, computer: string, now = Date.now()): Promise<User> =>
			change(
				id,
				(user) => {
					const found = user.computers?.find((c) => c.name === computer);
					if (!found || found.deactivationQueuedAt !== undefined) return undefined;
					return {
						...user,
						computers: user.computers!.map((c) => (c === found ? { ...c, deactivationQueuedAt: now } : c))
					};
				},
				async (_before, after) => {
					if ((await commands.queueDeactivate(after.id, computer, now)) > 0) return;
					await db.users.put({ ...after, computers: after.computers!.filter((c) => c.name !== computer) });
				}
			)
	};
}

export type ComputersStore = ReturnType<typeof computersStore>;
