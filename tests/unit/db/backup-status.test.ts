import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { backupStore } from '$lib/db/backup';
import { customersStore } from '$lib/db/customers';
import { usersStore } from '$lib/db/users';
import { freshDb, person } from './helpers';

describe('what the backup reminder and the restore question count', () => {
	it('counts every customer’s users, and follows deletions', async () => {
		const db = freshDb('backup-status');
		const users = usersStore(db);
		const other = await customersStore(db).create('Globex');
		const ann = await users.add(person({ email: 'ann@example.com' }));
		await users.add(person({ email: 'bob@example.com' }));
		await users.add(person({ email: 'ann@example.com' }), { customerId: other.id });
		const backups = backupStore(db);
		expect((await backups.status()).userCount).toBe(3);
		expect((await backups.deviceCounts()).users).toBe(3);
		await users.remove([ann.id]);
		expect((await backups.status()).userCount).toBe(2);
		expect((await backups.deviceCounts()).users).toBe(2);
	});
});
