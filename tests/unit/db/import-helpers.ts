import 'fake-indexeddb/auto';
import type { DBCoreMutateRequest, DBCoreMutateResponse, DBCoreTable } from 'dexie';
import type { RollcallDb } from '$lib/db/database';
import { fieldKeys } from '$lib/domain/fields';
import type { FieldPolicy } from '$lib/domain/policy';
import type { User } from '$lib/domain/user';
import { mapHeaders } from '$lib/import/headers';
import { checkRows, type Directory, type ExistingUser, type RowCheck } from '$lib/import/rows';
import { freshDb } from './helpers';

/** Every field optional but the email, so a file may carry any column. */
export const everything = Object.fromEntries(
	fieldKeys.map((key) => [key, key === 'email' ? 'required' : 'optional'])
) as FieldPolicy;

export const OUT_OF_SPACE =
	'This device is out of storage space, so nothing was saved. Free some space (or ask the browser to keep more for Rollcall), then try again.';

export const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** The directory as the import check sees it, read from the database (as the pipeline will). */
export async function directoryOf(db: RollcallDb): Promise<Directory> {
	const users = await db.users.toArray();
	const entry = (user: User): ExistingUser => ({ id: user.id, values: user });
	const by = (key: 'emailKey' | 'usernameKey' | 'customerCodeKey') =>
		new Map(users.flatMap((user) => (user[key] ? [[user[key], entry(user)] as const] : [])));
	return { byEmail: by('emailKey'), byUsername: by('usernameKey'), byCustomerCode: by('customerCodeKey') };
}

/** Checks a file's rows (first line: the headers) against the database's users, as the preview does. */
export async function check(
	db: RollcallDb,
	table: readonly (readonly string[])[],
	options: { updateExisting?: boolean; policy?: FieldPolicy } = {}
): Promise<RowCheck> {
	const policy = options.policy ?? everything;
	const [headers = [], ...rows] = table;
	const mapping = mapHeaders(headers, policy);
	if (!mapping.isReady) throw new Error(mapping.problems.join(' '));
	return checkRows(rows, mapping, {
		policy,
		context: { defaultCountry: 'GB' },
		directory: await directoryOf(db),
		updateExisting: options.updateExisting
	});
}

/** `count` rows of a people file: first name, last name, email (unique, from `person{from}@example.com`). */
export function peopleRows(count: number, from = 0): string[][] {
	return Array.from({ length: count }, (_, i) => [
		`First${from + i}`,
		`Last${(from + i) % 97}`,
		`person${from + i}@example.com`
	]);
}

type Fault = (
	table: string,
	request: DBCoreMutateRequest,
	down: DBCoreTable
) => Promise<DBCoreMutateResponse> | undefined;

/** A fresh database whose writes go through `fault` first: it may fail or cut short any of them. */
export function faultyDb(fault: Fault): RollcallDb {
	const db = freshDb('faulty');
	db.use({
		stack: 'dbcore',
		name: 'fault',
		create: (down) => ({
			...down,
			table(name) {
				const table = down.table(name);
				return {
					...table,
					mutate: (request) => fault(name, request, table) ?? table.mutate(request)
				};
			}
		})
	});
	return db;
}

/** Lets the first `rows` user additions through (cutting a request short if need be), then fails once. */
export function failAfterAddedUsers(rows: number) {
	let written = 0;
	return (table: string, request: DBCoreMutateRequest, down: DBCoreTable) => {
		if (table !== 'users' || request.type !== 'add' || written > rows) return undefined;
		const room = rows - written;
		if (request.values.length <= room) {
			written += request.values.length;
			return undefined;
		}
		written = rows + 1;
		const part = { ...request, values: request.values.slice(0, room), keys: request.keys?.slice(0, room) };
		return down.mutate(part).then((): never => {
			throw new Error(`Injected failure after ${rows} rows`);
		});
	};
}

/**
 * Once armed, aborts the transaction of the next matching write the way a browser does when the disk is
 * full: the transaction's error is a QuotaExceededError and its pending requests fail with AbortError.
 * (`_abort` is fake-indexeddb's implementation of the spec's 'abort a transaction'.)
 */
export function diskFillsDuring(matches: (table: string, request: DBCoreMutateRequest) => boolean) {
	const disk = { isArmed: false };
	const fault = (table: string, request: DBCoreMutateRequest, down: DBCoreTable) => {
		if (!disk.isArmed || !matches(table, request)) return undefined;
		disk.isArmed = false;
		const result = down.mutate(request);
		(request.trans as unknown as { _abort(name: string): void })._abort('QuotaExceededError');
		return result;
	};
	return { disk, fault };
}

/** Every table's rows, to compare a whole database before and after a failed write. */
export async function snapshot(db: RollcallDb) {
	return {
		users: await db.users.toArray(),
		imports: await db.imports.toArray(),
		importChanges: await db.importChanges.toArray(),
		trash: await db.trash.toArray()
	};
}

/** The rejection of a promise that must fail. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		() => {
			throw new Error('expected a refusal');
		},
		(error: unknown) => error
	);
}
