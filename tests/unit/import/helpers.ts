import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FieldContext, FieldKey } from '../../../src/lib/domain/fields';
import { fieldKeys } from '../../../src/lib/domain/fields';
import { presets, type FieldPolicy } from '../../../src/lib/domain/policy';
import { parseCsv, type CsvOptions, type CsvTable } from '../../../src/lib/import/csv';
import { decodeText, type DecodedText } from '../../../src/lib/import/decode';

export const fixtureFolder = join(import.meta.dirname, '../../fixtures/import');

/** Every fixture file, those of other systems in vendors/ too ('vendors/okta-import.csv'), as `fixture` takes them. */
export const fixtureNames = (): string[] =>
	readdirSync(fixtureFolder, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => relative(fixtureFolder, join(entry.parentPath, entry.name)));

/** The bytes of a fixture file, as a File's arrayBuffer gives them. */
export const fixture = (name: string) => new Uint8Array(readFileSync(join(fixtureFolder, name)));

/** A fixture decoded; fails the test when it cannot be. */
export function decoded(name: string): DecodedText {
	const result = decodeText(fixture(name));
	if (!result.ok) throw new Error(`${name}: ${result.message}`);
	return result.value;
}

/** A fixture decoded and parsed, as the import worker will. */
export const table = (name: string, options?: CsvOptions): CsvTable => parseCsv(decoded(name).text, options);

export const gb: FieldContext = { defaultCountry: 'GB' };

export function preset(id: string): FieldPolicy {
	const found = presets.find((p) => p.id === id);
	if (!found) throw new Error(`no preset ${id}`);
	return found.policy;
}

/** Every field optional, email (the identity) required. */
export const everything = Object.fromEntries(
	fieldKeys.map((key) => [key, key === 'email' ? 'required' : 'optional'])
) as Record<FieldKey, 'required' | 'optional'>;
