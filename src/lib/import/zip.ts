import { fail, ok, type Parsed } from '$lib/domain/result';
import { formatBytes } from '$lib/domain/settings';
import { decodeText } from './decode';

/**
 * Looks inside the two containers workbooks come in without unpacking anything: ZIP (.xlsx, .ods) and
 * the OLE compound file (.xls, and an .xlsx saved with a password). SheetJS inflates every ZIP entry
 * with no limit (PITFALLS.md), so the sizes the ZIP declares are checked here first.
 */

/** What the first bytes of a file say it is. */
export type Container = 'zip' | 'cfb' | 'biff' | 'markup' | 'text' | 'binary';

/** One file inside a ZIP, as its central directory describes it. */
export interface ZipEntry {
	name: string;
	/** 0: stored, 8: deflated; anything else SheetJS cannot read. */
	method: number;
	flags: number;
	compressedSize: number;
	uncompressedSize: number;
	/** Where the entry's local header starts. */
	localOffset: number;
}

export interface ZipDirectory {
	entries: ZipEntry[];
	/** The sum of the entries' declared sizes once unpacked. */
	uncompressedBytes: number;
}

export interface ZipLimits {
	/** The most all entries together may unpack to. */
	maxUncompressedBytes: number;
	/** The most an entry (or the whole file) may grow when unpacked: real workbooks grow about 10 times. */
	maxRatio: number;
}

const MiB = 1024 * 1024;

/** SheetJS needs several times a workbook's unpacked size in memory: 512 MiB of XML is already a lot. */
export const defaultZipLimits: ZipLimits = { maxUncompressedBytes: 512 * MiB, maxRatio: 100 };

/** Entries smaller than this cannot hurt however well they compress, so no ratio is asked of them. */
const RATIO_FLOOR = MiB;

export const PASSWORD_PROTECTED =
	'This file is password-protected, so Rollcall cannot read it. Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, then clear it) and save it, or save a copy as CSV.';

export const DAMAGED =
	'The file is damaged or incomplete (was a download or copy cut short?). Open it in Excel and save it again, or save it as CSV.';

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) =>
	bytes.length >= at + prefix.length && prefix.every((byte, i) => bytes[at + i] === byte);

/** The first non-blank character of a text file, in UTF-8 or UTF-16 (with or without a BOM). */
function firstCharacter(bytes: Uint8Array): string | undefined {
	const head = bytes.subarray(0, 1024);
	const isUtf16 = startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff]);
	const encoding = isUtf16 ? (head[0] === 0xff ? 'utf-16le' : 'utf-16be') : 'utf-8';
	const text = new TextDecoder(encoding).decode(head);
	return /\S/u.exec(text.replace(/^\uFEFF/u, ''))?.[0];
}

/** Control characters other than tab, line feed, form feed and carriage return: rare in any text. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000E-\u001F\u007F]/gu;

/** Whether the start of a file reads as text (in any encoding decodeText knows) rather than binary data. */
function isText(bytes: Uint8Array): boolean {
	const decoded = decodeText(bytes.subarray(0, 65_536));
	if (!decoded.ok) return false;
	const controls = decoded.value.text.match(CONTROL)?.length ?? 0;
	return controls <= decoded.value.text.length / 100;
}

/**
 * What a file is by its first bytes, whatever its name: a ZIP, an OLE compound file, a bare Excel 2.x-4.x
 * BIFF stream, markup (a web page or XML saved with a spreadsheet's name), other text, or binary data.
 */
export function detectContainer(bytes: Uint8Array): Container {
	if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]))
		return 'zip';
	if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'cfb';
	// BIFF2, 3, 4 and 5 worksheet streams begin with a BOF record: 09 00, 09 02, 09 04, 09 08.
	if (bytes[0] === 0x09 && [0x00, 0x02, 0x04, 0x08].includes(bytes[1] ?? -1) && bytes[3] === 0) return 'biff';
	if (firstCharacter(bytes) === '<') return 'markup';
	return bytes.length > 0 && isText(bytes) ? 'text' : 'binary';
}

