import { addressBookStore } from './address-book';
import { backupStore } from './backup';
import { commandsStore } from './commands';
import { createDb } from './database';
import { customAttributesStore } from './custom-attributes';
import { eventsStore } from './events';
import { importsStore } from './imports';
import { outboxStore } from './outbox';
import { profilesStore } from './profiles';
import { relayStore } from './relay';
import { rolesStore } from './roles';
import { settingsStore } from './settings';
import { usersStore } from './users';

/** The app's database (created lazily by Dexie on first use) and its table modules. */
export const db = createDb();
export const users = usersStore(db);
export const settings = settingsStore(db);
export const imports = importsStore(db);
export const relay = relayStore(db);
export const outbox = outboxStore(db, relay);
export const relayEvents = eventsStore(db, relay);
export const commands = commandsStore(db);
export const customAttributes = customAttributesStore(db);
export const backups = backupStore(db);
export const roles = rolesStore(db);
export const profiles = profilesStore(db);
export const addressBook = addressBookStore(db);
