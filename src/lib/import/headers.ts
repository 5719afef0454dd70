import {
	CUSTOM_NAME_MAX,
	customName,
	field,
	fields,
	isCustomKey,
	type CustomFieldKey,
	type FieldKey
} from '$lib/domain/fields';
import { customKeys, fieldsOf, requirementOf, type FieldPolicy } from '$lib/domain/policy';
import {
	ROLLCALL_EXPORT,
	fallbackAliases,
	foreignColumns,
	phoneUnlessText,
	titleTwice
} from './known-columns';
import { recogniseShape, shapes, type KnownColumn, type ShapeTarget } from './shapes';
import { columnLetter } from './xlsx-writer';

// Kept where the import's messages have always found it; it lives in xlsx-writer.ts, which the export
// worker needs anyway, so the export does not carry this module (and the import's file shapes) for it.
export { columnLetter };

/** Where a file's column goes: a field, or nowhere. */
export type ColumnTarget = FieldKey | 'ignored';

export type ColumnStatus = 'mapped' | 'ignored' | 'unmapped' | 'error';

/** One column of the file and what becomes of it. */
export interface ColumnMapping {
	index: number;
	/** The header exactly as written in the file. */
	header: string;
	/** The header as compared: lower case, no accents, punctuation or decorations such as '*' or [Required]. */
	normalised: string;
	status: ColumnStatus;
	/** Set when mapped (and when in error because another column maps to the same field). */
	field?: FieldKey;
	/** Why it was mapped or ignored, or what is wrong: in the admin's words. */
	reason: string;
	/** Whether the admin chose this mapping rather than Rollcall guessing it. */
	isChosen: boolean;
	/** Guessed from a loose alias ('Name'), which gives way to a column that names the field exactly. */
	isFallback?: boolean;
	/** The field this ignored column names, which the policy hides: the import offers to turn it on. */
	hiddenField?: FieldKey;
	/**
	 * Ignored because it is a known column of another system (or of Rollcall's own files) that Rollcall
	 * has no use for, its reason saying why: nothing for the admin to do, so the preview folds these away.
	 */
	isUnused?: boolean;
	/**
	 * Mapped to the same field as the column at this index, and read only where that column's cell is
	 * empty: Active Directory exports name one attribute twice ('mail' and 'EmailAddress'), and a row's
	 * 'mail' may be empty where its 'userPrincipalName' is not.
	 */
	backupOf?: number;
	/** What this column's cell does to its row beyond giving a value (a recognised shape's; see CellRule). */
	rule?: CellRule;
}

/**
 * A rule a recognised shape gives one of its columns about what a cell means for its row, beyond its value.
 * `voids`: when the cell is `when` (any value, without), the row gets no value for that field, with a
 * warning (`because`, then `outcome`), or an error when the policy requires the field. Google's upload:
 * a password hash function says the Password cell is a hash; its '****' password means "unchanged".
 * `refuses`: a cell containing the text is never read; its row gets the error `because`. Entra's
 * guest's userPrincipalName ('…#EXT#@…') is a made-up name, not an address.
 */
export type CellRule =
	{ voids: FieldKey; when?: string; because: string; outcome: string } | { refuses: string; because: string };

/** A file shape Rollcall recognised by its whole header row (shapes.ts): "Microsoft 365 user template". */
export interface RecognisedShape {
	id: string;
	/** As the preview names it. */
	name: string;
	/** The system the file comes from: "Microsoft 365". */
	system: string;
}

export interface HeaderMapping {
	columns: ColumnMapping[];
	/** Required fields that no column maps to. */
	missing: FieldKey[];
	/** Every reason the import cannot go on yet, one sentence each. */
	problems: string[];
	/** No column in error or left unmapped, and every required field has a column. */
	isReady: boolean;
	/** The shape the header row was recognised as; none when it fits no shape (columns mapped by aliases). */
	shape?: RecognisedShape;
	/**
	 * The columns that say each row's country, in reading order (Country, then Microsoft's usage location),
	 * even when the policy hides Country: a row's phone numbers typed without +code are read as the
	 * country of the first one with a value (a Sydney office's '0425 555 0101').
	 */
	countryColumns: number[];
}

