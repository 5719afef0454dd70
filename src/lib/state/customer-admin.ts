import { customers } from '$lib/db';
import { CustomerError } from '$lib/db/customers';
import { storageErrorMessage } from '$lib/db/errors';
import { fail, ok, type Parsed } from '$lib/domain/result';

/**
 * Runs a change to the customers or their sites for Settings: its result, or the sentence saying why it
 * was refused (a name taken, the last active customer) or could not be stored.
 */
async function attempt<T>(change: () => Promise<T>): Promise<Parsed<T>> {
	try {
		return ok(await change());
	} catch (error) {
		return fail(error instanceof CustomerError ? error.message : storageErrorMessage(error));
	}
}

/** What Settings does with customers and sites, each answered in the admin's words. */
export const customerAdmin = {
	create: (name: string) => attempt(() => customers.create(name)),
	rename: (id: number, name: string) => attempt(() => customers.rename(id, name)),
	setArchived: (id: number, isArchived: boolean) => attempt(() => customers.setArchived(id, isArchived)),
	addSite: (id: number, name: string) => attempt(() => customers.addSites(id, [name])),
	renameSite: (id: number, from: string, to: string) => attempt(() => customers.renameSite(id, from, to)),
	removeSite: (id: number, name: string) => attempt(() => customers.removeSite(id, name))
};
