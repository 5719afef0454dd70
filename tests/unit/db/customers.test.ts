import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { customAttributesStore } from '$lib/db/custom-attributes';
import { CustomerError, customersStore } from '$lib/db/customers';
import { DEFAULT_CUSTOMER_NAME } from '$lib/db/database';
import { importsStore } from '$lib/db/imports';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { settingsStore } from '$lib/db/settings';
import { usersStore } from '$lib/db/users';
import { customKey } from '$lib/domain/fields';
import { DEFAULT_CUSTOMER_ID, matchesSearch } from '$lib/domain/user';
import { mapHeaders } from '$lib/import/headers';
import { checkRows, RowChecker } from '$lib/import/rows';
import { freshDb, person, query } from './helpers';
import { everything } from './import-helpers';

function stores() {
	const db = freshDb('customers');
	return { db, customers: customersStore(db), users: usersStore(db), imports: importsStore(db) };
}

describe('customers', () => {
	it('starts with the default customer, and creates, renames and lists others by name', async () => {
		const { customers } = stores();
		expect((await customers.list()).map((c) => [c.id, c.name])).toEqual([
			[DEFAULT_CUSTOMER_ID, DEFAULT_CUSTOMER_NAME]
		]);
		expect(await customers.isSeveral()).toBe(false);
		const contoso = await customers.create('  Contoso   Ltd ', 5);
		expect(contoso).toMatchObject({ name: 'Contoso Ltd', nameKey: 'contoso ltd', createdAt: 5 });
		await customers.create('Ångström AB');
		await customers.rename(contoso.id, 'Contoso');
		expect((await customers.list()).map((c) => c.name)).toEqual([
			'Ångström AB',
			'Contoso',
			DEFAULT_CUSTOMER_NAME
		]);
		expect(await customers.isSeveral()).toBe(true);
	});

	it('refuses a name another customer has, case and accents aside, and an empty one', async () => {
		const { customers } = stores();
		const contoso = await customers.create('Contoso');
		const fabrikam = await customers.create('Fabrikam');
		await expect(customers.create('CONTÓSO')).rejects.toThrow('There is already a customer named Contoso.');
		await expect(customers.rename(fabrikam.id, 'contoso')).rejects.toBeInstanceOf(CustomerError);
		await expect(customers.create('   ')).rejects.toThrow('The customer name cannot be empty.');
		// Renaming to its own name in other letters is no clash.
		expect((await customers.rename(contoso.id, 'CONTOSO')).name).toBe('CONTOSO');
	});

	it('archives and restores a customer, keeping its users, but never the last active one', async () => {
		const { customers, users } = stores();
		const contoso = await customers.create('Contoso');
		await users.add(person({ email: 'ann@contoso.com' }), { customerId: contoso.id });
		await customers.setArchived(DEFAULT_CUSTOMER_ID, true, 7);
		await expect(customers.setArchived(contoso.id, true)).rejects.toThrow(
			'Contoso is the only active customer: create or restore another one before archiving it.'
		);
		expect((await customers.get(DEFAULT_CUSTOMER_ID))?.archivedAt).toBe(7);
		await customers.setArchived(contoso.id, false);
		await customers.setArchived(DEFAULT_CUSTOMER_ID, false);
		expect((await customers.get(DEFAULT_CUSTOMER_ID))?.archivedAt).toBeUndefined();
		expect(await users.count(contoso.id)).toBe(1);
	});
});

