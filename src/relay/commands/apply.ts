import type { DatabaseSync } from 'node:sqlite';
import {
	ACCOUNT_COMMAND_TYPES,
	IDEMPOTENCY_KEY_PATTERN,
	type AccountCommand,
	type AccountCommandType,
	type CommandResult
} from '../../lib/domain/relay-protocol.ts';
import { NOT_SENT } from '../delivery/loop.ts';
import { checkComputerName, checkLicense } from '../messages/validate.ts';
import { forgetMessagesOf, revokeLinks } from '../store/accounts.ts';
import { transaction } from '../store/database.ts';
import { recordEvent } from '../store/events.ts';
import { deactivateComputer, setLicense } from '../store/licenses.ts';
import { sha256 } from '../store/secrets.ts';

const USER_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** The fields each command may have besides idempotencyKey, type and userId. */
const EXTRA_FIELDS: Record<AccountCommandType, readonly string[]> = {
	suspend: [],
	reactivate: [],
	delete: [],
	license: ['license'],
	deactivate: ['computer']
};

/** What applying one command did, for the operator log. */
export interface Applied {
	readonly type: AccountCommandType;
	readonly userId: string;
	readonly linksRevoked: number;
	readonly messagesStopped: number;
}

export interface ApplyOptions {
	readonly deviceId: string;
	readonly now?: number;
	/** Called for each command applied for the first time (not for replays). */
	readonly onApplied?: (applied: Applied) => void;
}

type Checked = { ok: true; command: AccountCommand } | { ok: false; reason: string };

function check(raw: unknown): Checked {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
		return { ok: false, reason: 'Each command must be a JSON object.' };
	}
	const record = raw as Record<string, unknown>;
	const { idempotencyKey, type, userId } = record;
	if (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
		return { ok: false, reason: 'idempotencyKey must be 16 to 128 characters of letters, digits, _ and -.' };
	}
	if (!ACCOUNT_COMMAND_TYPES.includes(type as AccountCommandType)) {
		return { ok: false, reason: `type must be one of ${ACCOUNT_COMMAND_TYPES.join(', ')}.` };
	}
	const known = type as AccountCommandType;
	const allowed = new Set(['idempotencyKey', 'type', 'userId', ...EXTRA_FIELDS[known]]);
	const unknown = Object.keys(record).filter((key) => !allowed.has(key));
	if (unknown.length > 0) {
		return {
			ok: false,
			reason: `The ${known} command has fields the relay does not take: ${unknown.join(', ').slice(0, 200)}.`
		};
	}
	if (typeof userId !== 'string' || !USER_ID.test(userId)) {
		return { ok: false, reason: "userId must be the user's id: 1 to 100 letters, digits, _ and -." };
	}
	if (known === 'license') {
		const license = checkLicense(record.license, 'license');
		if (!license.ok) return license;
		if (!license.value) return { ok: false, reason: 'license is required for a license command.' };
		return { ok: true, command: { idempotencyKey, type: known, userId, license: license.value } };
	}
	if (known === 'deactivate') {
		const computer = checkComputerName(record.computer, 'computer');
		if (!computer.ok) return computer;
		return { ok: true, command: { idempotencyKey, type: known, userId, computer: computer.value } };
	}
	return { ok: true, command: { idempotencyKey, type: known, userId } };
}

/** What a command's idempotency key stands for: its type, user and payload (keys in a fixed order). */
function bodyOf({ type, userId, license, computer }: AccountCommand): string {
	if (license) {
		const { licenseKey, entitlements, webAccess } = license;
		return `${type}\0${userId}\0${JSON.stringify([licenseKey, entitlements, webAccess ?? null])}`;
	}
	if (computer !== undefined) return `${type}\0${userId}\0${computer}`;
	return `${type}\0${userId}`;
}

/**
 * Applies one batch of account commands in order, in one transaction: an 'applied' answer is on disk. A key
 * seen before with the same type and user is answered again without a second effect; with another, refused.
 */
