import { Dexie, type ObservabilitySet } from 'dexie';
import { emailKey } from '$lib/domain/email';
import { newLicenseKey } from '$lib/domain/license-key';
import { fields as registry, type UserType } from '$lib/domain/fields';
import { productsOf } from '$lib/domain/seats';
import { foldText } from '$lib/domain/text';
import {
	DEFAULT_CUSTOMER_ID,
	matchesSearch,
	nameOf,
	searchTerms,
	uniqueEntry,
	uniqueRange,
	userKeys,
	type User,
	type UserFields,
	type UserStatus
} from '$lib/domain/user';
import type { ExistingUser, UniqueField } from '$lib/import/rows';
import { CENSUS_KEY, censusCount, type Census } from './catalog';
import { catalogIndex, catalogSource, type CatalogApi } from './catalog-index';
import { commandsStore } from './commands';
import type { RollcallDb } from './database';
import { DuplicateError } from './errors';
import { refreshInitialPasswords } from './initial-passwords';
import { licensesStore } from './licenses';
import { listsStore, type ReadList } from './lists';

/** A read given up part way because nothing wants its answer any more. */
export class ReadAbandoned extends Error {
	constructor() {
		super('The read was given up: nothing wants its answer any more.');
		this.name = 'ReadAbandoned';
	}
}

/** The list's sortable columns (the catalogue sorts by each: catalog-index.ts). */
export type SortKey = 'name' | 'email' | 'status' | 'userType' | 'site' | 'lastLoginAt' | 'createdAt';

/** What the Users list shows: an order, a search and filters. Empty strings mean 'any'. */
export interface ListQuery {
	/** The customer whose users it shows (a filter only while there are several customers: see scoped). */
	customerId: number;
	sort: SortKey;
	isDescending: boolean;
	search: string;
	status: UserStatus | '';
	userType: UserType | '';
	site: string;
	/** A group's index key within its customer (memberKey): the users in that group. */
	group: string;
}

export const defaultQuery: ListQuery = {
	customerId: DEFAULT_CUSTOMER_ID,
	sort: 'name',
	isDescending: false,
	search: '',
	status: '',
	userType: '',
	site: '',
	group: ''
};

/** Which users an export reads: every one of a customer (the default one if unsaid), or those with these ids. */
export type ExportScope =
	{ kind: 'everyone'; customerId?: number } | { kind: 'ids'; ids: readonly number[] | Uint32Array };

/**
 * A query as the list reads it: its customer filter is '' (every user) while there is one customer only,
 * so a single-company directory reads, keeps and names its lists exactly as before customers existed.
 */
type ScopedQuery = Omit<ListQuery, 'customerId'> & { customerId: number | '' };

/**
 * A run of sorted ids spanning at most this many times their count is read as one key range (IndexedDB's
 * getAll, as fast as a raw read) and the ids not asked for are dropped; a sparser run is read key by key.
 */
const DENSE_RANGE = 2;

/** Keys looked up per transaction by byKeys. */
const KEY_LOOKUP_CHUNK = 5_000;

/** Rows read at a time when looking for a first screen of matches in order. */
const FIRST_MATCHES_CHUNK = 250;

/**
 * What names a query's list before its search: the order (ascending) and the filters, the customer among
 * them (after the others, and only when it filters: a single customer's lists keep their names).
 */
function listKey(query: ScopedQuery): string {
	const key = ['users', query.sort, query.status, query.userType, query.site, query.group];
	return JSON.stringify(query.customerId === '' ? key : [...key, query.customerId]);
}

/** A unique field's value as its index keeps it ('' for none). */
function uniqueKey(field: UniqueField, value: string): string {
	if (field === 'email') return emailKey(value);
	return field === 'username' ? foldText(value) : value.trim().toLowerCase();
}

/**
 * A new user gets the registry default of every field the form did not ask (hidden by the policy):
 * site HQ and user type Standard, so every user has a value in every sorted and filtered index.
 */
export function withDefaults(values: UserFields): UserFields {
	const filled: Record<string, unknown> = { ...values };
	for (const def of registry) {
		if (!def.isSensitive && def.defaultValue !== undefined && filled[def.key] === undefined) {
			filled[def.key] = def.defaultValue;
		}
	}
	return filled as unknown as UserFields;
}

