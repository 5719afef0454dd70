import type { DatabaseSync } from 'node:sqlite';
import {
	LICENSED_PRODUCTS,
	MAX_COMPUTERS,
	type ActivationRefusal,
	type LicensedProduct,
	type LicenseFacts
} from '../../lib/domain/relay-protocol.ts';
import { transaction } from './database.ts';
import { recordEvent } from './events.ts';
import { sha256 } from './secrets.ts';

// A user's license at the relay: the hash of their key (never the key: a copy of the database activates
// nothing), their products, their web-access switch, and the computers holding their Desktop slots.

/** How the key is stored and compared: its grouped form (readLicenseKey's), hashed. Keys carry ~95 random bits. */
export function licenseKeyHash(groupedKey: string): string {
	return sha256(`license-key\0${groupedKey}`);
}

function entitlementsText(products: readonly LicensedProduct[]): string {
	return LICENSED_PRODUCTS.filter((product) => products.includes(product)).join(';');
}

function webAccessValue(webAccess: boolean | undefined): number | null {
	return webAccess === undefined ? null : webAccess ? 1 : 0;
}

/**
 * Sets the account's license (a 'license' command; call inside its transaction): a new key replaces the
 * old one at once. Creates the account bare if the relay has not heard of it yet; a deleted account keeps
 * no license. A new key, or a license without Desktop, frees every computer the old license held: the
 * app drops them from the user's page, and a Desktop granted again starts with all its slots free.
 */
export function setLicense(db: DatabaseSync, userId: string, license: LicenseFacts, now = Date.now()): void {
	db.prepare('INSERT INTO accounts (user_id, updated_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING').run(
		userId,
		now
	);
	const before = db.prepare('SELECT license_key_hash FROM accounts WHERE user_id = ?').get(userId) as
		{ license_key_hash: string | null } | undefined;
	const keyHash = licenseKeyHash(license.licenseKey);
	const result = db
		.prepare(
			`UPDATE accounts SET license_key_hash = ?, entitlements = ?, web_access = ?, updated_at = ?
			 WHERE user_id = ? AND deleted_at IS NULL`
		)
		.run(keyHash, entitlementsText(license.entitlements), webAccessValue(license.webAccess), now, userId);
	if (Number(result.changes) === 0) return;
	if (before?.license_key_hash !== keyHash || !license.entitlements.includes('Desktop')) {
		freeAllComputers(db, userId, now);
	}
}

/** Frees every computer of the account, each with the event the app drops it from the user's page by. */
function freeAllComputers(db: DatabaseSync, userId: string, now: number): void {
	const held = computersOf(db, userId);
	db.prepare('DELETE FROM computers WHERE user_id = ?').run(userId);
	for (const computer of held) {
		recordEvent(db, { type: 'computer-deactivated', userId, computer: computer.name }, now);
	}
}

/**
 * The license a message carries, taken only when the account has none yet: once it has one, 'license'
 * commands keep it current (they reach the relay before any message queued after them), and a message
 * queued earlier must not bring an old key back.
 */
export function fillLicense(db: DatabaseSync, userId: string, license: LicenseFacts, now = Date.now()): void {
	db.prepare(
		`UPDATE accounts SET license_key_hash = ?, entitlements = ?, web_access = ?, updated_at = ?
		 WHERE user_id = ? AND license_key_hash IS NULL AND deleted_at IS NULL`
	).run(
		licenseKeyHash(license.licenseKey),
		entitlementsText(license.entitlements),
		webAccessValue(license.webAccess),
		now,
		userId
	);
}

/** Whether `groupedKey` is the account's key, or the account has no key to compare it with (an older app). */
export function isCurrentKey(db: DatabaseSync, userId: string, groupedKey: string): boolean {
	const row = db.prepare('SELECT license_key_hash FROM accounts WHERE user_id = ?').get(userId) as
		{ license_key_hash: string | null } | undefined;
	return !row?.license_key_hash || row.license_key_hash === licenseKeyHash(groupedKey);
}

