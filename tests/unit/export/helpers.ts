import type { FieldContext, FieldKey, FieldValue } from '../../../src/lib/domain/fields';
import { defaultPolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import { userKeys, type User, type UserFields } from '../../../src/lib/domain/user';
import type { ExportRequest } from '../../../src/lib/export/writer';

export const gb: FieldContext = { defaultCountry: 'GB' };

/** 2026-12-07T09:30:00Z: the export's pinned clock. */
export const NOW = Date.UTC(2026, 11, 7, 9, 30);

/** A stored user: the fields given, the keys derived, timestamps pinned. */
export function storedUser(
	fields: Partial<Record<FieldKey, FieldValue>> & { email: string },
	rest: Partial<User> = {}
): User {
	// The registry's newer fields are stored flat on the user like the others (UserFields lists the older ones).
	const values = { userType: 'Standard', site: 'HQ', inGlobalAddressBook: false, ...fields } as UserFields;
	return {
		...values,
		...userKeys(values, 1),
		customerId: 1,
		id: 1,
		status: 'Active',
		hasPassword: false,
		createdAt: Date.UTC(2026, 0, 2, 3, 4, 5),
		updatedAt: Date.UTC(2026, 1, 2, 3, 4, 5),
		activatedAt: Date.UTC(2026, 0, 3, 8, 0),
		lastLoginAt: Date.UTC(2026, 11, 6, 17, 45),
		...rest
	};
}

export function request(
	overrides: Partial<ExportRequest> = {},
	policy: FieldPolicy = defaultPolicy
): ExportRequest {
	return {
		format: 'csv',
		shape: 'rollcall',
		delimiter: ',',
		policy,
		context: gb,
		total: 1,
		now: NOW,
		...overrides
	};
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The bytes a writer gives for one file of these users, as text (the BOM kept). */
export function writeAll(
	writer: { begin(part: number): Uint8Array; write(users: readonly User[]): Uint8Array; end(): Uint8Array },
	users: readonly User[]
): Uint8Array {
	const pieces = [writer.begin(1), writer.write(users), writer.end()];
	const out = new Uint8Array(pieces.reduce((sum, p) => sum + p.length, 0));
	let at = 0;
	for (const piece of pieces) {
		out.set(piece, at);
		at += piece.length;
	}
	return out;
}

export const text = (bytes: Uint8Array) => decoder.decode(bytes);
