/**
 * ZIP archives stored without compression (no dependency needed): the container of an .xlsx workbook,
 * and of an export split into several files. ZipWriter gives each entry's bytes as it is added, so an
 * archive of thousands of files is written out as it goes and only its directory is held.
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
function record(numbers: readonly (readonly [value: number, size: 2 | 4])[], tail = new Uint8Array()) {
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
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1;

/** Without ZIP64 records, an archive holds at most this many entries. */
const MAX_ENTRIES = 0xffff;

/** A file of a ZIP: its bytes in one piece or several (laid end to end). */
export interface ZipFile {
	name: string;
	data: Uint8Array | readonly Uint8Array[];
}

/** Writes a ZIP archive an entry at a time: the bytes of each entry, then those of the end. */
export class ZipWriter {
	readonly #encoder = new TextEncoder();
	readonly #central: Uint8Array[] = [];
	#offset = 0;

	/** The bytes of one stored entry (its header, then its data), to be written after those before. */
	add({ name, data }: ZipFile): Uint8Array[] {
		if (this.#central.length === MAX_ENTRIES) throw new RangeError('The archive would hold too many files.');
		const pieces = data instanceof Uint8Array ? [data] : data;
		const size = pieces.reduce((sum, piece) => sum + piece.length, 0);
		const crc = pieces.reduce((sum, piece) => crc32(piece, sum), 0);
		const path = this.#encoder.encode(name);
		// Version 2.0; flag bit 11: the name is UTF-8; method 0: stored; no extra field.
		// prettier-ignore
		const entry = [[20, 2], [0x0800, 2], [0, 2], [DOS_TIME, 2], [DOS_DATE, 2], [crc, 4],
			[size, 4], [size, 4], [path.length, 2], [0, 2]] as const;
		const local = record([[0x04034b50, 4], ...entry], path);
		this.#central.push(
			record([[0x02014b50, 4], [20, 2], ...entry, [0, 2], [0, 2], [0, 2], [0, 4], [this.#offset, 4]], path)
		);
		this.#offset += local.length + size;
		// Without ZIP64 records, offsets and sizes end at 4 GiB.
		if (this.#offset > 0xffffffff) throw new RangeError('The archive would be over 4 GB.');
		return [local, ...pieces];
	}

	/** The central directory and its end record: the archive's last bytes. */
	end(): Uint8Array {
		const count = this.#central.length;
		const directorySize = this.#central.reduce((sum, c) => sum + c.length, 0);
		// prettier-ignore
		const end = record([[0x06054b50, 4], [0, 2], [0, 2], [count, 2], [count, 2],
			[directorySize, 4], [this.#offset, 4], [0, 2]]);
		return concat([...this.#central, end]);
	}
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
	const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
	let at = 0;
	for (const chunk of chunks) {
		out.set(chunk, at);
		at += chunk.length;
	}
	return out;
}

/** A ZIP archive of the files, in one piece. */
export function zipStored(files: readonly ZipFile[]): Uint8Array {
	const writer = new ZipWriter();
	return concat([...files.flatMap((file) => writer.add(file)), writer.end()]);
}