/** Whether the app turned the account's web access off (never told: on, as before licenses existed). */
export function isWebAccessOff(db: DatabaseSync, userId: string): boolean {
	const row = db.prepare('SELECT web_access FROM accounts WHERE user_id = ?').get(userId) as
		{ web_access: number | null } | undefined;
	return row?.web_access === 0;
}

export interface ActivatedComputer {
	readonly name: string;
	readonly activatedAt: number;
}

export function computersOf(db: DatabaseSync, userId: string): ActivatedComputer[] {
	return (
		db
			.prepare('SELECT name, activated_at FROM computers WHERE user_id = ? ORDER BY activated_at, name')
			.all(userId) as unknown as { name: string; activated_at: number }[]
	).map((row) => ({ name: row.name, activatedAt: row.activated_at }));
}

/** The form a computer's name is compared in: 'Office-PC' and 'office-pc ' are one computer. */
export function computerNameKey(name: string): string {
	return name.normalize('NFKC').trim().toLowerCase();
}

export type ActivationOutcome =
	| { ok: true; userId: string; computer: ActivatedComputer; replayed: boolean }
	| { ok: false; refusal: ActivationRefusal; userId?: string; computers?: ActivatedComputer[] };

/**
 * Activates the Desktop license of the account with this email and key on `computer`, in one write
 * transaction: two activations at once cannot both take the last slot. An already activated computer is
 * activated again without a change. The event the app pulls is recorded in the same transaction.
 */
export function activateComputer(
	db: DatabaseSync,
	request: { email: string; groupedKey: string; computer: string },
	now = Date.now()
): ActivationOutcome {
	return transaction(db, (): ActivationOutcome => {
		// An address may belong to accounts of several customers: the key says whose it is. Found by the
		// key's hash (indexed: the request needs no token), then the email compared.
		const email = request.email.toLowerCase();
		const account = (
			db
				.prepare(
					`SELECT user_id, email, entitlements, suspended_at, deleted_at FROM accounts
					 WHERE license_key_hash = ?`
				)
				.all(licenseKeyHash(request.groupedKey)) as unknown as {
				user_id: string;
				email: string | null;
				entitlements: string | null;
				suspended_at: number | null;
				deleted_at: number | null;
			}[]
		).find((row) => row.email?.toLowerCase() === email);
		if (!account) return { ok: false, refusal: 'license-not-recognised' };
		const userId = account.user_id;
		if (account.suspended_at !== null || account.deleted_at !== null) {
			return { ok: false, refusal: 'license-not-usable', userId };
		}
		if (!(account.entitlements ?? '').split(';').includes('Desktop')) {
			return { ok: false, refusal: 'no-desktop-license', userId };
		}
		const nameKey = computerNameKey(request.computer);
		const held = db
			.prepare('SELECT name, activated_at FROM computers WHERE user_id = ? AND name_key = ?')
			.get(userId, nameKey) as { name: string; activated_at: number } | undefined;
		if (held) {
			return {
				ok: true,
				userId,
				computer: { name: held.name, activatedAt: held.activated_at },
				replayed: true
			};
		}
		const computers = computersOf(db, userId);
		if (computers.length >= MAX_COMPUTERS) {
			return { ok: false, refusal: 'activation-limit', userId, computers };
		}
		const name = request.computer.normalize('NFC').trim();
		db.prepare('INSERT INTO computers (user_id, name, name_key, activated_at) VALUES (?, ?, ?, ?)').run(
			userId,
			name,
			nameKey,
			now
		);
		recordEvent(db, { type: 'computer-activated', userId, computer: name }, now);
		return { ok: true, userId, computer: { name, activatedAt: now }, replayed: false };
	});
}

/**
 * Frees `computer`'s slot (a 'deactivate' command; call inside its transaction). The event is recorded
 * even when the relay held no such computer, so the app stops waiting for it.
 */
export function deactivateComputer(
	db: DatabaseSync,
	userId: string,
	computer: string,
	now = Date.now()
): boolean {
	const result = db
		.prepare('DELETE FROM computers WHERE user_id = ? AND name_key = ?')
		.run(userId, computerNameKey(computer));
	recordEvent(db, { type: 'computer-deactivated', userId, computer: computer.normalize('NFC').trim() }, now);
	return Number(result.changes) > 0;
}