const u16 = (bytes: Uint8Array, at: number) => (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
const u32 = (bytes: Uint8Array, at: number) => (u16(bytes, at) + u16(bytes, at + 2) * 0x10000) >>> 0;
const u64 = (bytes: Uint8Array, at: number) => u32(bytes, at) + u32(bytes, at + 4) * 0x1_0000_0000;

const EOCD = [0x50, 0x4b, 0x05, 0x06];
const ZIP64_LOCATOR = [0x50, 0x4b, 0x06, 0x07];
const ZIP64_EOCD = [0x50, 0x4b, 0x06, 0x06];
const CENTRAL_HEADER = [0x50, 0x4b, 0x01, 0x02];
const LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];
const NO_VALUE = 0xffff_ffff;
/** Traditional PKWARE encryption, strong encryption, encrypted central directory. */
const ENCRYPTED_FLAGS = 0x0001 | 0x0040 | 0x2000;
/** Sizes and CRC are in a data descriptor after the data, and zero in the local header. */
const DATA_DESCRIPTOR = 0x0008;

/** Where the central directory is and how many entries it has; undefined when the end record is missing. */
function findDirectory(bytes: Uint8Array): { count: number; offset: number; size: number } | undefined {
	const lowest = Math.max(0, bytes.length - 22 - 0xffff);
	for (let at = bytes.length - 22; at >= lowest; at--) {
		if (!startsWith(bytes, EOCD, at)) continue;
		// A genuine end record's comment runs exactly to the end of the file.
		if (at + 22 + u16(bytes, at + 20) !== bytes.length) continue;
		const found = { count: u16(bytes, at + 10), size: u32(bytes, at + 12), offset: u32(bytes, at + 16) };
		if (found.count !== 0xffff && found.offset !== NO_VALUE && found.size !== NO_VALUE) return found;
		const locator = at - 20;
		if (!startsWith(bytes, ZIP64_LOCATOR, locator)) return found;
		const record = u64(bytes, locator + 8);
		if (!startsWith(bytes, ZIP64_EOCD, record)) return undefined;
		return { count: u64(bytes, record + 32), size: u64(bytes, record + 40), offset: u64(bytes, record + 48) };
	}
	return undefined;
}

/** The ZIP64 extra field holds, in this order, whichever of the sizes and offset are 0xFFFFFFFF. */
function applyZip64(entry: ZipEntry, extra: Uint8Array): void {
	for (let at = 0; at + 4 <= extra.length; at += 4 + u16(extra, at + 2)) {
		if (u16(extra, at) !== 0x0001) continue;
		let field = at + 4;
		for (const key of ['uncompressedSize', 'compressedSize', 'localOffset'] as const) {
			if (entry[key] !== NO_VALUE) continue;
			entry[key] = u64(extra, field);
			field += 8;
		}
	}
}

/** Reads the central directory; undefined when it is damaged, cut short or points outside the file. */
function readEntries(bytes: Uint8Array): ZipEntry[] | undefined {
	const directory = findDirectory(bytes);
	if (!directory || directory.offset + directory.size > bytes.length) return undefined;
	const entries: ZipEntry[] = [];
	let at = directory.offset;
	for (let i = 0; i < directory.count; i++) {
		if (!startsWith(bytes, CENTRAL_HEADER, at) || at + 46 > bytes.length) return undefined;
		const nameLength = u16(bytes, at + 28);
		const extraLength = u16(bytes, at + 30);
		const entry: ZipEntry = {
			name: new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)),
			flags: u16(bytes, at + 8),
			method: u16(bytes, at + 10),
			compressedSize: u32(bytes, at + 20),
			uncompressedSize: u32(bytes, at + 24),
			localOffset: u32(bytes, at + 42)
		};
		applyZip64(entry, bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
		entries.push(entry);
		at += 46 + nameLength + extraLength + u16(bytes, at + 32);
	}
	if (at > directory.offset + directory.size) return undefined;
	return entries.every((entry) => hasLocalData(bytes, entry, directory.offset)) ? entries : undefined;
}