describe('sites', () => {
	it('are HQ until the admin adds others; a site already there is not added twice', async () => {
		const { customers } = stores();
		const contoso = await customers.create('Contoso');
		expect(await customers.sites(contoso.id)).toEqual(['HQ']);
		expect(await customers.addSites(contoso.id, ['Leeds', 'leeds', 'hq', 'Paris'])).toEqual([
			'HQ',
			'Leeds',
			'Paris'
		]);
		expect(await customers.sites(DEFAULT_CUSTOMER_ID)).toEqual(['HQ']);
	});

	it('renamed, move the customer’s users with them, and only that customer’s', async () => {
		const { customers, users } = stores();
		const contoso = await customers.create('Contoso');
		await customers.addSites(contoso.id, ['Leeds']);
		const ann = await users.add(person({ email: 'ann@x.com', site: 'Leeds' }), { customerId: contoso.id });
		const bob = await users.add(person({ email: 'bob@x.com', site: 'Leeds' }));
		expect(await customers.renameSite(contoso.id, 'Leeds', 'York')).toBe(1);
		expect(await customers.sites(contoso.id)).toEqual(['HQ', 'York']);
		expect((await users.get(ann.id))?.site).toBe('York');
		expect(matchesSearch((await users.get(ann.id))!, ['york'])).toBe(true);
		expect(matchesSearch((await users.get(ann.id))!, ['leeds'])).toBe(false);
		expect((await users.get(bob.id))?.site).toBe('Leeds');
		await expect(customers.renameSite(contoso.id, 'York', 'hq')).rejects.toThrow(
			'Contoso already has a site named HQ.'
		);
	});

	it('are removed only while nobody is at them, and a customer keeps one', async () => {
		const { customers, users } = stores();
		await customers.addSites(DEFAULT_CUSTOMER_ID, ['Leeds']);
		const ann = await users.add(person({ email: 'ann@x.com', site: 'Leeds' }));
		await expect(customers.removeSite(DEFAULT_CUSTOMER_ID, 'Leeds')).rejects.toThrow(
			'1 user is at Leeds: move them to another site, or rename the site, first.'
		);
		await users.update(ann.id, { site: 'HQ' });
		expect(await customers.removeSite(DEFAULT_CUSTOMER_ID, 'Leeds')).toEqual(['HQ']);
		await expect(customers.removeSite(DEFAULT_CUSTOMER_ID, 'HQ')).rejects.toThrow(
			'A customer keeps at least one site.'
		);
	});
});

