import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { RollcallDb } from '$lib/db/database';
import { ProfileError, profilesStore } from '$lib/db/profiles';
import { RoleError, rolesStore } from '$lib/db/roles';
import { usersStore } from '$lib/db/users';
import { memberKey } from '$lib/domain/user';
import { freshDb, person } from './helpers';

const file = (text: string, fileName = 'vpn.ovpn', type = 'application/x-openvpn-profile') => ({
	fileName,
	type,
	bytes: new TextEncoder().encode(text)
});

async function directory(db: RollcallDb = freshDb('roles')) {
	const users = usersStore(db);
	const roles = rolesStore(db);
	const profiles = profilesStore(db);
	const ann = await users.add(
		person({ firstName: 'Ann', email: 'ann@example.com', roles: 'Sales; Support' })
	);
	const bob = await users.add(person({ firstName: 'Bob', email: 'bob@example.com', roles: 'sales' }));
	const cy = await users.add(person({ firstName: 'Cy', email: 'cy@example.com' }));
	const sales = await roles.add(1, 'Sales');
	const support = await roles.add(1, 'Support');
	return { db, users, roles, profiles, ann, bob, cy, sales, support };
}

describe('roles in the database', () => {
	it('renames a role and rewrites every member’s Roles and index keys in the same transaction', async () => {
		const { db, users, roles, ann, bob, cy, sales } = await directory();
		const { users: members } = await roles.rename(sales.id, 'Field sales');
		expect(members).toBe(2);
		expect((await users.get(ann.id))!.roles).toBe('Field sales; Support');
		expect((await users.get(bob.id))!.roles).toBe('Field sales');
		expect((await users.get(cy.id))!.roles).toBeUndefined();
		const holders = await db.users.where('roleKeys').equals(memberKey(1, 'Field sales')).primaryKeys();
		expect(holders.sort()).toEqual([ann.id, bob.id]);
		expect(await db.users.where('roleKeys').equals(memberKey(1, 'Sales')).count()).toBe(0);
	});

	it('leaves every member as they were when the rename fails part way', async () => {
		const { db, users, roles, ann, sales } = await directory();
		const before = await users.get(ann.id);
		// A user write that fails inside the transaction: the role's new name must not be kept either.
		db.users.hook('updating', () => {
			throw new Error('disk failed');
		});
		await expect(roles.rename(sales.id, 'Field sales')).rejects.toThrow('disk failed');
		expect((await roles.get(sales.id))!.name).toBe('Sales');
		expect(await users.get(ann.id)).toEqual(before);
	});

	it('refuses a name another role has, case and accents aside, and a name with ;', async () => {
		const { roles, sales } = await directory();
		await expect(roles.add(1, 'SUPPORT')).rejects.toThrow(RoleError);
		await expect(roles.rename(sales.id, 'support')).rejects.toThrow(
			'There is already a role named “Support”'
		);
		await expect(roles.add(1, 'A; B')).rejects.toThrow('cannot contain “;”');
		// Another customer may have its own Sales.
		expect((await roles.add(2, 'Sales')).customerId).toBe(2);
	});

	it('deletes a role: its members lose it (and only it), the count said how many', async () => {
		const { users, roles, ann, bob, sales } = await directory();
		expect(await roles.countMembers(sales)).toBe(2);
		expect(await roles.remove(sales.id)).toBe(2);
		expect(await roles.get(sales.id)).toBeUndefined();
		expect((await users.get(ann.id))!.roles).toBe('Support');
		expect((await users.get(ann.id))!.roleKeys).toEqual([memberKey(1, 'Support')]);
		expect((await users.get(bob.id))!.roles).toBeUndefined();
	});

	it('rewrites deleted users too, so an undone delete brings back no role that is gone', async () => {
		const { users, roles, ann, sales } = await directory();
		const { batch } = await users.remove([ann.id]);
		await roles.rename(sales.id, 'Field sales');
		await users.undoRemove(batch);
		expect((await users.get(ann.id))!.roles).toBe('Field sales; Support');
	});

	it('gives and takes a role in bulk, counting only the users it changed', async () => {
		const { users, roles, ann, bob, cy, support } = await directory();
		expect(await roles.assign(support.id, [ann.id, bob.id, cy.id], true)).toBe(2);
		expect((await users.get(bob.id))!.roles).toBe('sales; Support');
		expect(await roles.countMembers(support)).toBe(3);
		expect(await roles.assign(support.id, [ann.id, cy.id], false)).toBe(2);
		expect((await users.get(ann.id))!.roles).toBe('Sales');
		expect((await users.get(cy.id))!.roles).toBeUndefined();
	});

	it('leaves the users of another customer alone in bulk', async () => {
		const { users, roles, ann } = await directory();
		const other = await users.add(person({ email: 'dee@example.com' }), { customerId: 2 });
		const theirs = await roles.add(2, 'Admins');
		expect(await roles.assign(theirs.id, [ann.id, other.id], true)).toBe(1);
		expect((await users.get(ann.id))!.roles).toBe('Sales; Support');
		expect((await users.get(other.id))!.roleKeys).toEqual([memberKey(2, 'Admins')]);
	});

	it('lists a user’s effective profiles: the union of their roles’ profiles, each once', async () => {
		const { users, roles, profiles, ann, bob, cy, sales, support } = await directory();
		const vpn = await profiles.add(1, 'VPN', file('vpn'));
		const mail = await profiles.add(1, 'Mail', file('mail', 'mail.mobileconfig'));
		const wifi = await profiles.add(1, 'Wi-Fi', file('wifi', 'wifi.mobileconfig'));
		await roles.setProfiles(sales.id, [vpn.id, mail.id]);
		await roles.setProfiles(support.id, [mail.id, wifi.id]);
		const annHas = await roles.effectiveProfiles((await users.get(ann.id))!);
		expect(annHas.roles.map((r) => r.name)).toEqual(['Sales', 'Support']);
		expect(annHas.profiles.map((p) => p.name)).toEqual(['Mail', 'VPN', 'Wi-Fi']);
		const bobHas = await roles.effectiveProfiles((await users.get(bob.id))!);
		expect(bobHas.profiles.map((p) => p.name)).toEqual(['Mail', 'VPN']);
		expect((await roles.effectiveProfiles((await users.get(cy.id))!)).profiles).toEqual([]);
	});

	it('grants and stops granting one profile at a time, each change on the role as stored', async () => {
		const { roles, profiles, sales } = await directory();
		const vpn = await profiles.add(1, 'VPN', file('vpn'));
		const mail = await profiles.add(1, 'Mail', file('mail'));
		// Both from the role as the page last showed it (granting nothing): neither change is lost.
		await Promise.all([roles.grant(sales.id, vpn.id, true), roles.grant(sales.id, mail.id, true)]);
		expect((await roles.get(sales.id))!.profileIds.sort()).toEqual([vpn.id, mail.id].sort());
		await roles.grant(sales.id, vpn.id, false);
		expect((await roles.get(sales.id))!.profileIds).toEqual([mail.id]);
		await expect(roles.grant(sales.id, 999, true)).rejects.toThrow(RoleError);
	});

	it('refuses to grant a profile of another customer or one that is gone', async () => {
		const { roles, profiles, sales } = await directory();
		const theirs = await profiles.add(2, 'VPN', file('vpn'));
		await expect(roles.setProfiles(sales.id, [theirs.id])).rejects.toThrow(RoleError);
		await expect(roles.setProfiles(sales.id, [999])).rejects.toThrow(RoleError);
		expect((await roles.get(sales.id))!.profileIds).toEqual([]);
	});
});

