import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ImportRefusedError, importsStore } from '$lib/db/imports';
import { rolesStore } from '$lib/db/roles';
import { usersStore } from '$lib/db/users';
import { memberKey, uniqueEntry } from '$lib/domain/user';
import { freshDb, person } from './helpers';
import { check, snapshot } from './import-helpers';

const HEADERS = ['First name', 'Email', 'Roles'];

async function setup() {
	const db = freshDb('import-roles');
	const users = usersStore(db);
	const roles = rolesStore(db);
	await roles.add(1, 'Sales');
	await roles.add(1, 'Field engineers');
	// Another customer's role is not this customer's.
	await roles.add(2, 'Admins');
	const ann = await users.add(person({ firstName: 'Ann', email: 'ann@example.com' }));
	return { db, users, roles, imports: importsStore(db), ann };
}

describe('importing roles', () => {
	it('reads a Roles column with several roles separated by ;, each in the role’s own spelling', async () => {
		const { db, imports } = await setup();
		const checked = await check(db, [
			HEADERS,
			['Dee', 'dee@example.com', 'sales;FIELD ENGINEERS'],
			['Eve', 'eve@example.com', '']
		]);
		await imports.commit(checked.rows, {
			fileName: 'people.csv',
			mode: 'all-or-nothing',
			updateExisting: false
		});
		const dee = (await db.users
			.where('uniqueKeys')
			.equals(uniqueEntry('email', 'dee@example.com', 1))
			.first())!;
		expect(dee.roles).toBe('Sales; Field engineers');
		expect(dee.roleKeys).toEqual([memberKey(1, 'Sales'), memberKey(1, 'Field engineers')]);
		const eve = (await db.users
			.where('uniqueKeys')
			.equals(uniqueEntry('email', 'eve@example.com', 1))
			.first())!;
		expect(eve.roles).toBeUndefined();
	});

	it('refuses the whole file for a role the customer does not have, naming the row and the role', async () => {
		const { db, imports } = await setup();
		const before = await snapshot(db);
		const checked = await check(
			db,
			[
				HEADERS,
				['Dee', 'dee@example.com', 'Sales'],
				['Ann', 'ann@example.com', 'Sales; Salse'],
				['Fay', 'fay@example.com', 'Admins']
			],
			{ updateExisting: true }
		);
		const refusal = imports.commit(checked.rows, {
			fileName: 'people.csv',
			mode: 'valid-rows',
			updateExisting: true
		});
		await expect(refusal).rejects.toThrow(ImportRefusedError);
		await expect(refusal).rejects.toThrow('row 3 gives the role “Salse”, and there is no such role');
		expect(await snapshot(db)).toEqual(before);
	});

	it('sees another customer’s roles only in that customer’s import', async () => {
		const { db, imports } = await setup();
		const checked = await check(db, [HEADERS, ['Fay', 'fay@example.com', 'Admins']]);
		const options = { fileName: 'people.csv', mode: 'all-or-nothing', updateExisting: false } as const;
		await expect(imports.commit(checked.rows, options)).rejects.toThrow('row 2 gives the role “Admins”');
		await imports.commit(checked.rows, { ...options, customerId: 2 });
		const fay = (await db.users
			.where('uniqueKeys')
			.equals(uniqueEntry('email', 'fay@example.com', 2))
			.first())!;
		expect(fay.roleKeys).toEqual([memberKey(2, 'Admins')]);
	});

	it('updates an existing user’s roles', async () => {
		const { db, users, roles, imports, ann } = await setup();
		const checked = await check(db, [HEADERS, ['Ann', 'ann@example.com', 'field engineers']], {
			updateExisting: true
		});
		await imports.commit(checked.rows, { fileName: 'a.csv', mode: 'all-or-nothing', updateExisting: true });
		expect((await users.get(ann.id))!.roles).toBe('Field engineers');
		const [engineers] = (await roles.list(1)).filter((role) => role.name === 'Field engineers');
		expect(await roles.countMembers(engineers!)).toBe(1);
	});
});
