import { Dexie, type BulkError, type PromiseExtended } from 'dexie';
import { emailKey } from '$lib/domain/email';
import { groupKey, groupNamesOf } from '$lib/domain/groups';
import { isCustomKey, LIST_SEPARATOR, listNames, fields as registry } from '$lib/domain/fields';
import { newLicenseKey } from '$lib/domain/license-key';
import { sitesOf } from '$lib/domain/customer';
import { productsOf, shortagesMessage } from '$lib/domain/seats';
import {
	customValues,
	DEFAULT_CUSTOMER_ID,
	licenseEntry,
	nameOf,
	uniqueEntry,
	userKeys,
	type UniqueField,
	type User,
	type UserFields
} from '$lib/domain/user';
import type { CheckedRow, RowSource } from '$lib/import/rows';
import type {
	ImportChangeRow,
	ImportCounts,
	ImportedValues,
	ImportMode,
	ImportRow,
	RollcallDb
} from './database';
import { customerUsers } from './database';
import { CATALOG_CHUNK } from './catalog';
import { commandsStore } from './commands';
import { customersStore } from './customers';
import { DuplicateError, SeatsError, storageErrorMessage } from './errors';
import { GroupError, groupsStore } from './groups';
import { licensesStore } from './licenses';
import { spellRoles } from './roles';
import { withDefaults } from './users';

export type { ImportCounts, ImportMode } from './database';

/** One entry of the import history, as stored. */
export type ImportRecord = ImportRow;

/** What a commit did: its history entry, and the ids of the users it created (for 'send invite'). */
export type ImportSummary = ImportRecord & { createdIds: number[] };

export interface CommitOptions {
	fileName: string;
	mode: ImportMode;
	/** Must match the check: rows for users already there were classified with this switch. */
	updateExisting: boolean;
	now?: number;
	/** The customer the new users join (the one picked before the upload); the default customer's when absent. */
	customerId?: number;
	/** Sites the file names that the customer does not have, added to its sites with the users (SiteCheck). */
	addSites?: readonly string[];
	/**
	 * Called as batches are written (rows written so far, rows to write), for a progress bar. Runs inside
	 * the transaction: it must return at once and touch no database (the commit may still fail after).
	 */
	onProgress?: (done: number, total: number) => void;
	/**
	 * Called inside the transaction with the users created (id and row number), to queue their messages:
	 * the users and their messages are saved together or not at all. May write only the outbox.
	 */
	afterCreate?: (created: readonly { id: number; row: number }[]) => Promise<unknown>;
	/** Above this many rows to write, the commit goes in chunks (see commitInChunks); CHUNKED_ABOVE when absent. */
	chunkedAbove?: number;
	/** Rows each chunk's transaction writes; ROWS_PER_CHUNK when absent. */
	rowsPerChunk?: number;
}

/**
 * Up to this many rows to write, a commit is one transaction (the proven path, all or nothing by
 * IndexedDB itself). Above it, one transaction would hold every request and record at once (a million
 * rows took the worker to 1.4 GiB and minutes of one transaction): the commit then goes in chunks.
 */
export const CHUNKED_ABOVE = 100_000;

/**
 * Rows per chunk of a chunked commit: a quarter of the largest one-transaction commit, so a chunk's
 * records and requests stay a fraction of what that one held. A transaction costs little beside its
 * writes: 100,000 raw adds (user-sized records, the v9 indexes, strict durability) took 16-22 s in
 * Chromium here whether in transactions of 10,000, 25,000, 50,000 or 100,000 (the spread was the
 * machine's load, not the size); smaller chunks would only add change records and rollback steps.
 */
export const ROWS_PER_CHUNK = 25_000;

/**
 * Change records a rollback takes back per transaction: one holds the befores of up to CHUNK updated
 * users (or a chunk's created ranges), so this keeps a transaction's records near a chunk's.
 */
const PARTS_PER_ROLLBACK = 40;

/**
 * A promise made inside a transaction that is not Dexie's own (an async helper's, the caller's
 * afterCreate), as a Dexie promise. Dexie follows its transaction across a native await only while its
 * zone echo lasts, a few microtasks after its own last promise: an async function that settles without
 * a request at its end (an afterCreate with no message to queue), awaited from another async function,
 * resumes outside the transaction, whose next write then runs in a transaction of its own while this
 * one commits under the scope (PrematureCommitError). Awaited through a Dexie promise, the caller
 * resumes in the transaction's zone however many native hops the promise made.
 */
const inZone = <T>(promise: Promise<T>): PromiseExtended<T> => Dexie.Promise.resolve(promise);

/** The Web Lock a tab holds while it writes a chunked import: its record names it (ImportRow.lock). */
const lockName = () => `rollcall-import-${crypto.randomUUID()}`;

/** The part of the Web Locks API (navigator.locks) a chunked commit needs. */
export type ImportLocks = Pick<LockManager, 'request'>;

export interface UndoSummary {
	/** Users the import had created, now deleted. */
	removed: number;
	/** Users the import had updated, now back to their values before it. */
	restored: number;
	/** Restored users of which some field was edited after the import: that edit was kept. */
	keptEdits: number;
	/** Users the import created or updated that had been deleted since: they stay deleted. */
	alreadyGone: number;
}

/** The import was refused before anything was written; the message says why and what to do. */
export class ImportRefusedError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ImportRefusedError';
	}
}

