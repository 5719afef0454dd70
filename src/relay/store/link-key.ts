import { createHmac } from 'node:crypto';
import { loadKeyFile } from './secrets.ts';

/** The file in the data folder that holds the key activation links are derived from. */
export const LINK_KEY_FILE = 'link-key';

/**
 * The relay's link key, kept beside the database and never in it, so a copy of relay.sqlite alone
 * (idempotency keys and link hashes) opens no link.
 */
export function loadLinkKey(dataDir: string): Buffer {
	return loadKeyFile(dataDir, LINK_KEY_FILE, 'links already sent then stop working');
}

/**
 * The activation link token of one message: the same for every attempt to deliver it (a retry after an
 * SMTP 4xx or a crash carries the link the first attempt may already have delivered), different for every
 * message, and unguessable without the key. 43 characters of base64url, like a random token.
 */
export function messageLinkToken(key: Buffer, idempotencyKey: string): string {
	return createHmac('sha256', key).update(`activation-link\0${idempotencyKey}`, 'utf8').digest('base64url');
}
