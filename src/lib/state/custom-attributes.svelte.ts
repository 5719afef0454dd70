import { customAttributes } from '$lib/db';
import { CustomAttributeError } from '$lib/db/custom-attributes';
import { customKey, customName, type CustomFieldKey } from '$lib/domain/fields';
import { customNameProblem } from '$lib/import/headers';
import { settings } from './settings.svelte';

/** What adding or renaming gives: the attribute's key, or why not in the admin's words. */
export type NameResult = { ok: true; key: CustomFieldKey } | { ok: false; message: string };

/**
 * The admin's custom attributes: adding (from Settings, or a column of an import), renaming and deleting
 * them. Names are checked as an import compares headers (customNameProblem), so any name accepted here
 * is one a file's column can be matched to.
 */
class CustomAttributes {
	/** Adds an optional attribute named `name`, unless the name is unusable or taken. */
	async add(name: string): Promise<NameResult> {
		const problem = customNameProblem(name, settings.policy);
		if (problem) return { ok: false, message: problem };
		const key = customKey(name);
		settings.applied({ policy: await customAttributes.add(key) });
		return { ok: true, key };
	}

	/** Renames `key` to `name` in the policy and on every user with a value, all or nothing. */
	async rename(key: CustomFieldKey, name: string): Promise<NameResult> {
		const problem = customNameProblem(name, settings.policy, key);
		if (problem) return { ok: false, message: problem };
		const to = customKey(name);
		try {
			settings.applied({ policy: (await customAttributes.rename(key, to)).policy });
			return { ok: true, key: to };
		} catch (error) {
			if (error instanceof CustomAttributeError) return { ok: false, message: error.message };
			throw error;
		}
	}

	/** How many users have a value for `key`: the delete confirmation says so. */
	countValues(key: CustomFieldKey): Promise<number> {
		return customAttributes.countValues(key);
	}

	/** Deletes `key` and every user's value for it; how many values went. */
	async remove(key: CustomFieldKey): Promise<number> {
		const { policy, users } = await customAttributes.remove(key);
		settings.applied({ policy });
		return users;
	}

	/** The sentence the delete confirmation asks. */
	async deleteQuestion(key: CustomFieldKey): Promise<string> {
		const count = await this.countValues(key);
		const values =
			count === 0
				? 'No user has a value for it.'
				: `${count.toLocaleString('en')} ${count === 1 ? 'user has a value' : 'users have a value'} for it, which will be deleted too.`;
		return `Delete the custom attribute ${customName(key)}? ${values} This cannot be undone.`;
	}
}

export const customAttributeActions = new CustomAttributes();
