import { describe, expect, it } from 'vitest';
import { parseCountry } from '../../../src/lib/domain/country';
import { presets } from '../../../src/lib/domain/policy';
import { escapeVcardText, foldLine } from '../../../src/lib/export/vcard';
import { createWriter } from '../../../src/lib/export/writer';
import { readVcard, unescapeVcardText } from '../../../src/lib/import/vcard';
import { request, storedUser, text, writeAll } from './helpers';

const fieldHeavy = presets.find((p) => p.id === 'field-heavy')!.policy;
const decoder = new TextDecoder();

describe('vCard export', () => {
	const ada = storedUser({
		firstName: 'Ada',
		lastName: 'Lovelace',
		email: 'ada@example.com',
		mobilePhone: '+447911123456',
		businessPhone: '+442079460958;ext=12',
		company: 'Example; Ltd',
		jobTitle: 'Engineer, first class',
		inGlobalAddressBook: true
	});
	const hidden = storedUser({
		firstName: 'Not',
		lastName: 'Listed',
		email: 'no@example.com',
		inGlobalAddressBook: false
	});

	it('writes the address book only, as RFC 6350 cards with CRLF line ends', () => {
		const writer = createWriter(request({ format: 'vcard' }, fieldHeavy));
		expect(writer.includes(ada)).toBe(true);
		expect(writer.includes(hidden)).toBe(false);
		const vcf = text(writeAll(writer, [ada, hidden]));
		expect(vcf.split('\r\n').slice(0, -1)).toEqual([
			'BEGIN:VCARD',
			'VERSION:4.0',
			'PRODID:-//Rollcall//Rollcall export//EN',
			'FN:Ada Lovelace',
			'N:Lovelace;Ada;;;',
			'ORG:Example\\; Ltd;',
			'EMAIL;TYPE=work:ada@example.com',
			'TEL;VALUE=uri;TYPE=cell:tel:+447911123456',
			'TEL;VALUE=uri;TYPE="work,voice":tel:+442079460958;ext=12',
			'X-ROLLCALL-FIELD:inGlobalAddressBook;Yes',
			'END:VCARD'
		]);
		expect(vcf).not.toContain('no@example.com');
		expect(writer.fileName(1, 1)).toBe('rollcall-users-2026-12-07.vcf');
		expect(writer.notes).toEqual(['Only users in the global address book are in this file.']);
	});

	it('writes everyone when the policy hides the address book flag, and says so', () => {
		const writer = createWriter(request({ format: 'vcard' }));
		expect(writer.includes(hidden)).toBe(true);
		expect(writer.notes[0]).toMatch(/Every user/u);
	});

	it('folds at 75 octets without splitting a UTF-8 sequence, and unfolds to the same line', () => {
		for (const line of [
			'FN:' + 'é'.repeat(100),
			'NOTE:' + '😀'.repeat(60),
			'TITLE:' + 'a'.repeat(74),
			'X:' + 'ab'.repeat(200)
		]) {
			const folded = foldLine(line);
			const physical = decoder.decode(folded).split('\r\n').slice(0, -1);
			for (const [i, part] of physical.entries()) {
				expect(new TextEncoder().encode(part).length).toBeLessThanOrEqual(75);
				if (i > 0) expect(part.startsWith(' ')).toBe(true);
				expect(part).not.toContain('\uFFFD');
			}
			expect(physical.map((p, i) => (i > 0 ? p.slice(1) : p)).join('')).toBe(line);
		}
		expect(decoder.decode(foldLine('FN:short'))).toBe('FN:short\r\n');
	});

	it('names the country in ADR, and the import reads the name back as its code', () => {
		const policy = { ...fieldHeavy, city: 'optional', country: 'optional' } as const;
		const user = storedUser({
			email: 'c@example.com',
			city: 'Paris',
			country: 'FR',
			inGlobalAddressBook: true
		});
		const vcf = text(writeAll(createWriter(request({ format: 'vcard' }, policy)), [user]));
		expect(vcf).toContain('ADR;TYPE=work:;;;Paris;;;France\r\n');
		const read = readVcard(vcf, 'c.vcf');
		expect(read.ok && read.value.rows[0]).toContain('France');
		expect(parseCountry('France')).toEqual({ ok: true, value: 'FR' });
	});

	it('escapes text values and reads them back', () => {
		const value = 'a\\b,c;d\ne';
		expect(escapeVcardText(value)).toBe('a\\\\b\\,c\\;d\\ne');
		expect(unescapeVcardText(escapeVcardText(value))).toBe(value);
	});
});

