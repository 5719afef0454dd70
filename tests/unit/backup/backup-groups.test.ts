import 'fake-indexeddb/auto';
import './node-self';
import { describe, expect, it } from 'vitest';
import { sealBackup, type DexieExport } from '$lib/backup/format';
import { createBackupWorkerApi } from '$lib/backup/worker-api';
import type { RollcallDb } from '$lib/db/database';
import { groupsStore } from '$lib/db/groups';
import { usersStore } from '$lib/db/users';
import { freshDb, person, query } from '../db/helpers';

async function source(): Promise<RollcallDb> {
	const db = freshDb('backup-groups');
	const groups = groupsStore(db);
	const users = usersStore(db);
	const sales = await groups.create('Sales', 1, 10);
	await groups.create('Support', 1, 10);
	const ann = await users.add(person({ firstName: 'Ann', email: 'ann@example.com' }));
	const bob = await users.add(person({ firstName: 'Bob', email: 'bob@example.com', groups: 'Support' }));
	await groups.addMembers([ann.id, bob.id], sales.id);
	return db;
}

async function bytesOf(db: RollcallDb): Promise<Uint8Array> {
	const backup = await createBackupWorkerApi(() => db).backup(undefined, Date.UTC(2026, 11, 7, 9));
	return new Uint8Array(await backup.file.arrayBuffer());
}

async function restored(bytes: Uint8Array): Promise<RollcallDb> {
	const target = freshDb('backup-groups-target');
	const api = createBackupWorkerApi(() => target);
	expect((await api.open({ name: 'b.json', bytes })).ok).toBe(true);
	await api.restore();
	return target;
}

/** The file's export, changed by `change`, sealed again with a right checksum. */
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

const membersOf = async (db: RollcallDb) => {
	const groups = groupsStore(db);
	const users = usersStore(db);
	const list = await groups.list(1);
	const named = await Promise.all(
		list.map(async (group) => {
			const ids = await users.listIds(query({ group: `1:${group.name.toLowerCase()}` }));
			const people = await users.rows(ids);
			return [group.name, people.map((user) => user!.firstName)] as const;
		})
	);
	return Object.fromEntries(named);
};

describe('a backup with groups', () => {
	it('restores the groups and every user’s memberships', async () => {
		const target = await restored(await bytesOf(await source()));
		expect(await membersOf(target)).toEqual({ Sales: ['Ann', 'Bob'], Support: ['Bob'] });
		// The restored groups work as groups: a rename rewrites their members.
		const support = (await groupsStore(target).list(1)).find((group) => group.name === 'Support')!;
		await groupsStore(target).rename(support.id, 'Helpdesk');
		expect(await membersOf(target)).toEqual({ Sales: ['Ann', 'Bob'], Helpdesk: ['Bob'] });
	});

	it('gives back a group its users name that its groups table lacks, rather than refusing the file', async () => {
		const bytes = await resealed(await bytesOf(await source()), (exported) => {
			const table = exported.data.data.find((t) => t.tableName === 'groups')!;
			table.rows = (table.rows as { name: string }[]).filter((row) => row.name !== 'Support');
		});
		const target = await restored(bytes);
		expect(await membersOf(target)).toEqual({ Sales: ['Ann', 'Bob'], Support: ['Bob'] });
		// The next group made gets an id of its own.
		expect((await groupsStore(target).create('Ops', 1)).name).toBe('Ops');
	});
});
