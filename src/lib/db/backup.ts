// Backup and restore of the whole database, as a Dexie export (dexie-export-import's file format:
// formatName "dexie", the tables' schemas, then each table's rows), so the body of a backup is a file that
// library's importInto can read. Neither half uses the library itself, after trying it (4.4.0):
// - exportDB runs every row through typeson, which adds `$types` annotations to rows (an array setting came
//   out as "arrayNonindexKeys"), so its files can only be read back by its own importInto (TSON is private),
//   and the walk costs time on 100,000 users. Rollcall's rows are plain JSON: they are written as they are.
// - importInto is not atomic: clearTablesBeforeImport clears each table in a transaction of its own before
//   the import's transaction, so a file failing half-way leaves the device empty; and called inside our own
//   transaction, its first read of the file (FileReader, outside any transaction) commits ours early.
// The file must be read whole for its checksum anyway, so restore() gets the checked rows and writes them in
// ONE transaction over every table: clear, add, or (on any error) nothing at all.
import { Dexie, type Table } from 'dexie';
import type { BackupCounts, OpenedBackup } from '$lib/backup/format';
import { field, fieldKeys, isCustomKey, listNames, products, type FieldKey } from '$lib/domain/fields';
import { foldText } from '$lib/domain/text';
import { fail, ok, type Parsed } from '$lib/domain/result';
import { givesInitialPassword } from '$lib/domain/passwords';
import { newLicenseKey } from '$lib/domain/license-key';
import { licenseFacts } from '$lib/domain/relay-license';
import { isBase64, roleWithMissingProfile } from '$lib/domain/roles';
import { DEFAULT_CUSTOMER_ID, userKeys, type User } from '$lib/domain/user';
import { commandsStore, restoreCommand } from './commands';
import {
	defaultCustomer,
	type CustomerRow,
	type GroupRow,
	type ImportChangeRow,
	type ImportedValues,
	type ImportRow,
	type LicensePoolRow,
	type ProfileRow,
	type RoleRow,
	type RollcallDb,
	type TrashRow
} from './database';
import { CATALOG_TABLE, catalogOf, censusCount } from './catalog';
import { LISTS_TABLE } from './lists';
import { restoreHistory, restoreMessage } from './outbox';
import { restoreRelay } from './relay';
import { restoreUser } from './restore';

/** The settings row holding when the last backup was made (or restored from). */
const LAST_BACKUP_KEY = 'lastBackupAt';
/** Rows read per step of a backup, between progress reports. */
const BACKUP_CHUNK = 10_000;
/** Rows written per step of a restore, between progress reports. */
const RESTORE_CHUNK = 5_000;
/** The relay record's key (one record). */
const RELAY_KEY = 'relay';

/** Progress of a backup or a restore: records done of the total. */
export type BackupProgress = (done: number, total: number) => void;

/** What a backup holds, as made here. */
export interface MadeBackup {
	/** exportDB's JSON. */
	exported: Blob;
	counts: BackupCounts;
	passwordMessagesLeftOut: number;
}

/** A table's schema as Dexie declares it ('++id, &emailKey, …'), as dexie-export-import writes it. */
const schemaOf = (table: Table) =>
	[table.schema.primKey, ...table.schema.indexes].map((index) => index.src).join(',');

/** Reads a table in primary-key order, CHUNK rows at a time, inside the caller's transaction. */
async function eachChunk(table: Table, visit: (rows: unknown[]) => void): Promise<void> {
	const keyPath = table.schema.primKey.keyPath as string;
	let last: unknown;
	for (;;) {
		const rows: unknown[] = await (
			last === undefined ? table.limit(BACKUP_CHUNK) : table.where(':id').above(last).limit(BACKUP_CHUNK)
		).toArray();
		if (rows.length) visit(rows);
		if (rows.length < BACKUP_CHUNK) return;
		last = Dexie.getByKeyPath(rows.at(-1) as object, keyPath);
	}
}

