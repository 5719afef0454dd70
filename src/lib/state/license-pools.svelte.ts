import { liveQuery } from 'dexie';
import { licenses } from '$lib/db';
import { storageErrorMessage } from '$lib/db/errors';
import type { Product } from '$lib/domain/fields';
import { seatsProblem, type SeatUse } from '$lib/domain/seats';
import { currentCustomer } from './current-customer.svelte';

/**
 * The current customer's license pools as Settings → Licenses shows them: seats, used and free per
 * product, followed live (an import or another tab taking seats shows at once), and editing the seats.
 */
export class LicensePools {
	#uses = $state.raw<SeatUse[]>([]);
	#error = $state<string | null>(null);

	get uses(): SeatUse[] {
		return this.#uses;
	}
	get error(): string | null {
		return this.#error;
	}

	/** Follows the pools of the customer this tab works in; returns a stop function (for $effect). */
	follow(): () => void {
		const customerId = currentCustomer.id;
		const subscription = liveQuery(() => licenses.usage(customerId)).subscribe({
			next: (uses) => {
				this.#uses = uses;
				this.#error = null;
			},
			error: (error: unknown) => (this.#error = storageErrorMessage(error))
		});
		return () => subscription.unsubscribe();
	}

	/** Sets a product's seats; returns why not (fewer than its users hold, not a number), or undefined. */
	async setSeats(product: Product, typed: string): Promise<string | undefined> {
		const seats = typed.trim() === '' ? NaN : Number(typed);
		const use = this.#uses.find((u) => u.product === product);
		const problem = use && seatsProblem(use, seats);
		if (problem) return problem;
		try {
			await licenses.setSeats(currentCustomer.id, product, seats);
			return undefined;
		} catch (error) {
			return storageErrorMessage(error);
		}
	}
}
