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

/** A moment as ISO 8601 in UTC ('2026-12-07T09:30:00.000Z'), or '' for none (0 or null: never happened). */
export function isoTime(ms: number | null): string {
	return ms ? new Date(ms).toISOString() : '';
}