/**
 * Whether an entry's local header is where the directory says, with sizes that agree (or zero, when
 * a data descriptor follows), and its data ends before the directory: SheetJS trusts the local header.
 */
function hasLocalData(bytes: Uint8Array, entry: ZipEntry, directoryOffset: number): boolean {
	const at = entry.localOffset;
	if (!startsWith(bytes, LOCAL_HEADER, at)) return false;
	const flags = u16(bytes, at + 6);
	const compressed = u32(bytes, at + 18);
	const uncompressed = u32(bytes, at + 22);
	const isDeferred = (flags & DATA_DESCRIPTOR) !== 0 && compressed === 0 && uncompressed === 0;
	const agrees =
		isDeferred ||
		compressed === NO_VALUE ||
		(compressed === entry.compressedSize && uncompressed === entry.uncompressedSize);
	const dataEnd = at + 30 + u16(bytes, at + 26) + u16(bytes, at + 28) + entry.compressedSize;
	return agrees && dataEnd <= directoryOffset;
}

function bombMessage(unpacked: number, packed: number): string {
	const times = Math.round(unpacked / Math.max(packed, 1)).toLocaleString('en');
	return `This file would unpack to ${formatBytes(unpacked)} from ${formatBytes(packed)} (${times} times its size), which no real workbook does: it looks built to exhaust memory (a 'zip bomb'), so Rollcall did not open it.`;
}

/**
 * Reads a ZIP's central directory without unpacking anything and refuses what SheetJS must not be
 * given: a damaged or truncated file, password-protected entries, a method other than store or
 * deflate, an entry or file that grows more than `maxRatio` times (a zip bomb), or more than
 * `maxUncompressedBytes` in all.
 */
export function inspectZip(bytes: Uint8Array, limits: ZipLimits = defaultZipLimits): Parsed<ZipDirectory> {
	const entries = readEntries(bytes);
	if (!entries) return fail(DAMAGED);
	if (entries.some((entry) => (entry.flags & ENCRYPTED_FLAGS) !== 0)) return fail(PASSWORD_PROTECTED);
	if (entries.some((entry) => entry.method !== 0 && entry.method !== 8)) {
		return fail(
			'This file is compressed in a way Rollcall cannot read. Open it in Excel or LibreOffice and save it again as .xlsx, or save it as CSV.'
		);
	}
	const uncompressedBytes = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
	const bomb = entries.find(
		(entry) =>
			entry.uncompressedSize > RATIO_FLOOR && entry.uncompressedSize > entry.compressedSize * limits.maxRatio
	);
	if (bomb) return fail(bombMessage(bomb.uncompressedSize, bomb.compressedSize));
	if (uncompressedBytes > RATIO_FLOOR && uncompressedBytes > bytes.length * limits.maxRatio) {
		return fail(bombMessage(uncompressedBytes, bytes.length));
	}
	if (uncompressedBytes > limits.maxUncompressedBytes) {
		return fail(
			`This workbook unpacks to ${formatBytes(uncompressedBytes)}, more than Rollcall can read safely in the browser (${formatBytes(limits.maxUncompressedBytes)}). Save it as CSV (in Excel: File > Save As > CSV UTF-8) and import that file.`
		);
	}
	return ok({ entries, uncompressedBytes });
}

/** The bytes of an entry stored without compression (the ODF 'mimetype'), else undefined. */
export function storedData(bytes: Uint8Array, entry: ZipEntry): Uint8Array | undefined {
	if (entry.method !== 0) return undefined;
	const start =
		entry.localOffset + 30 + u16(bytes, entry.localOffset + 26) + u16(bytes, entry.localOffset + 28);
	return bytes.subarray(start, start + entry.compressedSize);
}

/**
 * The file with the central directory's sizes written into local headers that deferred them to a data
 * descriptor. SheetJS sizes its output buffer from the local header: with zero it grows without
 * bound, with the checked size it cannot exceed it. Returns the same bytes when nothing is deferred.
 */
