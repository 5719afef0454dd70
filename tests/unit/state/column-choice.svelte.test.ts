import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DeviceColumns, restoreChoice, type ChoiceStorage } from '$lib/state/column-choice.svelte';

/** A localStorage stand-in that shows what was written. */
function memoryStorage(
	entries: Record<string, string> = {}
): ChoiceStorage & { entries: Record<string, string> } {
	return {
		entries,
		getItem: (key) => entries[key] ?? null,
		setItem: (key, value) => void (entries[key] = value),
		removeItem: (key) => void delete entries[key]
	};
}

/** A directory id the test hands over when it wants to. */
function directory() {
	let give!: (id: string) => void;
	const id = new Promise<string>((resolve) => (give = resolve));
	return { id, give };
}

const KEY = 'rollcall.list-columns.dir-1';

describe('DeviceColumns', () => {
	it('reads the choice kept for its directory, and no other directory’s', async () => {
		const storage = memoryStorage({
			[KEY]: JSON.stringify({ department: true, lastLoginAt: false }),
			'rollcall.list-columns.dir-2': JSON.stringify({ site: false })
		});
		const device = new DeviceColumns(Promise.resolve('dir-1'), storage);
		await expect.poll(() => device.choice).toEqual({ department: true, lastLoginAt: false });
		expect(device.isChanged).toBe(true);
	});

	it('keeps each change, and forgets the choice on reset', async () => {
		const storage = memoryStorage();
		const device = new DeviceColumns(Promise.resolve('dir-1'), storage);
		await Promise.resolve();
		device.set('userType', true);
		device.set('lastLoginAt', false);
		expect(JSON.parse(storage.entries[KEY]!)).toEqual({ userType: true, lastLoginAt: false });
		device.reset();
		expect(device.choice).toEqual({});
		expect(storage.entries).toEqual({});
	});

	it('a change made before the directory is known wins over the stored one, and is kept', async () => {
		const storage = memoryStorage({ [KEY]: JSON.stringify({ site: true, department: true }) });
		const dir = directory();
		const device = new DeviceColumns(dir.id, storage);
		device.set('department', false);
		expect(storage.entries[KEY]).toBe(JSON.stringify({ site: true, department: true }));
		dir.give('dir-1');
		await expect.poll(() => device.choice).toEqual({ site: true, department: false });
		expect(JSON.parse(storage.entries[KEY]!)).toEqual({ site: true, department: false });
	});

	it('starts from the defaults when what is stored is not JSON', async () => {
		const device = new DeviceColumns(Promise.resolve('dir-1'), memoryStorage({ [KEY]: '{site: tru' }));
		await Promise.resolve();
		await Promise.resolve();
		expect(device.choice).toEqual({});
		expect(device.isChanged).toBe(false);
	});

	it('works without storage (a browser that refuses it): the choice lasts the visit', async () => {
		const device = new DeviceColumns(Promise.resolve('dir-1'), undefined);
		device.set('site', false);
		await Promise.resolve();
		expect(device.choice).toEqual({ site: false });
	});
});

describe('restoreChoice', () => {
	it('keeps only column ids set to true or false', () => {
		expect(restoreChoice({ site: true, department: 'yes', email: false, x: null })).toEqual({
			site: true,
			email: false
		});
		expect(restoreChoice(['site'])).toEqual({});
		expect(restoreChoice('site')).toEqual({});
		expect(restoreChoice(null)).toEqual({});
	});
});
