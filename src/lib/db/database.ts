import { Dexie, type Collection, type EntityTable, type InsertType } from 'dexie';
import type { HistoryMessage, OutboxMessage } from '$lib/domain/outbox';
import { givesInitialPassword } from '$lib/domain/passwords';
import type { AccountCommandType, LicenseFacts } from '$lib/domain/relay-protocol';
import type { Product } from '$lib/domain/fields';
import { newLicenseKey } from '$lib/domain/license-key';
import { foldText } from '$lib/domain/text';
import {
	DEFAULT_CUSTOMER_ID,
	licenseEntry,
	uniqueEntry,
	type UniqueField,
	type User,
	type UserFields
} from '$lib/domain/user';
import { CATALOG_TABLE, useCatalog, type CatalogRow } from './catalog';
import { LISTS_TABLE, useLists, type ListRow } from './lists';
import { restoreUser } from './restore';

/** One settings entry: a key of Settings and its stored value, restored on read. */
export interface SettingRow {
	key: string;
	value: unknown;
}

/** A deleted user kept until the deletion can no longer be undone. */
export interface TrashRow {
	id?: number;
	/** All users removed by one delete action share a batch. */
	batch: string;
	deletedAt: number;
	user: User;
}

/** How an import treats rows with errors: refuse the whole file, or leave those rows out. */
export type ImportMode = 'all-or-nothing' | 'valid-rows';

/** What an import did, row by row: created + updated + unchanged + skipped is every row of the file. */
export interface ImportCounts {
	created: number;
	updated: number;
	/** Rows for users already in the directory with the same values (nothing written). */
	unchanged: number;
	/** Rows that imported nothing: those with errors (in 'valid-rows' mode) and blank ones. */
	skipped: number;
	/** Rows left out for their errors (also counted in skipped); always 0 for 'all-or-nothing'. */
	errors: number;
}

/** One entry of the import history. */
export interface ImportRow {
	id: number;
	/** The customer the import was made into. */
	customerId: number;
	fileName: string;
	/** When the import was committed (ms since the epoch); also the new users' createdAt. */
	at: number;
	mode: ImportMode;
	updateExisting: boolean;
	counts: ImportCounts;
	/** The groups the import created (names the file gave that the customer had not): its undo deletes the empty ones. */
	createdGroups?: string[];
	/**
	 * 'committing' while an import too big for one transaction is written chunk by chunk (imports.ts): its
	 * users are partly there, it is neither done nor undoable, and it is rolled back if its tab goes.
	 * 'rolledBack' once a later start took back such an import its closed tab left half written: kept in
	 * the history so the admin, who may never have seen it fail, learns that nothing of it was kept.
	 */
	status: 'committing' | 'done' | 'undone' | 'rolledBack';
	undoneAt?: number;
	/** When a start rolled the import back (status 'rolledBack'). */
	rolledBackAt?: number;
	/** While 'committing': the Web Lock its tab holds until the import is done or rolled back. */
	lock?: string;
	/**
	 * While 'committing', if it added sites: the customer's stored sites before it (null when none were
	 * stored: just the default site) and those it added, so a rollback puts the customer back as it was.
	 */
	sites?: { before: string[] | null; added: string[] };
}

/** The fields an import wrote over one user, with the values it wrote. */
export type ImportedValues = Partial<UserFields> & { hasPassword?: boolean };

/**
 * What undoing an import needs, kept in a few records per import rather than one per user (one for the
 * ids it created, one per batch of the users it updated), so recording 100,000 users costs a few writes.
 */
export interface ImportChangeRow {
	id: number;
	importId: number;
	/** Ids of the users created, as inclusive [first, last] pairs laid flat: one import's ids run on. */
	created?: number[];
	/** Users updated: each as stored before the import, and what the import wrote over it. */
	updated?: { before: User; wrote: ImportedValues }[];
}

/** This device's link to the relay: one record, restored on read by the relay module. */
export interface RelayRow {
	key: 'relay';
	/** Random UUID naming this directory to the relay (see relayUserId); made once, kept forever. */
	directoryId: string;
	/** The relay's base URL; none means the app's own origin. */
	url?: string;
	/** The device token the relay gave at pairing; absent when not paired (or after Unpair). */
	token?: string;
	deviceId?: string;
	deviceName?: string;
	pairedAt?: number;
	/** Set when the relay refused the token (revoked): the admin must pair again. */
	isRevoked?: boolean;
	/** The last event cursor applied. */
	cursor?: string;
}

/**
 * An account command waiting to reach the relay (suspend, reactivate or delete a user it may know). Kept in
 * order (`seq`) and sent before any message, so a suspension is never overtaken by a later message; removed
 * once the relay applied it, kept as 'failed' with the reason if it refused it.
 */