export interface MapOptions {
	/** The admin's choices, by column index; they win over the guesses. */
	choices?: ReadonlyMap<number, ColumnTarget>;
	/** Whether a column has no value in any row: a blank-headed empty column is ignored, not an error. */
	isColumnEmpty?: (index: number) => boolean;
	/** Whether a column's values are all email addresses (see signInNameAsEmail). */
	isEmailColumn?: (index: number) => boolean;
	/** Whether most of a column's values are people's names, two words or more ('Ann Lee'; see namesAsDisplayName). */
	isNameColumn?: (index: number) => boolean;
	/** Whether most of a column's values look like phone numbers (see phoneUnlessText). */
	isPhoneColumn?: (index: number) => boolean;
}

const words = (text: string) =>
	text
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/[^\p{L}\p{N}]+/gu, ' ')
		.trim();

const compact = (normalised: string) => normalised.replace(/ /gu, '');

/** Words that say a column is required or optional, and say nothing about what it holds. */
const DECORATION = /^(?:(?:required|optional|mandatory|upload only) ?)+$/u;
const GROUP = /[[(]([^\])]*)[\])]/gu;

const stripDecoration = (normalised: string) =>
	normalised.replace(/(?:^| )(?:required|mandatory|optional)$/u, '').trim();

/**
 * Normalises a header for comparison: case, accents, spacing and punctuation ignored, and so are '*',
 * [Required], (required) and a trailing 'Required'. "Email Address [Required]" -> "email address".
 */
export function normaliseHeader(header: string): string {
	const undecorated = header
		.replace(/\*/gu, ' ')
		.replace(GROUP, (group, inner: string) => (DECORATION.test(words(inner)) ? ' ' : group));
	return stripDecoration(words(undecorated));
}

/**
 * The name a column's header gives a new custom attribute: as written (case and accents kept), without the
 * marks a template puts on it ('*', [Required], a trailing 'Required'), which normaliseHeader ignores too.
 */
export function nameFromHeader(header: string): string {
	return header
		.replace(/\*/gu, ' ')
		.replace(GROUP, (group, inner: string) => (DECORATION.test(words(inner)) ? ' ' : group))
		.replace(/\s(?:required|mandatory|optional)\s*$/iu, ' ')
		.replace(/\s+/gu, ' ')
		.trim();
}

/**
 * What a header may name, most specific first: the attribute in brackets of a Microsoft 365 template
 * ("First name [givenName]"), then the words outside brackets, then the whole header.
 */
export function headerCandidates(header: string): string[] {
	const bare = header.replace(/\*/gu, ' ');
	const groups = [...bare.matchAll(GROUP)].map((match) => words(match[1] ?? ''));
	const outside = stripDecoration(words(bare.replace(GROUP, ' ')));
	return [...new Set([...groups, outside, normaliseHeader(header)])].filter(
		(candidate) => candidate !== '' && !DECORATION.test(candidate)
	);
}

/** What a header names: a field (maybe through a loose alias), or a known column of other systems. */
export type ColumnGuess = { field: FieldKey; isFallback: boolean } | { systems: string[] };

function buildIndex(): Map<string, ColumnGuess> {
	const index = new Map<string, ColumnGuess>();
	for (const [system, names] of Object.entries(foreignColumns)) {
		for (const name of names) {
			const known = index.get(name);
			if (known && 'systems' in known) known.systems.push(system);
			else index.set(name, { systems: [system] });
		}
	}
	// Fields win over a foreign column of the same name.
	for (const f of fields) {
		for (const alias of f.aliases) {
			const key = compact(alias);
			index.set(key, { field: f.key, isFallback: fallbackAliases.has(key) });
		}
	}
	return index;
}

const aliasIndex = buildIndex();

