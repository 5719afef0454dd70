import { userTypes, type UserType } from '$lib/domain/fields';
import { userKeys, userStatuses, type User, type UserFields, type UserStatus } from '$lib/domain/user';

const OPTIONAL_TEXT = [
	'firstName',
	'lastName',
	'displayName',
	'username',
	'mobilePhone',
	'businessPhone',
	'company',
	'jobTitle',
	'department',
	'customerCode',
	'udid'
] as const satisfies readonly (keyof UserFields)[];

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
const time = (value: unknown, fallback: number) =>
	typeof value === 'number' && Number.isFinite(value) ? value : fallback;

/**
 * Every user read from an older schema passes here: missing values get their defaults, types are
 * checked, and the derived keys are computed again, so nothing downstream meets a half-formed row.
 */
export function restoreUser(stored: Record<string, unknown>): User {
	const fields: UserFields = {
		email: typeof stored.email === 'string' ? stored.email : '',
		userType: userTypes.includes(stored.userType as UserType) ? (stored.userType as UserType) : 'Standard',
		site: text(stored.site) ?? 'HQ',
		inGlobalAddressBook: stored.inGlobalAddressBook === true
	};
	for (const key of OPTIONAL_TEXT) {
		const value = text(stored[key]);
		if (value !== undefined) fields[key] = value;
	}
	const createdAt = time(stored.createdAt, Date.now());
	return {
		...fields,
		...userKeys(fields),
		id: stored.id as number,
		status: userStatuses.includes(stored.status as UserStatus) ? (stored.status as UserStatus) : 'Pending',
		hasPassword: stored.hasPassword === true,
		createdAt,
		updatedAt: time(stored.updatedAt, createdAt),
		activatedAt: typeof stored.activatedAt === 'number' ? stored.activatedAt : null,
		lastLoginAt: time(stored.lastLoginAt, 0)
	};
}
