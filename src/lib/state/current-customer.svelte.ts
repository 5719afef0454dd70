import { liveQuery } from 'dexie';
import { customers } from '$lib/db';
import type { CustomerRow } from '$lib/db/database';
import { DEFAULT_CUSTOMER_ID } from '$lib/domain/user';

/** Where this device keeps the customer last worked in (a choice of the device, not of the directory). */
const STORAGE_KEY = 'rollcall.customer';

function storedChoice(): number {
	try {
		const id = Number(globalThis.localStorage?.getItem(STORAGE_KEY));
		return Number.isSafeInteger(id) && id > 0 ? id : DEFAULT_CUSTOMER_ID;
	} catch {
		// Storage refused (a privacy mode): every visit starts in the default customer.
		return DEFAULT_CUSTOMER_ID;
	}
}

function keepChoice(id: number): void {
	try {
		globalThis.localStorage?.setItem(STORAGE_KEY, String(id));
	} catch {
		// Not kept: this tab still works in the customer chosen.
	}
}

/**
 * The customer this tab works in: its users, imports, exports, templates, outbox and field policy. Every
 * page and state class asks here rather than keeping its own idea of it. The choice is the device's
 * (localStorage), so a reload or a new tab opens where the admin left off; a tab already open stays in
 * its customer until switched there (an import under way never changes customer behind the admin).
 * Switching rebuilds the page (the layout keys it by the customer): every page's state is made afresh
 * for the new customer, rather than each live query having to notice the change.
 */
class CurrentCustomer {
	#id = $state(storedChoice());
	#all = $state.raw<CustomerRow[]>([]);
	#started = false;

	get id(): number {
		return this.#id;
	}
	/** The current customer's row, once read. */
	get customer(): CustomerRow | undefined {
		return this.#all.find((row) => row.id === this.#id);
	}
	/** Every customer, archived ones too, by name. */
	get all(): readonly CustomerRow[] {
		return this.#all;
	}
	/** The customers to switch between: the archived ones left out. */
	get active(): readonly CustomerRow[] {
		return this.#all.filter((row) => !row.archivedAt);
	}
	/** Whether the switcher shows: a single-company admin (one active customer) never meets customers. */
	get canSwitch(): boolean {
		return this.active.length > 1;
	}
	/** Whether there is more than one customer, archived or not: users are then told apart by customer. */
	get isSeveral(): boolean {
		return this.#all.length > 1;
	}
	/** A customer's name, by id ('' while unknown). */
	nameOf(id: number): string {
		return this.#all.find((row) => row.id === id)?.name ?? '';
	}

	/** Works in this customer from now on, here and in the next tab opened. */
	switchTo(id: number): void {
		keepChoice(id);
		this.#id = id;
	}

	/**
	 * Follows the customers for the life of the page. A choice that no longer stands (the customer was
	 * archived, here or in another tab, or the device's choice names one a restore removed) falls back to
	 * the first active customer, the default one if it is active.
	 */
	start(): void {
		if (this.#started) return;
		this.#started = true;
		liveQuery(() => customers.list()).subscribe({
			next: (rows) => {
				this.#all = rows;
				const active = rows.filter((row) => !row.archivedAt);
				if (active.length === 0 || active.some((row) => row.id === this.#id)) return;
				const fallback = active.find((row) => row.id === DEFAULT_CUSTOMER_ID) ?? active[0]!;
				this.switchTo(fallback.id);
			},
			error: (error: unknown) => console.error('Reading the customers failed', error)
		});
	}
}

export const currentCustomer = new CurrentCustomer();
