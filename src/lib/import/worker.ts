import * as Comlink from 'comlink';
import { createWorkerApi } from './worker-api';

/** The import worker: the API of worker-api.ts, over this origin's database. Only bridge.ts starts it. */
Comlink.expose(createWorkerApi());