/**
 * The relay record as a backup carries it: the directory id names this directory's users to the relay; the
 * token, device and cursor are this device's own (a secret, and a position in this device's reading).
 */
function shareableRelay(row: unknown): unknown {
	const relay = restoreRelay(row as Record<string, unknown>);
	return relay ? { key: RELAY_KEY, directoryId: relay.directoryId } : row;
}

/** What this device holds that a restore would replace. */
export interface DeviceCounts {
	users: number;
	trash: number;
	/** Messages and account commands not yet sent (waiting, sending, or failed with a Retry). */
	unsent: number;
	imports: number;
}

const hasPassword = (value: unknown) =>
	typeof (value as { values?: { password?: unknown } }).values?.password === 'string';

/** A backed-up user made whole by restoreUser (custom attributes kept); undefined without an id or email. */
function restoreBackedUpUser(stored: unknown): User | undefined {
	if (typeof stored !== 'object' || stored === null) return undefined;
	const row = stored as Record<string, unknown>;
	if (!Number.isSafeInteger(row.id) || (row.id as number) < 1) return undefined;
	const user = restoreUser(row);
	// A backup made before license keys existed: its users get one as the v8 upgrade gives them.
	if (!user.licenseKey) {
		user.licenseKey = newLicenseKey();
		user.uniqueKeys = userKeys(user, user.customerId).uniqueKeys;
	}
	return user.emailKey ? user : undefined;
}

/** The users table's unique keys, as the admin names them, and whether each is unique within a customer only. */
const uniqueUserKeys = [
	['id', 'id', false],
	['emailKey', 'email', true],
	['usernameKey', 'username', true],
	['customerCodeKey', 'customer code', true],
	['licenseKey', 'license key', false]
] as const;

/**
 * Two users of a file sharing a unique key (keys computed again by restoreUser, so a crafted file cannot
 * dodge the check), in the admin's words; found here, before the question, rather than as the database's
 * constraint error after it.
 */
function sharedUserKey(name: string, users: User[]): string | undefined {
	for (const [key, label, isPerCustomer] of uniqueUserKeys) {
		const seen = new Map<unknown, number>();
		for (const [index, user] of users.entries()) {
			const value = user[key];
			if (value === undefined) continue;
			// Two customers may both have info@example.com (see database.ts v8): the key is the pair.
			const held = isPerCustomer ? JSON.stringify([user.customerId, value]) : value;
			const first = seen.get(held);
			if (first !== undefined) {
				return `“${name}” cannot be restored: records ${first + 1} and ${index + 1} of its users have the same ${label} (${value}).`;
			}
			seen.set(held, index);
		}
	}
	return undefined;
}

const hasId = (key: string) => (row: unknown) =>
	typeof row === 'object' && row !== null && Number.isSafeInteger((row as Record<string, unknown>)[key]);

const isFieldKey = (key: string): key is FieldKey =>
	isCustomKey(key) || (fieldKeys as readonly string[]).includes(key);

/** What an import wrote, kept to fields' values: undo copies these keys back from the user before it. */
function restoreWritten(wrote: Record<string, unknown>): ImportedValues {
	const kept: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(wrote)) {
		const isValue = typeof value === 'string' || typeof value === 'boolean';
		if (
			key === 'hasPassword'
				? typeof value === 'boolean'
				: isValue && isFieldKey(key) && !field(key).isSensitive
		) {
			kept[key] = value;
		}
	}
	return kept as ImportedValues;
}

/**
 * An import's record of its changes as its undo reads it: ids, created ids, and each updated user made
 * whole by restoreUser with only field values in what the import wrote, since undo writes those keys of
 * the user before it back over the live user (an id, a password or a number there would be stored).
 */