export interface CommandRow {
	seq?: number;
	/** The idempotency key it is sent under, every time. */
	key: string;
	type: AccountCommandType;
	/** The user's local id, and their id as the relay knows it (fixed when queued). */
	userId: number;
	relayUserId: string;
	state: 'queued' | 'sending' | 'failed';
	attempts: number;
	nextAttemptAt: number;
	createdAt: number;
	reason?: string;
	/** 'license': the license the relay learns (fixed when queued: the key is sent with the same body). */
	license?: LicenseFacts;
	/** 'deactivate': the computer whose slot is freed. */
	computer?: string;
}

/** A customer: an organisation whose users the admin manages (DESIGN.md workflow C). */
export interface CustomerRow {
	id: number;
	name: string;
	/** The folded name: two customers cannot share a name, case and accents aside. */
	nameKey: string;
	createdAt: number;
	/** When the customer was archived: kept with its users, out of the switcher. */
	archivedAt?: number;
	/**
	 * The customer's sites, the choices of the form's Site field (see customers.ts). Absent on a row written
	 * before sites existed: it then has the one default site, HQ, so no upgrade is needed.
	 */
	sites?: string[];
}

/** The default customer's name until the admin gives it one. */
export const DEFAULT_CUSTOMER_NAME = 'My organisation';

/** A named set of a customer's users (workflow B). Users carry group names; rename and delete rewrite them. */
export interface GroupRow {
	id: number;
	customerId: number;
	name: string;
	nameKey: string;
	createdAt: number;
}

/** A role: grants access to a set of profiles (workflow A). */
export interface RoleRow {
	id: number;
	customerId: number;
	name: string;
	nameKey: string;
	profileIds: number[];
	createdAt: number;
}

/** A profile: a named configuration file, kept whole (workflow A). */
export interface ProfileRow {
	id: number;
	customerId: number;
	name: string;
	nameKey: string;
	fileName: string;
	/** The file's MIME type as the browser gave it ('' when unknown). */
	type: string;
	/** Its size in bytes. */
	size: number;
	/** The file's bytes in base64: kept as text so a backup (JSON) carries it as it is. Profiles are small. */
	content: string;
	updatedAt: number;
}

/** A customer's seats of one product: each user licensed for it takes one. */
export interface LicensePoolRow {
	customerId: number;
	product: Product;
	seats: number;
	updatedAt: number;
}

export type RollcallDb = Dexie & {
	users: EntityTable<User, 'id'>;
	settings: EntityTable<SettingRow, 'key'>;
	trash: EntityTable<TrashRow, 'id'>;
	imports: EntityTable<ImportRow, 'id'>;
	importChanges: EntityTable<ImportChangeRow, 'id'>;
	outbox: EntityTable<OutboxMessage, 'key'>;
	/** Delivered messages cleared from the Outbox list: each user's message history (outbox.ts). */
	messageHistory: EntityTable<HistoryMessage, 'key'>;
	relay: EntityTable<RelayRow, 'key'>;
	lists: EntityTable<ListRow, 'key'>;
	commands: EntityTable<CommandRow, 'seq'>;
	customers: EntityTable<CustomerRow, 'id'>;
	groups: EntityTable<GroupRow, 'id'>;
	roles: EntityTable<RoleRow, 'id'>;
	profiles: EntityTable<ProfileRow, 'id'>;
	licensePools: Dexie.Table<LicensePoolRow, [number, Product]>;
	/** The users' catalogue: what the list sorts, filters and searches by (catalog.ts). */
	catalog: EntityTable<CatalogRow, 'chunk'>;
};

/**
 * The schema, version by version. A version with an upgrade is kept forever: a device may come back
 * after months with any older database, and it must open with every user intact.
 */