/** The sentence an admin reads when a commit or an undo failed: nothing was changed in any case. */
/** The [first, last] id ranges of the users an import created, from its change records. */
function createdRanges(changes: readonly ImportChangeRow[]): [number, number][] {
	const flat = changes.flatMap((change) => change.created ?? []);
	return Array.from({ length: flat.length / 2 }, (_, i): [number, number] => [
		flat[2 * i]!,
		flat[2 * i + 1]!
	]);
}

export function importErrorMessage(error: unknown): string {
	return error instanceof ImportRefusedError ? error.message : storageErrorMessage(error);
}

/**
 * Rows prepared and written per request batch: preparing one (the derived keys cost ~35 µs a row, the
 * structured clone of each put some more) stays well under a 50 ms task on the main thread.
 */
const CHUNK = 500;

/** New users' batches written at once by addUsers (the next one made ready meanwhile). */
const WRITING_AT_ONCE = 2;

type StoredKey = keyof UserFields;
const storedKeys = new Set(registry.filter((def) => !def.isSensitive).map((def) => def.key as StoredKey));
const isStored = (key: string) => storedKeys.has(key as StoredKey) || isCustomKey(key);

/** What every batch of one commit shares. */
interface Job {
	at: number;
	/** The customer the import's new users join. */
	customerId: number;
	/** Reports that `rows` more rows were written. */
	step: (rows: number) => void;
	/** Each group's key and its spelling among the customer's groups (those the import creates included). */
	spelling: Map<string, string>;
	/** A Groups value in the customer's groups' own spelling (see spelling). */
	spellGroups: (value: string | undefined) => string | undefined;
	/** Each 'Roles' value of the rows and its spelling among the customer's roles (see spellRoles). */
	roles: Map<string, string>;
}

/**
 * Each unique field, its key on a user and its name in messages. Email, username and code are unique within
 * a customer; a license key on the whole device (it activates a computer on its own). All are entries of
 * the users' one unique index, uniqueKeys (uniqueEntry).
 */
const UNIQUE: readonly [
	UniqueField | 'licenseKey',
	'emailKey' | 'usernameKey' | 'customerCodeKey' | 'licenseKey',
	string
][] = [
	['email', 'emailKey', 'email'],
	['username', 'usernameKey', 'username'],
	['customerCode', 'customerCodeKey', 'customer code'],
	// A file may carry keys (users moved from another device keep theirs): one already given is refused.
	['licenseKey', 'licenseKey', 'license key']
];

/** The message for a row refused by a unique index: its position in the batch, the value and who has it. */
type Describe = (position: number, label: string, value: string, owner: User) => string;

const plural = (count: number, one: string, many = `${one}s`) =>
	`${count.toLocaleString('en')} ${count === 1 ? one : many}`;

/** Removes the properties whose value is undefined, so records stay small and the same shape as users.add's. */
function defined<T extends object>(record: T): T {
	for (const key of Object.keys(record) as (keyof T)[]) {
		if (record[key] === undefined) delete record[key];
	}
	return record;
}

/** Only the stored fields of a checked row (the registry's and custom attributes): never the password. */
function storedValues(values: Partial<UserFields>): Partial<UserFields> {
	const picked: Record<string, unknown> = Object.fromEntries(customValues(values));
	for (const key of storedKeys) if (values[key] !== undefined) picked[key] = values[key];
	return picked as Partial<UserFields>;
}

const withKeys = (user: User): User => defined({ ...user, ...userKeys(user, user.customerId) });

// A row's password is never a stored field, and never marks the user as having one by itself: only the SMS
// login details queued with it (outbox.queueFor, in this commit's transaction) give the person a password.
function newUser(row: CheckedRow, job: Job): Omit<User, 'id'> {
	const values = withDefaults(storedValues(row.values) as UserFields);
	values.licenseKey ??= newLicenseKey();
	if (values.groups !== undefined) values.groups = job.spellGroups(values.groups);
	return defined({
		...values,
		...userKeys(values, job.customerId),
		customerId: job.customerId,
		status: 'Pending' as const,
		hasPassword: false,
		createdAt: job.at,
		updatedAt: job.at,
		activatedAt: null,
		lastLoginAt: 0
	});
}

/** The row's changes over the user as stored now, or nothing when the user already has them. */
function updatedUser(current: User, row: CheckedRow, job: Job) {
	const now = job.at;
	const wrote: ImportedValues = {};
	for (const key of row.changes ?? []) {
		// A user's key changes only by 'Regenerate' on their page, which tells the relay the old one is
		// revoked: a file cannot swap it behind the relay's back.
		if (!isStored(key) || key === 'licenseKey') continue;
		const value = key === 'groups' ? job.spellGroups(row.values.groups) : row.values[key as StoredKey];
		// An empty cell never erases a stored value (the check leaves them out of changes already).
		if (value === undefined || value === '') continue;
		if (current[key as StoredKey] !== value) Object.assign(wrote, { [key]: value });
	}
	if (Object.keys(wrote).length === 0) return undefined;
	return { user: withKeys({ ...current, ...wrote, updatedAt: now }), wrote };
}

/** Ids as inclusive [first, last] pairs laid flat: the ids one transaction is given run on, so usually one pair. */
function toRanges(ids: readonly number[]): number[] {
	const ranges: number[] = [];
	for (const id of ids) {
		if (ranges.length && ranges[ranges.length - 1] === id - 1) ranges[ranges.length - 1] = id;
		else ranges.push(id, id);
	}
	return ranges;
}

const rowEmail = (row: CheckedRow) => row.values.email ?? '';

