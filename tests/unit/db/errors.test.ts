import 'fake-indexeddb/auto';
import { Dexie, type DBCoreMutateRequest } from 'dexie';
import { describe, expect, it } from 'vitest';
import { DuplicateError, storageErrorMessage } from '$lib/db/errors';
import { usersStore } from '$lib/db/users';
import { freshDb, person, query } from './helpers';

const OUT_OF_SPACE =
	'This device is out of storage space, so nothing was saved. Free some space (or ask the browser to keep more for Rollcall), then try again.';

const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('storageErrorMessage', () => {
	it('says the device is out of space for a QuotaExceededError, bare or wrapped', () => {
		expect(storageErrorMessage(quotaError())).toBe(OUT_OF_SPACE);
		expect(storageErrorMessage(new Dexie.AbortError('Transaction aborted', quotaError()))).toBe(OUT_OF_SPACE);
		const twice = new Dexie.AbortError(
			'Transaction aborted',
			new Dexie.AbortError('inner abort', quotaError())
		);
		expect(storageErrorMessage(twice)).toBe(OUT_OF_SPACE);
		expect(storageErrorMessage(new Dexie.QuotaExceededError('quota'))).toBe(OUT_OF_SPACE);
	});

	it('does not take other aborts for a full disk', () => {
		const plain = new Dexie.AbortError('Transaction aborted');
		expect(storageErrorMessage(plain)).toBe('Saving failed and nothing was changed: Transaction aborted');
		const constraint = new Dexie.AbortError('aborted', new DOMException('dup', 'ConstraintError'));
		expect(storageErrorMessage(constraint)).not.toBe(OUT_OF_SPACE);
	});

	it('passes a duplicate message on, and explains a database closed by another tab', () => {
		expect(storageErrorMessage(new DuplicateError('email', 'This email is already taken by Ann.'))).toBe(
			'This email is already taken by Ann.'
		);
		expect(storageErrorMessage(new Dexie.DatabaseClosedError())).toMatch(
			/updated in another tab.*Reload the page/
		);
		expect(storageErrorMessage('boom')).toBe('Saving failed and nothing was changed: boom');
		expect(storageErrorMessage(null)).toBe('Saving failed and nothing was changed: null');
	});
});

/** A database whose writes to the given table fail as a full disk does once `isFull` is set. */
function fillableDb(failOn: (table: string, request: DBCoreMutateRequest) => boolean) {
	const db = freshDb('quota');
	const disk = { isFull: false };
	db.use({
		stack: 'dbcore',
		name: 'full-disk',
		create: (down) => ({
			...down,
			table(name) {
				const table = down.table(name);
				return {
					...table,
					mutate: (request) =>
						disk.isFull && failOn(name, request) ? Promise.reject(quotaError()) : table.mutate(request)
				};
			}
		})
	});
	return { db, users: usersStore(db), disk };
}

const isWrite = (request: DBCoreMutateRequest) => request.type === 'add' || request.type === 'put';

describe('a full disk during a write', () => {
	it('rejects add with an out-of-space error and loses or changes nothing already stored', async () => {
		const { db, users, disk } = fillableDb((table, request) => table === 'users' && isWrite(request));
		await users.add(person({ firstName: 'Ann', email: 'ann@example.com' }));
		await users.add(person({ firstName: 'Bob', email: 'bob@example.com', username: 'bob' }));
		const before = await db.users.toArray();

		disk.isFull = true;
		const error = await users
			.add(person({ firstName: 'Cy', email: 'cy@example.com' }))
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Error);
		expect(storageErrorMessage(error)).toBe(OUT_OF_SPACE);
		const edit = await users.update(before[0]!.id, { firstName: 'Changed' }).catch((e: unknown) => e);
		expect(storageErrorMessage(edit)).toBe(OUT_OF_SPACE);
		const suspend = await users.setSuspended([before[1]!.id], true).catch((e: unknown) => e);
		expect(storageErrorMessage(suspend)).toBe(OUT_OF_SPACE);

		disk.isFull = false;
		expect(await db.users.toArray()).toEqual(before);
		expect(await users.listIds(query({ search: 'cy' }))).toEqual([]);
		expect(await users.listIds(query({ search: 'changed' }))).toEqual([]);
		// Once space is freed the same add goes through.
		await users.add(person({ firstName: 'Cy', email: 'cy@example.com' }));
		expect(await users.count()).toBe(3);
	});

	it('rolls back the writes made before the failing one in the same transaction', async () => {
		// remove() first copies the users to the trash, then deletes them: fail the second step.
		const { db, users, disk } = fillableDb(
			(table, request) => table === 'users' && request.type === 'delete'
		);
		const ann = await users.add(person({ firstName: 'Ann', email: 'ann@example.com' }));
		disk.isFull = true;
		const error = await users.remove([ann.id]).catch((e: unknown) => e);
		expect(storageErrorMessage(error)).toBe(OUT_OF_SPACE);
		disk.isFull = false;
		expect(await db.trash.count()).toBe(0);
		expect(await users.get(ann.id)).toEqual(ann);
	});

	it('keeps a deletion undoable when its undo fails for lack of space', async () => {
		const { db, users, disk } = fillableDb((table, request) => table === 'users' && isWrite(request));
		const ann = await users.add(person({ firstName: 'Ann', email: 'ann@example.com' }));
		const { batch } = await users.remove([ann.id]);
		disk.isFull = true;
		expect(storageErrorMessage(await users.undoRemove(batch).catch((e: unknown) => e))).toBe(OUT_OF_SPACE);
		disk.isFull = false;
		expect(await users.get(ann.id)).toBeUndefined();
		expect(await db.trash.count()).toBe(1);
		expect(await users.undoRemove(batch)).toBe(1);
		expect(await users.get(ann.id)).toEqual(ann);
	});
});
