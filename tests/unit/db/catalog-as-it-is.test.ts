import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { catalogAsItIs, catalogIndex, catalogSource, type CatalogQuery } from '$lib/db/catalog-index';
import { usersStore } from '$lib/db/users';
import { freshDb, person } from './helpers';

const everyone: CatalogQuery = {
	customerId: '',
	sort: 'name',
	isDescending: false,
	status: '',
	userType: '',
	site: '',
	group: ''
};

describe('the catalogue read from the database as it is (the catalogue worker)', () => {
	it('reads as empty while there is no database, and creates none', async () => {
		const name = `rollcall-missing-${Math.random()}`;
		const index = catalogIndex(catalogAsItIs(name));
		expect(Array.from(await index.order(everyone))).toEqual([]);
		expect(await index.sites('')).toEqual([]);
		expect((await indexedDB.databases()).map((db) => db.name)).not.toContain(name);
	});

	it('answers as the catalogue of the app’s own database does, and follows later writes', async () => {
		const db = freshDb('as-it-is');
		const users = usersStore(db);
		for (const [email, firstName, site] of [
			['zoe@example.com', 'Zoë', 'Leeds'],
			['adam@example.com', 'Adam', 'HQ'],
			['maria@example.com', 'María', 'York']
		] as const) {
			await users.add(person({ email, firstName, site }));
		}
		const asItIs = catalogIndex(catalogAsItIs(db.name));
		const own = catalogIndex(catalogSource(db));
		expect(Array.from(await asItIs.order(everyone))).toEqual(Array.from(await own.order(everyone)));
		expect(await asItIs.sites('')).toEqual(['HQ', 'Leeds', 'York']);
		expect(Array.from(await asItIs.matching(['mar'], ''))).toHaveLength(1);

		await users.add(person({ email: 'marek@example.com', firstName: 'Marek', site: 'Wells' }));
		expect(Array.from(await asItIs.matching(['mar'], ''))).toHaveLength(2);
		expect(await asItIs.sites('')).toEqual(['HQ', 'Leeds', 'Wells', 'York']);
	});
});
