import { restoreSettings, type Settings } from '$lib/domain/settings';
import type { RollcallDb } from './database';

/** Settings module: each setting is one row, restored to a valid value on every read. */
export function settingsStore(db: RollcallDb) {
	return {
		async read(locale?: string): Promise<Settings> {
			const rows = await db.settings.toArray();
			return restoreSettings(Object.fromEntries(rows.map((row) => [row.key, row.value])), locale);
		},

		async write(changes: Partial<Settings>): Promise<void> {
			await db.settings.bulkPut(Object.entries(changes).map(([key, value]) => ({ key, value })));
		}
	};
}

export type SettingsStore = ReturnType<typeof settingsStore>;
