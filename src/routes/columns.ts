import type { SortKey } from '$lib/db/users';
import type { FieldContext } from '$lib/domain/fields';
import { fieldsOf, type FieldPolicy } from '$lib/domain/policy';
import { nameOf, type User } from '$lib/domain/user';
import { formatMoment } from '$lib/components/format';

/** One column of the Users list. */
export interface Column {
	id: string;
	label: string;
	/** The list order this column's header switches to, when it has an index. */
	sort?: SortKey;
	/** Dropped first on narrow screens. */
	isSecondary: boolean;
	width: string;
	text(user: User): string;
}

const SORTABLE: Partial<Record<string, SortKey>> = { userType: 'userType', site: 'site' };

/**
 * The list's columns: name and email, the listed fields the policy shows (the registry's, then the custom
 * attributes), status, last login.
 */
export function listColumns(policy: FieldPolicy, context: FieldContext): Column[] {
	const listed = fieldsOf(policy)
		.filter((f) => f.isListed && policy[f.key] !== 'hidden')
		.map<Column>((f) => ({
			id: f.key,
			label: f.label,
			sort: SORTABLE[f.key],
			isSecondary: true,
			// Narrow enough that name, email, status and last login stay on screen with ten of them.
			width: 'minmax(4rem, 1fr)',
			text: (user) => {
				const value = user[f.key as keyof User];
				return value === undefined || value === null ? '' : f.format(value as string | boolean, context);
			}
		}));
	return [
		{ id: 'name', label: 'Name', sort: 'name', isSecondary: false, width: 'minmax(9rem, 2fr)', text: nameOf },
		{
			id: 'email',
			label: 'Email',
			sort: 'email',
			isSecondary: false,
			width: 'minmax(11rem, 2fr)',
			text: (u) => u.email
		},
		...listed,
		{
			id: 'status',
			label: 'Status',
			sort: 'status',
			isSecondary: false,
			width: '7.5rem',
			text: (u) => u.status
		},
		{
			id: 'lastLoginAt',
			label: 'Last login',
			sort: 'lastLoginAt',
			isSecondary: false,
			width: 'minmax(7rem, 1fr)',
			text: (u) => formatMoment(u.lastLoginAt)
		}
	];
}
