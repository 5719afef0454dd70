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
 * The id of a field's form control. A custom attribute's key holds its name, spaces included, and an id
 * with a space would break the aria-describedby lists that name it: the key is percent-encoded.
 */
export const fieldControlId = (key: string) => `field-${encodeURIComponent(key)}`;
