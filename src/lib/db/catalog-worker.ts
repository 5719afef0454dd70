import * as Comlink from 'comlink';
import { catalogAsItIs, catalogIndex, type CatalogApi } from './catalog-index';

/**
 * The catalogue worker: catalog-index.ts over this origin's database, off the page's thread. Its answers
 * are Float64Arrays, transferred (not copied) to the page. Only catalog-client.ts starts it.
 *
 * It only reads the catalogue, so it opens the database as it is (catalogAsItIs), not with the app's
 * schema: the schema's upgrades would bring the field registry and its phone metadata into this bundle,
 * which every device precaches.
 */
const index = catalogIndex(catalogAsItIs('rollcall'));
const transferred = (ids: Float64Array) => Comlink.transfer(ids, [ids.buffer]);

const api: CatalogApi = {
	order: async (query) => transferred(await index.order(query)),
	matching: async (terms, customerId) => transferred(await index.matching(terms, customerId)),
	sites: (customerId) => index.sites(customerId),
	idsOf: async (customerId) => transferred(await index.idsOf(customerId)),
	warm: () => index.warm()
};

Comlink.expose(api);