describe('users per customer', () => {
	/** Two customers with the same three addresses, and one user only the default customer has. */
	async function twoCustomers() {
		const all = stores();
		const contoso = await all.customers.create('Contoso');
		const add = (email: string, firstName: string, customerId: number, site = 'HQ') =>
			all.users.add(person({ email, firstName, site }), { customerId });
		const mine = [
			await add('info@example.com', 'Ann', DEFAULT_CUSTOMER_ID),
			await add('bob@example.com', 'Bob', DEFAULT_CUSTOMER_ID, 'Leeds'),
			await add('cy@example.com', 'Cy', DEFAULT_CUSTOMER_ID)
		];
		const theirs = [
			await add('info@example.com', 'Zoe', contoso.id, 'Paris'),
			await add('bob@example.com', 'Bea', contoso.id)
		];
		return { ...all, contoso, mine, theirs };
	}

	it('may share an email across customers, never within one', async () => {
		const { users, contoso, mine, theirs } = await twoCustomers();
		await expect(
			users.add(person({ email: 'INFO@example.com' }), { customerId: contoso.id })
		).rejects.toThrow('This email is already taken by info@example.com.');
		expect((await users.whoHas('email', 'info@example.com', undefined, contoso.id))?.id).toBe(theirs[0]!.id);
		expect((await users.whoHas('email', 'info@example.com'))?.id).toBe(mine[0]!.id);
		expect(await users.whoHas('email', 'cy@example.com', undefined, contoso.id)).toBeUndefined();
		expect(await users.emailElsewhere('cy@example.com', contoso.id)).toEqual([DEFAULT_CUSTOMER_ID]);
		expect(await users.emailElsewhere('info@example.com', contoso.id)).toEqual([DEFAULT_CUSTOMER_ID]);
		// Editing keeps to the user's own customer.
		await expect(users.update(theirs[1]!.id, { email: 'info@example.com' })).rejects.toThrow(
			'This email is already taken by info@example.com.'
		);
		expect((await users.update(theirs[1]!.id, { email: 'cy@example.com' })).emailKey).toBe('cy@example.com');
	});

	it('lists, counts, sorts, filters and searches only the customer’s users', async () => {
		const { users, contoso, mine, theirs } = await twoCustomers();
		const ids = (users_: readonly { id: number }[]) => users_.map((u) => u.id);
		expect(await users.listIds(query())).toEqual(ids(mine));
		expect(await users.listIds(query({ customerId: contoso.id }))).toEqual([theirs[1]!.id, theirs[0]!.id]);
		expect(await users.listIds(query({ customerId: contoso.id, sort: 'email' }))).toEqual([
			theirs[1]!.id,
			theirs[0]!.id
		]);
		expect(await users.listIds(query({ customerId: contoso.id, search: 'info' }))).toEqual([theirs[0]!.id]);
		expect(await users.listIds(query({ search: 'info' }))).toEqual([mine[0]!.id]);
		expect(await users.listIds(query({ customerId: contoso.id, site: 'HQ' }))).toEqual([theirs[1]!.id]);
		expect(await users.count()).toBe(3);
		expect(await users.count(contoso.id)).toBe(2);
		expect(await users.head('name', false, 2, contoso.id)).toEqual({
			ids: [theirs[1]!.id, theirs[0]!.id],
			total: 2
		});
		expect(await users.head('name', true, 1)).toEqual({ ids: [mine[2]!.id], total: 3 });
		expect(await users.sites(contoso.id)).toEqual(['HQ', 'Paris']);
		expect(await users.sites()).toEqual(['HQ', 'Leeds']);
		// The kept lists are the customer's own: read again from disk, each still holds only its users.
		expect(await users.keptIds(query({ customerId: contoso.id }))).toEqual([theirs[1]!.id, theirs[0]!.id]);
		expect(await users.keptIds(query())).toEqual(ids(mine));
	});

	it('exports everyone of the customer only', async () => {
		const { users, contoso, theirs } = await twoCustomers();
		const scope = { kind: 'everyone', customerId: contoso.id } as const;
		expect(await users.exportCount(scope)).toBe(2);
		const pages = [];
		for await (const page of users.exportPages(scope, 1)) pages.push(page.map((u) => u.id));
		expect(pages).toEqual([[theirs[0]!.id], [theirs[1]!.id]]);
	});

	it('imports the same file into each customer: new users there, matched within it only', async () => {
		const { users, imports, contoso } = await twoCustomers();
		const table = [
			['Email', 'First name'],
			['info@example.com', 'Ivy'],
			['new@example.com', 'Nia']
		];
		const importInto = async (customerId: number) => {
			const mapping = mapHeaders(table[0]!, everything);
			const emails = table.slice(1).map((row) => row[0]!);
			const checked = checkRows(table.slice(1), mapping, {
				policy: everything,
				context: { defaultCountry: 'GB' },
				directory: {
					byEmail: await users.byEmailKeys(emails, customerId),
					...(await users.idsByUniqueKeys({ username: [], customerCode: [] }, customerId))
				},
				updateExisting: true
			});
			return imports.commit(checked.rows, {
				fileName: 'people.csv',
				mode: 'all-or-nothing',
				updateExisting: true,
				customerId
			});
		};
		const intoMine = await importInto(DEFAULT_CUSTOMER_ID);
		const intoTheirs = await importInto(contoso.id);
		expect(intoMine.counts).toMatchObject({ created: 1, updated: 1 });
		expect(intoTheirs.counts).toMatchObject({ created: 1, updated: 1 });
		expect(await users.count()).toBe(4);
		expect(await users.count(contoso.id)).toBe(3);
		const contosoNames = (await users.rows(await users.listIds(query({ customerId: contoso.id })))).map(
			(u) => u?.firstName
		);
		expect(contosoNames).toEqual(['Bea', 'Ivy', 'Nia']);
		expect((await imports.history(contoso.id)).map((row) => row.id)).toEqual([intoTheirs.id]);
		expect((await imports.history()).map((row) => row.id)).toEqual([intoMine.id]);
	});
});

