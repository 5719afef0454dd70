import { givesInitialPassword } from '$lib/domain/passwords';
import type { RollcallDb } from './database';

/**
 * Sets these users' hasPassword from their messages (givesInitialPassword), so a user's page never claims an
 * initial password that no SMS will carry: after SMS login details are cancelled, or when a user comes back
 * from the trash whose SMS was cancelled meanwhile. Call inside a 'rw' transaction over users, outbox and messageHistory.
 */
export async function refreshInitialPasswords(db: RollcallDb, userIds: readonly number[]): Promise<void> {
	if (userIds.length === 0) return;
	const ids = [...new Set(userIds)];
	const withPassword = new Set(
		(await db.outbox.where('userId').anyOf(ids).toArray())
			.filter(givesInitialPassword)
			.map((message) => message.userId)
	);
	// A delivered SMS cleared from the Outbox list still gave its user their password: it is in their history.
	const delivered = await db.messageHistory.where('userId').anyOf(ids).toArray();
	for (const message of delivered) if (givesInitialPassword(message)) withPassword.add(message.userId);
	await db.users
		.where(':id')
		.anyOf(ids)
		.filter((user) => user.hasPassword !== withPassword.has(user.id))
		.modify((user) => void (user.hasPassword = withPassword.has(user.id)));
}
