import { findSite, parseName, sitesOf } from '$lib/domain/customer';
import { foldText } from '$lib/domain/text';
import { userKeys } from '$lib/domain/user';
import { customerUsers, type CustomerRow, type RollcallDb } from './database';

/** A change to the customers refused before anything was written, in the admin's words. */
export class CustomerError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CustomerError';
	}
}

/** Throws a CustomerError for a name that does not read as one. */
function named(raw: string, label: string): string {
	const read = parseName(raw, label);
	if (!read.ok) throw new CustomerError(read.message);
	return read.value;
}

/**
 * Customers module (DESIGN.md workflow C): the organisations whose users the admin manages, and each one's
 * sites. A customer is never deleted, only archived: its users stay, out of the switcher's way. Names are
 * unique case and accents aside (the nameKey index refuses a second 'Contoso' or 'contóso').
 */
export function customersStore(db: RollcallDb) {
	async function existing(id: number): Promise<CustomerRow> {
		const customer = await db.customers.get(id);
		if (!customer) throw new CustomerError('This customer no longer exists.');
		return customer;
	}

	async function refuseTaken(nameKey: string, exceptId?: number): Promise<void> {
		const other = await db.customers.where('nameKey').equals(nameKey).first();
		if (other && other.id !== exceptId) {
			throw new CustomerError(
				`There is already a customer named ${other.name}${other.archivedAt ? ' (archived)' : ''}.`
			);
		}
	}

	return {
		/** Every customer, archived ones too, by name. */
		list: (): Promise<CustomerRow[]> => db.customers.orderBy('nameKey').toArray(),

		get: (id: number): Promise<CustomerRow | undefined> => db.customers.get(id),

		/**
		 * Whether the users belong to more than one customer, or may: with a single customer every user is
		 * in it, and the users' reads need no customer filter (the common case pays nothing for customers).
		 */
		async isSeveral(): Promise<boolean> {
			return (await db.customers.count()) > 1;
		},

		async create(rawName: string, now = Date.now()): Promise<CustomerRow> {
			const name = named(rawName, 'The customer name');
			const nameKey = foldText(name);
			return db.transaction('rw', db.customers, async () => {
				await refuseTaken(nameKey);
				const row: Omit<CustomerRow, 'id'> = { name, nameKey, createdAt: now };
				const id = await db.customers.add(row);
				return { ...row, id };
			});
		},

		async rename(id: number, rawName: string): Promise<CustomerRow> {
			const name = named(rawName, 'The customer name');
			const nameKey = foldText(name);
			return db.transaction('rw', db.customers, async () => {
				const customer = await existing(id);
				await refuseTaken(nameKey, id);
				const renamed = { ...customer, name, nameKey };
				await db.customers.put(renamed);
				return renamed;
			});
		},

		/**
		 * Archives a customer (it leaves the switcher; its users, imports and settings are kept) or brings it
		 * back. The last active customer cannot be archived: there would be none to work in.
		 */
		async setArchived(id: number, isArchived: boolean, now = Date.now()): Promise<CustomerRow> {
			return db.transaction('rw', db.customers, async () => {
				const customer = await existing(id);
				if (isArchived && !customer.archivedAt) {
					const active = await db.customers.filter((row) => !row.archivedAt).count();
					if (active <= 1) {
						throw new CustomerError(
							`${customer.name} is the only active customer: create or restore another one before archiving it.`
						);
					}
				}
				const changed: CustomerRow = { ...customer };
				if (isArchived) changed.archivedAt = customer.archivedAt ?? now;
				else delete changed.archivedAt;
				await db.customers.put(changed);
				return changed;
			});
		},

		/** The customer's sites, in the order the admin made them (HQ first until removed). */
		async sites(id: number): Promise<string[]> {
			return sitesOf((await db.customers.get(id))?.sites);
		},

		/** Adds sites (those it has already, case and accents aside, are left alone); its sites after. */
		async addSites(id: number, rawNames: readonly string[]): Promise<string[]> {
			const names = rawNames.map((raw) => named(raw, 'The site name'));
			return db.transaction('rw', db.customers, async () => {
				const customer = await existing(id);
				const sites = sitesOf(customer.sites);
				for (const name of names) if (!findSite(sites, name)) sites.push(name);
				await db.customers.put({ ...customer, sites });
				return sites;
			});
		},

		/**
		 * Renames a site, and the site of every user of the customer at it, in one transaction (a user is
		 * never left at a site the customer no longer has). Returns how many users moved with it.
		 */
		async renameSite(id: number, from: string, rawTo: string): Promise<number> {
			const to = named(rawTo, 'The site name');
			return db.transaction('rw', [db.customers, db.users], async () => {
				const customer = await existing(id);
				const sites = sitesOf(customer.sites);
				const index = sites.indexOf(from);
				if (index < 0) throw new CustomerError(`${customer.name} no longer has the site ${from}.`);
				const clash = findSite(sites, to);
				if (clash !== undefined && clash !== from) {
					throw new CustomerError(`${customer.name} already has a site named ${clash}.`);
				}
				sites[index] = to;
				await db.customers.put({ ...customer, sites });
				if (to === from) return 0;
				// No index by site (v9): the customer's users are read, as the admin renames a site rarely.
				return customerUsers(db, id)
					.and((user) => user.site === from)
					.modify((user) => {
						user.site = to;
						Object.assign(user, userKeys(user, id));
					});
			});
		},

		/**
		 * Removes a site nobody is at (a user is never left at a site the customer no longer has: move
		 * them, or rename the site, first). A customer keeps at least one site.
		 */
		async removeSite(id: number, name: string): Promise<string[]> {
			return db.transaction('rw', [db.customers, db.users], async () => {
				const customer = await existing(id);
				const sites = sitesOf(customer.sites);
				if (!sites.includes(name)) return sites;
				if (sites.length === 1) throw new CustomerError('A customer keeps at least one site.');
				const using = await customerUsers(db, id)
					.and((user) => user.site === name)
					.count();
				if (using > 0) {
					throw new CustomerError(
						`${using.toLocaleString('en')} ${using === 1 ? 'user is' : 'users are'} at ${name}: move them to another site, or rename the site, first.`
					);
				}
				const kept = sites.filter((site) => site !== name);
				await db.customers.put({ ...customer, sites: kept });
				return kept;
			});
		}
	};
}

export type CustomersStore = ReturnType<typeof customersStore>;