describe('profiles in the database', () => {
	it('gives back the exact bytes, file name and type it was given', async () => {
		const { profiles } = await directory();
		const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) % 256);
		const added = await profiles.add(1, 'Binary', { fileName: 'blob.bin', type: '', bytes });
		const back = profiles.download((await profiles.get(added.id))!);
		expect(back).toEqual({ fileName: 'blob.bin', type: '', bytes });
		expect(added.size).toBe(70_000);
	});

	it('refuses a file over the limit, naming it and its size, and keeps nothing', async () => {
		const { profiles } = await directory();
		const big = { fileName: 'huge.mobileconfig', type: '', bytes: new Uint8Array(1024 * 1024 + 1) };
		await expect(profiles.add(1, 'Huge', big)).rejects.toThrow(
			'“huge.mobileconfig” is 1.00 MB: a profile may be at most 1 MB.'
		);
		await expect(profiles.add(1, 'Huge', big, { maxBytes: 2 * 1024 * 1024 })).resolves.toMatchObject({
			size: 1024 * 1024 + 1
		});
		const exact = { ...big, bytes: new Uint8Array(1024 * 1024) };
		await expect(profiles.add(1, 'Exact', exact)).resolves.toMatchObject({ name: 'Exact' });
		expect((await profiles.list(1)).map((p) => p.name)).toEqual(['Exact', 'Huge']);
	});

	it('replaces the file keeping its name and the roles granting it', async () => {
		const { profiles, roles, sales } = await directory();
		const vpn = await profiles.add(1, 'VPN', file('old'));
		await roles.setProfiles(sales.id, [vpn.id]);
		await profiles.replace(vpn.id, file('new one', 'vpn-2.ovpn', 'text/plain'));
		const now = (await profiles.get(vpn.id))!;
		expect(now.name).toBe('VPN');
		expect(new TextDecoder().decode(profiles.download(now).bytes)).toBe('new one');
		expect(profiles.download(now).fileName).toBe('vpn-2.ovpn');
		expect((await roles.get(sales.id))!.profileIds).toEqual([vpn.id]);
		await expect(profiles.replace(vpn.id, { ...file(''), bytes: new Uint8Array(2 ** 21) })).rejects.toThrow(
			ProfileError
		);
		expect(new TextDecoder().decode(profiles.download((await profiles.get(vpn.id))!).bytes)).toBe('new one');
	});

	it('renames, refusing a name another profile of the customer has', async () => {
		const { profiles } = await directory();
		const vpn = await profiles.add(1, 'VPN', file('vpn'));
		await profiles.add(1, 'Mail', file('mail'));
		await expect(profiles.rename(vpn.id, 'mail')).rejects.toThrow('There is already a profile named “Mail”');
		await expect(profiles.add(1, 'vpn', file('again'))).rejects.toThrow(ProfileError);
		expect((await profiles.rename(vpn.id, 'Office VPN')).name).toBe('Office VPN');
	});

	it('names the roles granting a profile, and deleting it takes it out of them', async () => {
		const { profiles, roles, sales, support } = await directory();
		const vpn = await profiles.add(1, 'VPN', file('vpn'));
		const mail = await profiles.add(1, 'Mail', file('mail'));
		await roles.setProfiles(sales.id, [vpn.id, mail.id]);
		await roles.setProfiles(support.id, [vpn.id]);
		expect(await profiles.usedBy(vpn.id)).toEqual(['Sales', 'Support']);
		expect(await profiles.remove(vpn.id)).toBe(2);
		expect(await profiles.get(vpn.id)).toBeUndefined();
		expect((await roles.get(sales.id))!.profileIds).toEqual([mail.id]);
		expect((await roles.get(support.id))!.profileIds).toEqual([]);
	});
});
