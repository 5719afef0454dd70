import type { FieldContext } from '$lib/domain/fields';
import type { FieldPolicy } from '$lib/domain/policy';
import type { User } from '$lib/domain/user';
import { csvPieces } from './csv';
import { tableShape, type ExportShape, type TableShape } from './shapes';

export { exportShapes, type ExportShape } from './shapes';

/**
 * The pure core of an export: one writer per file format, fed pages of users, giving back bytes. The
 * runner (worker, progress, cancel, streaming to disk) lives elsewhere and holds no format knowledge.
 * No writer ever reads a sensitive field (values.ts), so no export can hold a password.
 */

export const exportFormats = ['csv', 'xlsx', 'scim', 'vcard'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ExportRequest {
	format: ExportFormat;
	/** For csv and xlsx: whose import file the columns and headers follow. SCIM and vCard ignore it. */
	shape: ExportShape;
	/** For csv: ',' or ';' (European Excel). */
	delimiter: ',' | ';';
	/** Which fields the 'rollcall' shape writes (visibleFields), and which fields vendor shapes may fill. */
	policy: FieldPolicy;
	context: FieldContext;
	/** How many users will be written in all (SCIM's totalResults; whether files must be split). */
	total: number;
	/** The export's time, for timestamps and file names. */
	now: number;
}

export interface ExportWriter {
	/** The most users one file may hold (Microsoft 365: 249); Infinity when there is no cap. The runner starts a new file after so many (and may zip the parts). */
	readonly maxUsersPerFile: number;
	/** The file name of part `part` (1-based) of `parts`, e.g. 'rollcall-users-2026-12-07.csv', 'microsoft-365-users-2026-12-07-part-2-of-5.csv'. */
	fileName(part: number, parts: number): string;
	readonly mimeType: string;
	/** What the admin must know before uploading the file elsewhere ('fill the Initial password column...'); may be empty. */
	readonly notes: readonly string[];
	/**
	 * Whether the user belongs in this export: false only for vCard's users outside the global address
	 * book. The runner filters with it (and counts with it, for `total` and progress); `write` also skips
	 * users it does not include, so a runner that forgets still writes no one it should not.
	 */
	includes(user: User): boolean;
	/** The bytes that open a file (BOM, header row, Entra's version row, JSON opening...). */
	begin(part: number): Uint8Array;
	/** The bytes of a page of users (called with pages of ~1,000 users; keeps no reference to them). */
	write(users: readonly User[]): Uint8Array;
	/** The bytes that close a file. */
	end(): Uint8Array;
}

/** The date of the export in file names: UTC, so a file's name does not depend on the device's zone. */
const dateOf = (now: number) => new Date(now).toISOString().slice(0, 10);

/** 'rollcall-users-2026-12-07.csv', or '...-part-2-of-5.csv' when the export is split. */
export function exportFileName(prefix: string, now: number, extension: string, part = 1, parts = 1): string {
	const suffix = parts > 1 ? `-part-${part}-of-${parts}` : '';
	return `${prefix}-users-${dateOf(now)}${suffix}.${extension}`;
}

function csvWriter(request: ExportRequest, shape: TableShape): ExportWriter {
	const pieces = csvPieces(shape, request.delimiter);
	return {
		maxUsersPerFile: shape.maxUsersPerFile,
		fileName: (part, parts) => exportFileName(shape.shape, request.now, 'csv', part, parts),
		mimeType: 'text/csv;charset=utf-8',
		notes: shape.notes,
		includes: () => true,
		begin: () => pieces.begin(),
		write: (users) => pieces.write(users),
		end: () => pieces.end()
	};
}

/** The writer of one export. */
export function createWriter(request: ExportRequest): ExportWriter {
	switch (request.format) {
		case 'csv':
			return csvWriter(request, tableShape(request.shape, request.policy));
		default:
			throw new Error(`${request.format} exports are not written yet.`);
	}
}

/**
 * Why a format cannot be written at this size, in the admin's words and offering CSV, or undefined.
 * Checked before starting. The shape and policy, when given, say how many columns there are.
 */
export function exportLimit(
	request: Pick<ExportRequest, 'format' | 'total'> & Partial<ExportRequest>
): string | undefined {
	void request;
	return undefined;
}