/** What a header names, by the registry's aliases (and known columns of other systems). */
export function guessColumn(header: string): ColumnGuess | undefined {
	for (const candidate of headerCandidates(header)) {
		const guess = aliasIndex.get(compact(candidate));
		if (guess) return guess;
	}
	return undefined;
}

/** A custom attribute's name as a header naming it is compared. */
const customMatch = (name: string) => compact(normaliseHeader(name));

/** The policy's custom attributes by the name a header must have to map to one. */
const customIndex = (policy: FieldPolicy) =>
	new Map(customKeys(policy).map((key) => [customMatch(customName(key)), key]));

const PROTOTYPE_NAMES = new Set(['proto', 'constructor', 'prototype']);

const isPrototypeName = (header: string) =>
	PROTOTYPE_NAMES.has(compact(words(header))) || PROTOTYPE_NAMES.has(header.trim().toLowerCase());

/**
 * Why `name` cannot name a custom attribute, or undefined when it can. A name an import would map to a
 * built-in field (its label or an alias, compared as headers are), or to another custom attribute, is
 * refused: a column of that name could then only ever reach one of the two. `renaming` is the attribute
 * being renamed, which may keep its own name in other letters ('badge colour' to 'Badge colour').
 */
export function customNameProblem(
	name: string,
	policy: FieldPolicy,
	renaming?: CustomFieldKey
): string | undefined {
	const trimmed = name.trim().replace(/\s+/gu, ' ');
	if (trimmed === '') return 'Type a name for the attribute.';
	if (trimmed.length > CUSTOM_NAME_MAX) {
		return `"${trimmed.slice(0, 20)}…" is ${trimmed.length} characters long; a name has at most ${CUSTOM_NAME_MAX}.`;
	}
	const compared = customMatch(trimmed);
	if (compared === '' || isPrototypeName(trimmed)) {
		return `"${trimmed}" cannot be matched to a column of a file: use letters or digits.`;
	}
	const guess = guessColumn(trimmed);
	const builtin =
		guess && 'field' in guess ? field(guess.field) : fields.find((f) => customMatch(f.label) === compared);
	if (builtin) return `"${trimmed}" is already the name of the field ${builtin.label}: choose another name.`;
	// Rollcall writes these next to the fields: an attribute of the name would take its own column too.
	const rollcall = guess && 'systems' in guess ? guess.systems : [];
	if (rollcall.includes(ROLLCALL_EXPORT)) {
		return `"${trimmed}" is a column Rollcall adds to its exports: choose another name.`;
	}
	if (rollcall.includes('Rollcall')) {
		return `"${trimmed}" is a column Rollcall adds to its errors files: choose another name.`;
	}
	const other = customKeys(policy).find(
		(key) => key !== renaming && customMatch(customName(key)) === compared
	);
	if (other) {
		return `"${trimmed}" is already the name of the custom attribute ${customName(other)}: choose another name.`;
	}
	return undefined;
}

type ColumnBase = Omit<ColumnMapping, 'status' | 'reason'>;

/** A column whose header names one of the policy's custom attributes, or undefined. */
function customColumn(
	base: ColumnBase,
	policy: FieldPolicy,
	customs: ReadonlyMap<string, CustomFieldKey>
): ColumnMapping | undefined {
	const key = customs.get(compact(base.normalised));
	if (!key) return undefined;
	const label = customName(key);
	if (requirementOf(policy, key) === 'hidden') {
		return { ...base, status: 'ignored', reason: `${label} is hidden by the field policy.` };
	}
	return { ...base, status: 'mapped', field: key, reason: `Recognised as ${label}.` };
}

