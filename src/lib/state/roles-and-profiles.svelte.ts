import { liveQuery } from 'dexie';
import { profiles, roles } from '$lib/db';
import type { ProfileRow, RoleRow } from '$lib/db/database';
import { storageErrorMessage } from '$lib/db/errors';
import { ProfileError } from '$lib/db/profiles';
import { RoleError } from '$lib/db/roles';
import { profileSizeProblem } from '$lib/domain/roles';
import { formatCount } from '$lib/components/format';
import { Confirmation } from './confirmation.svelte';
import { currentCustomer } from './current-customer.svelte';
import { download } from './download';

/** What the last action did, or why it did nothing. */
export interface Notice {
	text: string;
	isError?: boolean;
}

/** A role as the page lists it: with how many users hold it. */
export interface ListedRole extends RoleRow {
	members: number;
}

/** A refusal's own words (a taken name, a file too big), else the storage failure's. */
const messageOf = (error: unknown) =>
	error instanceof RoleError || error instanceof ProfileError ? error.message : storageErrorMessage(error);

/**
 * The current customer's roles and profiles, kept live across tabs, with every change the Roles & profiles
 * page makes. Create it during a component's initialisation.
 */
export class RolesAndProfiles {
	#roles = $state.raw<ListedRole[]>([]);
	#profiles = $state.raw<ProfileRow[]>([]);
	#isLoading = $state(true);
	notice = $state.raw<Notice | null>(null);
	readonly confirmDeleteRole = new Confirmation('Delete role', 'Delete', true);
	readonly confirmDeleteProfile = new Confirmation('Delete profile', 'Delete', true);

	constructor() {
		$effect(() => {
			const customerId = currentCustomer.id;
			const read = async () => {
				const [found, files] = await Promise.all([roles.list(customerId), profiles.list(customerId)]);
				const counts = await Promise.all(found.map((role) => roles.countMembers(role)));
				return { roles: found.map((role, i) => ({ ...role, members: counts[i]! })), profiles: files };
			};
			const subscription = liveQuery(read).subscribe({
				next: (value) => {
					this.#roles = value.roles;
					this.#profiles = value.profiles;
					this.#isLoading = false;
				},
				error: (error: unknown) => (this.notice = { text: storageErrorMessage(error), isError: true })
			});
			return () => subscription.unsubscribe();
		});
	}

	get roles(): readonly ListedRole[] {
		return this.#roles;
	}
	get profiles(): readonly ProfileRow[] {
		return this.#profiles;
	}
	get isLoading(): boolean {
		return this.#isLoading;
	}

	/** Runs a change, saying what it did, or why nothing was changed; whether it was done. */
	async #act(change: () => Promise<string>): Promise<boolean> {
		try {
			this.notice = { text: await change() };
			return true;
		} catch (error) {
			this.notice = { text: messageOf(error), isError: true };
			return false;
		}
	}

	/** A chosen file's bytes, or a refusal naming it when it is over the limit (checked before reading it). */
	async #read(file: File) {
		const problem = profileSizeProblem(file.name, file.size);
		if (problem) throw new ProfileError(problem);
		return { fileName: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) };
	}

	upload(name: string, file: File): Promise<boolean> {
		return this.#act(async () => {
			const added = await profiles.add(currentCustomer.id, name, await this.#read(file));
			return `Profile ${added.name} added.`;
		});
	}

	replace(profile: ProfileRow, file: File): Promise<boolean> {
		return this.#act(async () => {
			await profiles.replace(profile.id, await this.#read(file));
			return `Profile ${profile.name} now holds ${file.name}.`;
		});
	}

	renameProfile(profile: ProfileRow, name: string): Promise<boolean> {
		return this.#act(async () => {
			const renamed = await profiles.rename(profile.id, name);
			return `Profile ${profile.name} renamed ${renamed.name}.`;
		});
	}

	/** Deletes a profile after asking, naming the roles that grant it (they stop granting it). */
	async deleteProfile(profile: ProfileRow): Promise<void> {
		const users = await profiles.usedBy(profile.id);
		const granted =
			users.length === 0
				? 'No role grants it.'
				: `It is granted by ${users.join(', ')}: ${users.length === 1 ? 'that role' : `those ${formatCount(users.length, 'role')}`} will stop granting it.`;
		const question = `Delete the profile ${profile.name}? ${granted} This cannot be undone.`;
		if (!(await this.confirmDeleteProfile.ask(question))) return;
		await this.#act(async () => {
			await profiles.remove(profile.id);
			return `Profile ${profile.name} deleted.`;
		});
	}

	download(profile: ProfileRow): void {
		const file = profiles.download(profile);
		download(file.bytes, file.fileName, file.type || 'application/octet-stream');
	}

	addRole(name: string): Promise<boolean> {
		return this.#act(async () => `Role ${(await roles.add(currentCustomer.id, name)).name} added.`);
	}

	renameRole(role: RoleRow, name: string): Promise<boolean> {
		return this.#act(async () => {
			const renamed = await roles.rename(role.id, name);
			return `Role ${role.name} renamed ${renamed.role.name}, for ${formatCount(renamed.users, 'user')}.`;
		});
	}

	/** Deletes a role after asking, saying how many users lose it. */
	async deleteRole(role: ListedRole): Promise<void> {
		const members = await roles.countMembers(role);
		const losing = members === 0 ? 'No user has it.' : `${formatCount(members, 'user')} will lose it.`;
		if (!(await this.confirmDeleteRole.ask(`Delete the role ${role.name}? ${losing} This cannot be undone.`)))
			return;
		await this.#act(async () => {
			const lost = await roles.remove(role.id);
			return `Role ${role.name} deleted; ${formatCount(lost, 'user')} lost it.`;
		});
	}

	/** Makes the role grant the profile (or stop granting it). */
	grant(role: RoleRow, profile: ProfileRow, isGranted: boolean): Promise<boolean> {
		return this.#act(async () => {
			await roles.grant(role.id, profile.id, isGranted);
			return `${role.name} ${isGranted ? 'grants' : 'no longer grants'} ${profile.name}.`;
		});
	}
}
