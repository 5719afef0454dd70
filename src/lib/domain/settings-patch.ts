import type { CountryCode } from './phone';
import type { Requirement } from './policy';
import type { ImportLimits, Settings } from './settings';

/**
 * One change to the settings, entry by entry: a whole setting (the default country), or some entries of a
 * setting that is a record (one field's requirement in the policy, one import limit). A change written as
 * a whole record would put back, on undo, every entry as it was then: a custom attribute added since would
 * vanish, another tab's edit or a restored backup would be undone with it. In a record, an entry that is
 * `undefined` is one that is absent (a custom attribute not defined).
 */
export interface SettingsPatch {
	defaultCountry?: CountryCode;
	policy?: Partial<Record<string, Requirement | undefined>>;
	importLimits?: Partial<ImportLimits>;
}

type Entries = Partial<Record<string, unknown>>;
const recordKeys = ['policy', 'importLimits'] as const;
const isRecordKey = (key: string): key is (typeof recordKeys)[number] =>
	(recordKeys as readonly string[]).includes(key);

const keysOf = (patch: SettingsPatch) => Object.keys(patch) as (keyof SettingsPatch)[];

function withEntries(record: object, entries: Entries): Entries {
	const next: Entries = { ...record };
	for (const [key, value] of Object.entries(entries)) {
		if (value === undefined) delete next[key];
		else next[key] = value;
	}
	return next;
}

/** The settings `patch` touches, whole, as they are in `settings` with the patch's entries put in. */
export function patched(settings: Settings, patch: SettingsPatch): Partial<Settings> {
	return Object.fromEntries(
		keysOf(patch).map((key) => [
			key,
			isRecordKey(key) ? withEntries(settings[key], patch[key] ?? {}) : patch[key]
		])
	);
}

/** The entries `like` touches, as they are in `settings` now (what an undo of `like` would put back). */
export function entriesOf(settings: Settings, like: SettingsPatch): SettingsPatch {
	return Object.fromEntries(
		keysOf(like).map((key) => {
			if (!isRecordKey(key)) return [key, settings[key]];
			const record = settings[key];
			const entries = Object.keys(like[key] ?? {}).map((entry) => [
				entry,
				Reflect.get(record, entry) as unknown
			]);
			return [key, Object.fromEntries(entries)];
		})
	);
}

/** Whether `settings` still holds every entry of `patch` as the patch has it. */
export function holds(settings: Settings, patch: SettingsPatch): boolean {
	const now = entriesOf(settings, patch);
	return keysOf(patch).every((key) => {
		if (!isRecordKey(key)) return now[key] === patch[key];
		const wanted: Entries = patch[key] ?? {};
		const found: Entries = now[key] ?? {};
		return Object.keys(wanted).every((entry) => found[entry] === wanted[entry]);
	});
}
