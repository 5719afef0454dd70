import { fail, type Parsed } from '$lib/domain/result';
import { decodeText } from './decode';
import { readScim } from './scim';
import type { TextTable } from './table-builder';
import { readVcard } from './vcard';

/** Files of users that are not tables: SCIM 2.0 JSON and vCard, both of which Rollcall exports. */
export type StructuredFormat = 'scim' | 'vcard';

const JSON_NAME = /\.json$/iu;
const VCARD_NAME = /\.(?:vcf|vcard)$/iu;

/**
 * Whether a text file is SCIM JSON or vCard: by its first characters (an object, an array of objects,
 * BEGIN:VCARD), else by its name. A CSV whose first header happens to start with '[' is still a CSV.
 */
export function structuredFormat(name: string, bytes: Uint8Array): StructuredFormat | undefined {
	const decoded = decodeText(bytes.subarray(0, 1024));
	const head = decoded.ok ? decoded.value.text.trimStart() : '';
	if (head.startsWith('{') || /^\[\s*[{\]]/u.test(head) || JSON_NAME.test(name)) return 'scim';
	if (/^BEGIN:VCARD/iu.test(head) || VCARD_NAME.test(name)) return 'vcard';
	return undefined;
}

/** Reads a SCIM or vCard file (any text encoding decodeText knows) into headers and rows of text. */
export function readStructured(name: string, bytes: Uint8Array, format: StructuredFormat): Parsed<TextTable> {
	const decoded = decodeText(bytes);
	if (!decoded.ok) return fail(decoded.message);
	return format === 'scim' ? readScim(decoded.value.text, name) : readVcard(decoded.value.text, name);
}
