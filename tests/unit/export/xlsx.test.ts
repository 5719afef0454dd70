import { describe, expect, it } from 'vitest';
import { inflateRawSync } from 'node:zlib';
import { defaultPolicy } from '../../../src/lib/domain/policy';
import { XLSX_MAX_CELLS, createWriter, exportLimit } from '../../../src/lib/export/writer';
import { DEFAULT_MAX_CELLS } from '../../../src/lib/import/xlsx';
import { inspectZip } from '../../../src/lib/import/zip';
import { request, storedUser, writeAll } from './helpers';

const users = Array.from({ length: 3 }, (_, i) =>
	storedUser({
		firstName: `=Name ${i}`,
		lastName: 'O’Brien',
		email: `u${i}@example.com`,
		mobilePhone: '+447911123456'
	})
);

/** The entries of a ZIP, inflated by Node's zlib from where the central directory says they are. */
function entries(bytes: Uint8Array): Map<string, string> {
	const directory = inspectZip(bytes);
	if (!directory.ok) throw new Error(directory.message);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const out = new Map<string, string>();
	for (const entry of directory.value.entries) {
		const start =
			entry.localOffset +
			30 +
			view.getUint16(entry.localOffset + 26, true) +
			view.getUint16(entry.localOffset + 28, true);
		const data = bytes.subarray(start, start + entry.compressedSize);
		out.set(entry.name, new TextDecoder().decode(entry.method === 8 ? inflateRawSync(data) : data));
	}
	return out;
}

describe('XLSX export', () => {
	it('is a valid ZIP written in one pass: data descriptors, sizes in the directory', () => {
		const writer = createWriter(request({ format: 'xlsx', total: users.length }));
		const bytes = writeAll(writer, users);
		const directory = inspectZip(bytes);
		expect(directory.ok).toBe(true);
		if (!directory.ok) return;
		expect(directory.value.entries.map((e) => e.name)).toContain('xl/worksheets/sheet1.xml');
		expect(directory.value.entries.every((e) => (e.flags & 0x0008) !== 0 && e.method === 8)).toBe(true);
		expect(entries(bytes).get('[Content_Types].xml')).toMatch(/^<\?xml/u);
		expect(writer.fileName(1, 1)).toBe('rollcall-users-2026-12-07.xlsx');
	});

	it('has a bold, frozen header, text cells only, formulas neutralised, phones kept', () => {
		const writer = createWriter(request({ format: 'xlsx', total: users.length }));
		const sheet = entries(writeAll(writer, users)).get('xl/worksheets/sheet1.xml')!;
		expect(sheet).toContain('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
		expect(sheet).toContain(
			'<c r="A1" s="2" t="inlineStr"><is><t xml:space="preserve">First name</t></is></c>'
		);
		expect(sheet).toContain(
			'<c r="A2" s="1" t="inlineStr"><is><t xml:space="preserve">\'=Name 0</t></is></c>'
		);
		expect(sheet).toContain('>+447911123456<');
		expect(sheet).not.toMatch(/<f>|t="n"|t="s"/u);
	});

	it('puts Entra’s version row above a frozen header on row 2', () => {
		const writer = createWriter(request({ format: 'xlsx', shape: 'entra', total: 1 }));
		const sheet = entries(writeAll(writer, users)).get('xl/worksheets/sheet1.xml')!;
		expect(sheet).toContain('<pane ySplit="2" topLeftCell="A3"');
		expect(sheet).toContain('<c r="A1" s="1" t="inlineStr"><is><t xml:space="preserve">version:v1.0</t>');
	});
});

describe('exportLimit', () => {
	it('never limits CSV, SCIM or vCard, even at a million users', () => {
		for (const format of ['csv', 'scim', 'vcard'] as const)
			expect(exportLimit({ format, total: 1_000_000 })).toBeUndefined();
	});

	it('refuses an XLSX Rollcall could not read back, offering CSV, and allows a smaller one', () => {
		const full = request({ format: 'xlsx', total: 1_000_000 });
		expect(exportLimit(full)).toMatch(
			/^An XLSX of 1,000,000 users with 15 columns would have 15,000,000 cells.*Export as CSV instead/u
		);
		expect(exportLimit({ ...full, total: 100_000 })).toBeUndefined();
		expect(exportLimit({ format: 'xlsx', total: 2_000_000 })).toMatch(/at most 1,048,575 users/u);
	});

	it('counts per file where a shape splits files (Microsoft 365: 249 users each)', () => {
		expect(
			exportLimit(request({ format: 'xlsx', shape: 'microsoft-365', total: 1_000_000 }))
		).toBeUndefined();
	});

	it('matches what the import reads from one sheet', () => {
		expect(XLSX_MAX_CELLS).toBe(DEFAULT_MAX_CELLS);
	});
});

describe('never a secret', () => {
	it('writes no password column or value in any format or shape, whatever the policy asks', () => {
		const policy = { ...defaultPolicy, password: 'required' as const };
		// A record that somehow carries one (an old row, a bug elsewhere) still gives nothing away.
		const user = {
			...storedUser({ email: 'ada@example.com', firstName: 'Ada' }),
			password: 'S3cret-passphrase',
			hasPassword: true
		};
		for (const format of ['csv', 'xlsx', 'scim', 'vcard'] as const) {
			for (const shape of ['rollcall', 'microsoft-365', 'entra', 'google', 'okta'] as const) {
				const bytes = writeAll(createWriter(request({ format, shape }, policy)), [user]);
				const all =
					format === 'xlsx' ? [...entries(bytes).values()].join('\n') : new TextDecoder().decode(bytes);
				expect(all).not.toContain('S3cret');
				expect(all).not.toMatch(/hasPassword|Has password/iu);
				if (shape === 'rollcall' && format !== 'scim' && format !== 'vcard')
					expect(all).not.toMatch(/Password/u);
			}
		}
	});
});