function restoreImportChange(stored: unknown): ImportChangeRow | undefined {
	if (!hasId('id')(stored) || !hasId('importId')(stored)) return undefined;
	const { id, importId, created, updated } = stored as Record<string, unknown>;
	const row = { id, importId } as ImportChangeRow;
	if (created !== undefined) {
		if (!Array.isArray(created) || !created.every((n) => Number.isSafeInteger(n))) return undefined;
		row.created = created as number[];
	}
	if (updated !== undefined) {
		if (!Array.isArray(updated)) return undefined;
		row.updated = [];
		for (const entry of updated as unknown[]) {
			const { before, wrote } = (entry ?? {}) as Record<string, unknown>;
			const user = restoreBackedUpUser(before);
			if (!user || typeof wrote !== 'object' || wrote === null) return undefined;
			row.updated.push({ before: user, wrote: restoreWritten(wrote as Record<string, unknown>) });
		}
	}
	return row;
}

const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
const importCounts = ['created', 'updated', 'unchanged', 'skipped', 'errors'] as const;

/** An import's history entry with what the Import page shows of it (a crafted one lacked counts), or undefined. */
function restoreImportRecord(stored: unknown): ImportRow | undefined {
	if (!hasId('id')(stored)) return undefined;
	const row = stored as Record<string, unknown>;
	const counts = (row.counts ?? {}) as Record<string, unknown>;
	const isWhole =
		typeof row.fileName === 'string' &&
		Number.isFinite(row.at) &&
		// A backup made while an import was written chunk by chunk holds it 'committing': restored so, the
		// restoring device rolls it back (imports.ts recover: no tab there holds its lock).
		['done', 'undone', 'committing', 'rolledBack'].includes(row.status as string) &&
		importCounts.every((key) => isCount(counts[key]));
	// Imports before customers existed were made into the default customer, as the v8 upgrade says.
	return isWhole ? ({ customerId: DEFAULT_CUSTOMER_ID, ...row } as unknown as ImportRow) : undefined;
}

const isName = (value: unknown) => typeof value === 'string' && value.trim() !== '';

/** A customer's, group's or role's row: an id, a name and its folded key (computed again), or undefined. */
function restoreNamed<T extends { id: number; name: string; nameKey: string }>(
	stored: unknown,
	rest: (row: Record<string, unknown>) => boolean
): T | undefined {
	if (!hasId('id')(stored)) return undefined;
	const row = stored as Record<string, unknown>;
	if (!isName(row.name) || !rest(row)) return undefined;
	return { ...row, nameKey: foldText(row.name as string) } as T;
}

const inCustomer = (row: Record<string, unknown>) => hasId('customerId')(row);

/** The tables of customers and what belongs to them (v8), each row checked as its module reads it. */
const NAMED_TABLES = {
	customers: (row: unknown) => restoreNamed<CustomerRow>(row, () => true),
	groups: (row: unknown) => restoreNamed<GroupRow>(row, inCustomer),
	roles: (row: unknown) =>
		restoreNamed<RoleRow>(
			row,
			(r) =>
				inCustomer(r) && Array.isArray(r.profileIds) && r.profileIds.every((id) => Number.isSafeInteger(id))
		),
	profiles: (row: unknown) =>
		restoreNamed<ProfileRow>(
			row,
			(r) =>
				inCustomer(r) &&
				typeof r.fileName === 'string' &&
				typeof r.type === 'string' &&
				Number.isSafeInteger(r.size) &&
				typeof r.content === 'string' &&
				isBase64(r.content)
		),
	licensePools: (row: unknown) => {
		const pool = row as Partial<LicensePoolRow> | null;
		const isPool =
			hasId('customerId')(row) &&
			(products as readonly unknown[]).includes(pool?.product) &&
			Number.isSafeInteger(pool?.seats) &&
			pool!.seats! >= 0;
		return isPool ? row : undefined;
	}
} satisfies Record<string, (row: unknown) => unknown>;

/**
 * Each table's rows of a backup, checked and restored as each table module restores what it reads; a row
 * that cannot be made whole refuses the file (naming the table and row) rather than being dropped unseen.
 */
