import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
	DAMAGED,
	PASSWORD_PROTECTED,
	compoundFileNames,
	detectContainer,
	inspectCompoundFile,
	inspectZip,
	storedData,
	withLocalSizes,
	type ZipDirectory
} from '../../../src/lib/import/zip';
import { cfb, compoundFile, zip, type ZipInput } from '../../fixtures/workbooks';
import { fixture } from './helpers';

const MiB = 1024 * 1024;

function directory(name: string): ZipDirectory {
	const inspected = inspectZip(fixture(name));
	if (!inspected.ok) throw new Error(inspected.message);
	return inspected.value;
}

const u32 = (bytes: Uint8Array, at: number) =>
	new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);

describe('telling containers apart by their bytes, whatever the name', () => {
	it.each([
		['workbook.xlsx', 'zip'],
		['workbook.ods', 'zip'],
		['zip-bomb.xlsx', 'zip'],
		['workbook.xls', 'cfb'],
		['password-protected.xlsx', 'cfb'],
		['web-page.xls', 'markup'],
		['tab-text.xls', 'text'],
		['utf8-bom.csv', 'text'],
		['utf16le-unicode-text.txt', 'text'],
		['windows-1252.csv', 'text'],
		['random-bytes.xlsx', 'binary'],
		['not-text.csv', 'binary'],
		['empty.csv', 'binary']
	])('%s is %s', (name, container) => {
		expect(detectContainer(fixture(name))).toBe(container);
	});

	it('knows a web page saved in UTF-16 and a bare Excel 4 worksheet stream', () => {
		const html = new Uint8Array([0xff, 0xfe, ...[...'  <html>'].flatMap((c) => [c.charCodeAt(0), 0])]);
		expect(detectContainer(html)).toBe('markup');
		expect(detectContainer(Uint8Array.of(0x09, 0x04, 0x06, 0x00, 0, 0, 0x10, 0))).toBe('biff');
	});
});

describe('a ZIP central directory, read without unpacking', () => {
	it('lists the entries of a real workbook with their sizes', () => {
		const { entries, uncompressedBytes } = directory('workbook.xlsx');
		const sheet = entries.find((entry) => entry.name === 'xl/worksheets/sheet2.xml');
		expect(sheet).toMatchObject({ method: 8 });
		expect(sheet!.uncompressedSize).toBeGreaterThan(sheet!.compressedSize);
		expect(uncompressedBytes).toBe(entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0));
		expect(entries.map((entry) => entry.name)).toContain('[Content_Types].xml');
	});

	it('refuses the zip bomb before unpacking it: 400 MB from 406 KB', () => {
		const bytes = fixture('zip-bomb.xlsx');
		expect(bytes.length).toBeLessThan(500_000);
		// Only the central directory is read (how fast that is belongs to the benchmarks, not here).
		const inspected = inspectZip(bytes);
		expect(inspected).toEqual({
			ok: false,
			message: expect.stringMatching(
				/unpack to 400 MB from 406 KB \(1,0\d\d times its size\).*zip bomb/u
			) as string
		});
	});

	it('refuses a file whose entries each stay small but together grow over 100 times', () => {
		const spaces = new Uint8Array(900 * 1024).fill(0x20);
		const bytes = zip(Array.from({ length: 6 }, (_, i) => ({ name: `part${i}.xml`, data: spaces })));
		const inspected = inspectZip(bytes);
		expect(inspected.ok).toBe(false);
		expect(!inspected.ok && inspected.message).toMatch(/zip bomb/u);
	});

	it('refuses more than the unpacked limit, with advice to save as CSV', () => {
		const inspected = inspectZip(fixture('workbook.xlsx'), { maxUncompressedBytes: 10_000, maxRatio: 100 });
		expect(inspected).toEqual({
			ok: false,
			message: expect.stringMatching(/unpacks to \d+ KB, more than .* \(10 KB\)\. Save it as CSV/u) as string
		});
	});

	it('refuses truncated or damaged files, whatever is cut', () => {
		const whole = fixture('workbook.xlsx');
		expect(inspectZip(fixture('truncated.xlsx'))).toEqual({ ok: false, message: DAMAGED });
		expect(inspectZip(whole.slice(0, whole.length - 1))).toEqual({ ok: false, message: DAMAGED });
		expect(inspectZip(whole.slice(0, whole.length - 30))).toEqual({ ok: false, message: DAMAGED });
		// A local header that is not where the central directory says.
		const moved = whole.slice();
		const { entries } = directory('workbook.xlsx');
		moved[entries[1]!.localOffset] = 0;
		expect(inspectZip(moved)).toEqual({ ok: false, message: DAMAGED });
		// A local header whose sizes disagree with the directory's (SheetJS trusts the local one).
		const lying = whole.slice();
		new DataView(lying.buffer).setUint32(entries[3]!.localOffset + 22, 1, true);
		expect(inspectZip(lying)).toEqual({ ok: false, message: DAMAGED });
		expect(inspectZip(new Uint8Array(0))).toEqual({ ok: false, message: DAMAGED });
	});

	it('finds the directory behind an archive comment', () => {
		const bytes = fixture('stray-dimension.xlsx');
		const comment = new TextEncoder().encode('Made by a tool that signs its archives');
		const commented = new Uint8Array([...bytes, ...comment]);
		new DataView(commented.buffer).setUint16(bytes.length - 2, comment.length, true);
		expect(inspectZip(commented).ok).toBe(true);
	});

	it('says password-protected for encrypted entries', () => {
		expect(inspectZip(fixture('zip-encrypted.xlsx'))).toEqual({ ok: false, message: PASSWORD_PROTECTED });
	});

	it('refuses compression methods SheetJS cannot unpack', () => {
		const bytes = zip([{ name: 'xl/workbook.xml', data: new TextEncoder().encode('<workbook/>') }]);
		const found = inspectZip(bytes);
		if (!found.ok) throw new Error(found.message);
		const { entries } = found.value;
		const bzip2 = bytes.slice();
		const view = new DataView(bzip2.buffer);
		view.setUint16(entries[0]!.localOffset + 8, 12, true);
		view.setUint16(u32(bytes, bytes.length - 6) + 10, 12, true);
		expect(inspectZip(bzip2)).toEqual({
			ok: false,
			message: expect.stringMatching(/compressed in a way/u) as string
		});
	});

	it('reads ZIP64 sizes from the extra field', () => {
		const { entries } = directory('zip64.xlsx');
		expect(entries.every((entry) => entry.uncompressedSize < 0xffff_ffff)).toBe(true);
		expect(entries.find((entry) => entry.name === 'xl/worksheets/sheet1.xml')?.uncompressedSize).toBe(435);
	});

	it('gives the bytes of a stored entry: the ODF mimetype', () => {
		const bytes = fixture('workbook.ods');
		const { entries } = directory('workbook.ods');
		const mimetype = storedData(
			bytes,
			entries.find((entry) => entry.name === 'mimetype')!
		);
		expect(new TextDecoder().decode(mimetype)).toBe('application/vnd.oasis.opendocument.spreadsheet');
		expect(
			storedData(
				bytes,
				entries.find((entry) => entry.name === 'content.xml')!
			)
		).toBeUndefined();
	});
});