/** Users module: every read and write of the users table goes through here. */
export function usersStore(db: RollcallDb, catalog: CatalogApi = catalogIndex(catalogSource(db))) {
	const lists = listsStore(db);
	const commands = commandsStore(db);
	const licenses = licensesStore(db);

	/** The customer filter a read needs: none while every user is in the one customer there is. */
	async function customerFilter(customerId: number): Promise<number | ''> {
		return (await db.customers.count()) > 1 ? customerId : '';
	}

	async function scoped(query: ListQuery): Promise<ScopedQuery> {
		return { ...query, customerId: await customerFilter(query.customerId) };
	}

	/** The ids of a customer's users, in id order. */
	const idsOf = async (customerId: number) => Array.from(await catalog.idsOf(customerId));

	/** The census (catalog.ts): how many users each customer has, one small record. */
	const census = async () => ((await db.catalog.get(CENSUS_KEY)) as Census | undefined)?.chunks ?? {};

	/** How many users the customer has ('': every user), from the census. */
	const counted = (customerId: number | '') => censusCount(db.catalog, customerId);

	/**
	 * The kept list of `key` (ascending), else `read` it and keep it. The read is not one transaction: a
	 * million ids take most of a minute, and a write (an admin's 'Add user') must not wait behind it. So the
	 * generation is read before and after; a list a write landed in is shown (the change re-reads it) but
	 * never kept, and an id it met twice (moved while the index was read in parts) is shown once.
	 * A list derived from another (`from`) is kept only if that one is of the same generation. Keeping is
	 * only a saving: a failure to keep (a full disk) is not the list's.
	 */
	async function keptOrRead(key: string, read: () => Promise<number[]>, from?: ReadList): Promise<ReadList> {
		const kept = await lists.find(key);
		if (kept) return kept;
		const generation = await lists.currentGeneration();
		const ids = await read();
		if ((await lists.currentGeneration()) !== generation) {
			return { ids: [...new Set(ids)], generation: 'changed while read' };
		}
		const list = { ids, generation };
		if (from && from.generation !== list.generation) return list;
		try {
			await lists.keep(key, list);
		} catch (error) {
			console.warn('Keeping a list of the users failed; it will be read again next time', error);
		}
		return list;
	}

	/** Every id of a query's filters in its order (without its search), from the catalogue. */
	async function readOrder(query: ScopedQuery): Promise<number[]> {
		return Array.from(await catalog.order(query));
	}

	/**
	 * The users whose unique `index` holds one of `keys`, read in chunks, each its own short transaction,
	 * so that a big file against a big directory never holds the admin's writes for long (an import's
	 * commit checks every key again in its own transaction).
	 */
	async function byKeys(field: UniqueField, keys: readonly string[], customerId: number) {
		const found: User[] = [];
		const sorted = [...new Set(keys)].map((key) => uniqueEntry(field, key, customerId)).sort();
		for (let start = 0; start < sorted.length; start += KEY_LOOKUP_CHUNK) {
			const chunk = sorted.slice(start, start + KEY_LOOKUP_CHUNK);
			found.push(...(await db.users.where('uniqueKeys').anyOf(chunk).toArray()));
		}
		return found;
	}

	/** The user of `customerId` holding `key` in a unique field's index (but `exceptId`). */
	async function holder(field: UniqueField, customerId: number, key: string, exceptId?: number) {
		const found = await db.users
			.where('uniqueKeys')
			.equals(uniqueEntry(field, key, customerId))
			.first();
		return found && found.id !== exceptId ? found : undefined;
	}

	async function findConflict(
		keys: Pick<User, 'emailKey' | 'usernameKey' | 'customerCodeKey'>,
		customerId: number,
		exceptId?: number
	): Promise<DuplicateError | undefined> {
		const checks: [UniqueField, string | undefined][] = [
			['email', keys.emailKey],
			['username', keys.usernameKey],
			['customerCode', keys.customerCodeKey]
		];
		for (const [field, key] of checks) {
			if (key === undefined) continue;
			const other = await holder(field, customerId, key, exceptId);
			if (other) return duplicate(field, other);
		}
		return undefined;
	}

	function duplicate(field: UniqueField, other: User): DuplicateError {
		const label = { email: 'This email', username: 'This username', customerCode: 'This customer code' }[
			field
		];
		return new DuplicateError(field, `${label} is already taken by ${other.displayName || other.email}.`);
	}

	return {
		/**
		 * Adds one user as Pending; refuses (DuplicateError) an email, username or code already taken. With no
		 * password: only SMS login details give one (outbox.queueFor).
		 */
		async add(fields: UserFields, options: { now?: number; customerId?: number } = {}): Promise<User> {
			const now = options.now ?? Date.now();
			const customerId = options.customerId ?? DEFAULT_CUSTOMER_ID;
			fields = { ...withDefaults(fields), licenseKey: fields.licenseKey ?? newLicenseKey() };
			const keys = userKeys(fields, customerId);
			return db.transaction('rw', licenses.tables(), async () => {
				const conflict = await findConflict(keys, customerId);
				if (conflict) throw conflict;
				const user: Omit<User, 'id'> = {
					...fields,
					...keys,
					customerId,
					status: 'Pending',
					hasPassword: false,
					createdAt: now,
					updatedAt: now,
					activatedAt: null,
					lastLoginAt: 0
				};
				// Seats are checked with the write, so two tabs cannot both take the last one.
				const id = await licenses.withinSeats(
					[customerId],
					productsOf(fields.entitlements),
					() => db.users.add(user),
					'The user was not saved: '
				);
				return { ...user, id };
			});
		},

		/** Replaces the given fields of a user (an undefined value clears an optional field). */
		async update(id: number, changes: Partial<UserFields>, now = Date.now()): Promise<User> {
			return db.transaction('rw', [...licenses.tables(), ...commands.tables()], async () => {
				const current = await db.users.get(id);
				if (!current) throw new Error('This user no longer exists: it may have been deleted in another tab.');
				const merged = { ...current, ...changes };
				for (const [key, value] of Object.entries(merged)) {
					if (value === undefined) delete (merged as Record<string, unknown>)[key];
				}
				const keys = userKeys(merged, current.customerId);
				const conflict = await findConflict(keys, current.customerId, id);
				if (conflict) throw conflict;
				const user: User = { ...merged, ...keys, updatedAt: now };
				if (!keys.usernameKey) delete user.usernameKey;
				if (!keys.customerCodeKey) delete user.customerCodeKey;
				const had = productsOf(current.entitlements);
				await licenses.withinSeats(
					[current.customerId],
					[...productsOf(user.entitlements)].filter((product) => !had.has(product)),
					() => db.users.put(user),
					'The user was not saved: '
				);
				// A new key, other products or web access switched: the relay learns it (if it knows them).
				await commands.queueLicenseChanges([[current, user]], now);
				return user;
			});
		},

		get: (id: number) => db.users.get(id),

		/** Who in the customer already uses this value of a unique field, for the form's live check. */
		async whoHas(
			field: UniqueField,
			value: string,
			exceptId?: number,
			customerId: number = DEFAULT_CUSTOMER_ID
		): Promise<User | undefined> {
			const key = uniqueKey(field, value);
			return key ? holder(field, customerId, key, exceptId) : undefined;
		},

		/**
		 * The other customers (their ids, each once) that have a user with this email: allowed, but an admin
		 * of several customers wants to know (the form's note). Read only when there are other customers.
		 */
		async emailElsewhere(value: string, customerId: number): Promise<number[]> {
			const key = emailKey(value);
			if (!key || (await customerFilter(customerId)) === '') return [];
			const [lower, upper] = uniqueRange('email', key);
			const holders = await db.users.where('uniqueKeys').between(lower, upper, true, false).toArray();
			return [...new Set(holders.map((user) => user.customerId))].filter((id) => id !== customerId);
		},

		/** How many users the customer has (every user while there is one customer). */
		async count(customerId: number = DEFAULT_CUSTOMER_ID): Promise<number> {
			return counted(await customerFilter(customerId));
		},

		/**
		 * The stored users with these email keys, by key, as an import's check compares its rows with
		 * them (id and values). See byKeys.
		 */
		async byEmailKeys(
			emailKeys: readonly string[],
			customerId = DEFAULT_CUSTOMER_ID
		): Promise<Map<string, ExistingUser>> {
			const found = new Map<string, ExistingUser>();
			for (const user of await byKeys('email', emailKeys, customerId)) {
				found.set(user.emailKey, { id: user.id, values: user });
			}
			return found;
		},

		/**
		 * The ids of the users holding these usernames and customer codes (folded as their unique
		 * indexes keep them), by key: who an import's rows would clash with. See byKeys.
		 */
		async idsByUniqueKeys(
			keys: { username: readonly string[]; customerCode: readonly string[] },
			customerId = DEFAULT_CUSTOMER_ID
		): Promise<{ byUsername: Map<string, number>; byCustomerCode: Map<string, number> }> {
			const [named, coded] = [
				await byKeys('username', keys.username, customerId),
				await byKeys('customerCode', keys.customerCode, customerId)
			];
			return {
				byUsername: new Map(named.map((user) => [user.usernameKey!, user.id])),
				byCustomerCode: new Map(coded.map((user) => [user.customerCodeKey!, user.id]))
			};
		},

		/** The ids of the users a query matches, in its order: the list fetches rows by position from it. */
		async listIds(query: ListQuery): Promise<number[]> {
			return (await this.searchIds(await this.baseIds(query), query.search))!;
		},

		/** Every id of a customer's users in one of the list's orders. */
		async orderedIds(
			sort: SortKey,
			isDescending: boolean,
			customerId = DEFAULT_CUSTOMER_ID
		): Promise<number[]> {
			return this.baseIds({ ...defaultQuery, sort, isDescending, customerId });
		},

		/**
		 * The ids of a query's order and filters, before its search, from the catalogue. Kept on disk (lists.ts)
		 * once read, so a list read again before the users change costs one record. Given up (ReadAbandoned)
		 * if `isWanted` says no one wants it any more before the catalogue is asked.
		 */
		async baseIds(listQuery: ListQuery, isWanted: () => boolean = () => true): Promise<number[]> {
			// The customer is one more filter (kept apart: its lists are named with it, see listKey).
			const query = await scoped(listQuery);
			const ascending = { ...query, search: '', isDescending: false };
			const list = await keptOrRead(listKey(ascending), () => {
				if (!isWanted()) throw new ReadAbandoned();
				return readOrder(ascending);
			});
			return query.isDescending ? list.ids.slice().reverse() : list.ids;
		},

		/**
		 * Has the catalogue read while the admin looks at the list: a million users' take a second or two, which
		 * a first search would otherwise wait for. A failure is the next answer's to report.
		 */
		warmCatalog(): void {
			catalog.warm().catch((error: unknown) => console.warn('Reading the catalogue failed', error));
		},

		/** The ids of a query's order and filters if they are kept on disk and up to date; else undefined. */
		async keptIds(query: ListQuery): Promise<number[] | undefined> {
			const ascending = (await lists.find(listKey(await scoped(query))))?.ids;
			return ascending && query.isDescending ? ascending.reverse() : ascending;
		},

		/**
		 * The ids among `ordered` (in that order) that match every search term (see textMatches), or
		 * undefined once `isWanted` says the answer is no longer wanted (a newer keystroke). The catalogue
		 * worker scans every user's search text; the page only keeps the order's ids it found.
		 */
		async searchIds(
			ordered: readonly number[],
			search: string,
			isWanted: () => boolean = () => true
		): Promise<number[] | undefined> {
			const terms = searchTerms(search);
			if (terms.length === 0) return [...ordered];
			const found = await catalog.matching(terms, '');
			if (!isWanted()) return undefined;
			// One byte per id up to the largest found: a million lookups in a typed array take milliseconds.
			const isFound = new Uint8Array(found.length > 0 ? found[found.length - 1]! + 1 : 0);
			for (const id of found) isFound[id] = 1;
			return ordered.filter((id) => isFound[id] === 1);
		},

		/**
		 * The first users of `ordered` that match the search, in order: at least `limit` of them if there
		 * are (rows are read a chunk at a time), reading at most `maxRows` rows. A first screen of matches
		 * for a short term long before its whole index range is read.
		 */
		async firstMatches(
			ordered: readonly number[],
			search: string,
			limit: number,
			maxRows: number
		): Promise<{ ids: number[]; isAll: boolean }> {
			const terms = searchTerms(search);
			const end = Math.min(ordered.length, maxRows);
			const ids: number[] = [];
			let start = 0;
			while (start < end && ids.length < limit) {
				const slice = ordered.slice(start, Math.min(start + FIRST_MATCHES_CHUNK, end));
				for (const user of await db.users.bulkGet(slice)) {
					if (user && matchesSearch(user, terms)) ids.push(user.id);
				}
				start += slice.length;
			}
			return { ids, isAll: start >= ordered.length };
		},

		/**
		 * The first `limit` ids of an order and how many there are in all, read together: enough to draw
		 * the first screen of a big directory before every id of the order is read.
		 */
		async head(
			sort: SortKey,
			isDescending: boolean,
			limit: number,
			customerId: number = DEFAULT_CUSTOMER_ID
		): Promise<{ ids: number[]; total: number }> {
			if (sort !== 'name') {
				// Only the name order has an index: another comes whole from the catalogue (and is kept).
				const ids = await this.baseIds({ ...defaultQuery, sort, isDescending, customerId });
				return { ids: ids.slice(0, limit), total: ids.length };
			}
			const customer = await customerFilter(customerId);
			const first = db.users
				.where('[customerId+nameKey]')
				.between([customerId, Dexie.minKey], [customerId, Dexie.maxKey], true, true);
			const [ids, total] = await Promise.all([
				(isDescending ? first.reverse() : first).limit(limit).primaryKeys(),
				counted(customer)
			]);
			return { ids, total };
		},

		/**
		 * Calls `listener` after every change to the users table, in this tab or another. Cheaper than a
		 * live query for whole-table reads: Dexie's live queries track every key they return, which for
		 * a list of 100,000 ids costs more than reading them.
		 */
		onChange(listener: () => void): () => void {
			const prefix = `idb://${db.name}/users/`;
			const handler = (parts: ObservabilitySet) => {
				if (Object.keys(parts).some((part) => part.startsWith(prefix))) listener();
			};
			Dexie.on.storagemutated.subscribe(handler);
			return () => Dexie.on.storagemutated.unsubscribe(handler);
		},

		/** The rows at the given ids, in that order (undefined for one deleted meanwhile). */
		rows: (ids: number[]) => db.users.bulkGet(ids),

		/** How many users an export of `scope` reads at most (some may be deleted while it runs). */
		async exportCount(scope: ExportScope): Promise<number> {
			return scope.kind === 'ids'
				? new Set(scope.ids).size
				: this.count(scope.customerId ?? DEFAULT_CUSTOMER_ID);
		},

		/**
		 * The users of `scope`, `pageSize` at a time, in the order they were added (their ids): each page is
		 * its own short read, so an export of a million users never holds them all, nor the admin's writes.
		 * 'everyone' means those there when the export began; a user deleted meanwhile is left out.
		 */
		async *exportPages(scope: ExportScope, pageSize: number): AsyncGenerator<User[]> {
			if (
				scope.kind === 'everyone' &&
				(await customerFilter(scope.customerId ?? DEFAULT_CUSTOMER_ID)) !== ''
			) {
				// Several customers: this one's ids (from the catalogue, in id order), read as ids are.
				yield* this.exportPages(
					{ kind: 'ids', ids: await idsOf(scope.customerId ?? DEFAULT_CUSTOMER_ID) },
					pageSize
				);
				return;
			}
			if (scope.kind === 'everyone') {
				const last = await db.users.orderBy(':id').lastKey();
				if (last === undefined) return;
				let after = -Infinity;
				for (;;) {
					const page = await db.users
						.where(':id')
						.between(after, last, false, true)
						.limit(pageSize)
						.toArray();
					if (page.length === 0) return;
					yield page;
					after = page.at(-1)!.id;
				}
			}
			const ids = Float64Array.from(new Set(scope.ids)).sort();
			for (let start = 0; start < ids.length; start += pageSize) {
				const chunk = ids.subarray(start, start + pageSize);
				const [first, last] = [chunk[0]!, chunk.at(-1)!];
				if (last - first + 1 <= chunk.length * DENSE_RANGE) {
					const wanted = new Set(chunk);
					const range = await db.users.where(':id').between(first, last, true, true).toArray();
					yield range.filter((user) => wanted.has(user.id));
				} else {
					const found = await db.users.bulkGet([...chunk]);
					yield found.filter((user): user is User => user !== undefined);
				}
			}
		},

		/** Every site in use in the customer, for the list's filter. */
		async sites(customerId: number = DEFAULT_CUSTOMER_ID): Promise<string[]> {
			// Read here first, so a live query of the sites runs again when the users change (the census changes
			// with every write to them): the catalogue worker's reads are not the live query's.
			await census();
			return catalog.sites(await customerFilter(customerId));
		},

		/**
		 * Suspends, or brings back from suspension, the given users. A reactivated user is Active again
		 * if the person had activated the account, else Pending. The relay is told in the same transaction
		 * (a queued command), so their links and sign-in follow.
		 */
		async setSuspended(ids: number[], isSuspended: boolean, now = Date.now()): Promise<number> {
			return db.transaction('rw', [db.users, ...commands.tables()], async () => {
				const users = await db.users.bulkGet(ids);
				const changed: User[] = [];
				for (const user of users) {
					if (!user) continue;
					const status: UserStatus = isSuspended ? 'Suspended' : user.activatedAt ? 'Active' : 'Pending';
					if (user.status === status || (!isSuspended && user.status !== 'Suspended')) continue;
					changed.push({ ...user, status, updatedAt: now });
				}
				await db.users.bulkPut(changed);
				const changedIds = changed.map((user) => user.id);
				await commands.queue(isSuspended ? 'suspend' : 'reactivate', changedIds, now);
				return changed.length;
			});
		},

		/**
		 * Deletes users, keeping them in the trash so the deletion can be undone; returns the batch. While it
		 * can be undone the relay is told to suspend their accounts (their links die, they cannot sign in,
		 * nothing waiting is sent), in the same transaction; the wipe itself waits for purgeTrash, so an undo
		 * gives the person back an account they can still sign in to.
		 */
		async remove(
			ids: number[],
			now = Date.now()
		): Promise<{ batch: string; count: number; names: string[] }> {
			const batch = `${now}-${Math.random().toString(36).slice(2, 10)}`;
			return db.transaction('rw', [db.users, db.trash, ...commands.tables()], async () => {
				const users = (await db.users.bulkGet(ids)).filter((u): u is User => u !== undefined);
				await db.trash.bulkAdd(users.map((user) => ({ batch, deletedAt: now, user })));
				await db.users.bulkDelete(users.map((u) => u.id));
				await commands.queue(
					'suspend',
					users.map((u) => u.id),
					now
				);
				// Enough for a notice to name three, or two and count the rest (namesInWords).
				return { batch, count: users.length, names: users.slice(0, 3).map(nameOf) };
			});
		},

		/**
		 * Puts back the users of a deletion, all or none: if one's email or username was taken since,
		 * nothing is restored and the error says who is in the way. The relay is told to reactivate the
		 * accounts the deletion suspended, but not of users who were Suspended before it: those stay so.
		 */
		async undoRemove(batch: string, now = Date.now()): Promise<number> {
			return db.transaction('rw', [...licenses.tables(), db.trash, ...commands.tables()], async () => {
				const rows = await db.trash.where('batch').equals(batch).toArray();
				for (const { user } of rows) {
					const conflict = await findConflict(user, user.customerId);
					if (conflict) {
						throw new DuplicateError(
							conflict.field,
							`The deletion cannot be undone: ${user.email} was deleted, and since then ${conflict.message.charAt(0).toLowerCase()}${conflict.message.slice(1)}`
						);
					}
				}
				// Their seats were freed by the deletion and may have been given to others since: then the undo is
				// refused whole, saying how many are missing (no user comes back without the licenses they had).
				await licenses.withinSeats(
					rows.map((r) => r.user.customerId),
					rows.flatMap((r) => [...productsOf(r.user.entitlements)]),
					() => db.users.bulkAdd(rows.map((r) => r.user)),
					'The deletion cannot be undone: '
				);
				// An SMS with their initial password may have been cancelled while they were deleted.
				await refreshInitialPasswords(
					db,
					rows.filter((r) => r.user.hasPassword).map((r) => r.user.id)
				);
				await db.trash.where('batch').equals(batch).delete();
				await commands.queue(
					'reactivate',
					rows.filter((r) => r.user.status !== 'Suspended').map((r) => r.user.id),
					now
				);
				return rows.length;
			});
		},

		/**
		 * Forgets deletions older than `before`: they can no longer be undone, so the relay is now told to
		 * delete those accounts (wipe the password, address and names), in the same transaction.
		 */
		purgeTrash(before: number, now = Date.now()): Promise<number> {
			return db.transaction('rw', [db.trash, ...commands.tables()], async () => {
				const rows = await db.trash.where('deletedAt').below(before).toArray();
				await db.trash.where('deletedAt').below(before).delete();
				const ids = rows.map((row) => row.user.id);
				await commands.queue('delete', ids, now);
				// Their message history goes too: it holds their address, and a restore onto another device
				// could give their ids to new users, who would inherit it (and look known to the relay).
				await db.messageHistory.where('userId').anyOf(ids).delete();
				return rows.length;
			});
		}
	};
}

export type UsersStore = ReturnType<typeof usersStore>;
