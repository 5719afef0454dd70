import type { FieldDef } from '$lib/domain/fields';
import type { FieldPolicy } from '$lib/domain/policy';

/**
 * A template column's header as Rollcall writes it: the field's label, with ' *' when the policy requires
 * it. The template (template.ts) writes it, and the shape catalogue (shapes.ts) knows a template by it.
 */
export const templateHeader = (def: FieldDef, policy: FieldPolicy): string =>
	policy[def.key] === 'required' ? `${def.label} *` : def.label;
