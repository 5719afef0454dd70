import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtures } from '../../fixtures/make-fixtures';
import { fixture, fixtureFolder } from './helpers';

describe('import fixtures', () => {
	const made = fixtures();

	it('are exactly what tests/fixtures/make-fixtures.ts writes, and nothing else', () => {
		const files = readdirSync(fixtureFolder, { withFileTypes: true }).filter((entry) => entry.isFile());
		expect(files.map((entry) => entry.name).sort()).toEqual(Object.keys(made).sort());
		for (const [name, bytes] of Object.entries(made)) expect(fixture(name), name).toEqual(bytes);
	});
});
