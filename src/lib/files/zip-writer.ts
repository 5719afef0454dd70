/**
 * ZIP archives stored without compression (no dependency needed), and the pieces every ZIP writer here
 * shares: the .xlsx templates and errors files (zipStored, in one piece) and the exports, written front
 * to back (src/lib/export/zip-stream.ts).
 */

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c;
});

/** The CRC-32 (IEEE) a ZIP entry carries; `previous` continues one over bytes that came before. */
export function crc32(bytes: Uint8Array, previous = 0): number {
	let crc = ~previous;
	for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
	return ~crc >>> 0;
}

/** Little-endian numbers of 2 or 4 bytes each, followed by some bytes. */
export function record(numbers: readonly (readonly [value: number, size: 2 | 4])[], tail = new Uint8Array()) {
	const size = numbers.reduce((sum, [, bytes]) => sum + bytes, 0);
	const out = new Uint8Array(size + tail.length);
	const view = new DataView(out.buffer);
	let at = 0;
	for (const [value, bytes] of numbers) {
		if (bytes === 2) view.setUint16(at, value, true);
		else view.setUint32(at, value, true);
		at += bytes;
	}
	out.set(tail, at);
	return out;
}

// 1980-01-01 00:00 in MS-DOS form: the same bytes every time for the same content.
export const DOS_TIME = 0;
export const DOS_DATE = (1 << 5) | 1;

/** A file of a ZIP: its bytes in one piece or several (laid end to end). */
export interface ZipFile {
	name: string;
	data: Uint8Array | readonly Uint8Array[];
}

/** A ZIP archive of the files, stored without compression (no dependency needed; text zips well, but Excel does not mind). */
export function zipStored(files: readonly ZipFile[]): Uint8Array {
	const encoder = new TextEncoder();
	const chunks: Uint8Array[] = [];
	const central: Uint8Array[] = [];
	let offset = 0;
	for (const { name, data } of files) {
		const pieces = data instanceof Uint8Array ? [data] : data;
		const size = pieces.reduce((sum, piece) => sum + piece.length, 0);
		const crc = pieces.reduce((sum, piece) => crc32(piece, sum), 0);
		const path = encoder.encode(name);
		// Version 2.0; flag bit 11: the name is UTF-8; method 0: stored; no extra field.
		// prettier-ignore
		const entry = [[20, 2], [0x0800, 2], [0, 2], [DOS_TIME, 2], [DOS_DATE, 2], [crc, 4],
			[size, 4], [size, 4], [path.length, 2], [0, 2]] as const;
		const local = record([[0x04034b50, 4], ...entry], path);
		central.push(
			record([[0x02014b50, 4], [20, 2], ...entry, [0, 2], [0, 2], [0, 2], [0, 4], [offset, 4]], path)
		);
		chunks.push(local, ...pieces);
		offset += local.length + size;
		// Without ZIP64 records, offsets and sizes end at 4 GiB (far beyond a browser tab's memory anyway).
		if (offset > 0xffffffff) throw new RangeError('The workbook would be over 4 GB.');
	}
	const directorySize = central.reduce((sum, c) => sum + c.length, 0);
	// prettier-ignore
	const end = record([[0x06054b50, 4], [0, 2], [0, 2], [files.length, 2], [files.length, 2],
		[directorySize, 4], [offset, 4], [0, 2]]);
	const out = new Uint8Array(offset + directorySize + end.length);
	let at = 0;
	for (const chunk of [...chunks, ...central, end]) {
		out.set(chunk, at);
		at += chunk.length;
	}
	return out;
}