export function applyCommands(
	db: DatabaseSync,
	commands: readonly unknown[],
	options: ApplyOptions
): CommandResult[] {
	const now = options.now ?? Date.now();
	const findByKey = db.prepare('SELECT body_hash FROM commands WHERE idempotency_key = ?');
	const insert = db.prepare(
		'INSERT INTO commands (idempotency_key, body_hash, device_id, type, user_id, applied_at) VALUES (?, ?, ?, ?, ?, ?)'
	);
	const done: Applied[] = [];
	const results = transaction(db, () =>
		commands.map((raw, index): CommandResult => {
			const checked = check(raw);
			if (!checked.ok) {
				const key = (raw as { idempotencyKey?: unknown } | null)?.idempotencyKey;
				return {
					idempotencyKey: typeof key === 'string' ? key.slice(0, 128) : `#${index}`,
					status: 'rejected',
					code: 'invalid',
					reason: checked.reason
				};
			}
			const { idempotencyKey, type, userId } = checked.command;
			const bodyHash = sha256(bodyOf(checked.command));
			const existing = findByKey.get(idempotencyKey) as { body_hash: string } | undefined;
			if (existing) {
				return existing.body_hash === bodyHash
					? { idempotencyKey, status: 'applied', replayed: true }
					: {
							idempotencyKey,
							status: 'rejected',
							code: 'idempotency-conflict',
							reason: 'This idempotency key was already used for a different command; the first one stands.'
						};
			}
			insert.run(idempotencyKey, bodyHash, options.deviceId, type, userId, now);
			done.push(applyTo(db, checked.command, now));
			return { idempotencyKey, status: 'applied', replayed: false };
		})
	);
	for (const applied of done) options.onApplied?.(applied);
	return results;
}

/** The command's effect on the account (created bare if the relay has not heard of it: it must hold later). */
function applyTo(db: DatabaseSync, command: AccountCommand, now: number): Applied {
	const { type, userId } = command;
	db.prepare('INSERT INTO accounts (user_id, updated_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING').run(
		userId,
		now
	);
	if (type === 'license' && command.license) {
		setLicense(db, userId, command.license, now);
		return { type, userId, linksRevoked: 0, messagesStopped: 0 };
	}
	if (type === 'deactivate' && command.computer !== undefined) {
		deactivateComputer(db, userId, command.computer, now);
		return { type, userId, linksRevoked: 0, messagesStopped: 0 };
	}
	if (type === 'reactivate') {
		db.prepare(
			'UPDATE accounts SET suspended_at = NULL, deleted_at = NULL, updated_at = ? WHERE user_id = ?'
		).run(now, userId);
		return { type, userId, linksRevoked: 0, messagesStopped: 0 };
	}
	if (type === 'suspend') {
		db.prepare(
			'UPDATE accounts SET suspended_at = coalesce(suspended_at, ?), updated_at = ? WHERE user_id = ?'
		).run(now, now, userId);
	} else {
		db.prepare(
			`UPDATE accounts SET deleted_at = coalesce(deleted_at, ?), email = NULL, username = NULL, display_name = NULL,
			   password_hash = NULL, must_change_password = 0, license_key_hash = NULL, entitlements = NULL,
			   updated_at = ? WHERE user_id = ?`
		).run(now, now, userId);
		// Their computers' slots go with the license: nothing of theirs is kept.
		db.prepare('DELETE FROM computers WHERE user_id = ?').run(userId);
	}
	const linksRevoked = revokeLinks(db, userId, now);
	const messagesStopped = stopWaitingMessages(db, userId, type === 'delete' ? 'deleted' : 'suspended', now);
	// A message on its way now is forgotten when it lands (the delivery loop checks).
	if (type === 'delete') forgetMessagesOf(db, userId);
	return { type, userId, linksRevoked, messagesStopped };
}

/** Messages about the user still waiting to leave will not: each becomes undeliverable, with its event. */
function stopWaitingMessages(
	db: DatabaseSync,
	userId: string,
	why: 'suspended' | 'deleted',
	now: number
): number {
	const reason = NOT_SENT[why];
	const stopped = db
		.prepare(
			`UPDATE messages SET state = 'undeliverable', finished_at = ?, last_error = ?,
			   payload = json_remove(payload, '$.values.password')
			 WHERE user_id = ? AND state = 'queued' RETURNING idempotency_key`
		)
		.all(now, reason, userId) as unknown as { idempotency_key: string }[];
	for (const row of stopped) {
		recordEvent(db, { type: 'undeliverable', userId, idempotencyKey: row.idempotency_key, reason }, now);
	}
	return stopped.length;
}