describe('local headers that defer their sizes to a data descriptor', () => {
	it('get the checked sizes of the central directory, in a copy', () => {
		const bytes = fixture('streamed.xlsx');
		const found = directory('streamed.xlsx');
		const sheet = found.entries.find((entry) => entry.name === 'xl/worksheets/sheet1.xml')!;
		expect(u32(bytes, sheet.localOffset + 22)).toBe(0);
		const patched = withLocalSizes(bytes, found);
		expect(patched).not.toBe(bytes);
		expect(u32(bytes, sheet.localOffset + 22)).toBe(0);
		expect(u32(patched, sheet.localOffset + 18)).toBe(sheet.compressedSize);
		expect(u32(patched, sheet.localOffset + 22)).toBe(sheet.uncompressedSize);
	});

	it('are left alone when there are none', () => {
		const bytes = fixture('workbook.xlsx');
		expect(withLocalSizes(bytes, directory('workbook.xlsx'))).toBe(bytes);
	});

	it('keep a lying descriptor from growing SheetJS past the declared size', () => {
		// A streamed entry that declares 10 bytes and inflates to 1 MiB: SheetJS sizes its buffer from
		// the local header, so with the checked size in it the output cannot grow past 10 bytes.
		const data = new Uint8Array(MiB).fill(0x20);
		const input: ZipInput = {
			name: 'a.txt',
			deflated: { bytes: new Uint8Array(deflateRawSync(data)), size: 10, crc: 0 },
			hasDescriptor: true
		};
		const bytes = zip([input]);
		const found = inspectZip(bytes);
		if (!found.ok) throw new Error(found.message);
		const container = cfb.read(withLocalSizes(bytes, found.value), { type: 'array' });
		expect(container.FileIndex.find((file) => file.name === 'a.txt')?.content.length).toBe(10);
	});
});

describe('OLE compound files', () => {
	it('lists the streams of a legacy .xls and of a password-protected .xlsx', () => {
		expect(compoundFileNames(fixture('workbook.xls'))).toContain('Workbook');
		expect(compoundFileNames(fixture('password-protected.xlsx'))).toEqual(
			expect.arrayContaining(['EncryptionInfo', 'EncryptedPackage'])
		);
	});

	it('takes .xls, refuses encrypted OOXML, other Office files and damaged ones', () => {
		expect(inspectCompoundFile(fixture('workbook.xls'))).toEqual({ ok: true, value: 'xls' });
		expect(inspectCompoundFile(fixture('password-protected.xlsx'))).toEqual({
			ok: false,
			message: PASSWORD_PROTECTED
		});
		const word = compoundFile({ WordDocument: new Uint8Array(8000), '1Table': new Uint8Array(10) });
		expect(inspectCompoundFile(word)).toEqual({
			ok: false,
			message: 'This is a Word document, not a spreadsheet. Choose an Excel, OpenDocument or CSV file.'
		});
		expect(inspectCompoundFile(fixture('workbook.xls').slice(0, 600))).toEqual({
			ok: false,
			message: DAMAGED
		});
		expect(inspectCompoundFile(fixture('workbook.xls').slice(0, 100))).toEqual({
			ok: false,
			message: DAMAGED
		});
	});

	it('follows a directory longer than one sector', () => {
		const streams = Object.fromEntries(
			Array.from({ length: 12 }, (_, i) => [`Stream ${i}`, new Uint8Array(5000)] as const)
		);
		const names = compoundFileNames(compoundFile({ ...streams, EncryptedPackage: new Uint8Array(10) }));
		expect(names).toEqual(expect.arrayContaining(['Stream 0', 'Stream 11', 'EncryptedPackage']));
	});
});
