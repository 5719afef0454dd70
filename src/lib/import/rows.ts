import { emailKey } from '$lib/domain/email';
import { field, type FieldContext, type FieldKey } from '$lib/domain/fields';
import { isReadPhone } from '$lib/domain/phone';
import type { FieldPolicy } from '$lib/domain/policy';
import { foldText, quoted } from '$lib/domain/text';
import {
	validateUser,
	type UniqueField,
	type UserFields,
	type UserInput,
	type ValidateOptions
} from '$lib/domain/user';
import { unescapeFormula } from './formula';
import { columnLetter, fieldColumns, type CellRule, type HeaderMapping } from './headers';

/** One problem in one row (and usually one column), as the admin finds it in the spreadsheet. */
export interface CellError {
	/** The admin's row number: the header is row 1, so the first user is row 2. */
	row: number;
	/** The column's index, when the problem is in one cell. */
	column?: number;
	/** The column's header as written in the file (or its letter when it has none). */
	header?: string;
	field?: FieldKey;
	message: string;
}

/**
 * What importing a row would do: create a user, update one, nothing (the directory already has the
 * same values), or nothing because the row is wrong. Blank rows are passed over.
 */
export type RowStatus = 'new' | 'update' | 'unchanged' | 'error' | 'blank';

export interface CheckedRow {
	row: number;
	status: RowStatus;
	/** The row's values as they would be stored (defaults filled in). Never the password. */
	values: Partial<UserFields>;
	/** Whether the row gives a password; the password itself is not kept in any checked row. */
	hasPassword: boolean;
	/** The directory user this row's email belongs to. */
	existingId?: number;
	/** For an update: the fields whose non-empty cells differ from the stored user (empty cells never erase). */
	changes?: FieldKey[];
	errors: CellError[];
	/** Values kept as typed that Rollcall could not check (an optional phone it cannot read): never block the row. */
	warnings?: CellError[];
}

/**
 * Checked rows by index, as a commit takes them (importsStore.commit): an array, or a source that makes
 * each row when asked (the import worker's CheckedRows.forCommit), so a commit of a million rows holds a
 * chunk of row objects at a time, never all of them. A commit asks for each row twice (to plan, then to
 * write it): a source must give the same row for an index each time.
 */
export interface RowSource {
	readonly length: number;
	at(index: number): CheckedRow | undefined;
}

export interface RowCheck {
	rows: CheckedRow[];
	/** Every row's errors, in row order. */
	errors: CellError[];
	counts: Record<RowStatus, number>;
}

/** A user of the directory, as far as the check needs it; without values a match can only be an update. */
export interface ExistingUser {
	id: number;
	values?: Partial<UserFields>;
}

/** Finds a directory user by a key: a Map (key -> id or user) or a function. */
export type Lookup =
	ReadonlyMap<string, number | ExistingUser> | ((key: string) => number | ExistingUser | undefined);

/** The directory's unique keys, as `userKeys` derives them: emailKey, usernameKey, customerCodeKey. */
export interface Directory {
	byEmail: Lookup;
	byUsername?: Lookup;
	byCustomerCode?: Lookup;
}

export interface CheckOptions {
	policy: FieldPolicy;
	context: FieldContext;
	/** The directory to compare with (or just its emailKey lookup); none: every valid row is new. */
	directory?: Directory | Lookup;
	/** 'Update existing users': off, a row for a user already there with other values is an error. */
	updateExisting?: boolean;
	/** The admin's row number of rows[0]: 2, or the table's headerRow + 1 under a preamble. */
	firstRow?: number;
	/**
	 * Whether cells are taken exactly as they are: true for SCIM JSON and vCard, which no spreadsheet
	 * opens and Rollcall never formula-escapes. Cells of tables are unescaped (formula.ts).
	 */
	isVerbatim?: boolean;
	/**
	 * 'Send login details by SMS': a new user given a password gets it on their mobile phone, which must
	 * then be a number; an optional one that cannot be read is an error, not a warning.
	 */
	sendsSms?: boolean;
	/** The customer's sites, and what a row naming another site is (see SiteCheck). */
	sites?: SiteCheck;
	/**
	 * The values of an earlier row, by its row number, for the repeats across rows: given, the check keeps
	 * a hash of each unique value rather than the value (HashedKeys); a million rows' emails, usernames and
	 * codes kept as keys of Maps took some 200 MiB.
	 */
	valuesOfRow?: (row: number) => Partial<UserFields> | undefined;
}

/** The unique values met so far, each with the first row that gave it. */
interface SeenKeys {
	/** The earlier row that gave `key`; undefined when none did, and `row` is then kept as the first. */
	firstRow(key: string, row: number): number | undefined;
}

