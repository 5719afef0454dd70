import { addressBookStore } from './address-book';
import { backupStore } from './backup';
import { catalogWorker } from './catalog-client';
import { commandsStore } from './commands';
import { computersStore } from './computers';
import { createDb } from './database';
import { customersStore } from './customers';
import { customAttributesStore } from './custom-attributes';
import { eventsStore } from './events';
import { groupsStore } from './groups';
import { importsStore } from './imports';
import { licensesStore } from './licenses';
import { outboxStore } from './outbox';
import { profilesStore } from './profiles';
import { relayStore } from './relay';
import { rolesStore } from './roles';
import { settingsStore } from './settings';
import { usersStore } from './users';

/** The app's database (created lazily by Dexie on first use) and its table modules. */
export const db = createDb();
// The catalogue is answered by its worker in a browser; where there are no workers (unit tests), in-process.
export const users = usersStore(db, typeof Worker === 'undefined' ? undefined : catalogWorker());
export const settings = settingsStore(db);
export const imports = importsStore(db);
export const relay = relayStore(db);
export const outbox = outboxStore(db, relay);
export const relayEvents = eventsStore(db, relay);
export const commands = commandsStore(db);
export const computers = computersStore(db);
export const customers = customersStore(db);
export const customAttributes = customAttributesStore(db);
export const backups = backupStore(db);
export const licenses = licensesStore(db);
export const groups = groupsStore(db);
export const roles = rolesStore(db);
export const profiles = profilesStore(db);
export const addressBook = addressBookStore(db);
