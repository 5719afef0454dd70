import {
	CUSTOM_VALUE_MAX,
	fields,
	isCustomKey,
	LIST_SEPARATOR,
	listNames,
	type FieldDef
} from '$lib/domain/fields';
import {
	DEFAULT_CUSTOMER_ID,
	userKeys,
	userStatuses,
	type Computer,
	type User,
	type UserFields,
	type UserStatus
} from '$lib/domain/user';

const time = (value: unknown, fallback: number) =>
	typeof value === 'number' && Number.isFinite(value) ? value : fallback;

/** A stored value of one field, kept if it has the field's type, else the field's default (or nothing). */
function restoreValue(def: FieldDef, value: unknown): string | boolean | undefined {
	if (def.type === 'boolean') return typeof value === 'boolean' ? value : def.defaultValue;
	if (typeof value !== 'string' || value === '') return def.defaultValue;
	if (def.type === 'list' && def.choices) {
		const kept = listNames(value).filter((name) => def.choices!.includes(name));
		return kept.length > 0 ? kept.join(LIST_SEPARATOR) : def.defaultValue;
	}
	if (def.choices && !def.choices.includes(value)) return def.defaultValue;
	return value;
}

/** A customer id as stored: a positive whole number, else the default customer's. */
const customerOf = (value: unknown) =>
	typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : DEFAULT_CUSTOMER_ID;

/** The computers a license is activated on, as stored: the well-formed ones. */
function computersOf(value: unknown): Computer[] | undefined {
	if (!Array.isArray(value)) return undefined;
	const kept = value.flatMap((item: Partial<Computer> | null): Computer[] =>
		typeof item?.name === 'string' && typeof item.activatedAt === 'number'
			? [
					{
						name: item.name,
						activatedAt: item.activatedAt,
						...(typeof item.deactivationQueuedAt === 'number' && {
							deactivationQueuedAt: item.deactivationQueuedAt
						})
					}
				]
			: []
	);
	return kept.length > 0 ? kept : undefined;
}

/**
 * Every user read from an older schema passes here: each registry field is checked against its type
 * and gets its default when missing, custom attributes are kept when they are text, and the derived keys
 * are computed again, so nothing downstream meets a half-formed row. Sensitive fields are never kept.
 */
export function restoreUser(stored: Record<string, unknown>): User {
	const values: Record<string, string | boolean> = {};
	for (const def of fields) {
		if (def.isSensitive) continue;
		const value = restoreValue(def, stored[def.key]);
		if (value !== undefined) values[def.key] = value;
	}
	// Custom attributes are text; whatever else sits under such a key did not come from Rollcall.
	for (const [key, value] of Object.entries(stored)) {
		if (isCustomKey(key) && typeof value === 'string' && value !== '' && value.length <= CUSTOM_VALUE_MAX) {
			values[key] = value;
		}
	}
	const restored = { email: '', ...values } as UserFields;
	const createdAt = time(stored.createdAt, Date.now());
	const customerId = customerOf(stored.customerId);
	const computers = computersOf(stored.computers);
	return {
		...restored,
		...userKeys(restored, customerId),
		id: stored.id as number,
		customerId,
		...(computers && { computers }),
		status: userStatuses.includes(stored.status as UserStatus) ? (stored.status as UserStatus) : 'Pending',
		hasPassword: stored.hasPassword === true,
		createdAt,
		updatedAt: time(stored.updatedAt, createdAt),
		activatedAt: typeof stored.activatedAt === 'number' ? stored.activatedAt : null,
		lastLoginAt: time(stored.lastLoginAt, 0)
	};
}