class MapKeys implements SeenKeys {
	readonly #rows = new Map<string, number>();
	firstRow(key: string, row: number): number | undefined {
		const first = this.#rows.get(key);
		if (first === undefined) this.#rows.set(key, row);
		return first;
	}
}

/** A string's 32-bit FNV-1a hash. */
function hashOf(text: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
	return hash | 0;
}

/**
 * SeenKeys as row numbers and hashes in typed arrays (open addressing): a row whose key hashes as an
 * earlier row's is compared with that row's key, found again from its values (`keyOfRow`).
 */
export class HashedKeys implements SeenKeys {
	readonly #keyOfRow: (row: number) => string | undefined;
	#hashes = new Int32Array(1024);
	/** Row numbers (0: an empty slot; row numbers start at 1). */
	#rows = new Int32Array(1024);
	#size = 0;

	constructor(keyOfRow: (row: number) => string | undefined) {
		this.#keyOfRow = keyOfRow;
	}

	firstRow(key: string, row: number): number | undefined {
		const hash = hashOf(key);
		const mask = this.#rows.length - 1;
		let slot = hash & mask;
		for (let other = this.#rows[slot]!; other !== 0; other = this.#rows[slot]!) {
			if (this.#hashes[slot] === hash && this.#keyOfRow(other) === key) return other;
			slot = (slot + 1) & mask;
		}
		this.#rows[slot] = row;
		this.#hashes[slot] = hash;
		if (++this.#size * 2 > this.#rows.length) this.#grow();
		return undefined;
	}

	#grow(): void {
		const [hashes, rows] = [this.#hashes, this.#rows];
		this.#hashes = new Int32Array(rows.length * 2);
		this.#rows = new Int32Array(rows.length * 2);
		const mask = this.#rows.length - 1;
		for (let i = 0; i < rows.length; i++) {
			if (rows[i] === 0) continue;
			let slot = hashes[i]! & mask;
			while (this.#rows[slot] !== 0) slot = (slot + 1) & mask;
			this.#rows[slot] = rows[i]!;
			this.#hashes[slot] = hashes[i]!;
		}
	}
}

/**
 * How a file's Site column meets the customer's sites (workflow C): a site they have, in any case or
 * accents, is stored as the customer writes it; another one is added to them on Complete ('create'), or is
 * the row's error ('error'), as the admin chooses in the preview.
 */
export interface SiteCheck {
	known: readonly string[];
	unknown: 'create' | 'error';
}

function find(lookup: Lookup | undefined, key: string | undefined): ExistingUser | undefined {
	if (!lookup || !key) return undefined;
	const found = typeof lookup === 'function' ? lookup(key) : lookup.get(key);
	return typeof found === 'number' ? { id: found } : found;
}

const asDirectory = (directory: Directory | Lookup | undefined): Directory | undefined =>
	directory === undefined || (typeof directory === 'object' && 'byEmail' in directory)
		? directory
		: { byEmail: directory };

export type { UniqueField };

/** The unique fields, with the keys the directory keeps them under (as `userKeys` folds them). */
export const uniqueKeys: readonly [UniqueField, (value: string) => string][] = [
	['email', emailKey],
	['username', foldText],
	['customerCode', (value) => value.trim().toLowerCase()]
];

/** The backups of a field that has none: no array made per cell of every row. */
const NO_BACKUPS: readonly number[] = [];

/** One object for every row without a country: most rows of most files. */
const LENIENT: ValidateOptions = Object.freeze({ isLenient: true });

/** Why a new user's mobile phone kept as typed cannot take their login details by SMS, and what to do. */
const smsProblem = (typed: string | undefined) =>
	`Mobile phone "${typed ?? ''}" is not a phone number Rollcall can read, and this new user's login details go to it by SMS: correct it, or turn off 'Send login details by SMS'.`;

/** Why a cell rule voided a field of a row, and what becomes of it (CellRule). */
interface Voided {
	because: string;
	outcome: string;
}

const isBlank = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

/**
 * Checks rows one at a time, remembering what it has seen for the duplicate checks across rows: the
 * worker can feed it in slices, reporting progress between them. `checkRows` checks a whole file.
 */
export class RowChecker {
	readonly #options: CheckOptions;
	readonly #directory: Directory | undefined;
	readonly #mapping: HeaderMapping;
	readonly #columnOf = new Map<FieldKey, number>();
	/** The backup columns of a field, read in turn where its column is empty (Active Directory's 'userPrincipalName'). */
	readonly #backups = new Map<FieldKey, number[]>();
	/** This row's fields read from a backup column, and which: their errors name that column. */
	readonly #readAt = new Map<FieldKey, number>();
	readonly #seen: Map<FieldKey, SeenKeys>;
	/** The columns whose cells void a field of their row (shapes' cell rules), of fields the check reads. */
	readonly #voiding: [number, Extract<CellRule, { voids: FieldKey }>][] = [];
	/** The columns whose cells containing a text are never read, by index. */
	readonly #refusing = new Map<number, Extract<CellRule, { refuses: string }>>();
	/** This row's cells refused (see #refusing): the field, and the column its error names. */
	readonly #refused = new Map<FieldKey, [column: number, message: string]>();
	/** The customer's sites by folded name, and the sites rows named that are not among them (the same). */
	readonly #knownSites: Map<string, string> | undefined;
	readonly #unknownSites = new Map<string, string>();

	constructor(mapping: HeaderMapping, options: CheckOptions) {
		this.#options = options;
		this.#mapping = mapping;
		this.#directory = asDirectory(options.directory);
		const { valuesOfRow } = options;
		this.#seen = new Map(
			uniqueKeys.map(([key, toKey]): [FieldKey, SeenKeys] => {
				if (!valuesOfRow) return [key, new MapKeys()];
				const keyOfRow = (row: number) => {
					const value = valuesOfRow(row)?.[key];
					return typeof value === 'string' && value !== '' ? toKey(value) : undefined;
				};
				return [key, new HashedKeys(keyOfRow)];
			})
		);
		if (options.sites) this.#knownSites = new Map(options.sites.known.map((site) => [foldText(site), site]));
		for (const [key, [index, ...backups]] of fieldColumns(mapping)) {
			this.#columnOf.set(key, index!);
			if (backups.length > 0) this.#backups.set(key, backups);
		}
		for (const { index, rule } of mapping.columns) {
			if (rule && 'refuses' in rule) this.#refusing.set(index, rule);
			else if (rule && this.#columnOf.has(rule.voids)) this.#voiding.push([index, rule]);
		}
	}

	/** Whether a cell is refused by its column's rule (an Entra guest's made-up userPrincipalName). */
	#isRefused(cells: readonly string[], index: number): boolean {
		const rule = this.#refusing.get(index);
		return rule !== undefined && (cells[index] ?? '').includes(rule.refuses);
	}

	/**
	 * The column a field's cell is read from in this row: its own, or the first backup with a value. A
	 * refused cell is not read: the field is read as empty, and the row's error named at its first column.
	 */
	#readCell(cells: readonly string[], key: FieldKey, column: number): number | undefined {
		let index = column;
		for (const backup of this.#backups.get(key) ?? NO_BACKUPS)
			if ((cells[index] ?? '').trim() === '') index = backup;
		if (index !== column) this.#readAt.set(key, index);
		if (this.#refusing.size === 0 || !this.#isRefused(cells, index)) return index;
		this.#readAt.delete(key);
		this.#refused.set(key, [column, this.#refusing.get(index)!.because]);
		return undefined;
	}

	/** The fields this row's cell rules void, with the warning each gets (an error when required: #voided). */
	#voids(cells: readonly string[]): Map<FieldKey, Voided> | undefined {
		let voided: Map<FieldKey, Voided> | undefined;
		for (const [index, rule] of this.#voiding) {
			const cell = (cells[index] ?? '').trim();
			if (cell === '' || (rule.when !== undefined && cell !== rule.when)) continue;
			// Only a short name ('SHA-1') is quoted; the voided field's own cell never is.
			const quoted = /^[\w-]{1,20}$/u.test(cell) ? cell : 'see its column';
			const because = rule.because.replace('{cell}', quoted);
			(voided ??= new Map()).set(rule.voids, { because, outcome: rule.outcome });
		}
		return voided;
	}

	#error(row: number, key: FieldKey | undefined, message: string, at?: number): CellError {
		const index = at ?? (key ? (this.#readAt.get(key) ?? this.#columnOf.get(key)) : undefined);
		if (index === undefined) return { row, field: key, message };
		const header = this.#mapping.columns[index]?.header.trim() || `Column ${columnLetter(index)}`;
		return { row, column: index, header, field: key, message };
	}

	check(cells: readonly string[], row: number): CheckedRow {
		if (isBlank(cells)) return { row, status: 'blank', values: {}, hasPassword: false, errors: [] };
		const errors: CellError[] = [];
		if (this.#readAt.size > 0) this.#readAt.clear();
		if (this.#refused.size > 0) this.#refused.clear();
		const voided = this.#voiding.length > 0 ? this.#voids(cells) : undefined;
		const width = this.#mapping.columns.length;
		let extra = width;
		while (extra < cells.length && cells[extra]!.trim() === '') extra++;
		if (extra < cells.length) {
			errors.push(
				this.#error(
					row,
					undefined,
					`This row has a value in column ${columnLetter(extra)}, past the ${width} columns of the header: a value that contains the delimiter must be in quotes.`,
					extra
				)
			);
		}
		const input: UserInput = {};
		for (const [key, column] of this.#columnOf) {
			const index = this.#readCell(cells, key, column);
			if (index === undefined || voided?.has(key)) {
				input[key] = '';
				continue;
			}
			// A password is taken exactly as typed; errors files never hold one, so it was never escaped.
			const { isSensitive } = field(key);
			const isVerbatim = isSensitive || this.#options.isVerbatim;
			const cell = isVerbatim ? (cells[index] ?? '') : unescapeFormula(cells[index] ?? '');
			if (!isSensitive && cell.includes('\uFFFD')) {
				errors.push(
					this.#error(
						row,
						key,
						`${field(key).label} contains �, a character lost by an earlier conversion of the file: retype it.`
					)
				);
			}
			input[key] = cell;
		}
		const {
			values,
			password,
			errors: fieldErrors,
			warnings: fieldWarnings
		} = validateUser(input, this.#options.policy, this.#options.context, this.#validateOptions(cells));
		for (const [key, [column, message]] of this.#refused) errors.push(this.#error(row, key, message, column));
		const voidWarnings = voided && this.#voidedProblems(row, voided, errors);
		for (const [key, message] of Object.entries(fieldErrors) as [FieldKey, string][]) {
			// A required field with no column is the header's problem, said once (mapping.problems), not in every row.
			if (this.#mapping.missing.includes(key)) continue;
			if (!errors.some((e) => e.field === key)) errors.push(this.#error(row, key, message));
		}
		if (this.#knownSites && values.site && !errors.some((e) => e.field === 'site')) {
			const problem = this.#siteProblem(values);
			if (problem) errors.push(this.#error(row, 'site', problem));
		}
		const key = values.email ? emailKey(values.email) : undefined;
		const existing = find(this.#directory?.byEmail, key);
		errors.push(...this.#duplicates(values, row, key, existing));
		const checked: CheckedRow = { row, status: 'new', values, hasPassword: password !== undefined, errors };
		if (voidWarnings?.length) checked.warnings = voidWarnings;
		// Only rows with warnings get an array: 100,000 rows without any cost nothing more to check or send.
		if (fieldWarnings) {
			const isSms = this.#options.sendsSms === true && checked.hasPassword && !existing;
			for (const [kept, message] of Object.entries(fieldWarnings) as [FieldKey, string][]) {
				if (errors.some((e) => e.field === kept)) continue;
				const storedPhone = existing?.values?.[kept as keyof UserFields];
				if (kept === 'mobilePhone' && isSms) {
					errors.push(this.#error(row, kept, smsProblem(values.mobilePhone)));
				} else if (typeof storedPhone === 'string' && isReadPhone(storedPhone)) {
					// An update never swaps a number for text nobody can call: the stored one stays, unchanged.
					const typed = values[kept as keyof UserFields];
					Object.assign(values, { [kept]: storedPhone });
					const warning = `${field(kept).label} "${String(typed)}" cannot be read: the stored number is kept.`;
					(checked.warnings ??= []).push(this.#error(row, kept, warning));
				} else {
					(checked.warnings ??= []).push(this.#error(row, kept, message));
				}
			}
		}
		this.#classify(checked, input, existing);
		return checked;
	}

	/** The sites rows named that the customer does not have, each once, as first written. */
	get unknownSites(): string[] {
		return [...this.#unknownSites.values()];
	}

	/** Puts a known site as the customer writes it; an unknown one is noted, and an error if so chosen. */
	#siteProblem(values: Partial<UserFields>): string | undefined {
		const folded = foldText(values.site!);
		const known = this.#knownSites!.get(folded);
		if (known !== undefined) {
			values.site = known;
			return undefined;
		}
		if (!this.#unknownSites.has(folded)) this.#unknownSites.set(folded, values.site!);
		if (this.#options.sites!.unknown === 'create') return undefined;
		return `Site ${quoted(values.site!)} is not one of this customer's sites: add it in Settings → Sites, or choose to create the file's new sites.`;
	}

	/**
	 * The row's voided fields (see CellRule): a warning each, or an error (pushed to `errors`) when the
	 * policy requires the field, which the row then does not give.
	 */
	#voidedProblems(row: number, voided: ReadonlyMap<FieldKey, Voided>, errors: CellError[]): CellError[] {
		const warnings: CellError[] = [];
		for (const [key, { because, outcome }] of voided) {
			if (this.#options.policy[key] === 'required') {
				const label = field(key).label;
				const what = `${because}, and the field policy requires ${label}: type one in its place, or make ${label} optional in Settings → Field policy.`;
				errors.push(this.#error(row, key, what));
			} else warnings.push(this.#error(row, key, `${because}, ${outcome}`));
		}
		return warnings;
	}

	/**
	 * An import keeps what it cannot check (an optional phone) with a warning. The row's country, read
	 * where Country is empty or not a field of the check (the policy hides it), is the first of the file's
	 * columns for it with a value (Country, then a usage location): it reads the row's phone numbers, and
	 * is never stored.
	 */
	#validateOptions(cells: readonly string[]): ValidateOptions {
		const index = this.#mapping.countryColumns.find((i) => (cells[i] ?? '').trim() !== '');
		if (index === undefined) return LENIENT;
		const cell = cells[index] ?? '';
		return { isLenient: true, country: this.#options.isVerbatim ? cell : unescapeFormula(cell) };
	}

	/** Repeats of an earlier row of the file, and values other directory users already have. */
	#duplicates(
		values: Partial<UserFields>,
		row: number,
		email: string | undefined,
		owner: ExistingUser | undefined
	): CellError[] {
		const errors: CellError[] = [];
		for (const [key, toKey] of uniqueKeys) {
			const value = values[key];
			if (typeof value !== 'string' || value === '') continue;
			const label = () => field(key).label.toLowerCase();
			const folded = key === 'email' && email ? email : toKey(value);
			const seen = this.#seen.get(key)!;
			const first = seen.firstRow(folded, row);
			if (first !== undefined)
				errors.push(this.#error(row, key, `Row ${first} already has the ${label()} ${value}.`));
			if (key === 'email') continue;
			const lookup = key === 'username' ? this.#directory?.byUsername : this.#directory?.byCustomerCode;
			const other = find(lookup, folded);
			if (other && other.id !== owner?.id) {
				errors.push(
					this.#error(row, key, `Another user in the directory already has the ${label()} ${value}.`)
				);
			}
		}
		return errors;
	}

	#classify(checked: CheckedRow, input: UserInput, existing: ExistingUser | undefined): void {
		if (existing) checked.existingId = existing.id;
		if (checked.errors.length) {
			checked.status = 'error';
			return;
		}
		if (!existing) return;
		// Only cells the admin filled count: an empty cell never erases what is stored.
		const filled = Object.keys(checked.values).filter((key) => {
			const raw = input[key as FieldKey];
			return typeof raw === 'string' && raw.trim() !== '';
		}) as (keyof UserFields)[];
		const stored = existing.values;
		// The email matched by its key; another spelling of it (ADA@ for ada@) is not a change.
		const isSame = (key: keyof UserFields) => key === 'email' || checked.values[key] === stored?.[key];
		const changes: FieldKey[] = stored ? filled.filter((key) => !isSame(key)) : filled;
		if (changes.length === 0) {
			checked.status = 'unchanged';
		} else if (this.#options.updateExisting) {
			checked.status = 'update';
			checked.changes = changes;
		} else {
			checked.status = 'error';
			checked.errors.push(
				this.#error(
					checked.row,
					'email',
					"A user with this email is already in the directory: turn on 'Update existing users' to update them, or remove this row."
				)
			);
		}
	}
}

/**
 * Validates the rows of a file under the field policy with the registry's own validation (the form's),
 * finds repeats inside the file and matches against the directory, and says what importing each row
 * would do. Row numbers are the admin's: rows[0] is row 2, under the header (or `firstRow`).
 */
export function checkRows(
	rows: readonly (readonly string[])[],
	mapping: HeaderMapping,
	options: CheckOptions
): RowCheck {
	const checker = new RowChecker(mapping, options);
	const firstRow = options.firstRow ?? 2;
	const checked = rows.map((cells, i) => checker.check(cells, i + firstRow));
	const counts: Record<RowStatus, number> = { new: 0, update: 0, unchanged: 0, error: 0, blank: 0 };
	for (const row of checked) counts[row.status]++;
	return { rows: checked, errors: checked.flatMap((row) => row.errors), counts };
}

/** A row's errors in one line, for the errors file: "Email: ... Mobile phone: ...". */
export function rowErrorText(row: { readonly errors: readonly CellError[] }): string {
	return row.errors.map((e) => (e.header ? `${e.header}: ${e.message}` : e.message)).join(' ');
}
