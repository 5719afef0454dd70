import * as Comlink from 'comlink';
import { createBackupWorkerApi } from '$lib/backup/worker-api';
import { createExportWorkerApi } from '$lib/export/worker-api';

/**
 * The worker of exports and backups. One script for both, because each carries Dexie, the app's schema
 * and the field registry: two scripts made every device download and precache them twice. Each instance
 * still serves one of them, named by the bridge that starts it (export/bridge.ts, backup/bridge.ts, the
 * only modules that do): each bridge owns and stops its own instance, so cancelling an export never
 * touches a backup running beside it.
 */
const apis = { export: createExportWorkerApi, backup: createBackupWorkerApi };

const role = self.name;
if (role !== 'export' && role !== 'backup') {
	throw new Error(`The files worker was started as “${role}”, not as “export” or “backup”.`);
}
Comlink.expose(apis[role]());