export function defineSchema(db: Dexie): void {
	// v1: users with their email, as first shipped.
	db.version(1).stores({ users: '++id, &emailKey, status' });
	// v2: keys for the list's sorts, filters and search, unique usernames and customer codes, settings,
	// and a trash so a deletion can be undone.
	db.version(2)
		.stores({
			users:
				'++id, &emailKey, &usernameKey, &customerCodeKey, nameKey, site, *searchWords, ' +
				'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
			settings: 'key',
			trash: '++id, batch, deletedAt'
		})
		.upgrade((tx) => {
			// v1 kept usernames and customer codes without a unique index, so two users may share one once
			// folded: the first keeps the unique key, the others keep their value (the clash shows on their next
			// edit) rather than the whole upgrade failing and the database never opening again.
			const taken = { usernameKey: new Set<string>(), customerCodeKey: new Set<string>() };
			return tx
				.table('users')
				.toCollection()
				.modify((stored: Record<string, unknown>, ref) => {
					const user = restoreUser(stored);
					for (const key of ['usernameKey', 'customerCodeKey'] as const) {
						const value = user[key];
						if (value === undefined) continue;
						if (taken[key].has(value)) delete user[key];
						else taken[key].add(value);
					}
					// Nor v9's unique entries, which restoreUser makes from the values: v9 builds its unique index
					// over the records before its upgrade runs, and a clash kept here would fail it. v9's upgrade
					// makes them from the keys kept here (rekeyV9).
					delete (user as Partial<User>).uniqueKeys;
					ref.value = user;
				});
		});
	// v3: the import history, and what undoing each import needs. New tables only: no upgrade.
	db.version(3).stores({ imports: '++id, at', importChanges: '++id, importId' });
	// v4: the outbox (by state and due time for the sender, by time for the Outbox page, by user for a
	// user's page) and the relay pairing. New tables only: no upgrade.
	db.version(4).stores({ outbox: 'key, [state+nextAttemptAt], createdAt, userId', relay: 'key' });
	// v5: the Users list's orders kept on disk (lists.ts), by when each was read and the generation of the
	// directory it was read from. A new table only: no upgrade.
	db.version(5).stores({ [LISTS_TABLE]: 'key, builtAt, generation' });
	// v6: account commands for the relay, in the order they were queued (by state, then seq). A new table
	// only: no upgrade.
	db.version(6).stores({ commands: '++seq, &key, state' });
	// v7: search inside words and across more fields (searchKeys): every stored user's search keys, and
	// those of the deleted users an undo may bring back, are computed again, into the new suffix index.
	// And hasPassword, which earlier versions set whenever the form had a password typed (the SMS ticked or
	// not, so the password went nowhere): it now says an SMS login message carries or carried one. And the
	// users' message history (delivered messages cleared from the Outbox list), by user: a new table.
	db.version(7)
		.stores({
			users:
				'++id, &emailKey, &usernameKey, &customerCodeKey, nameKey, site, *searchWords, *searchSuffixes, ' +
				'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
			messageHistory: 'key, userId'
		})
		.upgrade(async (tx) => {
			const withSms = new Set<unknown>();
			await tx.table('outbox').each((message: { template: string; state: string; userId: unknown }) => {
				if (givesInitialPassword(message)) withSms.add(message.userId);
			});
			// The search keys v7 computed here are v9's search text now, which v9's upgrade computes.
			const rekey = (user: Record<string, unknown>) => {
				user.hasPassword = withSms.has(user.id);
			};
			await tx
				.table('users')
				.toCollection()
				.modify((user: Record<string, unknown>) => rekey(user));
			await tx
				.table('trash')
				.toCollection()
				.modify((row: { user?: Record<string, unknown> }) => {
					if (typeof row.user === 'object' && row.user !== null) rekey(row.user);
				});
		});
	// v8: customers, groups, roles, profiles and license pools (DESIGN.md workflows A-C). The directory so
	// far becomes the default customer: every user, deleted user and import joins it, and every user gets a
	// license key (unique on the device) and the keys of their groups, roles and licenses.
	// Email, username and customer code are unique within a customer, not on the device: two customers may
	// both have an info@example.com (compound unique indexes; a user with no username or code is in none of
	// those). The plain emailKey index stays for the list's order by email.
	db.version(8)
		.stores({
			users:
				'++id, customerId, emailKey, &[customerId+emailKey], &[customerId+usernameKey], ' +
				'&[customerId+customerCodeKey], &licenseKey, nameKey, site, ' +
				'*searchWords, *searchSuffixes, *groupKeys, *roleKeys, *entitlementKeys, ' +
				'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
			imports: '++id, at, customerId',
			customers: '++id, &nameKey',
			groups: '++id, customerId, &[customerId+nameKey]',
			roles: '++id, customerId, &[customerId+nameKey]',
			profiles: '++id, customerId, &[customerId+nameKey]',
			licensePools: '[customerId+product]'
		})
		.upgrade(async (tx) => {
			await tx.table('customers').put(defaultCustomer(Date.now()));
			const join = (user: Record<string, unknown>) => {
				user.customerId = DEFAULT_CUSTOMER_ID;
				if (typeof user.licenseKey !== 'string') user.licenseKey = newLicenseKey();
				const { groupKeys, roleKeys, entitlementKeys, webAccess } = restoreUser(user);
				Object.assign(user, { groupKeys, roleKeys, entitlementKeys, webAccess });
			};
			await tx
				.table('users')
				.toCollection()
				.modify((user: Record<string, unknown>) => join(user));
			await tx
				.table('trash')
				.toCollection()
				.modify((row: { user?: Record<string, unknown> }) => {
					if (typeof row.user === 'object' && row.user !== null) join(row.user);
				});
			await tx
				.table('imports')
				.toCollection()
				.modify((row: Record<string, unknown>) => {
					row.customerId = DEFAULT_CUSTOMER_ID;
				});
		});
	// v9: a million users (issue 15). Each IndexedDB index entry costs about a tenth of a user record to
	// write, and v8 gave each user some forty (an order per sortable column, one per search word and inner
	// suffix). Now: one multi-entry unique index holds the email, username and customer code within the
	// customer and the license key (uniqueKeys: three or four entries), one order by customer and name draws
	// a first screen, and the group, role and product keys stay (few users have them). The other orders,
	// the filters and the search read the catalogue (catalog.ts): one record per 512 users, kept by its
	// middleware. The search words become one search text per user (no index). Every user, deleted user and
	// user an import's undo would put back gets the new keys; the middleware builds the catalogue from them.
	db.version(9)
		.stores({
			users: '++id, &*uniqueKeys, [customerId+nameKey], *groupKeys, *roleKeys, *entitlementKeys',
			[CATALOG_TABLE]: 'chunk'
		})
		.upgrade(async (tx) => {
			await tx
				.table('users')
				.toCollection()
				.modify((user: Record<string, unknown>) => rekeyV9(user));
			await tx
				.table('trash')
				.toCollection()
				.modify((row: { user?: Record<string, unknown> }) => {
					if (typeof row.user === 'object' && row.user !== null) rekeyV9(row.user);
				});
			await tx
				.table('importChanges')
				.toCollection()
				.modify((row: { updated?: { before?: Record<string, unknown> }[] }) => {
					for (const change of row.updated ?? []) {
						if (typeof change.before === 'object' && change.before !== null) rekeyV9(change.before);
					}
				});
		});
	// A new database starts with its default customer, as an upgraded one does.
	db.on('populate', (tx) => {
		void tx.table('customers').add(defaultCustomer(Date.now()));
	});
}

