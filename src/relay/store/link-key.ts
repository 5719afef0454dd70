import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The file in the data folder that holds the key activation links are derived from. */
export const LINK_KEY_FILE = 'link-key';

/**
 * The relay's link key: 32 random bytes made on first start and kept beside the database, never in it, so
 * a copy of relay.sqlite alone (idempotency keys and link hashes) opens no link. Created with 'wx' so a
 * relay and a CLI starting at once agree on one key; readable by the relay's user only.
 */
export function loadLinkKey(dataDir: string): Buffer {
	const file = path.join(dataDir, LINK_KEY_FILE);
	try {
		writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
	}
	const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
	if (key.length < 32) {
		throw new Error(
			`The link key in ${file} is damaged (shorter than 32 bytes). Delete the file to make a new one; links already sent then stop working.`
		);
	}
	return key;
}

/**
 * The activation link token of one message: the same for every attempt to deliver it (a retry after an
 * SMTP 4xx or a crash carries the link the first attempt may already have delivered), different for every
 * message, and unguessable without the key. 43 characters of base64url, like a random token.
 */
export function messageLinkToken(key: Buffer, idempotencyKey: string): string {
	return createHmac('sha256', key).update(`activation-link\0${idempotencyKey}`, 'utf8').digest('base64url');
}