/** The column before any comparison with the others: chosen, blank, dangerous, guessed or unknown. */
function mapColumn(
	header: string,
	index: number,
	policy: FieldPolicy,
	options: MapOptions,
	customs: ReadonlyMap<string, CustomFieldKey>,
	known: KnownColumn | undefined
): ColumnMapping {
	const base = { index, header, normalised: normaliseHeader(header), isChosen: false };
	const choice = options.choices?.get(index);
	if (choice === 'ignored') return { ...base, status: 'ignored', reason: 'Ignored by you.', isChosen: true };
	if (choice && isCustomKey(choice) && !customKeys(policy).includes(choice)) {
		return {
			...base,
			status: 'error',
			reason: `${customName(choice)} is no longer a custom attribute (renamed or deleted in Settings): choose this column's field again, or Ignore.`,
			isChosen: true
		};
	}
	if (choice) {
		const hidden = requirementOf(policy, choice) === 'hidden';
		return {
			...base,
			status: hidden ? 'error' : 'mapped',
			field: choice,
			reason: hidden
				? `${field(choice).label} is hidden by the field policy; choose another field or Ignore.`
				: `Mapped to ${field(choice).label} by you.`,
			isChosen: true
		};
	}
	if (header.trim() === '') {
		if (options.isColumnEmpty?.(index)) {
			return { ...base, status: 'ignored', reason: 'An empty column with no header.' };
		}
		return { ...base, status: 'error', reason: 'This column has no header: choose its field, or Ignore.' };
	}
	if (isPrototypeName(header)) {
		return {
			...base,
			status: 'error',
			reason: `"${header.trim()}" is not a usable column name: choose its field, or Ignore.`
		};
	}
	if (known) return shapeColumn(base, known.target, policy, options, customs);
	const guess = guessColumn(header);
	// A built-in field wins (a custom attribute never has its name); a custom one wins over other systems'.
	const custom = guess && 'field' in guess ? undefined : customColumn(base, policy, customs);
	if (custom) return custom;
	if (!guess) {
		return { ...base, status: 'unmapped', reason: 'Unknown column: choose its field, or Ignore.' };
	}
	if ('systems' in guess) {
		return {
			...base,
			status: 'ignored',
			isUnused: true,
			reason: guess.systems.includes('Rollcall')
				? 'The Errors column of a Rollcall errors file.'
				: guess.systems.includes(ROLLCALL_EXPORT)
					? 'Kept by Rollcall itself (status, activation, last sign-in): an export shows it, an import does not set it.'
					: `A column of ${guess.systems.join(' and ')} files that Rollcall has no field for.`
		};
	}
	const text = phoneUnlessText.get(compact(base.normalised));
	if (text && options.isPhoneColumn && !options.isPhoneColumn(index)) {
		const column = fieldColumn(base, text, policy, guess.isFallback);
		if (column.status !== 'mapped') return column;
		return { ...column, reason: `Recognised as ${field(text).label}: its values are not phone numbers.` };
	}
	return fieldColumn(base, guess.field, policy, guess.isFallback);
}

/** A column that names a field: mapped to it, or ignored (offering to turn it on) when the policy hides it. */
function fieldColumn(
	base: ColumnBase,
	key: FieldKey,
	policy: FieldPolicy,
	isFallback: boolean
): ColumnMapping {
	const label = field(key).label;
	if (requirementOf(policy, key) === 'hidden') {
		return {
			...base,
			status: 'ignored',
			reason: `${label} is hidden by the field policy.`,
			hiddenField: key
		};
	}
	return { ...base, status: 'mapped', field: key, reason: `Recognised as ${label}.`, isFallback };
}

/**
 * A column the recognised shape knows: its field, or ignored with the vendor's reason. A custom
 * attribute the admin named as the column still wins over a reason to ignore it.
 */
function shapeColumn(
	base: ColumnBase,
	target: ShapeTarget,
	policy: FieldPolicy,
	options: MapOptions,
	customs: ReadonlyMap<string, CustomFieldKey>
): ColumnMapping {
	if (typeof target === 'string') return fieldColumn(base, target, policy, false);
	if ('field' in target) return { ...fieldColumn(base, target.field, policy, false), rule: target.rule };
	if ('ifEmails' in target && options.isEmailColumn?.(base.index)) {
		return fieldColumn(base, target.ifEmails, policy, false);
	}
	const rule = 'rule' in target ? { rule: target.rule } : {};
	return (
		customColumn(base, policy, customs) ?? {
			...base,
			status: 'ignored',
			reason: target.ignored,
			isUnused: true,
			...rule
		}
	);
}

