import { DEFAULT_CUSTOMER_ID } from '$lib/domain/user';

/**
 * The customer this tab works in: its users, imports, exports, templates, outbox and field policy. Every
 * page and state class asks here rather than keeping its own idea of it.
 */
class CurrentCustomer {
	#id = $state(DEFAULT_CUSTOMER_ID);

	get id(): number {
		return this.#id;
	}
}

export const currentCustomer = new CurrentCustomer();
