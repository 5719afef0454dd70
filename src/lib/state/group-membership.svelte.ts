import { groups as groupsTable } from '$lib/db';
import { storageErrorMessage } from '$lib/db/errors';
import { GroupError } from '$lib/db/groups';
import { formatCount } from '$lib/components/format';
import { currentCustomer } from './current-customer.svelte';
import type { CustomerGroups } from './groups.svelte';

/** The group the admin picked (or made). */
interface Picked {
	id: number;
	name: string;
}

/** The picker's choice that makes a new group (never a group id). */
export const NEW_GROUP = 'new';

/** Whether the picker adds the selected users to a group or takes them out of one. */
export type MembershipChange = 'add' | 'remove';

/** What the Users page gives: the selection, and where to say what happened. */
export interface MembershipHost {
	/** The selected users' ids, in list order; undefined when they could not be read (the page says why). */
	selectedIds(): Promise<number[] | undefined>;
	/** Says what was done (or why not) in the page's notice. */
	tell(text: string, isError?: boolean): void;
	/** The change is made: the page clears its selection. */
	done(): void;
}

/**
 * The Users list's 'Add to group…' and 'Remove from group…': the group picker (which can also create a
 * group to add to) and the change it makes to the selected users, one transaction for all of them.
 */
export class GroupMembership {
	readonly groups: CustomerGroups;
	#host: MembershipHost;
	#change = $state<MembershipChange>('add');
	#howMany = $state('');
	#isOpen = $state(false);
	/** A group's id (as text, for the radio buttons) or NEW_GROUP. */
	choice = $state('');
	newName = $state('');
	#problem = $state('');
	#resolve: ((group: Picked | undefined) => void) | undefined;

	constructor(groups: CustomerGroups, host: MembershipHost) {
		this.groups = groups;
		this.#host = host;
	}

	get change(): MembershipChange {
		return this.#change;
	}
	get isOpen(): boolean {
		return this.#isOpen;
	}
	get problem(): string {
		return this.#problem;
	}
	get title(): string {
		return this.#change === 'add' ? 'Add to group' : 'Remove from group';
	}
	get question(): string {
		return this.#change === 'add'
			? `Add ${this.#howMany} to which group?`
			: `Remove ${this.#howMany} from which group?`;
	}
	/** The groups offered: any to add to; to remove from, those with members. */
	get offered() {
		const list = this.groups.list;
		return this.#change === 'add' ? list : list.filter((group) => group.memberCount > 0);
	}

	/** The Action menu's entries. */
	get actions() {
		return [
			{ label: 'Add to group…', run: () => void this.#run('add') },
			{ label: 'Remove from group…', run: () => void this.#run('remove') }
		];
	}

	async #run(change: MembershipChange): Promise<void> {
		const ids = await this.#host.selectedIds();
		if (!ids?.length) return;
		if (change === 'remove' && this.groups.list.every((group) => group.memberCount === 0)) {
			this.#host.tell('No group has members yet: there is no one to remove.');
			return;
		}
		const group = await this.#ask(change, formatCount(ids.length, 'user'));
		if (!group) return;
		try {
			const changed =
				change === 'add'
					? await groupsTable.addMembers(ids, group.id)
					: await groupsTable.removeMembers(ids, group.id);
			this.#host.done();
			this.#host.tell(membershipNotice(change, group.name, ids.length, changed));
		} catch (error) {
			const message = error instanceof GroupError ? error.message : storageErrorMessage(error);
			this.#host.tell(message, true);
		}
	}

	#ask(change: MembershipChange, howMany: string): Promise<Picked | undefined> {
		this.#resolve?.(undefined);
		this.#change = change;
		this.#howMany = howMany;
		const first = this.offered[0];
		this.choice = first ? String(first.id) : change === 'add' ? NEW_GROUP : '';
		this.newName = '';
		this.#problem = '';
		this.#isOpen = true;
		return new Promise((resolve) => (this.#resolve = resolve));
	}

	/** The admin confirmed: a new group is created first (a refused name keeps the picker open, saying why). */
	async confirm(): Promise<void> {
		if (!this.#isOpen) return;
		if (this.choice === NEW_GROUP) {
			try {
				// Named from the row made: the live list may not show the new group yet.
				this.#finish(await groupsTable.create(this.newName, currentCustomer.id));
			} catch (error) {
				this.#problem = error instanceof GroupError ? error.message : storageErrorMessage(error);
			}
			return;
		}
		const group = this.groups.list.find((g) => String(g.id) === this.choice);
		if (group) this.#finish(group);
		else this.#problem = 'Choose a group.';
	}

	cancel(): void {
		this.#finish(undefined);
	}

	#finish(group: Picked | undefined): void {
		if (!this.#isOpen) return;
		this.#isOpen = false;
		this.#resolve?.(group && { id: group.id, name: group.name });
		this.#resolve = undefined;
	}
}

/** What the notice says after adding or removing: who changed, and who already was so. */
export function membershipNotice(
	change: MembershipChange,
	group: string,
	asked: number,
	changed: number
): string {
	const rest = asked - changed;
	if (change === 'add') {
		const added = `${formatCount(changed, 'user')} added to ${group}.`;
		return rest === 0 ? added : `${added} ${formatCount(rest, 'was', 'were')} already in it.`;
	}
	const removed = `${formatCount(changed, 'user')} removed from ${group}.`;
	return rest === 0 ? removed : `${removed} ${formatCount(rest, 'was', 'were')} not in it.`;
}
