import type { SortKey } from '$lib/db/users';
import type { FieldContext } from '$lib/domain/fields';
import { fieldsOf, type FieldPolicy } from '$lib/domain/policy';
import { nameOf, type User } from '$lib/domain/user';
import { formatMoment, formatShortMoment } from '$lib/components/format';
import type { ColumnChoice } from '$lib/state/column-choice.svelte';

/** One column of the Users list. */
export interface Column {
	id: string;
	label: string;
	/** The list order this column's header switches to, when it has an index. */
	sort?: SortKey;
	/** Hidden by default on narrow screens (the admin may show it with the column chooser). */
	isSecondary: boolean;
	/** Always shown: the name is the row's link and names its checkbox. */
	isRequired?: boolean;
	/** The narrowest the column gets, in rem; it grows by `grow` shares of the room left. */
	minRem: number;
	grow: number;
	text(user: User): string;
	/** The whole value, where `text` shortens it (a date shown as '3 days ago'). */
	full?(user: User): string;
}

const SORTABLE: Partial<Record<string, SortKey>> = { userType: 'userType', site: 'site' };

/** The checkbox column's width (a 44 px touch target at the default font size). */
export const CHECK_REM = 2.75;

/**
 * The list's columns: name and email, the listed fields the policy shows (the registry's, then the custom
 * attributes), status, last login. `now` is when relative dates are measured from.
 */
export function listColumns(policy: FieldPolicy, context: FieldContext, now = () => Date.now()): Column[] {
	const listed = fieldsOf(policy)
		.filter((f) => f.isListed && policy[f.key] !== 'hidden')
		.map<Column>((f) => ({
			id: f.key,
			label: f.label,
			sort: SORTABLE[f.key],
			isSecondary: true,
			// Narrow enough that name, email, status and last login stay on screen with ten of them.
			minRem: 4,
			grow: 1,
			text: (user) => {
				const value = user[f.key as keyof User];
				return value === undefined || value === null ? '' : f.format(value as string | boolean, context);
			}
		}));
	return [
		{
			id: 'name',
			label: 'Name',
			sort: 'name',
			isSecondary: false,
			isRequired: true,
			minRem: 9,
			grow: 2,
			text: nameOf
		},
		{
			id: 'email',
			label: 'Email',
			sort: 'email',
			isSecondary: false,
			minRem: 11,
			grow: 2,
			text: (u) => u.email
		},
		...listed,
		{
			id: 'status',
			label: 'Status',
			sort: 'status',
			isSecondary: false,
			minRem: 7.5,
			grow: 0,
			text: (u) => u.status
		},
		{
			id: 'lastLoginAt',
			label: 'Last login',
			sort: 'lastLoginAt',
			isSecondary: false,
			minRem: 7,
			grow: 1,
			text: (u) => formatShortMoment(u.lastLoginAt, now()),
			full: (u) => formatMoment(u.lastLoginAt)
		}
	];
}

/** Whether a column shows: the admin's choice on this device, else shown unless secondary on a narrow screen. */
export function isShown(column: Column, choice: ColumnChoice, isNarrow: boolean): boolean {
	if (column.isRequired) return true;
	return choice[column.id] ?? !(isNarrow && column.isSecondary);
}

/** The grid's column template for the columns shown, after the checkbox column. */
export function gridTemplate(columns: readonly Column[]): string {
	const track = (c: Column) => (c.grow > 0 ? `minmax(${c.minRem}rem, ${c.grow}fr)` : `${c.minRem}rem`);
	return [`${CHECK_REM}rem`, ...columns.map(track)].join(' ');
}

/** The narrowest the grid gets before it scrolls sideways, in rem. */
export function gridMinRem(columns: readonly Column[]): number {
	return columns.reduce((sum, c) => sum + c.minRem, CHECK_REM);
}
