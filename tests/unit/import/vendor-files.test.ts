import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fields } from '../../../src/lib/domain/fields';
import { defaultPolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import { defaultImportLimits } from '../../../src/lib/domain/settings';
import { tableShape } from '../../../src/lib/export/shapes';
import { analyseFile, type Analysis } from '../../../src/lib/import/pipeline';
import { csvTemplate } from '../../../src/lib/import/template';
import { vendorFixtures } from '../../fixtures/vendor-fixtures';
import { vendorFiles, type ExpectedUser, type VendorFile } from '../../fixtures/vendor-users';
import { everything, fixture, fixtureFolder, gb, preset } from './helpers';

/**
 * The files of other systems (tests/fixtures/vendor-fixtures.ts), each read as an admin would bring it:
 * its shape named, every column mapped or ignored with a reason, no error, and every user's values as
 * tests/fixtures/vendor-users.ts says, under the policy the file is for and under one that shows every
 * field. The organisation's default country is GB: the Australian, French and German numbers typed
 * without +code are read through their row's own country column.
 */

const vendor = (name: string) => `vendors/${name}`;

function analysed(file: VendorFile, policy: FieldPolicy): Analysis {
	const result = analyseFile(
		{ name: file.file, bytes: fixture(vendor(file.file)) },
		{ policy, context: gb, limits: defaultImportLimits }
	);
	if (!result.ok) throw new Error(`${file.file}: ${result.message}`);
	return result.value;
}

/** A user's values as a policy keeps them: the fields it shows, each the file's value or the field's default. */
function expectedValues(user: ExpectedUser, policy: FieldPolicy): Record<string, unknown> {
	const values: Record<string, unknown> = {};
	for (const def of fields) {
		if (policy[def.key] === 'hidden' || def.isSensitive) continue;
		values[def.key] = user[def.key as keyof ExpectedUser] ?? def.defaultValue;
	}
	return values;
}

/** What the test reads off an analysis, in words a failure shows at a glance. */
function outcome(analysis: Analysis) {
	const rows = analysis.rows.filter((row) => row.status !== 'blank');
	return {
		shape: analysis.mapping.shape?.name,
		columnsLeft: analysis.mapping.columns
			.filter((column) => column.status === 'unmapped' || column.status === 'error')
			.map((column) => `${column.header}: ${column.reason}`),
		problems: analysis.mapping.problems,
		isReady: analysis.mapping.isReady,
		errors: analysis.errors.map((error) => `row ${error.row}, ${error.header ?? '-'}: ${error.message}`),
		statuses: rows.map((row) => row.status),
		values: rows.map((row) => row.values),
		hasPassword: rows.map((row) => row.hasPassword),
		warnings: rows.flatMap((row) => (row.warnings ?? []).map((warning) => [warning.row, warning.field]))
	};
}

function expectedOutcome(file: VendorFile, policy: FieldPolicy) {
	const isShown = (key: string) => policy[key as keyof FieldPolicy] !== 'hidden';
	return {
		shape: file.shape,
		columnsLeft: [],
		problems: [],
		isReady: true,
		errors: [],
		statuses: file.users.map(() => 'new'),
		values: file.users.map((user) => expectedValues(user, policy)),
		hasPassword: file.users.map((user) => isShown('password') && user.hasPassword === true),
		warnings: (file.warnings ?? []).filter(([, key]) => isShown(key))
	};
}

describe('files of other systems, imported with no manual step', () => {
	it.each(vendorFiles.map((file) => [file.file, file] as const))(
		'%s: under the policy it is for, its shape named and every user as stored',
		(_name, file) => {
			const policy = preset(file.preset);
			expect(outcome(analysed(file, policy))).toEqual(expectedOutcome(file, policy));
		}
	);

	it.each(vendorFiles.map((file) => [file.file, file] as const))(
		'%s: with every field shown, addresses and organisation too',
		(_name, file) => {
			expect(outcome(analysed(file, everything))).toEqual(expectedOutcome(file, everything));
		}
	);

	it('covers every vendor fixture, and the folder holds exactly what vendor-fixtures.ts writes', () => {
		const made = vendorFixtures();
		expect(vendorFiles.map((file) => file.file).sort()).toEqual(Object.keys(made).sort());
		expect(readdirSync(join(fixtureFolder, 'vendors')).sort()).toEqual(Object.keys(made).sort());
		for (const [name, bytes] of Object.entries(made)) expect(fixture(vendor(name)), name).toEqual(bytes);
	});

	it("has Rollcall's own export and template headed as Rollcall's writers head them today", () => {
		const headerRow = (bytes: Uint8Array) =>
			new TextDecoder()
				.decode(bytes)
				.replace(/^\uFEFF/u, '')
				.split('\r\n')[0];
		const exported = tableShape('rollcall', defaultPolicy).columns.map((column) => column.header);
		expect(headerRow(fixture(vendor('rollcall-export.csv')))).toBe(exported.join(','));
		expect(headerRow(fixture(vendor('rollcall-template.csv')))).toBe(headerRow(csvTemplate(defaultPolicy)));
	});
});
