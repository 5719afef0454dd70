import { liveQuery } from 'dexie';
import { addressBook } from '$lib/db';
import { storageErrorMessage } from '$lib/db/errors';
import { addressBookFields, addressBookFileName, searchAddressBook } from '$lib/domain/address-book';
import type { User } from '$lib/domain/user';
import { inAddressBook, vcardPieces } from '$lib/export/vcard';
import { currentCustomer } from './current-customer.svelte';
import { download } from './download';
import { settings } from './settings.svelte';

/** Entries drawn at once: a search narrows a longer book (the export still writes every match). */
export const SHOWN_ENTRIES = 200;

/**
 * The global address book page: the current customer's people in it, kept live, searched as the Users
 * list searches, and exported as vCard 4.0 by the Users export's own writer. Create it during a
 * component's initialisation.
 */
export class AddressBook {
	#people = $state.raw<User[]>([]);
	#isLoading = $state(true);
	#error = $state('');
	query = $state('');
	readonly matches = $derived(searchAddressBook(this.#people, this.query));
	readonly fields = $derived(addressBookFields(settings.policy));
	/** Said when the policy hides the flag, so the book is everyone (as the vCard export has it). */
	readonly note = $derived(
		settings.policy.inGlobalAddressBook === 'hidden'
			? 'Your field policy hides “In global address book”, so everyone is listed here and in the export.'
			: ''
	);

	constructor() {
		$effect(() => {
			const [customerId, isListed] = [currentCustomer.id, inAddressBook(settings.policy)];
			const subscription = liveQuery(() => addressBook.list(customerId, isListed)).subscribe({
				next: (people) => {
					this.#people = people;
					this.#isLoading = false;
				},
				error: (error: unknown) => (this.#error = storageErrorMessage(error))
			});
			return () => subscription.unsubscribe();
		});
	}

	get count(): number {
		return this.#people.length;
	}
	get isLoading(): boolean {
		return this.#isLoading;
	}
	get error(): string {
		return this.#error;
	}

	/** Saves the people the search finds (everyone in the book when there is none) as one .vcf file. */
	exportVcard(now = Date.now()): void {
		const pieces = vcardPieces(settings.policy);
		const body = pieces.write(this.matches);
		download(body, addressBookFileName(now), 'text/vcard;charset=utf-8');
	}
}