let rulesByHeader: Map<string, CellRule> | undefined;

/**
 * The cell rule of a column the shapes know by this header that says what the rest of its row holds (a
 * password hash function; a guest's '#EXT#' sign-in name): a file cut down to a few of a vendor's columns
 * is recognised as no shape, and must not then take a hash for a password. Built on first use: the
 * catalogue's headers are compared as headers are.
 */
function headerRule(normalised: string): CellRule | undefined {
	rulesByHeader ??= new Map<string, CellRule>(
		shapes.flatMap((shape) =>
			shape.columns.flatMap(([header, target]) =>
				typeof target === 'object' &&
				'rule' in target &&
				target.rule &&
				('ignored' in target || 'refuses' in target.rule)
					? [[compact(normaliseHeader(header)), target.rule] as const]
					: []
			)
		)
	);
	return rulesByHeader.get(compact(normalised));
}

/**
 * Each mapped field's columns, in the order a row's cell is read: its column, then each backup column
 * in turn, read where the one before it is empty (see markBackups).
 */
export function fieldColumns(mapping: HeaderMapping): Map<FieldKey, number[]> {
	const next = new Map<number, number>();
	for (const c of mapping.columns) {
		if (c.status === 'mapped' && c.backupOf !== undefined) next.set(c.backupOf, c.index);
	}
	const order = new Map<FieldKey, number[]>();
	for (const c of mapping.columns) {
		if (c.status !== 'mapped' || !c.field || c.backupOf !== undefined) continue;
		const indices = [c.index];
		for (let i = next.get(c.index); i !== undefined && indices.length <= next.size; i = next.get(i)) {
			indices.push(i);
		}
		order.set(c.field, indices);
	}
	return order;
}

/** The fields the policy hides that columns of the file name, each once, in column order. */
export function hiddenFields(mapping: HeaderMapping): FieldKey[] {
	return [...new Set(mapping.columns.flatMap((c) => (c.hiddenField ? [c.hiddenField] : [])))];
}

/** "column C ("Email")", as an admin finds it in a spreadsheet. */
const named = (column: ColumnMapping) =>
	column.header.trim()
		? `column ${columnLetter(column.index)} ("${column.header.trim()}")`
		: `column ${columnLetter(column.index)}`;

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A loosely named column gives way to one that names the same field exactly: shown as ignored, with why. */
function yieldFallbacks(columns: ColumnMapping[]): void {
	for (const column of columns) {
		if (column.status !== 'mapped' || !column.isFallback) continue;
		const exact = columns.find((c) => c.status === 'mapped' && c.field === column.field && !c.isFallback);
		if (!exact) continue;
		column.status = 'ignored';
		column.reason = `${capitalised(named(exact))} is ${field(column.field!).label}; choose a field for this one if it should be imported.`;
	}
}

/** The field a column names, mapped or hidden by the policy, when Rollcall (not the admin) chose it. */
const guessedField = (column: ColumnMapping) =>
	column.isChosen || column.status === 'error' ? undefined : (column.field ?? column.hiddenField);

const hasMapped = (columns: readonly ColumnMapping[], key: FieldKey) =>
	columns.some((c) => c.status === 'mapped' && c.field === key);

/** A column moved to another field by its values: mapped there, no longer offering to turn its first field on. */
function remap(column: ColumnMapping, key: FieldKey, reason: string): void {
	column.status = 'mapped';
	column.field = key;
	column.isFallback = false;
	delete column.hiddenField;
	column.reason = reason;
}

/**
 * Microsoft 365's 'User Name' is the sign-in address, in email form, and its files have no other email
 * column. When no column names the email, a username column whose values are all addresses is taken as
 * the email (a file with both, as workflow C's, keeps 'User name' as the username).
 */