function checkedRows(name: string, backup: OpenedBackup): Parsed<Map<string, unknown[]>> {
	const out = new Map<string, unknown[]>();
	const bad = (table: string, index: number) =>
		fail(`“${name}” cannot be restored: record ${index + 1} of its ${table} is damaged.`);
	for (const [table, rows] of backup.tables) {
		let restored: unknown[];
		if (table === 'users') {
			restored = rows.map(restoreBackedUpUser);
		} else if (table === 'trash') {
			restored = rows.map((row) => {
				const stored = row as Record<string, unknown> | null;
				const user = restoreBackedUpUser(stored?.user);
				if (!hasId('id')(row) || !user || typeof stored?.batch !== 'string') return undefined;
				return { ...stored, user };
			});
		} else if (table === 'outbox') {
			restored = rows.map((row) =>
				typeof (row as { key?: unknown } | null)?.key === 'string'
					? restoreMessage(row as Record<string, unknown>)
					: undefined
			);
		} else if (table === 'messageHistory') {
			// Each user's history of delivered messages (absent from backups made before it existed).
			restored = rows.map((row) =>
				typeof row === 'object' && row !== null ? restoreHistory(row as Record<string, unknown>) : undefined
			);
		} else if (table === 'commands') {
			restored = rows.map((row) =>
				hasId('seq')(row) ? restoreCommand(row as Record<string, unknown>) : undefined
			);
		} else if (table === 'importChanges') {
			restored = rows.map(restoreImportChange);
		} else if (table === 'imports') {
			restored = rows.map(restoreImportRecord);
		} else if (table === 'settings') {
			restored = rows.map((row) =>
				typeof (row as { key?: unknown } | null)?.key === 'string' ? row : undefined
			);
		} else if (table === 'relay') {
			restored = rows.map((row) => restoreRelay(row as Record<string, unknown>));
		} else if (table in NAMED_TABLES) {
			const restore: (row: unknown) => unknown = NAMED_TABLES[table as keyof typeof NAMED_TABLES];
			restored = rows.map((row) => restore(row));
		} else {
			return fail(
				`“${name}” cannot be restored: it holds “${table}”, which this version of Rollcall does not know.`
			);
		}
		const damaged = restored.findIndex((row) => row === undefined);
		if (damaged !== -1) return bad(table, damaged);
		const shared = table === 'users' ? sharedUserKey(name, restored as User[]) : undefined;
		if (shared) return fail(shared);
		// Defensive: a file from elsewhere could carry a password; none is ever written to this device.
		out.set(table, table === 'outbox' ? restored.filter((row) => !hasPassword(row)) : restored);
	}
	const noCustomer = missingCustomer(name, out);
	if (noCustomer) return fail(noCustomer);
	// A deleted user goes back under its own id when its deletion is undone: one a user has could never.
	const userIds = new Map((out.get('users') as User[] | undefined)?.map((user, i) => [user.id, i]));
	const trash = (out.get('trash') ?? []) as { user: User }[];
	const clash = trash.findIndex((row) => userIds.has(row.user.id));
	if (clash !== -1) {
		const { id } = trash[clash]!.user;
		return fail(
			`“${name}” cannot be restored: record ${clash + 1} of its trash is a deleted user with the id of record ${userIds.get(id)! + 1} of its users (${id}).`
		);
	}
	const missing = roleWithMissingProfile(
		(out.get('roles') ?? []) as RoleRow[],
		(out.get('profiles') ?? []) as ProfileRow[]
	);
	if (missing) {
		return fail(
			`“${name}” cannot be restored: record ${missing.index + 1} of its roles (${missing.name}) grants a profile it does not hold (${missing.profileId}).`
		);
	}
	return ok(out);
}

/**
 * The groups its users are in, each a row of the backup's groups. A backup whose users name a group its
 * groups table lacks (edited by hand, or made by another tool) gets that group, under the first spelling
 * met, rather than being refused: every membership stays, and the group can be renamed or deleted after.
 */
