import { createDb } from './database';
import { importsStore } from './imports';
import { settingsStore } from './settings';
import { usersStore } from './users';

/** The app's database (created lazily by Dexie on first use) and its table modules. */
export const db = createDb();
export const users = usersStore(db);
export const settings = settingsStore(db);
export const imports = importsStore(db);
