const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const number = new Intl.NumberFormat();

/** A moment as the admin reads it, or the word for 'never happened'. */
export function formatMoment(time: number | null, never = 'Never'): string {
	return time ? dateTime.format(time) : never;
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
