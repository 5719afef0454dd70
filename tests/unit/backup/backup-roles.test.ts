import 'fake-indexeddb/auto';
import './node-self';
import { describe, expect, it } from 'vitest';
import { sealBackup, type DexieExport } from '$lib/backup/format';
import { createBackupWorkerApi } from '$lib/backup/worker-api';
import type { RollcallDb } from '$lib/db/database';
import { profilesStore } from '$lib/db/profiles';
import { rolesStore } from '$lib/db/roles';
import { usersStore } from '$lib/db/users';
import { freshDb, person } from '../db/helpers';

/** Every byte value, so no text decoding on the way could keep them as they are. */
const BYTES = Uint8Array.from({ length: 1024 }, (_, i) => (i * 151) % 256);

/** A device with two profiles, a role granting one of them, and a user holding the role. */
async function populated(): Promise<RollcallDb> {
	const db = freshDb('backup-roles-source');
	const profiles = profilesStore(db);
	const roles = rolesStore(db);
	const vpn = await profiles.add(1, 'VPN', { fileName: 'office.ovpn', type: '', bytes: BYTES });
	await profiles.add(1, 'Wi-Fi', {
		fileName: 'wifi.mobileconfig',
		type: 'application/xml',
		bytes: BYTES.slice(3)
	});
	const sales = await roles.add(1, 'Sales');
	await roles.setProfiles(sales.id, [vpn.id]);
	await usersStore(db).add(person({ firstName: 'Ann', email: 'ann@example.com', roles: 'Sales' }));
	return db;
}

async function made(db: RollcallDb): Promise<Uint8Array> {
	const backup = await createBackupWorkerApi(() => db).backup(undefined, Date.UTC(2026, 11, 7, 9));
	return new Uint8Array(await backup.file.arrayBuffer());
}

async function restored(bytes: Uint8Array) {
	const target = freshDb('backup-roles-target');
	const api = createBackupWorkerApi(() => target);
	const opened = await api.open({ name: 'b.json', bytes });
	if (!opened.ok) return { target, message: opened.message };
	await api.restore();
	return { target, message: '' };
}

/** The file's Dexie export, changed by `change`, sealed again with a right checksum. */
async function resealed(bytes: Uint8Array, change: (exported: DexieExport) => void): Promise<Uint8Array> {
	const { rollcall, ...exported } = JSON.parse(new TextDecoder().decode(bytes)) as DexieExport & {
		rollcall: {
			meta: { createdAt: number; counts: Record<string, number>; passwordMessagesLeftOut: number };
		};
	};
	change(exported);
	const parts = await sealBackup(new TextEncoder().encode(JSON.stringify(exported)), rollcall.meta);
	return new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}

const rowsOf = (exported: DexieExport, table: string) =>
	exported.data.data.find((t) => t.tableName === table)!.rows as Record<string, unknown>[];

describe('a backup with roles and profiles', () => {
	it('restores each profile’s exact bytes, and the roles granting them', async () => {
		const { target, message } = await restored(await made(await populated()));
		expect(message).toBe('');
		const profiles = profilesStore(target);
		const [vpn, wifi] = await profiles.list(1);
		expect(profiles.download(vpn!)).toEqual({ fileName: 'office.ovpn', type: '', bytes: BYTES });
		expect(profiles.download(wifi!).bytes).toEqual(BYTES.slice(3));
		const [sales] = await rolesStore(target).list(1);
		expect(sales).toMatchObject({ name: 'Sales', profileIds: [vpn!.id] });
		const ann = (await target.users.toArray())[0]!;
		expect((await rolesStore(target).effectiveProfiles(ann)).profiles.map((p) => p.name)).toEqual(['VPN']);
	});

	it('is refused when a role grants a profile the file does not hold, naming the role', async () => {
		const crafted = await resealed(await made(await populated()), (exported) => {
			rowsOf(exported, 'roles')[0]!.profileIds = [1, 99];
		});
		const { target, message } = await restored(crafted);
		expect(message).toBe(
			'“b.json” cannot be restored: record 1 of its roles (Sales) grants a profile it does not hold (99).'
		);
		expect(await target.roles.count()).toBe(0);
	});

	it('is refused when a profile’s content is not base64', async () => {
		const crafted = await resealed(await made(await populated()), (exported) => {
			rowsOf(exported, 'profiles')[1]!.content = 'not base64!';
		});
		expect((await restored(crafted)).message).toBe(
			'“b.json” cannot be restored: record 2 of its profiles is damaged.'
		);
	});
});