/** Adds `row` to names (first spelling of each group, case and accents aside) when it writes its Groups. */
function addGroupNames(names: Map<string, string>, row: CheckedRow) {
	for (const name of groupNamesOf([row])) if (!names.has(groupKey(name))) names.set(groupKey(name), name);
}

/** What a commit writes, sorted: see plan. */
type Planned = ReturnType<typeof plan>;

/**
 * Sorts the rows into what to write, refusing (before any write) a file the mode does not allow: the
 * rows to create and to update by index in `source`, and what must be known before the first write,
 * gathered in the same pass (each row is made, looked at and let go): the group names, the distinct
 * 'Roles' values, and the licenses after the rows (see licenses.shortageOf).
 */
function plan(source: RowSource, options: CommitOptions) {
	const creates: number[] = [];
	const updates: number[] = [];
	const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0, skipped: 0, errors: 0 };
	const updatedBy = new Map<number, number>();
	// Updates' groups first, then the new users', each in file order (the order the groups are made in).
	const updateGroups = new Map<string, string>();
	const createGroups = new Map<string, string>();
	/** Each 'Roles' value the rows to write give, and the first row giving it. */
	const roles = new Map<string, number>();
	const noteRoles = ({ row, values }: CheckedRow) => {
		if (values.roles && !roles.has(values.roles)) roles.set(values.roles, row);
	};
	/** New users by entitlements (a few values for any number of rows), and the updates that change them. */
	const newEntitlements = new Map<string | undefined, number>();
	const changedEntitlements: { id: number; entitlements: string }[] = [];
	for (let i = 0; i < source.length; i++) {
		const row = source.at(i)!;
		if (row.status === 'error') counts.errors++;
		else if (row.status === 'blank') counts.skipped++;
		else if (row.status === 'unchanged') counts.unchanged++;
		else if (row.status === 'new') {
			if (!row.values.email)
				throw new ImportRefusedError(`Nothing was imported: row ${row.row} has no email.`);
			creates.push(i);
			noteRoles(row);
			addGroupNames(createGroups, row);
			const { entitlements } = row.values;
			newEntitlements.set(entitlements, (newEntitlements.get(entitlements) ?? 0) + 1);
		} else {
			const { existingId } = row;
			if (!options.updateExisting) {
				throw new ImportRefusedError(
					`Nothing was imported: row ${row.row} would update ${rowEmail(row)}, but 'Update existing users' is off. Check the file again.`
				);
			}
			if (existingId === undefined) {
				throw new ImportRefusedError(
					`Nothing was imported: row ${row.row} would update ${rowEmail(row)}, who is not in the directory. Check the file again.`
				);
			}
			const earlier = updatedBy.get(existingId);
			if (earlier !== undefined) {
				throw new ImportRefusedError(
					`Nothing was imported: rows ${earlier} and ${row.row} both update ${rowEmail(row)}. Keep one of them.`
				);
			}
			updatedBy.set(existingId, row.row);
			updates.push(i);
			noteRoles(row);
			addGroupNames(updateGroups, row);
			// An empty cell never erases a stored value (updatedUser): only a row giving licenses changes them.
			if (row.changes?.includes('entitlements') && row.values.entitlements)
				changedEntitlements.push({ id: existingId, entitlements: row.values.entitlements });
		}
	}
	if (counts.errors > 0 && options.mode === 'all-or-nothing') {
		throw new ImportRefusedError(
			`Nothing was imported: ${plural(counts.errors, 'row has errors', 'rows have errors')}, and 'All or nothing' imports a file only when every row is right. Fix them (the errors file lists each one) and upload the file again, or choose to import the valid rows and skip the rest.`
		);
	}
	counts.skipped += counts.errors;
	counts.created = creates.length;
	for (const [key, name] of createGroups) if (!updateGroups.has(key)) updateGroups.set(key, name);
	const seats = [
		...[...newEntitlements].map(([entitlements, count]) => ({ entitlements, count })),
		...changedEntitlements
	];
	return { source, creates, updates, counts, groupNames: [...updateGroups.values()], roles, seats };
}

/**
 * Import history module: commits checked rows (in one transaction, or in chunks above CHUNKED_ABOVE
 * rows), lists past imports, undoes one, and rolls back one a closed tab left half written (recover).
 * `locks`: the Web Locks a chunked commit holds (navigator.locks; without them every commit is one
 * transaction, as no tab could tell a running import from one left behind).
 *
 * Undo, by design: the users the import created are deleted, even if edited or activated since (the
 * admin is taking the import back; the confirmation should say so); a user it updated gets back, field
 * by field, the value it had before, unless that field was edited since the import (the later edit is
 * kept and counted in keptEdits). Users deleted since stay deleted. All of it or none of it is done.
 */
