import type { BuiltinFieldKey, FieldDef } from '$lib/domain/fields';
import { visibleFields, type FieldPolicy } from '$lib/domain/policy';
import { escapeFormula } from './formula';
import { templateHeader } from './template-header';
import { writeXlsx } from './xlsx-writer';

export interface TemplateOptions {
	/** Adds two example users (workflow D's 'example file'). */
	example?: boolean;
	/** The customer's sites: the Site column's drop-down (a file may still name a new one) and examples. */
	sites?: readonly string[];
}

/** Excel keeps an in-cell list to 255 characters, and a value with a comma or quote would split it. */
const MAX_LIST_LENGTH = 255;
const isListable = (values: readonly string[]) =>
	values.join(',').length <= MAX_LIST_LENGTH && values.every((value) => !/[,"]/u.test(value));

/** What a sensitive column (the password) holds in an example row: an instruction, never a real value. */
export const SENSITIVE_PLACEHOLDER = 'Choose a password';

/**
 * Two example users, valid under the registry whatever the policy and default country: phones in
 * international form, a customer code with leading zeros, accents that only survive as UTF-8.
 */
const examples: Record<BuiltinFieldKey, readonly [string, string]> = {
	firstName: ['Ada', 'José'],
	lastName: ['Lovelace', 'Núñez'],
	displayName: ['Ada Lovelace', 'José Núñez'],
	email: ['ada.lovelace@example.com', 'jose.nunez@example.com'],
	username: ['ada.lovelace', 'jose.nunez'],
	password: [SENSITIVE_PLACEHOLDER, SENSITIVE_PLACEHOLDER],
	userType: ['Standard', 'Privileged'],
	site: ['HQ', 'Lyon'],
	mobilePhone: ['+44 7911 123456', '+33 6 12 34 56 78'],
	businessPhone: ['+44 20 7946 0958', '+44 161 496 0000'],
	company: ['Example Ltd', 'Example Ltd'],
	jobTitle: ['Engineer', 'Office manager'],
	department: ['Research', 'Operations'],
	customerCode: ['000123', '004567'],
	udid: ['00008030-001A2B3C4D5E6F70', '2B6F0CC904D137BE2E1730235F5664094B831186'],
	inGlobalAddressBook: ['Yes', 'No'],
	streetAddress: ['12 Analytical Row', '5 rue de la République'],
	city: ['London', 'Lyon'],
	region: ['Greater London', 'Auvergne-Rhône-Alpes'],
	postalCode: ['EC1A 1BB', '06000'],
	country: ['GB', 'FR'],
	office: ['2nd floor', 'Bâtiment B'],
	employeeNumber: ['000042', '007001'],
	costCenter: ['CC-100', 'CC-200'],
	division: ['Engineering', 'Services'],
	organization: ['Example Ltd', 'Example SAS'],
	manager: ['grace.hopper@example.com', 'ada.lovelace@example.com'],
	preferredLanguage: ['en-GB', 'fr-FR'],
	timeZone: ['Europe/London', 'Europe/Paris'],
	groups: ['Research', 'Operations; First aiders'],
	roles: ['Engineer', 'Office staff'],
	entitlements: ['Desktop; Web', 'Mobile'],
	webAccess: ['Yes', 'No'],
	licenseKey: ['54K0H-RTK2C-EYHJ8-DRH3A', 'D86NW-12QWY-3F4CK-T62YZ']
};

/** An example value: the registry's, or for a custom attribute (any text) its name and the person's number. */
function exampleOf(def: FieldDef, person: number, options: TemplateOptions): string {
	if (def.isCustom) return `${def.label} ${person + 1}`;
	const sites = options.sites ?? [];
	if (def.key === 'site' && sites.length > 0) return sites[person % sites.length]!;
	return examples[def.key as BuiltinFieldKey][person]!;
}

/** The header row and, when asked, the example rows, for the policy's visible fields. */
function templateRows(policy: FieldPolicy, options: TemplateOptions): string[][] {
	// A generated field (the license key) is Rollcall's to give: nothing to fill in.
	const shown = visibleFields(policy).filter((def) => !def.isGenerated);
	const people = options.example ? [0, 1] : [];
	return [
		shown.map((def) => templateHeader(def, policy)),
		...people.map((i) => shown.map((def) => exampleOf(def, i, options)))
	];
}

const csvCell = (value: string) => {
	const safe = escapeFormula(value);
	return /[",\n\r]/u.test(safe) ? `"${safe.replace(/"/gu, '""')}"` : safe;
};

/** The CSV template: UTF-8 with BOM (so Excel shows accents), CRLF, every cell escaped against formulas. */
export function csvTemplate(policy: FieldPolicy, options: TemplateOptions = {}): Uint8Array {
	const lines = templateRows(policy, options).map((row) => row.map(csvCell).join(',') + '\r\n');
	return new TextEncoder().encode('\uFEFF' + lines.join(''));
}

/** The values a column offers in a drop-down. */
const choicesOf = (def: FieldDef) => (def.type === 'boolean' ? ['Yes', 'No'] : def.choices);

/** What the Instructions sheet says about a field: its values, hint, uniqueness and default. */
function instructionFor(def: FieldDef, policy: FieldPolicy): string {
	const values = choicesOf(def);
	const fallback = def.defaultValue === true ? 'Yes' : def.defaultValue === false ? 'No' : def.defaultValue;
	return [
		values && `${values.join(' or ')}.`,
		def.hint,
		def.isUnique && 'Each user has a different one.',
		!def.hint && fallback && policy[def.key] === 'optional' && `Left empty: ${fallback}.`
	]
		.filter(Boolean)
		.join(' ');
}

/**
 * The XLSX template: a Users sheet (bold, frozen header; Text-formatted columns so leading zeros and
 * long phone numbers stay as typed; drop-downs for choices and Yes/No) and an Instructions sheet.
 */
export function xlsxTemplate(policy: FieldPolicy, options: TemplateOptions = {}): Uint8Array {
	// A generated field (the license key) is Rollcall's to give: nothing to fill in.
	const shown = visibleFields(policy).filter((def) => !def.isGenerated);
	const lists = shown.flatMap((def, column) => {
		const values = choicesOf(def);
		if (values) return [{ column, values }];
		const sites = def.key === 'site' ? options.sites : undefined;
		return sites?.length && isListable(sites) ? [{ column, values: sites, isOpen: true }] : [];
	});
	const instructions = shown.map((def) => [
		templateHeader(def, policy),
		policy[def.key] === 'required' ? 'Required' : 'Optional',
		instructionFor(def, policy)
	]);
	return writeXlsx([
		{ name: 'Users', rows: templateRows(policy, options), lists },
		{ name: 'Instructions', rows: [['Column', 'Required', 'What to enter'], ...instructions] }
	]);
}

/** 'rollcall-users-template.xlsx', or with the preset's name: 'rollcall-users-template-field-heavy-accounts-d.csv'. */
export function templateFileName(kind: 'csv' | 'xlsx', presetName?: string): string {
	const slug = (presetName ?? '')
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/gu, '-')
		.replace(/^-|-$/gu, '');
	return `rollcall-users-template${slug ? `-${slug}` : ''}.${kind}`;
}