function signInNameAsEmail(columns: ColumnMapping[], policy: FieldPolicy, options: MapOptions): void {
	if (hasMapped(columns, 'email') || policy.email === 'hidden') return;
	const column = columns.find((c) => guessedField(c) === 'username' && options.isEmailColumn?.(c.index));
	if (!column) return;
	remap(
		column,
		'email',
		'Recognised as Email: every value is an address (Microsoft 365 names the sign-in address User Name).'
	);
}

/**
 * Workflow C's 'User name*' holds the person's name ('Ann Lee'), which no username can be (it has no
 * spaces). With no display name column, a username column of names is the display name. One of sign-in
 * names ('alee') stays the username, even when the policy requires a display name: moved, every user
 * would be named by their sign-in name, and the missing Display name is said instead (with the preset
 * that fits the file, if any).
 */
function namesAsDisplayName(columns: ColumnMapping[], policy: FieldPolicy, options: MapOptions): void {
	if (policy.displayName === 'hidden' || columns.some((c) => guessedField(c) === 'displayName')) return;
	const column = columns.find((c) => guessedField(c) === 'username');
	if (!column || !options.isNameColumn?.(column.index)) return;
	remap(column, 'displayName', "Recognised as Display name: its values are people's names, not usernames.");
}

/**
 * Columns a recognised shape gives one field twice or more (Active Directory's 'mail', 'EmailAddress'
 * and 'userPrincipalName'): the shape's first is the field, each other one is read where the one
 * before it is empty.
 */
function markBackups(columns: ColumnMapping[], known: ReadonlyMap<number, KnownColumn>): void {
	const byField = new Map<FieldKey, ColumnMapping[]>();
	for (const column of columns) {
		if (column.status !== 'mapped' || !column.field || !known.has(column.index) || column.isChosen) continue;
		byField.set(column.field, [...(byField.get(column.field) ?? []), column]);
	}
	for (const same of byField.values()) {
		same.sort((a, b) => known.get(a.index)!.rank - known.get(b.index)!.rank);
		for (const [i, column] of same.entries()) {
			const before = same[i - 1];
			if (!before) continue;
			column.backupOf = before.index;
			column.reason = `Read where ${named(before)} is empty.`;
		}
	}
}

/**
 * French Outlook heads two columns 'Titre': the personal title (M., Mme) first, the job title last
 * (titleTwice). Of such a header written twice or more, the last is the field its alias names and the
 * others are ignored, instead of the second being an error as a repeated header is (markDuplicates).
 */
function titlesWrittenTwice(columns: ColumnMapping[], policy: FieldPolicy): void {
	for (const header of titleTwice) {
		const same = columns.filter((c) => compact(c.normalised) === header);
		const last = same.pop();
		const guess = last && guessColumn(last.header);
		if (!last || same.length === 0 || !guess || !('field' in guess)) continue;
		// The admin's choice for any of them stands.
		const guessed = (c: ColumnMapping) => !c.isChosen;
		const base = (c: ColumnMapping) => ({
			index: c.index,
			header: c.header,
			normalised: c.normalised,
			isChosen: false
		});
		if (guessed(last)) columns[last.index] = fieldColumn(base(last), guess.field, policy, false);
		for (const title of same.filter(guessed)) {
			columns[title.index] = {
				...base(title),
				status: 'ignored',
				reason: `A personal title (M., Mme): ${named(last)}, the last of the same header, is the ${field(guess.field).label}, as in French Outlook's files.`
			};
		}
	}
}

/** Microsoft's usage location: a country code, the only one some files give (Entra's bulk create may). */
const USAGE_LOCATION = 'usagelocation';

/**
 * The columns that give each row's country, in reading order: the one for Country (mapped, or hidden
 * by the policy; the shape's first when it has several), then a usage location, read in rows whose
 * Country is empty (Entra's bulk create has both, and many rows fill only the usage location).
 */