export function importsStore(
	db: RollcallDb,
	locks: ImportLocks | null = globalThis.navigator?.locks ?? null
) {
	const commands = commandsStore(db);
	const licenses = licensesStore(db);
	const groups = groupsStore(db);
	const customers = customersStore(db);
	/**
	 * A unique index refused a row: the DuplicateError naming the row and who holds the value, looked up
	 * in the same transaction (which then aborts, so nothing is written). Undefined when it was not that.
	 */
	function duplicateOf(
		error: unknown,
		users: readonly Omit<User, 'id'>[],
		describe: Describe
	): PromiseExtended<DuplicateError | undefined> {
		const failures = (error as Partial<BulkError> | null)?.failuresByPos ?? {};
		const position = Math.min(...Object.keys(failures).map(Number));
		const user = users[position] as Partial<User> | undefined;
		if ((error as Error).name !== 'BulkError' || failures[position]?.name !== 'ConstraintError' || !user) {
			return Dexie.Promise.resolve(undefined);
		}
		const lookups = UNIQUE.map(([field, keyName, label]) => {
			const key = user[keyName];
			if (key === undefined || user.customerId === undefined) return Dexie.Promise.resolve(undefined);
			const entry = field === 'licenseKey' ? licenseEntry(key) : uniqueEntry(field, key, user.customerId);
			return db.users
				.where('uniqueKeys')
				.equals(entry)
				.first((owner) =>
					owner && owner.id !== user.id
						? new DuplicateError(field, describe(position, label, String(user[field] ?? key), owner))
						: undefined
				);
		});
		return Dexie.Promise.all(lookups).then((found) => found.find((duplicate) => duplicate !== undefined));
	}

	/**
	 * Writes users in one batch of requests, turning a unique-index refusal into a DuplicateError. A Dexie
	 * promise chain, not an async function: addUsers holds it while preparing the next batch, and Dexie
	 * keeps the transaction's zone across its own promises only (a held native promise loses it).
	 */
	function write(users: Omit<User, 'id'>[] | User[], isNew: boolean, describe: Describe) {
		const writing = isNew
			? db.users.bulkAdd(users, { allKeys: true })
			: db.users.bulkPut(users as User[], { allKeys: true });
		// Rethrown either way, so the transaction aborts and none of the import stays (PITFALLS.md).
		return writing.catch((error: unknown) =>
			duplicateOf(error, users, describe).then((duplicate) => {
				throw duplicate ?? error;
			})
		);
	}

	const takenSinceCheck =
		(rows: readonly CheckedRow[]): Describe =>
		(position, label, value, owner) => {
			const row = rows[position]?.row ?? '?';
			// Keys are not looked up by the check (only the commit's unique index sees them): no 'since'.
			if (label === 'license key') {
				return `Nothing was imported: the license key ${value} in row ${row} is already ${nameOf(owner)}'s, and a key belongs to one person. Leave the License key cell empty for a new user (Rollcall gives each one a key), then import the file again.`;
			}
			return `Nothing was imported: the ${label} ${value} in row ${row} is now used by ${nameOf(owner)}, added or changed since the file was checked. Check the file again.`;
		};

	/**
	 * Adds the new users batch by batch, two batches written at a time and the next one made ready (its
	 * records, whose derived keys cost about a third as much as the writes) while IndexedDB writes them: a
	 * batch resolves only once its catalogue record is written, after every add asked before it, so a batch
	 * made only then would leave IndexedDB idle as long as making it takes. Once the first batch has said
	 * where the ids run from (they run on in one transaction), each batch ends at the end of a catalogue
	 * record (CATALOG_CHUNK ids): the catalogue then writes each record once, not a half filled one that the
	 * next batch reads back and writes again.
	 */
	function addUsers(rows: readonly CheckedRow[], job: Job) {
		const ids: number[] = [];
		const written = (done: number[]) => {
			for (const id of done) ids.push(id);
			job.step(done.length);
		};
		/** Rows made into batches so far (written or ready). */
		let cut = 0;
		/** The next batch to write: from `cut`, up to the end of the catalogue record its first id falls in. */
		const nextBatch = () => {
			const last = ids[ids.length - 1];
			const size =
				last === undefined ? CHUNK : CATALOG_CHUNK - ((last + 1 + cut - ids.length) % CATALOG_CHUNK);
			const slice = rows.slice(cut, cut + size);
			cut += slice.length;
			return { slice, users: slice.map((row) => newUser(row, job)) };
		};
		let ready: ReturnType<typeof nextBatch> | undefined;
		const from = (writing: PromiseExtended<number[]>[]): PromiseExtended<number[]> => {
			// The first batch alone: the next ones are cut where its ids say.
			const depth = ids.length === 0 ? 1 : WRITING_AT_ONCE;
			while (writing.length < depth && (ready || cut < rows.length)) {
				const batch = ready ?? nextBatch();
				ready = undefined;
				const adding = write(batch.users, true, takenSinceCheck(batch.slice));
				// Followed in order below; this only keeps a later batch's failure from being reported twice.
				adding.catch(() => undefined);
				writing.push(adding);
			}
			if (!ready && ids.length > 0 && cut < rows.length) ready = nextBatch();
			const oldest = writing.shift();
			if (!oldest) return Dexie.Promise.resolve(ids);
			return oldest.then((done) => {
				written(done);
				return from(writing);
			});
		};
		return from([]);
	}

	/** Applies the updates over the users as stored now, keeping each user's record from before. */
	async function updateUsers(importId: number, rows: readonly CheckedRow[], job: Job): Promise<number> {
		let count = 0;
		for (let start = 0; start < rows.length; start += CHUNK) {
			const slice = rows.slice(start, start + CHUNK);
			const current = await db.users.bulkGet(slice.map((row) => row.existingId!));
			const users: User[] = [];
			const sources: CheckedRow[] = [];
			const updated: NonNullable<ImportChangeRow['updated']> = [];
			slice.forEach((row, i) => {
				const live = current[i];
				if (!live || live.emailKey !== emailKey(rowEmail(row))) {
					throw new ImportRefusedError(
						`Nothing was imported: row ${row.row} updates ${rowEmail(row)}, who was ${live ? 'given another email' : 'deleted'} since the file was checked. Check the file again.`
					);
				}
				const next = updatedUser(live, row, job);
				if (!next) return;
				users.push(next.user);
				sources.push(row);
				updated.push({ before: live, wrote: next.wrote });
			});
			if (users.length) {
				await db.importChanges.add({ importId, updated });
				await write(users, false, takenSinceCheck(sources));
				// A row that changed someone's products or web access: the relay learns it.
				await commands.queueLicenseChanges(
					users.map((user, i) => [updated[i]!.before, user] as const),
					job.at
				);
				count += users.length;
			}
			job.step(slice.length);
		}
		return count;
	}

	/** Puts back, in batches, the users an import updated; returns how many and how many kept a later edit. */
	async function restoreUsers(
		entries: NonNullable<ImportChangeRow['updated']>,
		record: ImportRecord,
		now: number
	) {
		const result = { restored: 0, keptEdits: 0, alreadyGone: 0 };
		for (let start = 0; start < entries.length; start += CHUNK) {
			const slice = entries.slice(start, start + CHUNK);
			const current = await db.users.bulkGet(slice.map((entry) => entry.before.id));
			const users: User[] = [];
			const befores: User[] = [];
			const lives: User[] = [];
			slice.forEach(({ before, wrote }, i) => {
				const live = current[i];
				if (!live) {
					result.alreadyGone++;
					return;
				}
				lives.push(live);
				const next: Record<string, unknown> = { ...live };
				let hasKeptEdit = false;
				for (const [key, value] of Object.entries(wrote)) {
					if (next[key] !== value) hasKeptEdit = true;
					else if ((before as unknown as Record<string, unknown>)[key] === undefined) delete next[key];
					else next[key] = (before as unknown as Record<string, unknown>)[key];
				}
				next.updatedAt = !hasKeptEdit && live.updatedAt === record.at ? before.updatedAt : now;
				if (hasKeptEdit) result.keptEdits++;
				users.push(withKeys(next as unknown as User));
				befores.push(before);
			});
			await write(users, false, (position, label, value, owner) => {
				const email = befores[position]?.email ?? '';
				return `This import cannot be undone: before it, ${email} had the ${label} ${value}, which ${nameOf(owner)} has now. Change one of them, then undo again. Nothing was changed.`;
			});
			await commands.queueLicenseChanges(
				users.map((user, i) => [lives[i]!, user] as const),
				now
			);
			result.restored += users.length;
		}
		return result;
	}

	/**
	 * Runs `scope` in one read-write transaction over the users and the import tables. A browser that
	 * aborts it (a full disk) fails the pending requests with a bare AbortError and keeps the cause on
	 * the transaction: the error thrown carries that cause, so storageErrorMessage can name it.
	 */
	async function inTransaction<T>(scope: () => Promise<T>): Promise<T> {
		let transaction: IDBTransaction | undefined;
		try {
			return await db.transaction(
				'rw',
				[
					...licenses.tables(),
					db.imports,
					db.importChanges,
					db.groups,
					db.roles,
					db.customers,
					...commands.tables()
				],
				() => {
					transaction = Dexie.currentTransaction.idbtrans;
					return scope();
				}
			);
		} catch (error) {
			const cause = transaction?.error;
			const isRefusal =
				error instanceof DuplicateError ||
				error instanceof ImportRefusedError ||
				error instanceof SeatsError ||
				error instanceof GroupError;
			if (!cause || isRefusal) throw error;
			throw new Dexie.AbortError(`The transaction was aborted: ${cause.message || cause.name}`, cause);
		}
	}

	/**
	 * What every commit does before its users, inside its (first) transaction: the roles spelt as the
	 * customer has them, the groups the file names made, the sites added, and the history entry. `lock`:
	 * the Web Lock of a chunked commit, whose entry stays 'committing' until its last chunk is written.
	 */
	async function begin(planned: Planned, options: CommitOptions, job: Job, lock?: string) {
		const spelt = await spellRoles(db, job.customerId, planned.roles);
		if (!('spelling' in spelt)) {
			throw new ImportRefusedError(
				`Nothing was imported: row ${spelt.row} gives the role “${spelt.role}”, and there is no such role. Create it under Roles & profiles, or correct the row, then import the file again.`
			);
		}
		job.roles = spelt.spelling;
		if (lock !== undefined) {
			// A file needing more seats than are free is refused before any chunk, in the words one transaction
			// would use: counted whole here. Each chunk counts its own writes again (another tab may give seats
			// away meanwhile), so two tabs still cannot overrun a pool.
			const found = await licenses.shortageOf(job.customerId, planned.seats);
			if (found.length > 0) throw new SeatsError(found, `Nothing was imported: ${shortagesMessage(found)}`);
		}
		// The groups the file names that the customer does not have yet are made with its users, in this
		// transaction: all of them or, if the import fails, none (a chunked one's rollback removes them).
		const ensured = await groups.ensure(job.customerId, planned.groupNames, job.at);
		job.spelling = ensured.spelling;
		const before = options.addSites?.length ? await db.customers.get(job.customerId) : undefined;
		const had = new Set(sitesOf(before?.sites));
		const sites = options.addSites?.length ? await customers.addSites(job.customerId, options.addSites) : [];
		const added = sites.filter((site) => !had.has(site));
		const record: Omit<ImportRow, 'id'> = {
			customerId: job.customerId,
			fileName: options.fileName,
			at: job.at,
			mode: options.mode,
			updateExisting: options.updateExisting,
			counts: planned.counts,
			...(ensured.created.length > 0 && { createdGroups: ensured.created }),
			status: 'done'
		};
		const id = await db.imports.add(
			lock === undefined
				? record
				: {
						...record,
						status: 'committing',
						lock,
						...(added.length > 0 && { sites: { before: before?.sites ?? null, added } })
					}
		);
		return { id, record };
	}

	/**
	 * The rows at positions [start, end) of what a commit writes (its updates, then its creates), made
	 * from the source now, each with its roles in the customer's spelling (job.roles).
	 */
	function rowsAt({ source, creates, updates }: Planned, start: number, end: number, job: Job) {
		const make = (index: number) => {
			const row = source.at(index)!;
			// begin refused a file naming a role the customer does not have: every value is spelt.
			if (!row.values.roles) return row;
			return { ...row, values: { ...row.values, roles: job.roles.get(row.values.roles)! } };
		};
		return {
			updates: updates.slice(Math.min(start, updates.length), Math.min(end, updates.length)).map(make),
			creates: creates.slice(Math.max(start - updates.length, 0), Math.max(end - updates.length, 0)).map(make)
		};
	}

	/**
	 * Writes rows of an import inside the caller's transaction, with what undo needs for them (so whatever
	 * commits, the import's own undo can take it back), their messages (afterCreate) and relay commands.
	 * The pool or the users may have changed since the preview warned of a file needing more seats than
	 * are free: the seats are counted again around the writes, in this transaction. Returns how many of
	 * the updates changed something, and the ids created in the rows' order.
	 */
	async function writeRows(
		id: number,
		creates: readonly CheckedRow[],
		updates: readonly CheckedRow[],
		job: Job,
		options: CommitOptions
	) {
		const given = [...creates, ...updates].flatMap((row) => [...productsOf(row.values.entitlements)]);
		const seats = await licenses.seatsNow([job.customerId], given);
		const updated = await updateUsers(id, updates, job);
		const createdIds = await addUsers(creates, job);
		await licenses.refuseBeyond(seats, 'Nothing was imported: ');
		if (createdIds.length) await db.importChanges.add({ importId: id, created: toRanges(createdIds) });
		// addUsers keeps the rows' order, so the i-th id is the i-th row created.
		if (options.afterCreate && createdIds.length) {
			const created = createdIds.map((createdId, i) => ({ id: createdId, row: creates[i]!.row }));
			await inZone(options.afterCreate(created));
		}
		return { updated, createdIds };
	}

	/** The history entry once every row is written: an update another tab had already made changed nothing. */
	function finished(
		record: Omit<ImportRow, 'id'>,
		id: number,
		updated: number,
		updates: number
	): ImportRecord {
		const { counts } = record;
		return { ...record, id, counts: { ...counts, updated, unchanged: counts.unchanged + updates - updated } };
	}

	/**
	 * Commits in chunks, each its own transaction (see CHUNKED_ABOVE): first the history entry, marked
	 * 'committing' (no one may undo it, the history does not show it done), then the rows chunk by chunk,
	 * each with what undo needs for it, then the entry marked done. If a chunk fails, the import's own
	 * undo takes back the chunks before it (rollBack) and the error is the one a single transaction would
	 * have thrown: for the admin it is still all or nothing. The Web Lock is held throughout: a tab closed
	 * mid-import lets it go, and the next start (recover) rolls the import back.
	 */
	async function commitInChunks(
		planned: Planned,
		options: CommitOptions,
		job: Job,
		held: ImportLocks
	): Promise<ImportSummary> {
		const lock = lockName();
		const size = options.rowsPerChunk ?? ROWS_PER_CHUNK;
		return held.request(lock, async () => {
			const { id, record } = await inTransaction(() => begin(planned, options, job, lock));
			try {
				// Updates first, then creates, as in one transaction: the work cut in chunks of `size` rows,
				// each chunk's rows made from the source for its transaction only.
				let updated = 0;
				const createdIds: number[] = [];
				const total = planned.updates.length + planned.creates.length;
				for (let start = 0; start < total; start += size) {
					const { creates, updates } = rowsAt(planned, start, Math.min(start + size, total), job);
					const written = await inTransaction(() => writeRows(id, creates, updates, job, options));
					updated += written.updated;
					for (const createdId of written.createdIds) createdIds.push(createdId);
				}
				const final = finished(record, id, updated, planned.updates.length);
				await inTransaction(() => db.imports.put(final));
				return { ...final, createdIds };
			} catch (error) {
				// Left 'committing' if this fails too (a full disk): the next start or import tries again.
				await rollBack(id).catch((failed: unknown) =>
					console.error('Taking back a failed import failed; the next start tries again', failed)
				);
				throw error;
			}
		});
	}

	/**
	 * Takes back what an import's change records say it did, inside the caller's transaction: deletes the
	 * users it created (and their message history; the relay forgets those it was sent), and puts back
	 * the users it updated. `isRollback`: the import never finished, so messages still waiting for its
	 * users are dropped (never sent, they leave no trace), and no seat count can refuse: taking back a
	 * half import must always go through, and it gives back no more than the users had before.
	 */
	async function takeBack(
		record: ImportRecord,
		changes: readonly ImportChangeRow[],
		now: number,
		isRollback = false
	): Promise<UndoSummary> {
		const pairs = createdRanges(changes);
		// One range per import in practice (its ids run on); each is one request whatever its size.
		const deleted = await Dexie.Promise.all(
			pairs.map(([first, last]) => db.users.where(':id').between(first, last, true, true).delete())
		);
		const removed = deleted.reduce((sum, count) => sum + count, 0);
		if (isRollback) {
			await Dexie.Promise.all(
				pairs.map(([first, last]) =>
					db.outbox
						.where('userId')
						.between(first, last, true, true)
						.and((message) => message.state === 'queued')
						.delete()
				)
			);
		}
		// The relay forgets the accounts of created users it was sent a message about (in the outbox or
		// cleared into their history), at once: unlike a deletion (users.ts), an import's undo cannot
		// itself be undone, so there is nothing to keep.
		const messaged = await Dexie.Promise.all(
			pairs.map(([first, last]) => commands.messagedBetween(first, last))
		);
		await commands.queue('delete', [...new Set(messaged.flat())], now);
		// Their message history goes with them (their address; ids a restore could give to new users).
		await Dexie.Promise.all(
			pairs.map(([first, last]) =>
				db.messageHistory.where('userId').between(first, last, true, true).delete()
			)
		);
		const created = pairs.reduce((sum, [first, last]) => sum + last - first + 1, 0);
		// Users it updated get their licenses from before back: refused if others took those seats since.
		const entries = changes.flatMap((change) => change.updated ?? []);
		const none = { restored: 0, keptEdits: 0, alreadyGone: 0 };
		// Nothing to restore (a rollback's chunk of created users): no request at all, none that would only
		// hop through native promises (restoreUsers is async) while the transaction, with nothing pending, commits.
		if (entries.length === 0) return { ...none, removed, alreadyGone: created - removed };
		const given = isRollback ? [] : entries.flatMap((entry) => [...productsOf(entry.before.entitlements)]);
		const seats = await licenses.seatsNow([record.customerId], given);
		const restored = await restoreUsers(entries, record, now);
		await licenses.refuseBeyond(seats, 'This import cannot be undone: ');
		return { ...restored, removed, alreadyGone: restored.alreadyGone + created - removed };
	}

	/**
	 * Rolls back an import left 'committing' (a chunk failed, or its tab went): takeBack, a few change
	 * records per transaction, each deleted with what it took back (a rollback cut short goes on where it
	 * stopped, never taking a part back twice); then the groups and sites it added. Nothing of the import
	 * remains but, when `isInterrupted` (its tab went: recover), its history entry marked 'rolledBack',
	 * so an admin who never saw it fail learns that it was not kept. A failure the commit itself saw
	 * leaves no entry, as a failed one-transaction commit does: the admin was told at once.
	 */
	async function rollBack(id: number, now = Date.now(), isInterrupted = false): Promise<void> {
		const parts = (await db.importChanges.where('importId').equals(id).primaryKeys()).reverse();
		// Still 'committing' in each transaction: found so, an import may have finished since (its tab let go
		// of the lock only then), and is no longer this rollback's.
		const committing = async () => {
			const record = await db.imports.get(id);
			return record?.status === 'committing' ? record : undefined;
		};
		for (let start = 0; start < parts.length; start += PARTS_PER_ROLLBACK) {
			const some = parts.slice(start, start + PARTS_PER_ROLLBACK);
			const isOurs = await inTransaction(async () => {
				const record = await committing();
				if (!record) return false;
				const changes = await db.importChanges.bulkGet(some);
				await takeBack(
					record,
					changes.filter((change) => change !== undefined),
					now,
					true
				);
				await db.importChanges.bulkDelete(some);
				return true;
			});
			if (!isOurs) return;
		}
		await inTransaction(async () => {
			const record = await committing();
			if (!record) return;
			// Through inZone: the writes after them must stay in this transaction (see inZone).
			if (record.createdGroups?.length) {
				await inZone(groups.removeEmpty(record.customerId, record.createdGroups));
			}
			if (record.sites) await inZone(removeSites(record.customerId, record.sites));
			if (!isInterrupted) {
				await db.imports.delete(id);
				return;
			}
			// What only the unfinished import needed goes: no tab holds it now, no site is its to take back.
			const entry: ImportRecord = { ...record, status: 'rolledBack', rolledBackAt: now };
			delete entry.lock;
			delete entry.sites;
			await db.imports.put(entry);
		});
	}

	/**
	 * Takes back the sites a rolled-back import added, inside the caller's transaction: the customer's
	 * sites exactly as before when they are still as the import left them; else (changed since, by hand)
	 * each added site that no one is at now. Never a site someone was put at since.
	 */
	async function removeSites(customerId: number, sites: NonNullable<ImportRow['sites']>) {
		const customer = await db.customers.get(customerId);
		if (!customer) return;
		const { before, added } = sites;
		const isUsed = (site: string) =>
			customerUsers(db, customerId)
				.and((user) => user.site === site)
				.count()
				.then((count) => count > 0);
		const now = sitesOf(customer.sites);
		const isAsLeft = now.join('\n') === [...sitesOf(before ?? undefined), ...added].join('\n');
		const used = await Dexie.Promise.all(added.map(isUsed));
		if (isAsLeft && !used.includes(true)) {
			const restored = { ...customer, sites: before ?? undefined };
			if (!before) delete restored.sites;
			await db.customers.put(restored);
			return;
		}
		for (const [i, site] of added.entries()) {
			const left = sitesOf((await db.customers.get(customerId))?.sites);
			if (!used[i] && left.includes(site) && left.length > 1) await customers.removeSite(customerId, site);
		}
	}

	/**
	 * Rolls back the imports left 'committing' whose Web Lock no tab holds (the tab writing it was closed
	 * or crashed), each kept in the history as 'rolledBack'. Taking the lock here (ifAvailable) keeps two
	 * tabs from rolling back one import at once, and one still being written (its lock held) is left
	 * alone. Returns how many were rolled back.
	 */
	async function recover(now = Date.now()): Promise<number> {
		if (!locks) return 0;
		const left = await db.imports.filter((record) => record.status === 'committing').toArray();
		let rolledBack = 0;
		for (const record of left) {
			await locks.request(
				record.lock ?? `rollcall-import-${record.id}`,
				{ ifAvailable: true },
				async (lock) => {
					if (!lock) return;
					await rollBack(record.id, now, true);
					rolledBack++;
				}
			);
		}
		return rolledBack;
	}

	return {
		/**
		 * Imports checked rows: new users (Pending, registry defaults for what the file leaves out) and,
		 * with 'Update existing users', the changed fields of existing ones, plus the history entry and
		 * what undoing needs. In one transaction up to CHUNKED_ABOVE rows to write, in chunks above it
		 * (commitInChunks). All or nothing either way: a refusal (ImportRefusedError), a value taken since
		 * the check (DuplicateError), a full disk or any other failure leaves no trace. `rows`: an array or
		 * a RowSource; either way they are read once to plan (plan) and then made again a chunk at a time
		 * to write, so only the rows' indexes and what the plan gathered are held throughout.
		 */
		async commit(rows: RowSource, options: CommitOptions): Promise<ImportSummary> {
			// An import a closed tab left half written goes first: its users would hold emails and seats.
			await recover();
			const at = options.now ?? Date.now();
			const planned = plan(rows, options);
			const total = planned.creates.length + planned.updates.length;
			let done = 0;
			const job: Job = {
				at,
				customerId: options.customerId ?? DEFAULT_CUSTOMER_ID,
				step: (rows) => {
					done += rows;
					options.onProgress?.(done, total);
				},
				spelling: new Map(),
				spellGroups: (value) =>
					listNames(value)
						.map((name) => job.spelling.get(groupKey(name)) ?? name)
						.join(LIST_SEPARATOR) || undefined,
				roles: new Map()
			};
			// Without Web Locks a tab's recovery could not tell a running import from one left behind.
			if (total > (options.chunkedAbove ?? CHUNKED_ABOVE) && locks) {
				return commitInChunks(planned, options, job, locks);
			}
			return inTransaction(async () => {
				const { id, record } = await inZone(begin(planned, options, job));
				const { creates, updates } = rowsAt(planned, 0, total, job);
				const { updated, createdIds } = await inZone(writeRows(id, creates, updates, job, options));
				const final = finished(record, id, updated, updates.length);
				await db.imports.put(final);
				return { ...final, createdIds };
			});
		},

		recover,

		/** Every import into the customer, newest first (each customer's history is its own). */
		history: async (customerId = DEFAULT_CUSTOMER_ID): Promise<ImportRecord[]> => {
			const made = await db.imports.where('customerId').equals(customerId).toArray();
			return made.sort((a, b) => b.at - a.at || b.id - a.id);
		},

		get: (id: number): Promise<ImportRecord | undefined> => db.imports.get(id),

		/**
		 * How many of the users an import created are still there and have changed since (edited,
		 * suspended, activated or signed in): undoing the import removes them too, so the admin is told.
		 */
		async changedSince(importId: number): Promise<number> {
			return db.transaction('r', db.imports, db.importChanges, db.users, async () => {
				const record = await db.imports.get(importId);
				if (!record || record.status !== 'done') return 0;
				const changes = await db.importChanges.where('importId').equals(importId).toArray();
				let changed = 0;
				for (const [first, last] of createdRanges(changes)) {
					changed += await db.users
						.where(':id')
						.between(first, last, true, true)
						.filter(
							(user) => user.updatedAt !== record.at || user.activatedAt !== null || user.lastLoginAt > 0
						)
						.count();
				}
				return changed;
			});
		},

		/**
		 * Takes an import back, atomically (see importsStore for what happens to users edited since).
		 * Refused (ImportRefusedError) when already undone or still being written; DuplicateError when a
		 * value to restore is another user's now. Either way nothing is changed.
		 */
		async undo(importId: number, now = Date.now()): Promise<UndoSummary> {
			return inTransaction(async () => {
				const record = await db.imports.get(importId);
				if (!record) throw new ImportRefusedError('This import is not in the history any more.');
				if (record.status === 'undone') throw new ImportRefusedError('This import has already been undone.');
				if (record.status === 'rolledBack') {
					throw new ImportRefusedError(
						'This import was interrupted before it finished and rolled back: nothing of it is left to undo.'
					);
				}
				if (record.status === 'committing') {
					throw new ImportRefusedError(
						'This import is still being saved: undo it once it is finished (if it fails, nothing of it is kept).'
					);
				}
				const changes = await db.importChanges.where('importId').equals(importId).toArray();
				const summary = await takeBack(record, changes, now);
				await db.importChanges.where('importId').equals(importId).delete();
				// The groups it created go too, unless someone is in them now (added since, by hand).
				await groups.removeEmpty(record.customerId, record.createdGroups ?? []);
				await db.imports.update(importId, { status: 'undone', undoneAt: now });
				return summary;
			});
		}
	};
}

export type ImportsStore = ReturnType<typeof importsStore>;
