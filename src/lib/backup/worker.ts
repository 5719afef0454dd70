import * as Comlink from 'comlink';
import { createBackupWorkerApi } from './worker-api';

/** The backup worker: the API of worker-api.ts, over this origin's database. Only bridge.ts starts it. */
Comlink.expose(createBackupWorkerApi());
