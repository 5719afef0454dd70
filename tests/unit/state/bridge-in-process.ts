import type { BridgeOptions } from '$lib/import/bridge';
import { db } from '$lib/db';
import { analyseFile } from '$lib/import/pipeline';

/**
 * The import bridge with the worker's work done in this process, for tests of the import session's own
 * logic: `vi.mock('$lib/import/bridge', () => import('./bridge-in-process'))`.
 */
export async function analyse(file: File, options: BridgeOptions) {
	const bytes = new Uint8Array(await file.arrayBuffer());
	// As the worker does with readsDirectory: the stored users, by email, with their values.
	const directory = options.readsDirectory
		? new Map((await db.users.toArray()).map((user) => [user.emailKey, { id: user.id, values: user }]))
		: undefined;
	const result = analyseFile({ name: file.name, bytes }, { ...options, directory });
	if (!result.ok) throw new Error(result.message);
	return result.value;
}

export const commitInWorker = () => Promise.resolve(undefined);

/** This process holds every row: nothing to fetch, and no worker to build the errors file. */
export const isWhole = () => true;
export const wholeAnalysis = <T>(analysis: T) => Promise.resolve(analysis);
export const errorsFileInWorker = () => Promise.resolve(undefined);
