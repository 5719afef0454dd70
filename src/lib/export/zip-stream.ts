import { DOS_DATE, DOS_TIME, crc32, record } from '$lib/files/zip-writer';

/**
 * A ZIP archive written front to back with nothing kept but a few numbers per entry: each entry's sizes
 * and CRC follow its data in a data descriptor (flag bit 3), so an entry can be written in pieces as
 * they come. Readers that walk local headers (Java's ZipInputStream, SheetJS, some unzip tools) accept a
 * data descriptor only after deflated data, whose end they can find; so entries are deflate streams,
 * made of stored blocks (RFC 1951 §3.2.4: no compression, 5 bytes per 64 KiB). Real compression would
 * need the browser's CompressionStream, which is asynchronous, and these writers are not. Without ZIP64
 * an archive ends at 4 GiB: exportLimit keeps exports far below that.
 */

interface Written {
	name: Uint8Array<ArrayBuffer>;
	crc: number;
	/** Bytes before deflating, and after. */
	size: number;
	compressed: number;
	offset: number;
}

// Version 2.0; flag bit 3: sizes in a data descriptor, bit 11: the name is UTF-8; method 8: deflate.
const VERSION = 20;
const FLAGS = 0x0808;
const DEFLATE = 8;
/** The most bytes one stored deflate block holds. */
const BLOCK = 0xffff;

/** Bytes as deflate stored blocks, none of them final: a 1-byte header, LEN and its complement, the bytes. */
function storedBlocks(bytes: Uint8Array): Uint8Array {
	const blocks = Math.ceil(bytes.length / BLOCK);
	const out = new Uint8Array(bytes.length + blocks * 5);
	let at = 0;
	for (let start = 0; start < bytes.length; start += BLOCK) {
		const length = Math.min(BLOCK, bytes.length - start);
		out.set([0, length & 0xff, length >>> 8, ~length & 0xff, (~length >>> 8) & 0xff], at);
		out.set(bytes.subarray(start, start + length), at + 5);
		at += 5 + length;
	}
	return out;
}

/** The empty final block that ends a deflate stream. */
const FINAL_BLOCK = Uint8Array.of(1, 0, 0, 0xff, 0xff);
const LIMIT = 0xffff_ffff;

export class ZipStream {
	#written: Written[] = [];
	#offset = 0;
	#open: Written | undefined;
	readonly #encoder = new TextEncoder();

	/** The local header of a new entry, whose data follows in `data` calls. */
	open(name: string): Uint8Array {
		if (this.#open) throw new Error('The ZIP entry before is still open.');
		const path = this.#encoder.encode(name);
		// prettier-ignore
		const header = record([[0x04034b50, 4], [VERSION, 2], [FLAGS, 2], [DEFLATE, 2], [DOS_TIME, 2], [DOS_DATE, 2],
			[0, 4], [0, 4], [0, 4], [path.length, 2], [0, 2]], path);
		this.#open = { name: path, crc: 0, size: 0, compressed: 0, offset: this.#offset };
		return this.#advance(header);
	}

	/** Bytes of the open entry, as stored deflate blocks (CRC and sizes counted). */
	data(bytes: Uint8Array): Uint8Array {
		const entry = this.#open;
		if (!entry) throw new Error('No ZIP entry is open.');
		if (bytes.length === 0) return bytes;
		entry.crc = crc32(bytes, entry.crc);
		entry.size += bytes.length;
		const blocks = storedBlocks(bytes);
		entry.compressed += blocks.length;
		return this.#advance(blocks);
	}

	/** The data descriptor that closes the open entry. */
	close(): Uint8Array {
		const entry = this.#open;
		if (!entry) throw new Error('No ZIP entry is open.');
		this.#open = undefined;
		entry.compressed += FINAL_BLOCK.length;
		this.#written.push(entry);
		const descriptor = record([
			[0x08074b50, 4],
			[entry.crc, 4],
			[entry.compressed, 4],
			[entry.size, 4]
		]);
		return this.#advance(concat([FINAL_BLOCK, descriptor]));
	}

	/** A whole entry at once. */
	file(name: string, bytes: Uint8Array): Uint8Array[] {
		return [this.open(name), this.data(bytes), this.close()];
	}

	/** The central directory and its end record. */
	finish(): Uint8Array {
		const central = this.#written.map((entry) =>
			// prettier-ignore
			record([[0x02014b50, 4], [VERSION, 2], [VERSION, 2], [FLAGS, 2], [DEFLATE, 2], [DOS_TIME, 2], [DOS_DATE, 2],
				[entry.crc, 4], [entry.compressed, 4], [entry.size, 4], [entry.name.length, 2], [0, 2], [0, 2], [0, 2],
				[0, 2], [0, 4], [entry.offset, 4]], entry.name)
		);
		const size = central.reduce((sum, piece) => sum + piece.length, 0);
		const count = this.#written.length;
		// prettier-ignore
		const end = record([[0x06054b50, 4], [0, 2], [0, 2], [count, 2], [count, 2], [size, 4], [this.#offset, 4], [0, 2]]);
		return concat([...central, end]);
	}

	#advance(bytes: Uint8Array): Uint8Array {
		this.#offset += bytes.length;
		if (this.#offset > LIMIT) throw new RangeError('The file would be over 4 GB, more than a ZIP can hold.');
		return bytes;
	}
}

/** Pieces of bytes laid end to end. */
export function concat(pieces: readonly Uint8Array[]): Uint8Array {
	const out = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
	let at = 0;
	for (const piece of pieces) {
		out.set(piece, at);
		at += piece.length;
	}
	return out;
}
