import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/lib/domain/policy';
import { defaultImportLimits } from '../../../src/lib/domain/settings';
import { peekFile } from '../../../src/lib/import/peek';
import { analyseFile, type Analysis } from '../../../src/lib/import/pipeline';
import { previewCell } from '../../../src/lib/import/preview';
import { gb } from './helpers';

const options = { policy: defaultPolicy, context: gb, limits: defaultImportLimits };

function analysed(name: string, lines: string[]): Analysis {
	const result = analyseFile({ name, bytes: new TextEncoder().encode(lines.join('\r\n')) }, options);
	if (!result.ok) throw new Error(result.message);
	return result.value;
}

const HEADER = 'First name,Last name,Email,User type,Business phone';

describe('a cell of the import preview', () => {
	const analysis = analysed('people.csv', [
		HEADER,
		'Ann,Lee,ann@example,Superuser,',
		"Bob,Ray,'=1+2,,12345",
		'Cy,Ito,cy@example.com,privileged,'
	]);
	const cell = (i: number, key: Parameters<typeof previewCell>[1]) =>
		previewCell(analysis.rows[i]!, key, analysis.table.rows[i], { context: gb, format: analysis.format });

	it('shows a value with an error as typed, with the error', () => {
		expect(cell(0, 'email')).toEqual({
			text: 'ann@example',
			problem: { kind: 'error', message: expect.stringMatching(/email/iu) as string }
		});
		expect(cell(0, 'userType')).toEqual({
			text: 'Superuser',
			problem: { kind: 'error', message: expect.stringContaining('Standard') as string }
		});
	});

	it('reads a typed value as the check did: the apostrophe Rollcall puts before a formula comes off', () => {
		expect(cell(1, 'email').text).toBe('=1+2');
		expect(cell(1, 'email').problem?.kind).toBe('error');
	});

	it('shows a valid value as it will be stored, and a kept one with its warning', () => {
		expect(cell(0, 'firstName')).toEqual({ text: 'Ann' });
		expect(cell(2, 'userType')).toEqual({ text: 'Privileged' });
		expect(cell(1, 'businessPhone')).toEqual({
			text: '12345',
			problem: { kind: 'warning', message: expect.stringContaining('kept as typed') as string }
		});
	});

	it('shows what it has when the file row is not there', () => {
		const row = analysis.rows[0]!;
		expect(previewCell(row, 'email', undefined, { context: gb, format: 'csv' }).text).toBe('');
		expect(previewCell(row, 'firstName', undefined, { context: gb, format: 'csv' }).text).toBe('Ann');
	});

	it('takes a SCIM or vCard value exactly as it is (no spreadsheet escaped it)', () => {
		const row = analysis.rows[1]!;
		const cells = analysis.table.rows[1];
		expect(previewCell(row, 'email', cells, { context: gb, format: 'scim' }).text).toBe("'=1+2");
	});
});

describe('the preview of a big file before it is read whole', () => {
	it("carries the cells of the rows it shows, and no more, for the preview to show what's typed", () => {
		const lines = [HEADER, 'Ann,Lee,ann@example,,'];
		for (let i = 0; i < 80; i++) lines.push(`P${i},Lee,p${i}@example.com,,`);
		const bytes = new TextEncoder().encode(`${lines.join('\n')}\n`);
		const peek = peekFile({ name: 'big.csv', bytes }, options);
		if (!peek.ok) throw new Error(peek.message);
		expect(peek.value.tableRows).toHaveLength(peek.value.rows.length);
		expect(peek.value.tableRows.length).toBeLessThan(80);
		const shown = previewCell(peek.value.rows[0]!, 'email', peek.value.tableRows[0], {
			context: gb,
			format: peek.value.format
		});
		expect(shown.text).toBe('ann@example');
	});
});
