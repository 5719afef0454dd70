import { DOS_DATE, DOS_TIME, crc32, record } from '$lib/files/zip-writer';

/**
 * A ZIP archive written front to back with nothing kept but a few numbers per entry: each entry's sizes
 * and CRC follow its data in a data descriptor (flag bit 3), so an entry can be written in pieces as
 * they come. Entries are stored, not deflated: the writer is synchronous, and the browser's only
 * deflate (CompressionStream) is not. Without ZIP64 an archive ends at 4 GiB: exportLimit keeps
 * exports far below that.
 */

interface Written {
	name: Uint8Array<ArrayBuffer>;
	crc: number;
	size: number;
	offset: number;
}

// Version 2.0; flag bit 3: sizes in a data descriptor, bit 11: the name is UTF-8; method 0: stored.
const VERSION = 20;
const FLAGS = 0x0808;
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
		const header = record([[0x04034b50, 4], [VERSION, 2], [FLAGS, 2], [0, 2], [DOS_TIME, 2], [DOS_DATE, 2],
			[0, 4], [0, 4], [0, 4], [path.length, 2], [0, 2]], path);
		this.#open = { name: path, crc: 0, size: 0, offset: this.#offset };
		return this.#advance(header);
	}

	/** Bytes of the open entry, passed through as they are (CRC and size counted). */
	data(bytes: Uint8Array): Uint8Array {
		const entry = this.#open;
		if (!entry) throw new Error('No ZIP entry is open.');
		entry.crc = crc32(bytes, entry.crc);
		entry.size += bytes.length;
		return this.#advance(bytes);
	}

	/** The data descriptor that closes the open entry. */
	close(): Uint8Array {
		const entry = this.#open;
		if (!entry) throw new Error('No ZIP entry is open.');
		this.#open = undefined;
		this.#written.push(entry);
		return this.#advance(
			record([
				[0x08074b50, 4],
				[entry.crc, 4],
				[entry.size, 4],
				[entry.size, 4]
			])
		);
	}

	/** A whole entry at once. */
	file(name: string, bytes: Uint8Array): Uint8Array[] {
		return [this.open(name), this.data(bytes), this.close()];
	}

	/** The central directory and its end record. */
	finish(): Uint8Array {
		const central = this.#written.map((entry) =>
			// prettier-ignore
			record([[0x02014b50, 4], [VERSION, 2], [VERSION, 2], [FLAGS, 2], [0, 2], [DOS_TIME, 2], [DOS_DATE, 2],
				[entry.crc, 4], [entry.size, 4], [entry.size, 4], [entry.name.length, 2], [0, 2], [0, 2], [0, 2],
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
