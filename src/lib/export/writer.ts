import type { FieldContext } from '$lib/domain/fields';
import type { FieldPolicy } from '$lib/domain/policy';
import type { User } from '$lib/domain/user';
import { csvPieces } from './csv';
import { scimPieces } from './scim';
import { tableShape, type ExportShape } from './shapes';
import { vcardNotes, vcardPieces } from './vcard';
import { XLSX_MAX_ROWS, xlsxPieces } from './xlsx';

export { exportShapes, shapeNames, type ExportShape } from './shapes';

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
	/**
	 * For SCIM: the customer's groups, written as Group resources (RFC 7643 §4.2) with the exported users
	 * who are in them; each user's `groups` names them by these ids. Absent: no Group resources.
	 */
	groups?: readonly { id: number; name: string }[];
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

const MIME = {
	csv: 'text/csv;charset=utf-8',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	scim: 'application/scim+json',
	vcard: 'text/vcard;charset=utf-8'
} as const satisfies Record<ExportFormat, string>;

const EXTENSION = { csv: 'csv', xlsx: 'xlsx', scim: 'json', vcard: 'vcf' } as const satisfies Record<
	ExportFormat,
	string
>;

interface Pieces {
	begin(): Uint8Array;
	write(users: readonly User[]): Uint8Array;
	end(): Uint8Array;
}

/** The writer around a format's pieces: the name, type, cap, notes and who is included. */
function writerOf(
	request: ExportRequest,
	pieces: Pieces,
	rest: Pick<ExportWriter, 'maxUsersPerFile' | 'notes' | 'includes'> & { prefix: string }
): ExportWriter {
	const { format, now } = request;
	return {
		maxUsersPerFile: rest.maxUsersPerFile,
		fileName: (part, parts) => exportFileName(rest.prefix, now, EXTENSION[format], part, parts),
		mimeType: MIME[format],
		notes: rest.notes,
		includes: rest.includes,
		begin: () => pieces.begin(),
		write: (users) => pieces.write(users),
		end: () => pieces.end()
	};
}

const everyone = () => true;

/** The writer of one export. */
export function createWriter(request: ExportRequest): ExportWriter {
	const { format, policy } = request;
	if (format === 'csv' || format === 'xlsx') {
		const shape = tableShape(request.shape, policy);
		const pieces = format === 'csv' ? csvPieces(shape, request.delimiter) : xlsxPieces(shape);
		const { maxUsersPerFile, notes } = shape;
		return writerOf(request, pieces, { maxUsersPerFile, notes, includes: everyone, prefix: shape.shape });
	}
	if (format === 'scim') {
		const pieces = scimPieces(policy, request.total, request.groups);
		return writerOf(request, pieces, {
			maxUsersPerFile: Infinity,
			notes: [],
			includes: everyone,
			prefix: 'rollcall'
		});
	}
	const pieces = vcardPieces(policy);
	return writerOf(request, pieces, {
		maxUsersPerFile: Infinity,
		notes: vcardNotes(policy),
		includes: pieces.includes,
		prefix: 'rollcall'
	});
}

/**
 * The most cells an XLSX export may have: what Rollcall's own import reads in one sheet
 * (DEFAULT_MAX_CELLS in import/xlsx.ts, which the page cannot import: it pulls SheetJS in), so every
 * workbook Rollcall writes it can read back. A test keeps the two equal.
 */
export const XLSX_MAX_CELLS = 2_000_000;

const count = (n: number) => n.toLocaleString('en');

/**
 * Why a format cannot be written at this size, in the admin's words and offering CSV, or undefined.
 * Checked before starting. CSV, SCIM and vCard stream with no limit; an XLSX sheet has a row limit, and
 * Rollcall reads back at most XLSX_MAX_CELLS cells of one (the shape and policy, when given, say how many
 * columns there are; else the fewest any export has, Rollcall's own with only the email shown).
 */
export function exportLimit(
	request: Pick<ExportRequest, 'format' | 'total'> & Partial<ExportRequest>
): string | undefined {
	if (request.format !== 'xlsx') return undefined;
	const shape = request.policy ? tableShape(request.shape ?? 'rollcall', request.policy) : undefined;
	const perFile = Math.min(request.total, shape?.maxUsersPerFile ?? Infinity);
	const rows = perFile + (shape ? shape.preamble.length + 1 : 1);
	const columns = shape?.columns.length ?? 4;
	const instead = 'Export as CSV instead: Excel opens it too.';
	if (rows > XLSX_MAX_ROWS) {
		return `An Excel sheet holds at most ${count(XLSX_MAX_ROWS - 1)} users, and this export has ${count(perFile)}. ${instead}`;
	}
	if (perFile * columns > XLSX_MAX_CELLS) {
		return `An XLSX of ${count(perFile)} users with ${count(columns)} columns would have ${count(perFile * columns)} cells: more than Rollcall can read back from one sheet (${count(XLSX_MAX_CELLS)}), and more than a tablet's spreadsheet app opens comfortably. ${instead}`;
	}
	return undefined;
}
