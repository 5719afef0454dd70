import { field, fields, type BuiltinFieldKey, type FieldKey } from '$lib/domain/fields';
import {
	customEntries,
	presets,
	requirementOf,
	type FieldPolicy,
	type PolicyPreset,
	type Requirement
} from '$lib/domain/policy';
import { mapHeaders, type HeaderMapping, type MapOptions } from './headers';

/**
 * A file made for another workflow (Users & Groups' "User type, First name, Email" under a policy that
 * requires a last name) fails the field policy as a whole, yet fits one of the presets. Which one, and
 * what importing it under that preset's rules would change, so that the preview can offer it.
 */

/** A preset a file fits when the field policy does not, and what taking its rules changes. */
export interface PresetFit {
	id: PolicyPreset['id'];
	name: string;
	/** The fields the preset requires, in registry order: each row must give them. */
	required: FieldKey[];
	/** Fields the policy requires and the preset does not: users imported under it may lack them. */
	relaxed: FieldKey[];
	/**
	 * Fields the policy hides that the preset imports from a column of the file: stored with the users, not
	 * shown until the policy shows them. (A password is never stored: it is not one of them.)
	 */
	shown: FieldKey[];
	/** Fields the policy imports from a column of the file that the preset hides: switching ignores them. */
	hidden: FieldKey[];
}

/** Items in running text: "a", "a and b", "a, b and c" (or "a, b or c"). */
export function listOf(items: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
	if (items.length < 2) return items[0] ?? '';
	return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)!}`;
}

/** Fields as named in running text: "user type, first name and email" (an initialism such as UDID kept). */
export function fieldList(keys: readonly FieldKey[], conjunction: 'and' | 'or' = 'and'): string {
	const inText = (label: string) =>
		/^\p{Lu}\p{Ll}/u.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label;
	return listOf(
		keys.map((key) => inText(field(key).label)),
		conjunction
	);
}

/** The policy Settings would hold after switching to the preset: the admin's custom attributes stay. */
export function switchedPolicy(preset: PolicyPreset, policy: FieldPolicy): FieldPolicy {
	return { ...preset.policy, ...customEntries(policy) };
}

/**
 * The policy one import is checked under with a preset's rules: the preset says what is required, and
 * every field either the preset or the organisation shows is imported. A column the organisation's
 * policy imports is never dropped by taking the preset's rules for one file.
 */
export function importPolicy(preset: PolicyPreset, policy: FieldPolicy): FieldPolicy {
	const builtins = Object.fromEntries(
		fields.map((f): [BuiltinFieldKey, Requirement] => {
			const key = f.key as BuiltinFieldKey;
			const rule = preset.policy[key];
			const isShown = rule !== 'hidden' || policy[key] !== 'hidden';
			return [key, rule === 'required' ? 'required' : isShown ? 'optional' : 'hidden'];
		})
	) as Record<BuiltinFieldKey, Requirement>;
	return { ...builtins, ...customEntries(policy) };
}

const mappedFields = (mapping: HeaderMapping) =>
	new Set(mapping.columns.flatMap((c) => (c.status === 'mapped' && c.field ? [c.field] : [])));

const requiredBy = (policy: FieldPolicy) =>
	fields.filter((f) => policy[f.key] === 'required').map((f) => f.key);

/** What taking the preset's rules changes for this file, against the organisation's policy. */
function changes(preset: PolicyPreset, policy: FieldPolicy, imported: HeaderMapping, current: HeaderMapping) {
	const importedFields = mappedFields(imported);
	const currentFields = mappedFields(current);
	return {
		relaxed: requiredBy(policy).filter((key) => requirementOf(preset.policy, key) !== 'required'),
		shown: [...importedFields].filter(
			(key) => requirementOf(policy, key) === 'hidden' && !field(key).isSensitive
		),
		hidden: [...currentFields].filter(
			(key) => requirementOf(switchedPolicy(preset, policy), key) === 'hidden'
		)
	};
}

/**
 * The preset under which the file's header mapping is ready (every required field has a column, no column
 * is left to choose) when it is not under the organisation's `policy`; undefined when the file is fine
 * as it is, or fits no preset. Of several, the one that keeps the most of the file's columns, then the
 * one that requires the fewest fields the policy does not; ties go to the first in preset order. The
 * file must be ready both under the preset as Settings would hold it and under this import's blend
 * (importPolicy), so that either action the preview offers leaves nothing to fix.
 */
export function findPresetFit(
	headers: readonly string[],
	policy: FieldPolicy,
	options: MapOptions = {},
	current: HeaderMapping = mapHeaders(headers, policy, options)
): PresetFit | undefined {
	if (current.isReady) return undefined;
	const policyRequires = new Set(requiredBy(policy));
	let best: { fit: PresetFit; kept: number; extra: number } | undefined;
	for (const preset of presets) {
		const switched = mapHeaders(headers, switchedPolicy(preset, policy), options);
		if (!switched.isReady) continue;
		const imported = mapHeaders(headers, importPolicy(preset, policy), options);
		if (!imported.isReady) continue;
		const required = requiredBy(preset.policy);
		const kept = mappedFields(switched).size;
		const extra = required.filter((key) => !policyRequires.has(key)).length;
		if (best && (kept < best.kept || (kept === best.kept && extra >= best.extra))) continue;
		const fit = { id: preset.id, name: preset.name, required, ...changes(preset, policy, imported, current) };
		best = { fit, kept, extra };
	}
	return best?.fit;
}
