import { field, type FieldKey, type FieldValue } from '$lib/domain/fields';
import type { User } from '$lib/domain/user';

/**
 * A user's stored value of a field, whatever field it is (built-in, added later to the registry, or a
 * custom attribute): undefined when the user has none. Sensitive fields are never read, so no writer can
 * put a password in a file even by listing its key.
 */
export function valueOf(user: User, key: FieldKey): FieldValue | undefined {
	if (field(key).isSensitive) return undefined;
	const value: unknown = Reflect.get(user, key);
	return typeof value === 'string' || typeof value === 'boolean' ? value : undefined;
}

/** A value as the text of a cell: booleans as Yes and No (what the registry parses back), nothing as ''. */
export function textOf(user: User, key: FieldKey): string {
	const value = valueOf(user, key);
	return value === undefined ? '' : typeof value === 'boolean' ? (value ? 'Yes' : 'No') : value;
}

const DAY_MS = 86_400_000;

/** The last moment isoTime writes itself (9999-12-31T23:59:59.999Z); the rest is left to Date. */
const LAST_PLAIN_MS = 253_402_300_799_999;

/** '00' to '99' and '000' to '999': a lookup is several times quicker than padStart. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/** The last day isoTime wrote ('2026-12-07T'): a page of users shares a few days. */
let lastDay = { days: Number.NaN, text: '' };

/**
 * The civil date of a day count from 1970-01-01 onwards, as ISO 8601 begins it ('2026-12-07T'), by H.
 * Hinnant's algorithm ("civil_from_days"): a year starts on 1 March there, so the leap day is its last.
 */
function civilDate(days: number): string {
	const shifted = days + 719_468;
	const era = Math.floor(shifted / 146_097);
	const dayOfEra = shifted - era * 146_097;
	const yearOfEra = Math.floor(
		(dayOfEra -
			Math.floor(dayOfEra / 1460) +
			Math.floor(dayOfEra / 36_524) -
			Math.floor(dayOfEra / 146_096)) /
			365
	);
	const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
	const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
	const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
	const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
	const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
	return `${String(year).padStart(4, '0')}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T`;
}

/**
 * A moment as ISO 8601 in UTC ('2026-12-07T09:30:00.000Z'), or '' for none (0 or null: never happened).
 * Exactly Date's toISOString, worked out with integers for the moments a directory holds (1970 to 9999):
 * an export writes up to four per user, and `new Date(ms).toISOString()` was half of SCIM's text building.
 */
export function isoTime(ms: number | null): string {
	if (!ms) return '';
	if (!Number.isInteger(ms) || ms < 0 || ms > LAST_PLAIN_MS) return new Date(ms).toISOString();
	const days = Math.floor(ms / DAY_MS);
	let rest = ms - days * DAY_MS;
	const milliseconds = rest % 1000;
	rest = (rest - milliseconds) / 1000;
	const seconds = rest % 60;
	rest = (rest - seconds) / 60;
	const minutes = rest % 60;
	const hours = (rest - minutes) / 60;
	if (days !== lastDay.days) lastDay = { days, text: civilDate(days) };
	return `${lastDay.text}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[milliseconds]}Z`;
}
