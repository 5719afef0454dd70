import { ok, type Parsed } from '$lib/domain/result';
import { analyseFile, type AnalyseOptions, type AnalysisHead, type FileInput } from './pipeline';
import type { CheckedRow } from './rows';

/**
 * The first rows of a big text file, read, mapped and checked on their own while the whole file is: a
 * 100 MB file takes many seconds to check, and the admin sees its columns and first rows at once.
 */

/** Rows a peek gives: what the preview shows. (bridge.ts decides how much of which files is peeked.) */
export const PEEK_ROWS = 50;

/**
 * How the start of the file reads: no counts (they need every row), the mapping and the first rows, with
 * their cells as the file gives them (password cells emptied), for the preview to show a wrong value as typed.
 */
export type AnalysisPeek = Pick<
	AnalysisHead,
	'format' | 'encoding' | 'delimiter' | 'headerRow' | 'headers' | 'mapping'
> & { rows: CheckedRow[]; tableRows: (readonly string[])[] };

/**
 * The start of a text file up to its last line break, or undefined when it cannot be cut safely there.
 * A line feed byte is never part of a multi-byte UTF-8 or Windows-1252 character; in UTF-16 it is half
 * of one, so those files (rare, and Excel's 'Unicode Text') are not peeked.
 */
export function peekBytes(bytes: Uint8Array): Uint8Array | undefined {
	if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return undefined;
	const end = bytes.lastIndexOf(0x0a);
	return end > 0 ? bytes.subarray(0, end + 1) : undefined;
}

/**
 * Reads, maps and checks the start of a file (the first bytes the bridge sent). Fails (and the admin simply
 * waits for the whole file) when the start cannot be read alone: a workbook, a quoted value running past
 * the cut... The whole file's Analysis is the one that counts: this only shows it sooner.
 */
export function peekFile(
	input: FileInput,
	options: Omit<AnalyseOptions, 'onProgress'>
): Parsed<AnalysisPeek> {
	const bytes = peekBytes(input.bytes);
	if (!bytes) return { ok: false, message: 'This file cannot be previewed before it is read.' };
	const result = analyseFile({ name: input.name, bytes }, options);
	if (!result.ok) return result;
	const { format, encoding, delimiter, headerRow, headers, mapping, rows, table } = result.value;
	if (format !== 'csv') return { ok: false, message: 'Only text files are previewed before they are read.' };
	// Only the rows shown: the peek crosses to the page while the whole file is still being read.
	const shown = { rows: rows.slice(0, PEEK_ROWS), tableRows: table.rows.slice(0, PEEK_ROWS) };
	return ok({ format, encoding, delimiter, headerRow, headers, mapping, ...shown });
}
