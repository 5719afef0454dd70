import { restoreSettings, type Settings } from '$lib/domain/settings';
import { entriesOf, holds, patched, type SettingsPatch } from '$lib/domain/settings-patch';
import type { RollcallDb } from './database';

/** Settings module: each setting is one row, restored to a valid value on every read. */
export function settingsStore(db: RollcallDb) {
	async function read(locale?: string): Promise<Settings> {
		const rows = await db.settings.toArray();
		return restoreSettings(Object.fromEntries(rows.map((row) => [row.key, row.value])), locale);
	}

	async function write(changes: Partial<Settings>): Promise<void> {
		await db.settings.bulkPut(Object.entries(changes).map(([key, value]) => ({ key, value })));
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
			locale?: string
		): Promise<SettingsPatch | null> {
			return db.transaction('rw', db.settings, async () => {
				const current = await read(locale);
				if (expected && !holds(current, expected)) return null;
				await write(patched(current, patch));
				return entriesOf(current, patch);
			});
		}
	};
}

export type SettingsStore = ReturnType<typeof settingsStore>;
