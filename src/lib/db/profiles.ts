import { foldText } from '$lib/domain/text';
import { fromBase64, parseName, PROFILE_MAX_BYTES, profileSizeProblem, toBase64 } from '$lib/domain/roles';
import type { ProfileRow, RollcallDb } from './database';

/** Refused before anything was written; the message says why in the admin's words. */
export class ProfileError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ProfileError';
	}
}

/** A file to keep as a profile, as the page read it (its bytes read before any transaction opens). */
export interface ProfileFile {
	fileName: string;
	/** Its MIME type as the browser gave it ('' when unknown). */
	type: string;
	bytes: Uint8Array;
}

/** A profile's file given back: the exact bytes, under its file name and type. */
export interface ProfileDownload {
	fileName: string;
	type: string;
	bytes: Uint8Array<ArrayBuffer>;
}

const gone = () => new ProfileError('This profile no longer exists: it was deleted in another tab.');

/**
 * Profiles module: a customer's named configuration files, each kept whole (base64 in the row, so a backup
 * carries it as it is). A profile's roles name it by id, so renaming or replacing one leaves its roles
 * alone; deleting one takes it out of every role that grants it, in the same transaction.
 */
export function profilesStore(db: RollcallDb) {
	/** The file's row fields, or a refusal naming the file when it is over the limit. */
	function fileFields(file: ProfileFile, maxBytes: number) {
		const problem = profileSizeProblem(file.fileName, file.bytes.length, maxBytes);
		if (problem) throw new ProfileError(problem);
		return {
			fileName: file.fileName,
			type: file.type,
			size: file.bytes.length,
			content: toBase64(file.bytes)
		};
	}

	function cleanName(raw: string): string {
		const parsed = parseName(raw, 'profile');
		if (!parsed.ok) throw new ProfileError(parsed.message);
		return parsed.value;
	}

	/** Refuses a name another profile of the customer has (case and accents aside). */
	async function checkFree(customerId: number, nameKey: string, exceptId?: number) {
		const other = await db.profiles.where('[customerId+nameKey]').equals([customerId, nameKey]).first();
		if (other && other.id !== exceptId) {
			throw new ProfileError(`There is already a profile named “${other.name}”: choose another name.`);
		}
	}

	return {
		/** A customer's profiles, by name. */
		list: (customerId: number): Promise<ProfileRow[]> =>
			db.profiles.where('customerId').equals(customerId).sortBy('nameKey'),

		get: (id: number) => db.profiles.get(id),

		/** Keeps a file as a new profile of the customer; refuses a taken name or a file over the limit. */
		async add(
			customerId: number,
			name: string,
			file: ProfileFile,
			options: { now?: number; maxBytes?: number } = {}
		): Promise<ProfileRow> {
			const clean = cleanName(name);
			const row: Omit<ProfileRow, 'id'> = {
				customerId,
				name: clean,
				nameKey: foldText(clean),
				...fileFields(file, options.maxBytes ?? PROFILE_MAX_BYTES),
				updatedAt: options.now ?? Date.now()
			};
			return db.transaction('rw', db.profiles, async () => {
				await checkFree(customerId, row.nameKey);
				const id = await db.profiles.add(row);
				return { ...row, id };
			});
		},

		/** Puts a new file in a profile's place: its name, and the roles granting it, stay. */
		async replace(
			id: number,
			file: ProfileFile,
			options: { now?: number; maxBytes?: number } = {}
		): Promise<ProfileRow> {
			const fields = fileFields(file, options.maxBytes ?? PROFILE_MAX_BYTES);
			return db.transaction('rw', db.profiles, async () => {
				const current = await db.profiles.get(id);
				if (!current) throw gone();
				const row = { ...current, ...fields, updatedAt: options.now ?? Date.now() };
				await db.profiles.put(row);
				return row;
			});
		},

		async rename(id: number, name: string, now = Date.now()): Promise<ProfileRow> {
			const clean = cleanName(name);
			return db.transaction('rw', db.profiles, async () => {
				const current = await db.profiles.get(id);
				if (!current) throw gone();
				const nameKey = foldText(clean);
				await checkFree(current.customerId, nameKey, id);
				const row = { ...current, name: clean, nameKey, updatedAt: now };
				await db.profiles.put(row);
				return row;
			});
		},

		/** The names of the roles granting a profile, by name: deleting it is asked about naming them. */
		async usedBy(id: number): Promise<string[]> {
			const profile = await db.profiles.get(id);
			if (!profile) return [];
			const roles = await db.roles.where('customerId').equals(profile.customerId).sortBy('nameKey');
			return roles.filter((role) => role.profileIds.includes(id)).map((role) => role.name);
		},

		/** Deletes a profile and takes it out of every role granting it, all or nothing; how many roles did. */
		async remove(id: number): Promise<number> {
			return db.transaction('rw', db.profiles, db.roles, async () => {
				const profile = await db.profiles.get(id);
				if (!profile) return 0;
				const changed = await db.roles
					.where('customerId')
					.equals(profile.customerId)
					.filter((role) => role.profileIds.includes(id))
					.modify((role) => {
						role.profileIds = role.profileIds.filter((kept) => kept !== id);
					});
				await db.profiles.delete(id);
				return changed;
			});
		},

		/** A profile's file: the exact bytes it was given, its name and type. */
		download(profile: ProfileRow): ProfileDownload {
			return { fileName: profile.fileName, type: profile.type, bytes: fromBase64(profile.content) };
		}
	};
}

export type ProfilesStore = ReturnType<typeof profilesStore>;
