import { liveQuery } from 'dexie';
import { createSubscriber } from 'svelte/reactivity';
import { roles } from '$lib/db';
import type { RoleRow } from '$lib/db/database';
import { currentCustomer } from './current-customer.svelte';

/**
 * The current customer's role names, by name, kept live: the choices of the user form's Roles field (the
 * 'list' control shows a checkbox per name). Read in a component or an effect; the roles are read from the
 * database while something reads them, and every customer's are kept so switching customer shows at once.
 */
class RoleNames {
	#all = $state.raw<RoleRow[]>([]);
	#isRead = $state(false);
	#subscribe = createSubscriber((update) => {
		const subscription = liveQuery(() => roles.all()).subscribe((rows) => {
			this.#all = rows;
			this.#isRead = true;
			update();
		});
		return () => subscription.unsubscribe();
	});

	get names(): readonly string[] {
		this.#subscribe();
		const customerId = currentCustomer.id;
		return this.#all.filter((role) => role.customerId === customerId).map((role) => role.name);
	}

	/** The names once the roles have been read, else undefined: a value cannot be judged against them yet. */
	get namesOnceRead(): readonly string[] | undefined {
		const names = this.names;
		return this.#isRead ? names : undefined;
	}
}

export const roleNames = new RoleNames();
