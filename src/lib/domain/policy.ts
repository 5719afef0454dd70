import {
	CUSTOM_NAME_MAX,
	customKey,
	customName,
	field,
	fields,
	isCustomKey,
	type BuiltinFieldKey,
	type CustomFieldKey,
	type FieldDef,
	type FieldKey
} from './fields';

/** What the organisation asks of a field. Hidden fields are not asked, imported or exported. */
export type Requirement = 'required' | 'optional' | 'hidden';
export const requirements: readonly Requirement[] = ['required', 'optional', 'hidden'];

/**
 * What the organisation asks of each field: every built-in field, and one entry per custom attribute the
 * admin added (its key names it, see CustomFieldKey): the policy's custom keys are the list of them.
 */
export type FieldPolicy = Record<BuiltinFieldKey, Requirement> & Partial<Record<CustomFieldKey, Requirement>>;

export interface PolicyPreset {
	id: 'rollcall' | 'portal' | 'groups' | 'multi-customer' | 'field-heavy';
	name: string;
	description: string;
	policy: FieldPolicy;
}

function policyOf(required: BuiltinFieldKey[], optional: BuiltinFieldKey[]): FieldPolicy {
	return Object.fromEntries(
		fields.map((f) => [
			f.key,
			required.includes(f.key as BuiltinFieldKey)
				? 'required'
				: optional.includes(f.key as BuiltinFieldKey)
					? 'optional'
					: 'hidden'
		])
	) as FieldPolicy;
}

/** Rollcall's own default and one preset per reference workflow (DESIGN.md A-D). */
export const presets: readonly PolicyPreset[] = [
	{
		id: 'rollcall',
		name: 'Rollcall default',
		description: 'First name, last name and email required; the common directory fields optional.',
		policy: policyOf(
			['firstName', 'lastName', 'email'],
			[
				'displayName',
				'username',
				'userType',
				'site',
				'mobilePhone',
				'businessPhone',
				'company',
				'jobTitle',
				'department'
			]
		)
	},
	{
		id: 'portal',
		name: 'Customer portal',
		description:
			'Licensed seats: users identified by email, with first and last name; licenses and web access optional.',
		policy: policyOf(['firstName', 'lastName', 'email'], ['company', 'entitlements', 'webAccess'])
	},
	{
		id: 'groups',
		name: 'Users & Groups',
		description: 'User type, first name and email required.',
		policy: policyOf(['userType', 'firstName', 'email'], ['lastName', 'groups'])
	},
	{
		id: 'multi-customer',
		name: 'Multi-customer upload',
		// Its upload file's 'User name*' is the person's name ('Ann Lee'), not a sign-in name.
		description:
			"The person's name and email required; username, user type (Standard) and site (HQ) optional.",
		policy: policyOf(['displayName', 'email'], ['username', 'userType', 'site'])
	},
	{
		id: 'field-heavy',
		name: 'Accounts with phone and password',
		description: 'Names, username, password, mobile phone and email required.',
		policy: policyOf(
			['firstName', 'lastName', 'username', 'password', 'mobilePhone', 'email'],
			['businessPhone', 'company', 'customerCode', 'udid', 'inGlobalAddressBook']
		)
	}
];

export const defaultPolicy: FieldPolicy = presets[0]!.policy;

/** What the policy asks of a field; a custom attribute it does not know (deleted meanwhile) is hidden. */
export function requirementOf(policy: FieldPolicy, key: FieldKey): Requirement {
	return policy[key] ?? 'hidden';
}

/** The custom attributes the policy knows, in the order they were added. */
export function customKeys(policy: FieldPolicy): CustomFieldKey[] {
	return Object.keys(policy).filter(isCustomKey);
}

const fieldsByPolicy = new WeakMap<FieldPolicy, readonly FieldDef[]>();

/**
 * Every field of the organisation: the registry's built-in fields, then its custom attributes. Worked
 * out once per policy object (a policy is replaced whole, never changed in place): every row of an
 * import is validated against it.
 */
export function fieldsOf(policy: FieldPolicy): readonly FieldDef[] {
	let known = fieldsByPolicy.get(policy);
	if (!known) fieldsByPolicy.set(policy, (known = [...fields, ...customKeys(policy).map(field)]));
	return known;
}

/** The preset a policy is exactly equal to, if any (custom attributes aside): the Settings page names it. */
export function matchingPreset(policy: FieldPolicy): PolicyPreset | undefined {
	return presets.find((preset) => fields.every((f) => preset.policy[f.key] === policy[f.key]));
}

/**
 * Brings any stored or imported policy to a complete, valid one: unknown keys dropped, missing or
 * unreadable entries taken from the default, the identity field (email) always required, and custom
 * attributes kept when their key is well formed.
 */
export function restorePolicy(stored: unknown): FieldPolicy {
	const source = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
	const policy = { ...defaultPolicy };
	for (const f of fields) {
		const value = source[f.key];
		if (typeof value === 'string' && (requirements as readonly string[]).includes(value)) {
			policy[f.key] = value as Requirement;
		}
		if (f.isIdentity) policy[f.key] = 'required';
		if (f.isGenerated && policy[f.key] === 'required') policy[f.key] = 'optional';
	}
	for (const [key, value] of Object.entries(source)) {
		if (!isCustomKey(key) || customKey(customName(key)) !== key) continue;
		if (customName(key).length > CUSTOM_NAME_MAX) continue;
		if (typeof value === 'string' && (requirements as readonly string[]).includes(value)) {
			policy[key] = value as Requirement;
		}
	}
	return policy;
}

/** The fields the admin sees, in registry order, custom attributes last. */
export function visibleFields(policy: FieldPolicy): FieldDef[] {
	return fieldsOf(policy).filter((f) => policy[f.key] !== 'hidden');
}

/** The policy's custom attributes and what it asks of each: kept when a preset replaces the rest. */
export function customEntries(policy: FieldPolicy): Partial<Record<CustomFieldKey, Requirement>> {
	return Object.fromEntries(customKeys(policy).map((key) => [key, policy[key]]));
}

/** The policy with `from` renamed `to`, in the same place among the custom attributes, asking the same. */
export function renameCustom(policy: FieldPolicy, from: CustomFieldKey, to: CustomFieldKey): FieldPolicy {
	return Object.fromEntries(
		Object.entries(policy).map(([key, requirement]) => [key === from ? to : key, requirement])
	) as FieldPolicy;
}

/** The policy without the custom attribute `key`. */
export function withoutCustom(policy: FieldPolicy, key: CustomFieldKey): FieldPolicy {
	return Object.fromEntries(Object.entries(policy).filter(([other]) => other !== key)) as FieldPolicy;
}
