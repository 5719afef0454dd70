import { customKey, customName, field, type FieldKey } from '$lib/domain/fields';
import { fail, ok, type Parsed } from '$lib/domain/result';
import { nameOf } from '$lib/domain/user';
import { VCARD_CUSTOM, VCARD_FIELD, VCARD_PRODID, vcardAddress, vcardExtraFields } from '$lib/export/vcard';
import { TableBuilder, isReservedColumn, type TextTable } from './table-builder';

/**
 * Reads vCards (4.0, RFC 6350, and 3.0, RFC 2426: several cards a file, folded lines, escapes) into the
 * table the import maps, one row a card, columns named by the registry's labels. Rollcall's own cards
 * (their PRODID says so) also give back the fields they carry in X-ROLLCALL- properties.
 */

interface ContentLine {
	name: string;
	/** Parameter values by upper-case name; a 2.1/3.0 bare parameter ('TEL;WORK:') counts as a TYPE. */
	params: Map<string, string[]>;
	value: string;
}

/** Splits on a separator that is not escaped with a backslash; the parts stay escaped. */
function splitUnescaped(value: string, separator: ',' | ';'): string[] {
	const parts: string[] = [];
	let current = '';
	for (let i = 0; i < value.length; i++) {
		const c = value[i]!;
		if (c === '\\' && i + 1 < value.length) {
			current += c + value[i + 1]!;
			i++;
		} else if (c === separator) {
			parts.push(current);
			current = '';
		} else current += c;
	}
	parts.push(current);
	return parts;
}

