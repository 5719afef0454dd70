// SMS initial passwords are checked like any password, and zxcvbn takes up to a quarter of a second on a
// long one: a batch of 100 checked in one go would hold the event loop (every request, every file) for
// twenty seconds. So they are checked before the batch's transaction, one at a time with the event loop
// free in between (requests and files are served between two checks), and not at all for a device at its
// cap: its messages are rate-limited before they would be checked.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DatabaseSync } from 'node:sqlite';
import { initialPasswordProblem } from '../accounts/password.ts';
import { BatchLimits, type MessageLimits } from './limits.ts';
import { keyOf, validateMessage } from './validate.ts';

/** The verdict on each SMS initial password of `list`, by idempotency key; none for a device at its cap. */
export async function checkInitialPasswords(
	db: DatabaseSync,
	deviceId: string,
	limits: MessageLimits,
	list: readonly unknown[],
	now = Date.now()
): Promise<Map<string, string | undefined>> {
	const verdicts = new Map<string, string | undefined>();
	if (!new BatchLimits(db, deviceId, limits, now).wasUnderCaps) return verdicts;
	for (const raw of list) {
		const key = keyOf(raw);
		const checked = key ? validateMessage(raw) : undefined;
		if (!key || !checked?.ok || checked.message.template !== 'sms-login') continue;
		verdicts.set(key, initialPasswordProblem(checked.message));
		await nextTurn();
	}
	return verdicts;
}