function countryColumnsOf(
	columns: readonly ColumnMapping[],
	known: ReadonlyMap<number, KnownColumn>
): number[] {
	const order = (c: ColumnMapping) => known.get(c.index)?.rank ?? columns.length + c.index;
	const [country] = columns
		.filter(
			(c) => c.status !== 'error' && c.backupOf === undefined && (c.field ?? c.hiddenField) === 'country'
		)
		.sort((a, b) => order(a) - order(b));
	const usage = columns.find((c) =>
		headerCandidates(c.header).some((words) => compact(words) === USAGE_LOCATION)
	);
	return [...new Set([country?.index, usage?.index])].filter((index) => index !== undefined);
}

/**
 * Marks the second and later of two identical headers, and of two columns for the same field (a
 * backup column aside). The columns of a recognised shape come first: an extra column of the admin's
 * gives way to them, and the shape may head two columns alike (the German template's 'Telefon
 * geschäftlich', by position).
 */
function markDuplicates(columns: ColumnMapping[], known: ReadonlyMap<number, KnownColumn>): void {
	const byHeader = new Map<string, ColumnMapping>();
	const byField = new Map<FieldKey, ColumnMapping>();
	const ordered = [
		...columns.filter((c) => known.has(c.index)),
		...columns.filter((c) => !known.has(c.index))
	];
	for (const column of ordered) {
		const key = column.normalised || column.header.trim();
		const same = byHeader.get(key);
		if (key !== '' && same && !column.isChosen && !known.has(column.index)) {
			column.status = 'error';
			column.reason = `Same header as ${named(same)}: choose which one to use and Ignore the other.`;
			continue;
		}
		if (key !== '' && !same) byHeader.set(key, column);
		if (column.status !== 'mapped' || !column.field || column.backupOf !== undefined) continue;
		const first = byField.get(column.field);
		if (first) {
			column.status = 'error';
			column.reason = `${capitalised(named(first))} is already ${field(column.field).label}: choose another field for this one, or Ignore it.`;
		} else byField.set(column.field, column);
	}
}

/**
 * Maps each column of a file to a field of the registry under the policy. A header row of a shape
 * Rollcall knows (shapes.ts: a vendor's template or export) maps by the shape's own columns, each to a
 * field or ignored with the vendor's reason; other columns go by the registry's aliases. Unknown headers
 * stay 'unmapped' until the admin maps or ignores them; blank, duplicate and prototype-named headers
 * ('__proto__', 'constructor') are errors, never dropped in silence.
 */
export function mapHeaders(
	headers: readonly string[],
	policy: FieldPolicy,
	options: MapOptions = {}
): HeaderMapping {
	const customs = customIndex(policy);
	const shape = recogniseShape(headers, policy);
	const known = shape?.columns ?? new Map<number, KnownColumn>();
	const columns = headers.map((header, i) => mapColumn(header, i, policy, options, customs, known.get(i)));
	yieldFallbacks(columns);
	signInNameAsEmail(columns, policy, options);
	namesAsDisplayName(columns, policy, options);
	markBackups(columns, known);
	markDuplicates(columns, known);
	titlesWrittenTwice(columns, policy);
	for (const column of columns) {
		if (column.rule || column.isChosen || known.has(column.index)) continue;
		const rule = headerRule(column.normalised);
		if (rule) column.rule = rule;
	}
	const mapped = new Set(columns.flatMap((c) => (c.status === 'mapped' && c.field ? [c.field] : [])));
	const missing = fieldsOf(policy)
		.filter((f) => policy[f.key] === 'required' && !mapped.has(f.key))
		.map((f) => f.key);
	const problems = [
		...columns
			.filter((c) => c.status === 'error' || c.status === 'unmapped')
			.map((c) => `${capitalised(named(c))}: ${c.reason}`),
		...missing.map(
			(key) =>
				`No column for ${field(key).label}, which is required: map a column to it, or make it optional in Settings → Field policy.`
		)
	];
	return {
		columns,
		missing,
		problems,
		isReady: problems.length === 0,
		shape: shape?.shape,
		countryColumns: countryColumnsOf(columns, known)
	};
}