/**
 * A stored user with v9's keys: its search text and unique entries instead of v8's search words. The
 * unique entries are those of the keys the record holds, not of its values: v2's upgrade left a username
 * or code that clashed once folded without its key (see v2), and entries computed again from the values
 * would clash in the new index, failing the upgrade and leaving the database unable to open.
 */
function rekeyV9(user: Record<string, unknown>): void {
	const { searchText, customerId } = restoreUser(user);
	const held = (name: string): string | undefined => {
		const value = user[name];
		return typeof value === 'string' && value !== '' ? value : undefined;
	};
	const keys: [UniqueField, string | undefined][] = [
		['email', held('emailKey')],
		['username', held('usernameKey')],
		['customerCode', held('customerCodeKey')]
	];
	const license = held('licenseKey');
	const uniqueKeys = keys.flatMap(([field, key]) => (key ? [uniqueEntry(field, key, customerId)] : []));
	if (license) uniqueKeys.push(licenseEntry(license));
	Object.assign(user, { searchText, uniqueKeys });
	delete user.searchWords;
	delete user.searchSuffixes;
}

/** The customer a directory starts with: a single-company admin never sees it named (see customers.ts). */
export function defaultCustomer(now: number): CustomerRow {
	return {
		id: DEFAULT_CUSTOMER_ID,
		name: DEFAULT_CUSTOMER_NAME,
		nameKey: foldText(DEFAULT_CUSTOMER_NAME),
		createdAt: now
	};
}

/** A customer's users, in name order (the one index by customer: v9). */
export function customerUsers(
	db: RollcallDb,
	customerId: number
): Collection<User, number, InsertType<User, 'id'>> {
	return db.users
		.where('[customerId+nameKey]')
		.between([customerId, Dexie.minKey], [customerId, Dexie.maxKey], true, true);
}

/** Opens (lazily) the Rollcall database of this origin; tests pass their own name. */
export function createDb(name = 'rollcall'): RollcallDb {
	// Strict durability: an admin's 'Add user' must be on disk when Rollcall says it is (PITFALLS.md).
	const db = new Dexie(name, { chromeTransactionDurability: 'strict' }) as RollcallDb;
	defineSchema(db);
	useLists(db);
	useCatalog(db);
	// A newer Rollcall (another tab) upgrades the schema: let go at once so it is not blocked, and for good.
	// Dexie's own handler would reopen on the next use, at the new version, and this code would then write
	// without knowing the new schema's rules (an import worker, say). The page tells the admin to reload.
	// Returning false stops Dexie's own handler (handlers run newest first).
	db.on('versionchange', () => {
		db.close({ disableAutoOpen: true });
		return false;
	});
	return db;
}
