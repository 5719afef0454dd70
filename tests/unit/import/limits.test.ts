import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { settingsStore } from '$lib/db/settings';
import {
	MB,
	defaultImportLimits,
	fileSizeProblem,
	formatBytes,
	restoreImportLimits,
	restoreSettings
} from '$lib/domain/settings';
import { freshDb } from '../db/helpers';

describe('import limits in Settings', () => {
	it('default to 100 MB and 1,000,000 rows', () => {
		expect(defaultImportLimits).toEqual({ maxFileBytes: 100 * MB, maxRows: 1_000_000 });
		expect(restoreSettings({}).importLimits).toEqual(defaultImportLimits);
	});

	it('keep what was stored within range, down to the reference product’s 10 MB / 500 users', () => {
		expect(restoreImportLimits({ maxFileBytes: 10 * MB, maxRows: 500 })).toEqual({
			maxFileBytes: 10 * MB,
			maxRows: 500
		});
	});

	it('are clamped to 1 MB..1 GB and 1..5,000,000 rows, rounded to whole numbers', () => {
		expect(restoreImportLimits({ maxFileBytes: 10, maxRows: 0 })).toEqual({ maxFileBytes: MB, maxRows: 1 });
		expect(restoreImportLimits({ maxFileBytes: 1e12, maxRows: 9e9 })).toEqual({
			maxFileBytes: 1024 * MB,
			maxRows: 5_000_000
		});
		expect(restoreImportLimits({ maxFileBytes: Infinity, maxRows: -Infinity })).toEqual({
			maxFileBytes: 1024 * MB,
			maxRows: 1
		});
		expect(restoreImportLimits({ maxFileBytes: 2.6 * MB, maxRows: 499.6 })).toEqual({
			maxFileBytes: Math.round(2.6 * MB),
			maxRows: 500
		});
	});

	it.each([undefined, null, 'big', 42, [], { maxFileBytes: '10', maxRows: NaN }])(
		'fall back to the defaults for a damaged stored value (%j)',
		(stored) => {
			expect(restoreImportLimits(stored)).toEqual(defaultImportLimits);
		}
	);

	it('keep the other limit when only one is stored', () => {
		expect(restoreImportLimits({ maxRows: 500 })).toEqual({ maxFileBytes: 100 * MB, maxRows: 500 });
	});

	it('are written and read back through the settings store', async () => {
		const settings = settingsStore(freshDb('import-limits'));
		await settings.write({ importLimits: { maxFileBytes: 10 * MB, maxRows: 500 } });
		expect((await settings.read()).importLimits).toEqual({ maxFileBytes: 10 * MB, maxRows: 500 });
	});
});

describe('file sizes in the admin’s terms', () => {
	it.each([
		[1, '1 KB'],
		[800 * 1024, '800 KB'],
		[9.54 * MB, '9.5 MB'],
		[MB, '1 MB'],
		[120 * MB, '120 MB'],
		[1024 * MB, '1,024 MB']
	])('%d bytes: %s', (bytes, text) => {
		expect(formatBytes(bytes)).toBe(text);
	});

	it('say why a file is over the limit, and never that 100.4 MB is 100 MB', () => {
		expect(fileSizeProblem(100 * MB, defaultImportLimits)).toBeUndefined();
		expect(fileSizeProblem(120 * MB, defaultImportLimits)).toBe(
			'The file is 120 MB; the limit is 100 MB (Settings).'
		);
		expect(fileSizeProblem(100.4 * MB, defaultImportLimits)).toBe(
			'The file is 100.40 MB; the limit is 100 MB (Settings).'
		);
	});
});
