import { restoreSettings, type Settings } from '$lib/domain/settings';
import { entriesOf, holds, patched, type SettingsPatch } from '$lib/domain/settings-patch';
import { DEFAULT_CUSTOMER_ID } from '$lib/domain/user';
import type { RollcallDb } from './database';

/**
 * The row of a customer's field policy. The default customer's is 'policy', the row every version before
 * customers wrote: a directory upgraded keeps its policy with nothing to copy.
 */
export const policyKey = (customerId: number): string =>
	customerId === DEFAULT_CUSTOMER_ID ? 'policy' : `policy:${customerId}`;

/**
 * Settings module: each setting is one row, restored to a valid value on every read. The field policy is
 * per customer (workflow C: each organisation requires its own fields); the rest is the device's. A
 * customer whose policy was never changed works under the default customer's.
 */
export function settingsStore(db: RollcallDb) {
	async function read(locale?: string, customerId = DEFAULT_CUSTOMER_ID): Promise<Settings> {
		const stored: Record<string, unknown> = Object.fromEntries(
			(await db.settings.toArray()).map((row) => [row.key, row.value])
		);
		const policy = stored[policyKey(customerId)] ?? stored.policy;
		return restoreSettings({ ...stored, policy }, locale);
	}

	async function write(changes: Partial<Settings>, customerId = DEFAULT_CUSTOMER_ID): Promise<void> {
		await db.settings.bulkPut(
			Object.entries(changes).map(([key, value]) => ({
				key: key === 'policy' ? policyKey(customerId) : key,
				value
			}))
		);
	}

	return {
		read,
		write,

		/**
		 * Puts `patch`'s entries into the settings as stored now (the rest as they are: another tab's or a
		 * restore's changes stay), in one transaction, and gives back what those entries were. With
		 * `expected`, only while the stored entries are still those: otherwise nothing is written (null).
		 */
		async change(
			patch: SettingsPatch,
			expected?: SettingsPatch,
			locale?: string,
			customerId = DEFAULT_CUSTOMER_ID
		): Promise<SettingsPatch | null> {
			return db.transaction('rw', db.settings, async () => {
				const current = await read(locale, customerId);
				if (expected && !holds(current, expected)) return null;
				await write(patched(current, patch), customerId);
				return entriesOf(current, patch);
			});
		}
	};
}

export type SettingsStore = ReturnType<typeof settingsStore>;
