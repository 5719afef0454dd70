import * as Comlink from 'comlink';
import { createExportWorkerApi } from './worker-api';

/** The export worker: the API of worker-api.ts, over this origin's database. Only bridge.ts starts it. */
Comlink.expose(createExportWorkerApi());