function withMemberGroups(rows: Map<string, unknown[]>, createdAt: number): void {
	const groups = (rows.get('groups') ?? []) as GroupRow[];
	const known = new Set(groups.map((group) => `${group.customerId}:${group.nameKey}`));
	let nextId = groups.reduce((max, group) => Math.max(max, group.id), 0) + 1;
	const added: GroupRow[] = [];
	const users = [
		...((rows.get('users') ?? []) as User[]),
		...((rows.get('trash') ?? []) as { user: User }[]).map((row) => row.user)
	];
	for (const user of users) {
		for (const name of listNames(user.groups)) {
			const nameKey = foldText(name);
			if (known.has(`${user.customerId}:${nameKey}`)) continue;
			known.add(`${user.customerId}:${nameKey}`);
			added.push({ id: nextId++, customerId: user.customerId, name, nameKey, createdAt });
		}
	}
	if (added.length > 0) rows.set('groups', [...groups, ...added]);
}

/**
 * A user (or deleted user) of the file in a customer the file does not have, in the admin's words: restored,
 * they would be in no customer's list, nor could their customer be chosen. A file without customers (made
 * before they existed) has only the default one, which the restore makes.
 */
function missingCustomer(name: string, rows: Map<string, unknown[]>): string | undefined {
	const customers = (rows.get('customers') ?? []) as CustomerRow[];
	const known = new Set(customers.length > 0 ? customers.map((row) => row.id) : [DEFAULT_CUSTOMER_ID]);
	const users = (rows.get('users') ?? []) as User[];
	const deleted = ((rows.get('trash') ?? []) as { user: User }[]).map((row) => row.user);
	for (const [what, list] of [
		['users', users],
		['trash', deleted]
	] as const) {
		const index = list.findIndex((user) => !known.has(user.customerId));
		if (index !== -1) {
			return `“${name}” cannot be restored: record ${index + 1} of its ${what} belongs to customer ${list[index]!.customerId}, which the file does not have.`;
		}
	}
	return undefined;
}

/**
 * The backup's users (and deleted users) with hasPassword as its messages say: an initial password exists only
 * while SMS login details carry or carried it (a live one in the outbox, or a delivered one in the history).
 * A backup made before that rule (or by hand) may claim one no SMS carries; restored, the page would repeat it.
 */
function withTrueInitialPasswords(rows: Map<string, unknown[]>): void {
	const given = new Set<unknown>();
	for (const message of (rows.get('outbox') ?? []) as {
		template: string;
		state: string;
		userId: unknown;
	}[]) {
		if (givesInitialPassword(message)) given.add(message.userId);
	}
	for (const message of (rows.get('messageHistory') ?? []) as {
		template: string;
		delivery?: string;
		userId: unknown;
	}[]) {
		if (givesInitialPassword(message)) given.add(message.userId);
	}
	for (const user of (rows.get('users') ?? []) as User[]) user.hasPassword = given.has(user.id);
	for (const row of (rows.get('trash') ?? []) as TrashRow[]) row.user.hasPassword = given.has(row.user.id);
}

