import type { User } from '$lib/domain/user';
import { customerUsers, type RollcallDb } from './database';

/**
 * The global address book: a customer's users for whom `isListed` says yes (the vCard writer's rule, see
 * inAddressBook), by name. The flag has no index: the customer's users are read through, which a page of
 * colleagues (thousands) takes in a moment; a directory of a million would want an index on it.
 */
export function addressBookStore(db: RollcallDb) {
	return {
		async list(customerId: number, isListed: (user: User) => boolean): Promise<User[]> {
			const people = await customerUsers(db, customerId).filter(isListed).toArray();
			return people.sort((a, b) => (a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : 0));
		}
	};
}

export type AddressBookStore = ReturnType<typeof addressBookStore>;
