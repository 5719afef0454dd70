// The backup file: one JSON object whose first line is Rollcall's header and whose rest is a Dexie export
// (dexie-export-import's format: formatName "dexie", data.tables, data.data). Laid out as
//   {"rollcall":{"format":"rollcall-backup","formatVersion":1,"sha256":"…","meta":{…}},
//   "formatName":"dexie","formatVersion":1,"data":{…}}
// so the header can be read (and the file refused) without parsing 100,000 users, and the whole file is
// still JSON. The SHA-256 covers the meta and every byte after the first line: a damaged or cut file is
// refused before anything is written. Pure: no Dexie, no DOM.
import { fail, ok, type Parsed } from '$lib/domain/result';

export const BACKUP_FORMAT = 'rollcall-backup';
/** The format this version writes, and the newest it reads. */
export const BACKUP_VERSION = 1;

/** How many records of each table a backup holds. */
export type BackupCounts = Record<string, number>;

/** What the header says about the backup (covered by the checksum). */
export interface BackupMeta {
	/** When it was made (ms since the epoch). */
	createdAt: number;
	/** Bytes after the header line: a file with fewer was cut short. */
	bodyBytes: number;
	counts: BackupCounts;
	/** Queued messages carrying a password, left out of the file so no password leaves the device. */
	passwordMessagesLeftOut: number;
}

interface BackupHeader {
	format: typeof BACKUP_FORMAT;
	formatVersion: number;
	sha256: string;
	meta: BackupMeta;
}

/** One table of a Dexie export, with its rows (inbound keys: the rows are the records). */
export interface ExportedTable {
	tableName: string;
	inbound: boolean;
	rows: unknown[];
}

/** The Dexie export a backup carries. */
export interface DexieExport {
	formatName: 'dexie';
	formatVersion: number;
	data: {
		databaseName: string;
		databaseVersion: number;
		tables: { name: string; schema: string; rowCount: number }[];
		data: ExportedTable[];
	};
}

/** A backup read and checked: its header and its tables' rows by name. */
export interface OpenedBackup {
	meta: BackupMeta;
	databaseVersion: number;
	tables: Map<string, unknown[]>;
}

const encoder = new TextEncoder();
const NEWLINE = 0x0a;

/** The SHA-256 of the meta (as JSON) and the body, in hex. */
async function checksum(meta: BackupMeta, body: Uint8Array): Promise<string> {
	const head = encoder.encode(`${JSON.stringify(meta)}\n`);
	const all = new Uint8Array(head.length + body.length);
	all.set(head);
	all.set(body, head.length);
	const digest = await crypto.subtle.digest('SHA-256', all);
	return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The file's bytes for a Dexie export (exportDB's JSON, `{"formatName":…}`): the header line, then the
 * export without its opening brace, which the header's line opens instead.
 */
export async function sealBackup(
	exported: Uint8Array,
	meta: Omit<BackupMeta, 'bodyBytes'>
): Promise<Uint8Array[]> {
	if (exported[0] !== 0x7b) throw new Error('The database export is not a JSON object.');
	const body = exported.subarray(1);
	const full: BackupMeta = { ...meta, bodyBytes: body.length };
	const header: BackupHeader = {
		format: BACKUP_FORMAT,
		formatVersion: BACKUP_VERSION,
		sha256: await checksum(full, body),
		meta: full
	};
	return [encoder.encode(`{"rollcall":${JSON.stringify(header)},\n`), body];
}

