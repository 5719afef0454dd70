const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const number = new Intl.NumberFormat();

/** A moment as the admin reads it, or the word for 'never happened'. */
export function formatMoment(time: number | null, never = 'Never'): string {
	return time ? dateTime.format(time) : never;
}

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface ShortFormats {
	day: Intl.DateTimeFormat;
	ago: Intl.RelativeTimeFormat;
}
const shortFormats = new Map<string | undefined, ShortFormats>();

function shortFormatsFor(locale: string | undefined): ShortFormats {
	let formats = shortFormats.get(locale);
	if (!formats) {
		formats = {
			day: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }),
			ago: new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
		};
		shortFormats.set(locale, formats);
	}
	return formats;
}

/** Whole calendar days from `time`'s date to `now`'s, in local time (a day of a clock change counts one). */
function daysBetween(time: number, now: number): number {
	const midnight = (t: number) => new Date(t).setHours(0, 0, 0, 0);
	return Math.round((midnight(now) - midnight(time)) / DAY);
}

/**
 * A moment short enough for a list's cell, where formatMoment's date and time would be cut: how long ago
 * within the last week ('5 minutes ago', 'yesterday', '3 days ago'), else the day as the locale writes it
 * ('6 Dec 2026', 'Dec 6, 2026'). A moment in the future (a clock set wrong) shows its day.
 */
export function formatShortMoment(
	time: number | null,
	now = Date.now(),
	never = 'Never',
	locale?: string
): string {
	if (!time) return never;
	const { day, ago } = shortFormatsFor(locale);
	const elapsed = now - time;
	if (elapsed < 0 || daysBetween(time, now) >= 7) return day.format(time);
	if (elapsed < MINUTE) return ago.format(0, 'second');
	if (elapsed < HOUR) return ago.format(-Math.floor(elapsed / MINUTE), 'minute');
	if (elapsed < 12 * HOUR || daysBetween(time, now) === 0)
		return ago.format(-Math.floor(elapsed / HOUR), 'hour');
	return ago.format(-daysBetween(time, now), 'day');
}

export function formatCount(count: number, one: string, many = `${one}s`): string {
	return `${number.format(count)} ${count === 1 ? one : many}`;
}

/**
 * People named in a sentence, the rest counted: 'Ann Lee', 'Ann Lee and Bo Chen', 'Ann Lee, Bo Chen and
 * Cy Dee', 'Ann Lee, Bo Chen and 3 others'. `names` are the first of the `count` people, in order: all
 * are named when they are all of them, else one fewer, and the rest counted.
 */
export function namesInWords(names: readonly string[], count: number): string {
	const named = count <= names.length ? names.slice(0, count) : names.slice(0, names.length - 1);
	const rest = count - named.length;
	const parts = rest > 0 ? [...named, formatCount(rest, 'other')] : named;
	if (parts.length <= 1) return parts[0] ?? formatCount(count, 'user');
	return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}

/**
 * The id of a field's form control. A custom attribute's key holds its name, spaces included, and an id
 * with a space would break the aria-describedby lists that name it: the key is percent-encoded.
 */
export const fieldControlId = (key: string) => `field-${encodeURIComponent(key)}`;
