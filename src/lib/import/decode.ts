import { fail, ok, type Parsed } from '$lib/domain/result';

/** The text encodings an uploaded file is read in (and an errors file can be written back in). */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** How the bytes of a text file were (or are to be) encoded. */
export interface EncodingInfo {
	encoding: TextEncoding;
	/** Whether the file starts with a byte order mark (Excel writes one to UTF-8 and UTF-16 files). */
	hasBom: boolean;
}

export interface DecodedText extends EncodingInfo {
	/** The file's text, without the byte order mark. */
	text: string;
}

/** How an encoding is named to the admin in the preview. */
export function encodingName({ encoding, hasBom }: EncodingInfo): string {
	const names: Record<TextEncoding, string> = {
		'utf-8': 'UTF-8',
		'utf-16le': 'UTF-16 LE',
		'utf-16be': 'UTF-16 BE',
		'windows-1252': 'Windows-1252 (Western European)'
	};
	return hasBom ? `${names[encoding]} with BOM` : names[encoding];
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) =>
	bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);

const BOMS: readonly [TextEncoding, readonly number[]][] = [
	['utf-8', [0xef, 0xbb, 0xbf]],
	['utf-16le', [0xff, 0xfe]],
	['utf-16be', [0xfe, 0xff]]
];

/** Workbooks and other binary files that were given a text file's name. */
function binaryKind(bytes: Uint8Array): string | undefined {
	if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
		return 'This is a ZIP file (an Excel .xlsx or .ods workbook?), not a CSV text file.';
	}
	if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
		return 'This is an Excel 97-2003 (.xls) workbook, not a CSV text file.';
	}
	if (startsWith(bytes, [0xff, 0xfe, 0, 0]) || startsWith(bytes, [0, 0, 0xfe, 0xff])) {
		return 'This file is in UTF-32, which Rollcall does not read: save it as UTF-8 CSV.';
	}
	return undefined;
}

/** UTF-16 without a BOM: text in Latin script has a zero in every other byte. */
function guessUtf16(bytes: Uint8Array): TextEncoding | undefined {
	const sample = bytes.subarray(0, Math.min(bytes.length, 1024) & ~1);
	if (sample.length < 4) return undefined;
	let evenZeros = 0;
	let oddZeros = 0;
	for (let i = 0; i < sample.length; i += 2) {
		if (sample[i] === 0) evenZeros++;
		if (sample[i + 1] === 0) oddZeros++;
	}
	const pairs = sample.length / 2;
	if (oddZeros > pairs * 0.4 && evenZeros < pairs * 0.05) return 'utf-16le';
	if (evenZeros > pairs * 0.4 && oddZeros < pairs * 0.05) return 'utf-16be';
	return undefined;
}

function strictDecode(bytes: Uint8Array, encoding: TextEncoding): string | undefined {
	try {
		// ignoreBOM: the BOM has been recognised and cut off already; a second one is content.
		return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
	} catch {
		return undefined;
	}
}

function checked(text: string, info: EncodingInfo): Parsed<DecodedText> {
	if (text.includes('\u0000')) {
		return fail(
			'This file is not a spreadsheet: it holds binary data, not text. Choose a CSV, TSV or Excel file.'
		);
	}
	return ok({ text, ...info });
}

/**
 * Reads the bytes of a text file: UTF-8 with or without BOM, UTF-16 LE/BE (with BOM, as Excel's
 * 'Unicode Text' writes it, or without), else Windows-1252 when the bytes are not valid UTF-8.
 * Decoding is strict, so a U+FFFD never stands in for a character the file really had.
 *
 * Whole files are decoded at once (a File's arrayBuffer), so a multi-byte character can never be
 * split across chunks here. A streaming reader must use `createChunkDecoder` instead of decoding
 * each slice on its own (papaparse's own file reader does the latter: its issue #1132).
 */
export function decodeText(bytes: Uint8Array): Parsed<DecodedText> {
	if (bytes.length === 0) return fail('The file is empty.');
	const binary = binaryKind(bytes);
	if (binary) return fail(binary);
	for (const [encoding, bom] of BOMS) {
		if (!startsWith(bytes, bom)) continue;
		const text = strictDecode(bytes.subarray(bom.length), encoding);
		if (text !== undefined) return checked(text, { encoding, hasBom: true });
		if (encoding !== 'utf-8') {
			const name = encodingName({ encoding, hasBom: false });
			return fail(
				`This file starts as ${name} but is damaged: save it again as CSV UTF-8 and import that file.`
			);
		}
		// A UTF-8 BOM before Windows-1252 text: a tool added the mark without converting the text.
		return checked(strictDecode(bytes.subarray(3), 'windows-1252') ?? '', {
			encoding: 'windows-1252',
			hasBom: false
		});
	}
	const utf16 = guessUtf16(bytes);
	if (utf16) {
		const text = strictDecode(bytes, utf16);
		if (text !== undefined) return checked(text, { encoding: utf16, hasBom: false });
	}
	const utf8 = strictDecode(bytes, 'utf-8');
	if (utf8 !== undefined) return checked(utf8, { encoding: 'utf-8', hasBom: false });
	// Windows-1252 gives every byte a character, so this cannot fail (and never yields U+FFFD).
	return checked(strictDecode(bytes, 'windows-1252') ?? '', { encoding: 'windows-1252', hasBom: false });
}

/** Decodes a file read in slices, keeping a character whose bytes straddle two slices whole. */
export interface ChunkDecoder {
	/** The text of this slice; an incomplete character at its end waits for the next slice. */
	push(chunk: Uint8Array): Parsed<string>;
	/** The end of the file: an incomplete character left over is an error. */
	end(): Parsed<string>;
}

/** A streaming decoder for an encoding already detected (by `decodeText` on the first slice). */
export function createChunkDecoder(encoding: TextEncoding): ChunkDecoder {
	const decoder = new TextDecoder(encoding, { fatal: true });
	const attempt = (decode: () => string): Parsed<string> => {
		try {
			return ok(decode());
		} catch {
			return fail(
				`This file is not valid ${encodingName({ encoding, hasBom: false })} text: save it again as CSV UTF-8 (Excel: Save As, CSV UTF-8) and choose it again.`
			);
		}
	};
	return {
		push: (chunk) => attempt(() => decoder.decode(chunk, { stream: true })),
		end: () => attempt(() => decoder.decode())
	};
}
