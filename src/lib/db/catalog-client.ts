import * as Comlink from 'comlink';
import type { CatalogApi } from './catalog-index';

/**
 * The page's side of the catalogue worker (catalog-worker.ts), started on first use and kept: it holds
 * the catalogue in memory, so a later question is answered without reading it again.
 */
export function catalogWorker(): CatalogApi {
	let remote: Comlink.Remote<CatalogApi> | undefined;
	const worker = () =>
		(remote ??= Comlink.wrap<CatalogApi>(
			new Worker(new URL('./catalog-worker.ts', import.meta.url), { type: 'module' })
		));
	return {
		order: (query) => worker().order(query),
		matching: (terms, customerId) => worker().matching(terms, customerId),
		sites: (customerId) => worker().sites(customerId),
		idsOf: (customerId) => worker().idsOf(customerId),
		warm: () => worker().warm()
	};
}