export function withLocalSizes(bytes: Uint8Array, directory: ZipDirectory): Uint8Array {
	const deferred = directory.entries.filter(
		(entry) =>
			(u16(bytes, entry.localOffset + 6) & DATA_DESCRIPTOR) !== 0 && u32(bytes, entry.localOffset + 22) === 0
	);
	if (deferred.length === 0) return bytes;
	const copy = bytes.slice();
	const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
	for (const entry of deferred) {
		view.setUint32(entry.localOffset + 18, Math.min(entry.compressedSize, NO_VALUE - 1), true);
		view.setUint32(entry.localOffset + 22, Math.min(entry.uncompressedSize, NO_VALUE - 1), true);
	}
	return copy;
}

const FREE_SECTOR = 0xffff_ffff;
const END_OF_CHAIN = 0xffff_fffe;

/**
 * The names of the streams and storages in an OLE compound file (the container of .xls files and of
 * password-protected .xlsx files), read from its directory; undefined when the file is damaged.
 */
export function compoundFileNames(bytes: Uint8Array): string[] | undefined {
	const sectorShift = u16(bytes, 30);
	if (bytes.length < 512 || (sectorShift !== 9 && sectorShift !== 12)) return undefined;
	const sectorSize = 1 << sectorShift;
	// The header takes the place of sector -1.
	const sectorCount = Math.ceil((bytes.length - sectorSize) / sectorSize);
	const sectorAt = (sector: number) => (sector + 1) * sectorSize;
	// The master allocation table: 109 entries in the header, the rest in a chain of its own.
	const fatSectors: number[] = [];
	for (let i = 0; i < 109; i++) fatSectors.push(u32(bytes, 76 + i * 4));
	let difat = u32(bytes, 68);
	for (let hops = 0; difat < sectorCount && hops < sectorCount; hops++) {
		const at = sectorAt(difat);
		for (let i = 0; i < sectorSize / 4 - 1; i++) fatSectors.push(u32(bytes, at + i * 4));
		difat = u32(bytes, at + sectorSize - 4);
	}
	const perSector = sectorSize / 4;
	const next = (sector: number): number | undefined => {
		const fatSector = fatSectors[Math.floor(sector / perSector)];
		if (fatSector === undefined || fatSector === FREE_SECTOR || fatSector >= sectorCount) return undefined;
		return u32(bytes, sectorAt(fatSector) + (sector % perSector) * 4);
	};
	const names: string[] = [];
	let sector = u32(bytes, 48);
	for (let hops = 0; sector !== END_OF_CHAIN; hops++) {
		if (sector >= sectorCount || hops > sectorCount) return undefined;
		const at = sectorAt(sector);
		for (let entry = at; entry + 128 <= at + sectorSize && entry + 128 <= bytes.length; entry += 128) {
			const nameBytes = Math.min(u16(bytes, entry + 64), 64);
			if (bytes[entry + 66] === 0 || nameBytes < 2) continue;
			names.push(new TextDecoder('utf-16le').decode(bytes.subarray(entry, entry + nameBytes - 2)));
		}
		const following = next(sector);
		if (following === undefined) return undefined;
		sector = following;
	}
	return names;
}

/** A compound file as a workbook: a legacy .xls, or refused (encrypted OOXML, damaged, not a workbook). */
export function inspectCompoundFile(bytes: Uint8Array): Parsed<'xls'> {
	const names = compoundFileNames(bytes);
	if (!names) return fail(DAMAGED);
	// Excel keeps a password-protected .xlsx encrypted inside a compound file, under this stream.
	if (names.includes('EncryptedPackage')) return fail(PASSWORD_PROTECTED);
	if (names.includes('Workbook') || names.includes('Book')) return ok('xls');
	const kind = names.includes('WordDocument')
		? 'a Word document'
		: names.includes('PowerPoint Document')
			? 'a PowerPoint presentation'
			: 'an Office file';
	return fail(`This is ${kind}, not a spreadsheet. Choose an Excel, OpenDocument or CSV file.`);
}