/** Undoes text escaping (§3.4): \\ \, \; and \n or \N. */
export function unescapeVcardText(value: string): string {
	return value.replace(/\\([\\,;nN])/gu, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** 'name;param=a,b;param="x:y":value' into its parts; undefined for a line with no colon. */
function parseLine(line: string): ContentLine | undefined {
	let inQuotes = false;
	let colon = -1;
	for (let i = 0; i < line.length; i++) {
		if (line[i] === '"') inQuotes = !inQuotes;
		else if (line[i] === ':' && !inQuotes) {
			colon = i;
			break;
		}
	}
	if (colon < 0) return undefined;
	const [rawName = '', ...rawParams] = line.slice(0, colon).split(';');
	// A group prefix ('item1.EMAIL', as Apple writes) says nothing Rollcall needs.
	const name = rawName.slice(rawName.lastIndexOf('.') + 1).toUpperCase();
	const params = new Map<string, string[]>();
	for (const param of rawParams) {
		const equals = param.indexOf('=');
		const key = equals < 0 ? 'TYPE' : param.slice(0, equals).toUpperCase();
		const values = (equals < 0 ? param : param.slice(equals + 1))
			.split(',')
			.map((v) => v.replace(/^"|"$/gu, '').toLowerCase());
		params.set(key, [...(params.get(key) ?? []), ...values]);
	}
	return { name, params, value: line.slice(colon + 1) };
}

/** Properties whose value is binary (a picture, a sound, a key): never read, so never decoded. */
const BINARY = new Set(['PHOTO', 'LOGO', 'SOUND', 'KEY']);

const encoder = new TextEncoder();

/** Bytes as text in the charset a 3.0 property names (UTF-8 when it names none, or one unknown here). */
function decodeBytes(bytes: Uint8Array, charset = 'utf-8'): string {
	try {
		return new TextDecoder(charset).decode(bytes);
	} catch {
		return new TextDecoder().decode(bytes);
	}
}

/**
 * The value of a property a 3.0 exporter encoded (ENCODING=QUOTED-PRINTABLE, as some phones write, or
 * ENCODING=b / BASE64), as text; undefined when it is not valid in its encoding. Others as they are.
 */
function decodedValue(line: ContentLine): string | undefined {
	const encoding = line.params.get('ENCODING')?.[0];
	const charset = line.params.get('CHARSET')?.[0];
	if (encoding === 'quoted-printable') {
		// Room for the worst case: a UTF-16 unit is at most 3 bytes of UTF-8.
		const bytes = new Uint8Array(line.value.length * 3);
		let at = 0;
		for (const [, hex, text = ''] of line.value.matchAll(/=([0-9A-Fa-f]{2})|([^=]+|=)/gu)) {
			if (hex !== undefined) bytes[at++] = parseInt(hex, 16);
			else at += encoder.encodeInto(text, bytes.subarray(at)).written;
		}
		return decodeBytes(bytes.subarray(0, at), charset);
	}
	if ((encoding === 'b' || encoding === 'base64') && !BINARY.has(line.name)) {
		try {
			return decodeBytes(
				Uint8Array.from(atob(line.value.replace(/\s/gu, '')), (c) => c.charCodeAt(0)),
				charset
			);
		} catch {
			return undefined;
		}
	}
	return line.value;
}

/** A quoted-printable line that ends in '=' goes on in the next line (a soft line break, not a fold). */
const isSoftBreak = (line: ContentLine, raw: string) =>
	line.params.get('ENCODING')?.[0] === 'quoted-printable' && raw.endsWith('=');

const typesOf = (line: ContentLine) => line.params.get('TYPE') ?? [];
const isPreferred = (line: ContentLine) =>
	typesOf(line).includes('pref') || line.params.get('PREF')?.[0] === '1';

/** The line to read among several of a property: of the type asked for, then preferred, then the first. */
function pick(lines: readonly ContentLine[], type: string): ContentLine | undefined {
	return lines.find((l) => typesOf(l).includes(type)) ?? lines.find(isPreferred) ?? lines[0];
}

/** A phone without the tel: of a 4.0 URI value. */
const phoneOf = (value: string) => unescapeVcardText(value).replace(/^tel:/iu, '');

const extraKeys = new Map<string, FieldKey>(vcardExtraFields.map((def) => [def.key, def.key]));

function readCard(lines: readonly ContentLine[], table: TableBuilder): void {
	const cells = new Map<string, string>();
	const put = (key: FieldKey, value: string) => {
		if (value !== '') cells.set(field(key).label, value);
	};
	const all = (name: string) => lines.filter((line) => line.name === name);
	const first = (name: string) => all(name)[0];
	const components = (line: ContentLine | undefined) =>
		line ? splitUnescaped(line.value, ';').map(unescapeVcardText) : [];

	const [family = '', given = ''] = components(first('N'));
	put('firstName', given);
	put('lastName', family);
	put('email', unescapeVcardText(pick(all('EMAIL'), 'work')?.value ?? ''));
	const phones = all('TEL').filter((l) => !typesOf(l).some((t) => t === 'fax' || t === 'pager'));
	const mobile = phones.find((l) => typesOf(l).includes('cell'));
	const business = pick(
		phones.filter((l) => l !== mobile),
		'work'
	);
	put('mobilePhone', phoneOf(mobile?.value ?? ''));
	put('businessPhone', phoneOf(business?.value ?? ''));
	const [company = '', department = ''] = components(first('ORG'));
	put('company', company);
	put('department', department);
	put('jobTitle', unescapeVcardText(first('TITLE')?.value ?? ''));
	// ADR: PO box; extended address; street; locality; region; postal code; country.
	const address = components(pick(all('ADR'), 'work')).slice(2);
	vcardAddress.forEach((key, i) => put(key, address[i] ?? ''));

	for (const line of all(VCARD_FIELD)) {
		const [name = '', value = ''] = components(line);
		const key = extraKeys.get(name);
		if (key) put(key, value);
	}
	for (const line of all(VCARD_CUSTOM)) {
		const [name = '', value = ''] = components(line);
		const column = customName(customKey(name));
		if (name.trim() !== '' && value !== '' && !isReservedColumn(column)) cells.set(column, value);
	}
	const isRollcall = unescapeVcardText(first('PRODID')?.value ?? '') === VCARD_PRODID;
	const fn = unescapeVcardText(first('FN')?.value ?? '');
	// Rollcall's cards carry the display name in an X- property; elsewhere FN is the display name,
	// unless it is only the name Rollcall lists the person under anyway.
	const listed = nameOf({
		firstName: given,
		lastName: family,
		username: cells.get(field('username').label),
		email: cells.get(field('email').label) ?? ''
	});
	if (!isRollcall && fn !== listed) put('displayName', fn);
	table.add(cells);
}

/**
 * The content lines of a file, unfolded (§3.2: a line break followed by one space or tab joins the
 * lines), each with the number of the line it starts on in the file, which is what a message names.
 */
function unfold(text: string): { text: string; number: number }[] {
	const lines: { text: string; number: number }[] = [];
	for (const [i, raw] of text.split(/\r\n|\n|\r/u).entries()) {
		const last = lines[lines.length - 1];
		if (last && (raw.startsWith(' ') || raw.startsWith('\t'))) last.text += raw.slice(1);
		else lines.push({ text: raw, number: i + 1 });
	}
	return lines;
}

/** The cards of a vCard file as a table of text, or why the file is not one. */
export function readVcard(text: string, fileName: string): Parsed<TextTable> {
	const name = `“${fileName}”`;
	const lines = unfold(text);
	const table = new TableBuilder();
	let card: ContentLine[] | undefined;
	let cards = 0;
	for (let index = 0; index < lines.length; index++) {
		const { number } = lines[index]!;
		let raw = lines[index]!.text;
		if (raw.trim() === '') continue;
		let line = parseLine(raw);
		if (line && isSoftBreak(line, raw)) {
			// The parts are joined once: joining line by line copied the whole value at every line.
			const parts = [raw.slice(0, -1)];
			let next = raw;
			while (next.endsWith('=') && index + 1 < lines.length) {
				next = lines[++index]!.text;
				parts.push(next.endsWith('=') ? next.slice(0, -1) : next);
			}
			raw = parts.join('');
			line = parseLine(raw);
		}
		if (!line) {
			if (card)
				return fail(`${name}, card ${cards + 1}: line ${number} is not a vCard property (it has no colon).`);
			continue;
		}
		if (line.name === 'BEGIN' && line.value.trim().toUpperCase() === 'VCARD') {
			if (card) return fail(`${name}: card ${cards + 1} has no END:VCARD before the next card begins.`);
			card = [];
		} else if (line.name === 'VERSION' && line.value.trim() === '2.1' && card) {
			// 2.1 folds and encodes differently (quoted-printable, other charsets): read as 3.0 it would garble names.
			return fail(
				`${name}, card ${cards + 1}, is vCard 2.1, which Rollcall does not read. Export the contacts as vCard 3.0 or 4.0 (most address books offer it), then import that file.`
			);
		} else if (line.name === 'END' && line.value.trim().toUpperCase() === 'VCARD' && card) {
			readCard(card, table);
			cards++;
			card = undefined;
		} else if (card) {
			const value = decodedValue(line);
			if (value === undefined)
				return fail(
					`${name}, card ${cards + 1}: the ${line.name} value is not valid base64, as its ENCODING says it is.`
				);
			card.push({ ...line, value });
		}
	}
	if (card) return fail(`${name}: card ${cards + 1} has no END:VCARD (was the file cut short?).`);
	if (cards === 0) return fail(`${name} has no vCard in it (BEGIN:VCARD ... END:VCARD).`);
	return ok(table.finish());
}
