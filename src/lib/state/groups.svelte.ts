import { liveQuery } from 'dexie';
import { groups } from '$lib/db';
import { storageErrorMessage } from '$lib/db/errors';
import { GroupError, type GroupSummary } from '$lib/db/groups';
import { memberKey } from '$lib/domain/user';
import { currentCustomer } from './current-customer.svelte';

/** What a change to a group gives: done (with what to say), or why not in the admin's words. */
export type GroupOutcome = { ok: true; text: string } | { ok: false; message: string };

const members = (count: number) => `${count.toLocaleString('en')} ${count === 1 ? 'member' : 'members'}`;

/** Runs a write; a refusal or a storage failure becomes the sentence the admin reads. */
async function attempt(write: () => Promise<string>): Promise<GroupOutcome> {
	try {
		return { ok: true, text: await write() };
	} catch (error) {
		return { ok: false, message: error instanceof GroupError ? error.message : storageErrorMessage(error) };
	}
}

/**
 * The current customer's groups, kept live (in every tab), with their member counts, and the changes the
 * Groups page and the Users list make to them. Create it during a component's initialisation.
 */
export class CustomerGroups {
	#list = $state.raw<GroupSummary[] | undefined>(undefined);

	constructor() {
		$effect(() => {
			const customerId = currentCustomer.id;
			const subscription = liveQuery(() => groups.list(customerId)).subscribe({
				next: (list) => (this.#list = list),
				error: (error: unknown) => console.error('Reading groups failed', error)
			});
			return () => subscription.unsubscribe();
		});
	}

	/** The groups, alphabetically, each with how many users it has; empty until read. */
	get list(): readonly GroupSummary[] {
		return this.#list ?? [];
	}
	get isLoaded(): boolean {
		return this.#list !== undefined;
	}
	/** Their names, once read (undefined before: the form then does not judge a Groups value yet). */
	get names(): readonly string[] | undefined {
		return this.#list?.map((group) => group.name);
	}

	/** The Users list's filter value for a group (see ListQuery.group). */
	filterKey(name: string): string {
		return memberKey(currentCustomer.id, name);
	}

	create(name: string): Promise<GroupOutcome> {
		return attempt(async () => `Group ${(await groups.create(name, currentCustomer.id)).name} created.`);
	}

	rename(group: GroupSummary, name: string): Promise<GroupOutcome> {
		return attempt(async () => {
			const count = await groups.rename(group.id, name);
			return `Group ${group.name} renamed; ${members(count)} updated.`;
		});
	}

	/** The question the delete confirmation asks, naming how many members lose the group. */
	async deleteQuestion(group: GroupSummary): Promise<string> {
		const count = await groups.memberCount(group.id);
		const who =
			count === 0 ? 'It has no members.' : `Its ${members(count)} will no longer be in it (the users stay).`;
		return `Delete the group ${group.name}? ${who}`;
	}

	remove(group: GroupSummary): Promise<GroupOutcome> {
		return attempt(async () => {
			const count = await groups.remove(group.id);
			return `Group ${group.name} deleted; ${members(count)} left it.`;
		});
	}
}