/** The file name a backup is saved under: rollcall-backup-2026-12-07.json (the day it was made, local). */
export function backupFileName(at: number): string {
	const day = new Date(at);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${BACKUP_FORMAT}-${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}.json`;
}

const NOT_A_BACKUP = 'Choose a file saved with “Download backup” (its name starts with rollcall-backup).';

/** Why a file without Rollcall's header is not a backup, as precisely as its first line tells. */
function notABackup(name: string, firstLine: string): string {
	const start = firstLine.trimStart();
	if (start.startsWith('{') || start.startsWith('[')) {
		try {
			const value = JSON.parse(firstLine) as { formatName?: unknown; data?: { databaseName?: unknown } };
			if (value?.formatName === 'dexie') {
				const db = typeof value.data?.databaseName === 'string' ? ` (“${value.data.databaseName}”)` : '';
				return `“${name}” is a database export from another app${db}, not a Rollcall backup. ${NOT_A_BACKUP}`;
			}
		} catch {
			// Not JSON on its own line: still JSON-like text from elsewhere.
		}
		return `“${name}” is a JSON file from another app, not a Rollcall backup. ${NOT_A_BACKUP}`;
	}
	if (/[,;\t]/u.test(start)) {
		return `“${name}” looks like a spreadsheet (CSV) file, not a Rollcall backup. To add users from it, use Import. ${NOT_A_BACKUP}`;
	}
	return `“${name}” is not a Rollcall backup. ${NOT_A_BACKUP}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** The header of a first line, or undefined when the line is not Rollcall's header. */
function readHeader(line: string): Partial<BackupHeader> | undefined {
	if (!line.startsWith('{"rollcall":') || !line.endsWith(',')) return undefined;
	try {
		const value = JSON.parse(`${line.slice(0, -1)}}`) as { rollcall?: unknown };
		return isRecord(value.rollcall) && value.rollcall.format === BACKUP_FORMAT ? value.rollcall : undefined;
	} catch {
		return undefined;
	}
}

function isMeta(value: unknown): value is BackupMeta {
	if (!isRecord(value)) return false;
	const { createdAt, bodyBytes, counts, passwordMessagesLeftOut } = value;
	return (
		Number.isFinite(createdAt) &&
		Number.isSafeInteger(bodyBytes) &&
		isRecord(counts) &&
		Number.isSafeInteger(passwordMessagesLeftOut)
	);
}

/** Bytes a header line fits in with room to spare: a file's first line is looked for in as many. */
export const HEADER_MAX_BYTES = 64 * 1024;

/**
 * Checks a file's header from its first bytes (`start`: the whole file, or its first HEADER_MAX_BYTES)
 * and its size: Rollcall's header, a format this version reads, and as many bytes as the header says.
 * So a file that is not a backup, or has more or fewer bytes than its header says, is refused before a
 * large file is read whole into memory. Gives the header and where its line ends.
 */
export function checkBackupHead(
	name: string,
	start: Uint8Array,
	size: number
): Parsed<{ meta: BackupMeta; sha256: string; end: number }> {
	if (size === 0) return fail(`“${name}” is empty: it is not a Rollcall backup. ${NOT_A_BACKUP}`);
	const end = start.indexOf(NEWLINE);
	const lineBytes = start.subarray(0, end === -1 ? Math.min(start.length, 4096) : end);
	let line: string;
	try {
		line = new TextDecoder('utf-8', { fatal: true }).decode(lineBytes);
	} catch {
		return fail(`“${name}” is not a Rollcall backup: it is not text. ${NOT_A_BACKUP}`);
	}
	const header = end === -1 ? undefined : readHeader(line);
	if (!header) return fail(notABackup(name, line));
	const version = header.formatVersion;
	if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
		return fail(`“${name}” is damaged: its header does not say which backup format it is.`);
	}
	if (version > BACKUP_VERSION) {
		return fail(
			`“${name}” was made by a newer version of Rollcall (backup format ${version}; this version reads format ${BACKUP_VERSION}). Reload Rollcall to update it, then restore the file again.`
		);
	}
	const { meta, sha256 } = header;
	if (!isMeta(meta) || typeof sha256 !== 'string') {
		return fail(`“${name}” is damaged: its header is incomplete.`);
	}
	const bodyBytes = size - end - 1;
	if (bodyBytes < meta.bodyBytes) {
		return fail(
			`“${name}” is incomplete: it holds ${bodyBytes.toLocaleString('en')} of its ${meta.bodyBytes.toLocaleString('en')} bytes, so the download or copy was cut short. Use a complete copy of the backup.`
		);
	}
	if (bodyBytes !== meta.bodyBytes) return fail(damaged(name));
	return ok({ meta, sha256, end });
}

const damaged = (name: string) =>
	`“${name}” is damaged: its contents do not match the checksum written when it was made.`;

/**
 * Reads and checks a backup file: its header (checkBackupHead), every byte matching the checksum, and a
 * Dexie export inside. A refusal is the admin's sentence naming the file.
 * `newestSchema` is this app's database version: a backup of a newer schema is refused.
 */
export async function openBackup(
	name: string,
	bytes: Uint8Array,
	newestSchema: number
): Promise<Parsed<OpenedBackup>> {
	const head = checkBackupHead(name, bytes, bytes.length);
	if (!head.ok) return head;
	const { meta, sha256, end } = head.value;
	if ((await checksum(meta, bytes.subarray(end + 1))) !== sha256) return fail(damaged(name));
	let exported: Partial<DexieExport>;
	try {
		exported = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Partial<DexieExport>;
	} catch {
		return fail(`“${name}” is damaged: it is not complete JSON.`);
	}
	const data = exported.data;
	if (exported.formatName !== 'dexie' || !isRecord(data) || !Array.isArray(data.data)) {
		return fail(`“${name}” is damaged: it holds no database export.`);
	}
	if (!Number.isInteger(data.databaseVersion) || data.databaseVersion > newestSchema) {
		return fail(
			`“${name}” was made by a newer version of Rollcall (database version ${String(data.databaseVersion)}; this version has ${newestSchema}). Reload Rollcall to update it, then restore the file again.`
		);
	}
	const tables = new Map<string, unknown[]>();
	for (const table of data.data as unknown[]) {
		if (
			!isRecord(table) ||
			typeof table.tableName !== 'string' ||
			!Array.isArray(table.rows) ||
			!table.inbound
		) {
			return fail(`“${name}” is damaged: one of its tables cannot be read.`);
		}
		tables.set(table.tableName, table.rows);
	}
	return ok({ meta, databaseVersion: data.databaseVersion, tables });
}