describe('field policy per customer', () => {
	it('is the default customer’s until a customer changes its own; custom attributes reach every one', async () => {
		const { db, customers } = stores();
		const settings = settingsStore(db);
		const attributes = customAttributesStore(db);
		const contoso = await customers.create('Contoso');
		await settings.change({ policy: { company: 'required' } });
		// Never changed: Contoso works under the default customer's policy (nothing was copied).
		expect((await settings.read('en-GB', contoso.id)).policy.company).toBe('required');
		await settings.change({ policy: { company: 'hidden' } }, undefined, 'en-GB', contoso.id);
		expect((await settings.read('en-GB', contoso.id)).policy.company).toBe('hidden');
		expect((await settings.read('en-GB')).policy.company).toBe('required');
		expect((await db.settings.get('policy'))?.value).toMatchObject({ company: 'required' });
		// The device's settings stay one for all.
		await settings.change({ defaultCountry: 'FR' }, undefined, 'en-GB', contoso.id);
		expect((await settings.read('en-GB')).defaultCountry).toBe('FR');

		const key = customKey('Locker');
		await attributes.add(key);
		expect((await settings.read('en-GB', contoso.id)).policy[key]).toBe('optional');
		expect((await settings.read('en-GB')).policy[key]).toBe('optional');
		await attributes.remove(key);
		expect((await settings.read('en-GB', contoso.id)).policy[key]).toBeUndefined();
	});
});

describe('sites in an import', () => {
	const table = [
		['Email', 'Site'],
		['ann@example.com', 'hq'],
		['bob@example.com', 'Paris'],
		['cy@example.com', 'PARIS'],
		['dee@example.com', '']
	];
	const checkWith = (unknown: 'create' | 'error') =>
		checkRows(table.slice(1), mapHeaders(table[0]!, everything), {
			policy: everything,
			context: { defaultCountry: 'GB' },
			sites: { known: ['HQ', 'Leeds'], unknown }
		});

	it('are stored as the customer writes them; a new one is noted once, and created with the users', async () => {
		const { customers, imports, users } = stores();
		await customers.addSites(DEFAULT_CUSTOMER_ID, ['Leeds']);
		const checker = new RowChecker(mapHeaders(table[0]!, everything), {
			policy: everything,
			context: { defaultCountry: 'GB' },
			sites: { known: await customers.sites(DEFAULT_CUSTOMER_ID), unknown: 'create' }
		});
		const rows = table.slice(1).map((cells, i) => checker.check(cells, i + 2));
		expect(rows.map((row) => row.errors)).toEqual([[], [], [], []]);
		expect(rows.map((row) => row.values.site)).toEqual(['HQ', 'Paris', 'PARIS', 'HQ']);
		expect(checker.unknownSites).toEqual(['Paris']);
		await imports.commit(rows, {
			fileName: 'f.csv',
			mode: 'all-or-nothing',
			updateExisting: false,
			addSites: checker.unknownSites
		});
		expect(await customers.sites(DEFAULT_CUSTOMER_ID)).toEqual(['HQ', 'Leeds', 'Paris']);
		expect(await users.count()).toBe(4);
	});

	it('not the customer’s are the rows’ errors when the admin says so', () => {
		const checked = checkWith('error');
		expect(checked.rows.map((row) => row.status)).toEqual(['new', 'error', 'error', 'new']);
		expect(checked.errors[0]).toMatchObject({
			row: 3,
			header: 'Site',
			message: `Site "Paris" is not one of this customer's sites: add it in Settings → Sites, or choose to create the file's new sites.`
		});
		expect(checkWith('create').counts.error).toBe(0);
	});
});

describe('the outbox page per customer', () => {
	it("lists the messages of the customer's users, deleted ones included", async () => {
		const { db, customers, users } = stores();
		const outbox = outboxStore(db, relayStore(db));
		const contoso = await customers.create('Contoso');
		const ann = await users.add(person({ email: 'ann@example.com' }));
		const zoe = await users.add(person({ email: 'ann@example.com' }), { customerId: contoso.id });
		const bea = await users.add(person({ email: 'bea@example.com' }), { customerId: contoso.id });
		await outbox.queueFor([ann.id, zoe.id, bea.id], 'activation', { now: 1 });
		await users.remove([bea.id]);
		const to = async (customerId: number) =>
			(await outbox.list(500, 'All', customerId)).map((m) => m.userId).sort();
		expect(await to(DEFAULT_CUSTOMER_ID)).toEqual([ann.id]);
		expect(await to(contoso.id)).toEqual([zoe.id, bea.id].sort());
	});
});