describe('vCard import', () => {
	it('reads vCard 3.0 and 4.0 cards: folded lines, escapes, groups, TYPE forms, several cards', () => {
		const file = [
			'BEGIN:VCARD',
			'VERSION:3.0',
			'N:Mustermann;Erika;;Dr.;',
			'FN:Dr. Erika Mustermann',
			'ORG:Contoso GmbH;Einkauf',
			'TITLE:Sachbearbeiterin\\, Einkauf',
			'item1.EMAIL;TYPE=INTERNET;TYPE=HOME:erika@home.example',
			'EMAIL;TYPE=INTERNET,WORK:erika.mustermann@contoso.example',
			'TEL;TYPE=WORK,VOICE:+49 89 1234-0',
			'TEL;TYPE=CELL:+49 151 0000000',
			'TEL;TYPE=WORK,FAX:+49 89 1234-99',
			'ADR;TYPE=WORK:;;Hauptstr. 1;München;BY;80331;',
			' Deutschland',
			'END:VCARD',
			'begin:vcard',
			'version:4.0',
			'fn:Max Muster',
			'n:Muster;Max;;;',
			'email;type=work:max@contoso.example',
			'tel;value=uri;type="cell":tel:+49-151-1111111',
			'end:vcard',
			''
		].join('\r\n');
		expect(readVcard(file, 'contacts.vcf')).toEqual({
			ok: true,
			value: {
				headers: [
					'First name',
					'Last name',
					'Display name',
					'Email',
					'Mobile phone',
					'Business phone',
					'Company',
					'Job title',
					'Department',
					'Street address',
					'City',
					'State or region',
					'Postal code',
					'Country'
				],
				rows: [
					[
						'Erika',
						'Mustermann',
						'Dr. Erika Mustermann',
						'erika.mustermann@contoso.example',
						'+49 151 0000000',
						'+49 89 1234-0',
						'Contoso GmbH',
						'Sachbearbeiterin, Einkauf',
						'Einkauf',
						'Hauptstr. 1',
						'München',
						'BY',
						'80331',
						'Deutschland'
					],
					// FN is only the first and last name: no display name of its own.
					['Max', 'Muster', '', 'max@contoso.example', '+49-151-1111111', '', '', '', '', '', '', '', '', '']
				]
			}
		});
	});

	it('refuses vCard 2.1, whose quoted-printable values would be read garbled', () => {
		const card = 'BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE:Jos=C3=A9;\r\nEND:VCARD\r\n';
		expect(readVcard(card, 'old.vcf')).toEqual({
			ok: false,
			message:
				'“old.vcf”, card 1, is vCard 2.1, which Rollcall does not read. Export the contacts as vCard 3.0 or 4.0 (most address books offer it), then import that file.'
		});
	});

	it('decodes 3.0 values some phones write quoted-printable (soft line breaks too) or base64', () => {
		const card = [
			'BEGIN:VCARD',
			'VERSION:3.0',
			'N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BCller;J=',
			'=C3=BCrgen;;;',
			'ORG;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Caf=E9 M=FCller;Einkauf',
			'TITLE;ENCODING=b:SW5nw6luaWV1cmU=',
			'EMAIL;TYPE=INTERNET:j@example.com',
			'PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRg==',
			'END:VCARD',
			''
		].join('\r\n');
		expect(readVcard(card, 'phone.vcf')).toEqual({
			ok: true,
			value: {
				headers: ['First name', 'Last name', 'Email', 'Company', 'Job title', 'Department'],
				rows: [['Jürgen', 'Müller', 'j@example.com', 'Café Müller', 'Ingénieure', 'Einkauf']]
			}
		});
		// A long quoted-printable value (a note of a megabyte) is decoded, not a stack overflow.
		const long = 'a'.repeat(1_000_000);
		const note = `BEGIN:VCARD\r\nVERSION:3.0\r\nN;ENCODING=QUOTED-PRINTABLE:${long};Jo\r\nEND:VCARD\r\n`;
		const longRead = readVcard(note, 'long.vcf');
		expect(longRead.ok && longRead.value.rows[0]![1]).toBe(long);
		// ... and so is one broken by soft line breaks into thousands of lines, each joined once.
		const soft = long.match(/.{1,70}/gu)!.join('=\r\n');
		const softCard = `BEGIN:VCARD\r\nVERSION:3.0\r\nN;ENCODING=QUOTED-PRINTABLE:${soft};Jo\r\nEND:VCARD\r\n`;
		const softRead = readVcard(softCard, 'soft.vcf');
		expect(softRead.ok && softRead.value.rows[0]![1]).toBe(long);
		const broken = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING=b:not base64!\r\nEND:VCARD\r\n';
		expect(readVcard(broken, 'b.vcf')).toEqual({
			ok: false,
			message: '“b.vcf”, card 1: the FN value is not valid base64, as its ENCODING says it is.'
		});
	});

	it('names the line of the file, folded lines counted, when a line is not a property', () => {
		const card = ['BEGIN:VCARD', 'VERSION:4.0', 'FN:Ada', ' Lovelace', 'NOTE:a', '\tb', 'oops', 'END:VCARD'];
		expect(readVcard(card.join('\r\n'), 'f.vcf')).toEqual({
			ok: false,
			message: '“f.vcf”, card 1: line 7 is not a vCard property (it has no colon).'
		});
	});

	it('never lets a custom attribute named like a field overwrite it', () => {
		const card = [
			'BEGIN:VCARD',
			'VERSION:4.0',
			'N:Lovelace;Ada;;;',
			'X-ROLLCALL-CUSTOM:First name;Mallory',
			'X-ROLLCALL-CUSTOM:Badge;red',
			'END:VCARD'
		];
		expect(readVcard(card.join('\r\n'), 'c.vcf')).toEqual({
			ok: true,
			value: {
				headers: ['First name', 'Last name', 'Badge'],
				rows: [['Ada', 'Lovelace', 'red']]
			}
		});
	});

	it('names the file and the card when a card is cut short or empty', () => {
		expect(readVcard('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\n', 'cut.vcf')).toEqual({
			ok: false,
			message: '“cut.vcf”: card 1 has no END:VCARD (was the file cut short?).'
		});
		expect(readVcard('BEGIN:VCARD\r\nFN:A\r\nBEGIN:VCARD\r\n', 'x.vcf')).toMatchObject({ ok: false });
		expect(readVcard('hello\r\n', 'notes.vcf')).toEqual({
			ok: false,
			message: '“notes.vcf” has no vCard in it (BEGIN:VCARD ... END:VCARD).'
		});
	});
});
