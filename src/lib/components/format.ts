const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const number = new Intl.NumberFormat();

/** A moment as the admin reads it, or the word for 'never happened'. */
export function formatMoment(time: number | null, never = 'Never'): string {
	return time ? dateTime.format(time) : never;
}

export function formatCount(count: number, one: string, many = `${one}s`): string {
	return `${number.format(count)} ${count === 1 ? one : many}`;
}