/** Backup module: makes the backup, restores one, and remembers when the last was made. */
export function backupStore(db: RollcallDb) {
	/**
	 * The users whose initial password only the messages a backup leaves out carry: restored, no SMS would
	 * carry it, so the backup says they have none (a user's page claims only what is true). Returns what
	 * writes a user as the backup has them.
	 */
	async function usersLosingPassword(): Promise<(user: User) => User> {
		const leftOut = new Set<number>();
		const kept = new Set<number>();
		await db.outbox.each((message) => {
			if (givesInitialPassword(message)) (hasPassword(message) ? leftOut : kept).add(message.userId);
		});
		// A delivered SMS cleared from the Outbox list is in its user's history, and travels with the backup.
		await db.messageHistory.each((message) => {
			if (givesInitialPassword(message)) kept.add(message.userId);
		});
		for (const id of kept) leftOut.delete(id);
		return (user) => (user.hasPassword && leftOut.has(user.id) ? { ...user, hasPassword: false } : user);
	}

	return {
		/**
		 * The whole database as a Dexie export, without what must never leave the device: the relay's token
		 * and this device's identity (only the directory id goes, so users keep their relay ids on another
		 * device), queued messages carrying a password (counted), and the lists cache (rebuilt on read).
		 */
		async make(onProgress?: BackupProgress): Promise<MadeBackup> {
			const counts: BackupCounts = {};
			let passwordMessagesLeftOut = 0;
			const tables = db.tables.filter((table) => table.name !== LISTS_TABLE && table.name !== CATALOG_TABLE);
			const exported = await db.transaction('r', tables, async () => {
				const withoutPassword = await usersLosingPassword();
				const rowCounts = await Promise.all(tables.map((table) => table.count()));
				const total = rowCounts.reduce((sum, n) => sum + n, 0);
				const outline = JSON.stringify({
					formatName: 'dexie',
					formatVersion: 1,
					data: {
						databaseName: db.name,
						databaseVersion: db.verno,
						tables: tables.map((table, i) => ({
							name: table.name,
							schema: schemaOf(table),
							rowCount: rowCounts[i]
						})),
						data: []
					}
				});
				const parts: BlobPart[] = [outline.slice(0, outline.lastIndexOf(']'))];
				let done = 0;
				for (const [i, table] of tables.entries()) {
					parts.push(`${i ? ',' : ''}{"tableName":${JSON.stringify(table.name)},"inbound":true,"rows":[`);
					let isFirst = true;
					await eachChunk(table, (rows) => {
						const kept: unknown[] = [];
						for (const row of rows) {
							if (table.name === 'outbox' && hasPassword(row)) passwordMessagesLeftOut++;
							else if (table.name === 'relay') kept.push(shareableRelay(row));
							else if (table.name === 'users') kept.push(withoutPassword(row as User));
							else kept.push(row);
						}
						counts[table.name] = (counts[table.name] ?? 0) + kept.length;
						// A Blob per chunk: the browser may keep it on disk rather than in memory.
						if (kept.length)
							parts.push(new Blob([`${isFirst ? '' : ','}${JSON.stringify(kept).slice(1, -1)}`]));
						isFirst &&= kept.length === 0;
						done += rows.length;
						onProgress?.(done, total);
					});
					parts.push(']}');
				}
				parts.push(outline.slice(outline.lastIndexOf(']')));
				return new Blob(parts, { type: 'application/json' });
			});
			return { exported, counts, passwordMessagesLeftOut };
		},

		/** Checks a backup's rows; the refusal names the file, table and record. */
		check: checkedRows,

		/** What a restore would replace here, for the confirmation. */
		async deviceCounts(): Promise<DeviceCounts> {
			return db.transaction('r', [db.catalog, db.trash, db.outbox, db.commands, db.imports], async () => {
				const [users, trash, waiting, sending, failed, commands, imports] = await Promise.all([
					censusCount(db.catalog, ''),
					db.trash.count(),
					db.outbox
						.where('[state+nextAttemptAt]')
						.between(['queued', -Infinity], ['queued', Infinity])
						.count(),
					db.outbox
						.where('[state+nextAttemptAt]')
						.between(['sending', -Infinity], ['sending', Infinity])
						.count(),
					db.outbox
						.where('[state+nextAttemptAt]')
						.between(['failed', -Infinity], ['failed', Infinity])
						.count(),
					db.commands.count(),
					db.imports.count()
				]);
				return { users, trash, unsent: waiting + sending + failed + commands, imports };
			});
		},

		/**
		 * Replaces everything with the checked rows of a backup, in one transaction: all or nothing. This
		 * device keeps its own relay pairing (token, device, relay address) and takes the backup's directory
		 * id, so the restored users keep the ids the relay knows them by; the event cursor starts again (events
		 * are applied idempotently, and those after the backup was made must reach the restored users).
		 */
		async restore(
			rows: Map<string, unknown[]>,
			createdAt: number,
			onProgress?: BackupProgress
		): Promise<void> {
			withTrueInitialPasswords(rows);
			withMemberGroups(rows, createdAt);
			// The users' catalogue is derived from them (catalog.ts): made here, as the middleware would have.
			const withCatalog = new Map([...rows, [CATALOG_TABLE, catalogOf((rows.get('users') ?? []) as User[])]]);
			const total = [...withCatalog.values()].reduce((sum, list) => sum + list.length, 0);
			await db.transaction('rw', db.tables, async (tx) => {
				const mine = restoreRelay(await db.relay.get(RELAY_KEY));
				// Whom the relay may know by this device's messages, which the restore replaces: with the same
				// directory id, a user first messaged after the backup was made is still known there.
				const messagedHere = mine
					? [
							...(await db.outbox.orderBy('userId').uniqueKeys()),
							...(await db.messageHistory.orderBy('userId').uniqueKeys())
						].map(Number)
					: [];
				// Through Dexie: the clears mark every table changed for live queries in every tab, and replace
				// the lists' generation (lists.ts), so no list read before the restore is used after it.
				for (const table of db.tables) await table.clear();
				// The checked rows go straight to the object stores of this same transaction, as the bench's raw
				// baseline does: Dexie's bulkAdd would work out every row's index keys again for live queries,
				// which the clears have already told that everything changed. A failing add aborts it all.
				let done = 0;
				for (const [name, list] of withCatalog) {
					if (name === 'relay') continue;
					const store = tx.idbtrans.objectStore(name);
					for (const row of list) {
						const request = store.add(row);
						done += 1;
						if (done % RESTORE_CHUNK === 0 || done === total) {
							const reached = done;
							request.onsuccess = () => onProgress?.(reached, total);
						}
					}
				}
				// A backup made before customers existed: its users are the default customer's (as the v8 upgrade).
				if (!rows.get('customers')?.length) await db.customers.put(defaultCustomer(createdAt));
				const theirs = restoreRelay(rows.get('relay')?.[0] as Record<string, unknown> | undefined);
				const directoryId = theirs?.directoryId ?? mine?.directoryId;
				if (directoryId) {
					const relay: Record<string, unknown> = { ...mine, key: RELAY_KEY, directoryId, cursor: undefined };
					for (const [key, value] of Object.entries(relay)) if (value === undefined) delete relay[key];
					await db.relay.put(relay as { key: 'relay'; directoryId: string });
					// The relay keeps the key, products and web access it last heard, which the restored users need
					// not have: each one it may know hears their license again, after any command the backup holds.
					const licensed = new Map(
						((rows.get('users') ?? []) as User[]).flatMap((user) => {
							const facts = licenseFacts(user);
							return facts ? [[user.id, facts] as const] : [];
						})
					);
					await commandsStore(db).queue(
						'license',
						[...licensed.keys()],
						Date.now(),
						(id) => ({ license: licensed.get(id)! }),
						directoryId === mine?.directoryId ? messagedHere : []
					);
				}
				await db.settings.put({ key: LAST_BACKUP_KEY, value: createdAt });
			});
		},

		/**
		 * When the last backup was made here, or restored from (ms since the epoch), and how many users there
		 * are: what the reminder needs.
		 */
		async status(): Promise<{ lastBackupAt: number | undefined; userCount: number }> {
			return db.transaction('r', db.settings, db.catalog, async () => {
				const value = (await db.settings.get(LAST_BACKUP_KEY))?.value;
				const lastBackupAt = typeof value === 'number' && Number.isFinite(value) ? value : undefined;
				// From the census: the reminder watches this live, and count() would walk every user at each write.
				return { lastBackupAt, userCount: await censusCount(db.catalog, '') };
			});
		},

		/** Records that the backup made at `at` was saved. */
		async saved(at: number): Promise<void> {
			await db.settings.put({ key: LAST_BACKUP_KEY, value: at });
		}
	};
}

export type BackupStore = ReturnType<typeof backupStore>;
