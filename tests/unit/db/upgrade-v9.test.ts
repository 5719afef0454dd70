import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { createDb, type ImportedValues } from '$lib/db/database';
import { LISTS_TABLE } from '$lib/db/lists';
import { usersStore } from '$lib/db/users';
import { newLicenseKey } from '$lib/domain/license-key';
import { licenseEntry, searchText, uniqueEntry, type User, type UserFields } from '$lib/domain/user';
import { expectTrueCatalogue, freshName, keysBeforeV9, person, query, track } from './helpers';

/** A user as version 8 of Rollcall stored them: in a customer, with a license key, search words and suffixes. */
function v8User(fields: UserFields, customerId: number, rest: Record<string, unknown> = {}) {
	return {
		...fields,
		...keysBeforeV9(fields, customerId),
		searchSuffixes: ['ones'],
		customerId,
		licenseKey: newLicenseKey(),
		status: 'Active',
		hasPassword: false,
		createdAt: 10,
		updatedAt: 20,
		activatedAt: 15,
		lastLoginAt: 30,
		...rest
	};
}

const ann = person({ firstName: 'Ann', lastName: 'Jones', email: 'ann@example.net', username: 'ajones' });
const john = person({ firstName: 'John', lastName: 'Smith', email: 'john@example.com', username: 'jsmith' });
// v1 let her username clash with John's once folded: v2's upgrade left her without its key (see v2).
const jane = person({ firstName: 'Jane', lastName: 'Smith', email: 'jane@example.com', username: 'JSmith' });
// Ann's address in another customer: allowed.
const other = person({ firstName: 'Ann', lastName: 'Other', email: 'ann@example.net', customerCode: 'C-7' });
const gone = person({ firstName: 'Gus', lastName: 'Gone', email: 'gus@example.com' });

/** Creates a database as version 8 of Rollcall left it: users of two customers, a deleted one and an import. */
async function createV8(name: string) {
	const v8 = new Dexie(name);
	v8.version(8).stores({
		users:
			'++id, customerId, emailKey, &[customerId+emailKey], &[customerId+usernameKey], ' +
			'&[customerId+customerCodeKey], &licenseKey, nameKey, site, ' +
			'*searchWords, *searchSuffixes, *groupKeys, *roleKeys, *entitlementKeys, ' +
			'[status+nameKey], [userType+nameKey], [site+nameKey], [lastLoginAt+nameKey], [createdAt+nameKey]',
		settings: 'key',
		trash: '++id, batch, deletedAt',
		imports: '++id, at, customerId',
		importChanges: '++id, importId',
		outbox: 'key, [state+nextAttemptAt], createdAt, userId',
		relay: 'key',
		[LISTS_TABLE]: 'key, builtAt, generation',
		commands: '++seq, &key, state',
		messageHistory: 'key, userId',
		customers: '++id, &nameKey',
		groups: '++id, customerId, &[customerId+nameKey]',
		roles: '++id, customerId, &[customerId+nameKey]',
		profiles: '++id, customerId, &[customerId+nameKey]',
		licensePools: '[customerId+product]'
	});
	await v8.table('customers').bulkAdd([
		{ id: 1, name: 'My organisation', nameKey: 'my organisation', createdAt: 1 },
		{ id: 2, name: 'Contoso', nameKey: 'contoso', createdAt: 2 }
	]);
	const janeRow: Record<string, unknown> = v8User(jane, 1);
	delete janeRow.usernameKey;
	const rows = [v8User(ann, 1), v8User(john, 1), janeRow, v8User(other, 2)];
	const ids = (await v8.table('users').bulkAdd(rows, { allKeys: true })) as number[];
	await v8.table('trash').add({ batch: 'b1', deletedAt: 40, user: { ...v8User(gone, 1), id: 90 } });
	// Ann as she was before an import changed her job title: what its undo puts back.
	const wrote: ImportedValues = { jobTitle: 'Nurse' };
	await v8.table('imports').add({
		customerId: 1,
		fileName: 'f.csv',
		at: 50,
		mode: 'all-or-nothing',
		updateExisting: true,
		counts: { created: 0, updated: 1, unchanged: 0, skipped: 0, errors: 0 },
		status: 'done'
	});
	await v8.table('importChanges').add({
		importId: 1,
		updated: [{ before: { ...rows[0], id: ids[0] }, wrote }]
	});
	const stored = (await v8.table('users').toArray()) as Record<string, unknown>[];
	v8.close();
	return { ids, stored };
}

describe('upgrade from version 8 to 9', () => {
	it('keeps every user, with a search text and unique entries of the keys they held, and builds the catalogue', async () => {
		const name = freshName('upgrade-v9');
		const before = await createV8(name);
		const db = track(createDb(name));
		await db.open();
		expect(db.verno).toBe(9);

		const stored = await db.users.toArray();
		expect(stored.map((user) => user.id)).toEqual(before.ids);
		for (const [i, user] of stored.entries()) {
			const old = before.stored[i]!;
			const kept = { ...old };
			delete kept.searchWords;
			delete kept.searchSuffixes;
			const held = (key: string) => (typeof old[key] === 'string' ? [old[key]] : []);
			expect(user).toEqual({
				...kept,
				searchText: searchText(old as unknown as UserFields),
				uniqueKeys: [
					...held('emailKey').map((key) => uniqueEntry('email', key, user.customerId)),
					...held('usernameKey').map((key) => uniqueEntry('username', key, user.customerId)),
					...held('customerCodeKey').map((key) => uniqueEntry('customerCode', key, user.customerId)),
					licenseEntry(old.licenseKey as string)
				]
			});
		}
		const [annId, johnId, janeId, otherId] = before.ids;
		// Jane's clash stays out of the unique index: John keeps the username there, she keeps hers on the record.
		expect(stored[2]!.uniqueKeys).toEqual([
			uniqueEntry('email', 'jane@example.com', 1),
			licenseEntry(stored[2]!.licenseKey!)
		]);
		await expectTrueCatalogue(db, 'the upgrade');

		const users = usersStore(db);
		expect(await users.count(1)).toBe(3);
		expect(await users.count(2)).toBe(1);
		expect(await users.listIds(query({ search: 'ones' }))).toEqual([annId]);
		expect(await users.listIds(query({ search: 'smith' }))).toEqual([janeId, johnId]);
		expect((await users.whoHas('username', 'JSMITH'))?.id).toBe(johnId);
		expect((await users.whoHas('customerCode', 'c-7', undefined, 2))?.id).toBe(otherId);
		expect(await users.emailElsewhere('ann@example.net', 1)).toEqual([2]);

		// The deleted user comes back with v9's keys, into the catalogue.
		expect(await users.undoRemove('b1')).toBe(1);
		const gus = (await users.get(90))!;
		expect(gus).not.toHaveProperty('searchWords');
		expect(gus.uniqueKeys).toEqual([
			uniqueEntry('email', 'gus@example.com', 1),
			licenseEntry(gus.licenseKey!)
		]);
		expect(await users.listIds(query({ search: 'gus' }))).toEqual([90]);
		await expectTrueCatalogue(db, "the deletion's undo");

		// So does the user an import's undo puts back as they were.
		const [change] = await db.importChanges.toArray();
		const kept = change!.updated![0]!.before;
		expect(kept).not.toHaveProperty('searchWords');
		expect(kept.searchText).toBe(searchText(ann));
		expect(kept.uniqueKeys).toEqual((await users.get(annId!))!.uniqueKeys);
		expect((kept as User & { searchSuffixes?: unknown }).searchSuffixes).toBeUndefined();
	});
});
