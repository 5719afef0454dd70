import { isCountryCode, type CountryCode } from './phone';
import { restorePolicy, type FieldPolicy } from './policy';

/** The most one import may bring: a file over either limit is refused before it is read. */
export interface ImportLimits {
	/** The largest file accepted, in bytes. */
	maxFileBytes: number;
	/** The most rows of users one file may have (the header not counted). */
	maxRows: number;
}

/** The organisation's settings, as every part of the app reads them. */
export interface Settings {
	policy: FieldPolicy;
	/** Country assumed for phone numbers typed without +code. */
	defaultCountry: CountryCode;
	importLimits: ImportLimits;
}

/** A megabyte as Windows Explorer counts it (1024 x 1024 bytes): the file sizes admins see. */
export const MB = 1024 * 1024;

export const defaultImportLimits: ImportLimits = { maxFileBytes: 100 * MB, maxRows: 1_000_000 };

/** What the Settings page may set: down to a tiny pilot file, up to what a browser tab can still read. */
export const importLimitRange: Record<keyof ImportLimits, { min: number; max: number }> = {
	maxFileBytes: { min: 1 * MB, max: 1024 * MB },
	maxRows: { min: 1, max: 5_000_000 }
};

/** A size in the admin's terms: '120 MB', '9.5 MB', '800 KB'. */
export function formatBytes(bytes: number): string {
	if (bytes < MB) return `${Math.max(1, Math.round(bytes / 1024)).toLocaleString('en')} KB`;
	const mb = bytes / MB;
	return mb >= 10 ? `${Math.round(mb).toLocaleString('en')} MB` : `${Number(mb.toFixed(1))} MB`;
}

/** Why a file is over the size limit, or undefined when it is not. */
export function fileSizeProblem(
	bytes: number,
	limits: Pick<ImportLimits, 'maxFileBytes'>
): string | undefined {
	if (bytes <= limits.maxFileBytes) return undefined;
	let size = formatBytes(bytes);
	const limit = formatBytes(limits.maxFileBytes);
	// 100.4 MB must not read as '100 MB; the limit is 100 MB'.
	if (size === limit) size = `${(bytes / MB).toFixed(2)} MB`;
	return `The file is ${size}; the limit is ${limit} (Settings).`;
}

function restoreLimit(value: unknown, key: keyof ImportLimits): number {
	const { min, max } = importLimitRange[key];
	if (typeof value !== 'number' || Number.isNaN(value)) return defaultImportLimits[key];
	return Math.min(max, Math.max(min, Math.round(value)));
}

/** Stored import limits, possibly partial or damaged, clamped to what the Settings page allows. */
export function restoreImportLimits(stored: unknown): ImportLimits {
	const limits = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
	return {
		maxFileBytes: restoreLimit(limits.maxFileBytes, 'maxFileBytes'),
		maxRows: restoreLimit(limits.maxRows, 'maxRows')
	};
}

/** The region of a locale such as 'en-GB', when it names a country phone numbers know. */
export function countryOfLocale(locale: string | undefined): CountryCode | undefined {
	const region = locale?.split(/[-_]/u).find((part, i) => i > 0 && /^[A-Za-z]{2}$/u.test(part));
	const code = region?.toUpperCase();
	return code && isCountryCode(code) ? code : undefined;
}

/** Brings stored settings (possibly older, partial or damaged) to a complete, valid set. */
export function restoreSettings(stored: Partial<Record<keyof Settings, unknown>>, locale?: string): Settings {
	const country = typeof stored.defaultCountry === 'string' ? stored.defaultCountry : '';
	return {
		policy: restorePolicy(stored.policy),
		defaultCountry: isCountryCode(country) ? country : (countryOfLocale(locale) ?? 'US'),
		importLimits: restoreImportLimits(stored.importLimits)
	};
}
