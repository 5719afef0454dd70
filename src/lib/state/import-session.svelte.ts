import { liveQuery } from 'dexie';
import { imports, licenses, outbox } from '$lib/db';
import { importErrorMessage, type CommitOptions, type ImportSummary } from '$lib/db/imports';
import type { ImportMode } from '$lib/db/database';
import { storageErrorMessage } from '$lib/db/errors';
import { field, type FieldKey } from '$lib/domain/fields';
import {
	customEntries,
	matchingPreset,
	presets,
	requirementOf,
	type FieldPolicy,
	type PolicyPreset,
	type Requirement
} from '$lib/domain/policy';
import {
	analyse,
	commitInWorker,
	errorsFileInWorker,
	isWhole,
	wholeAnalysis,
	type Analysis,
	type AnalysisPeek
} from '$lib/import/bridge';
import type { Delimiter } from '$lib/import/csv';
import { analysisErrorsFile, errorsFileName, type AnalysisErrorsFile } from '$lib/import/errors-file';
import { aboutFile } from '$lib/import/file-message';
import { columnLetter, nameFromHeader, type ColumnMapping, type ColumnTarget } from '$lib/import/headers';
import { fieldList, importPolicy, listOf, switchedPolicy, type PresetFit } from '$lib/import/preset-fit';
import { droppedPasswordsNotice, importPasswordPolicy } from '$lib/domain/passwords';
import { shortagesMessage } from '$lib/domain/seats';
import { sitesOf } from '$lib/domain/customer';
import type { SiteCheck } from '$lib/import/rows';
import { currentCustomer } from './current-customer.svelte';
import { customAttributeActions } from './custom-attributes.svelte';
import { download } from './download';
import { settings } from './settings.svelte';
import { sync } from './sync.svelte';

export type ImportStep = 'choose' | 'reading' | 'preview' | 'saving' | 'done';

const MB = 1024 * 1024;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Runs a generator to its end, letting the page handle input between its steps (a big file takes seconds). */
async function finishInSteps<T>(steps: Generator<void, T>): Promise<T> {
	for (;;) {
		const step = steps.next();
		if (step.done) return step.value;
		await new Promise((resolve) => setTimeout(resolve, 0));
	}
}

/** The admin's mapping choices are replaced whole on each change, never mutated: no reactive Map needed. */
const NO_CHOICES: ReadonlyMap<number, ColumnTarget> = new Map();

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const presetOf = (fit: Pick<PresetFit, 'id'>): PolicyPreset => presets.find((p) => p.id === fit.id)!;

/** The field policy as it was before "Switch the policy", to switch back to. */
interface PolicySwitch {
	to: PresetFit;
	before: FieldPolicy;
	/** The preset the policy was, if it was one: "Rollcall default". */
	beforeName?: string;
}

/** "column C ("Notes")", "column F (no header)": as the admin finds a column in the spreadsheet. */
const columnName = (column: ColumnMapping) =>
	`${columnLetter(column.index)} ${column.header.trim() ? `("${column.header.trim()}")` : '(no header)'}`;

/**
 * One import, from the chosen file to the committed users: reading it in the worker (with progress
 * and Cancel), the preview the admin verifies and adjusts, and Complete. Nothing is written before
 * Complete.
 */
export class ImportSession {
	mode = $state<ImportMode>('all-or-nothing');
	/** Workflow C's 'send invite': off by default. */
	sendActivation = $state(false);
	#step = $state<ImportStep>('choose');
	#file = $state.raw<File | null>(null);
	#progress = $state({ done: 0, total: 0 });
	#analysis = $state.raw<Analysis | null>(null);
	/** The start of a big file, checked while the whole file is read: shown, never committed. */
	#peek = $state.raw<AnalysisPeek | null>(null);
	#error = $state<string | null>(null);
	#summary = $state.raw<ImportSummary | null>(null);
	#updateExisting = $state(false);
	#sendSms = $state(false);
	#delimiter = $state<Delimiter | undefined>(undefined);
	#sheet = $state<string | undefined>(undefined);
	#choices = $state.raw<ReadonlyMap<number, ColumnTarget>>(NO_CHOICES);
	#mappingProblem = $state<string | null>(null);
	/** The preset whose rules this import is checked under instead of the field policy ("this import only"). */
	#rules = $state.raw<PresetFit | null>(null);
	#switch = $state.raw<PolicySwitch | null>(null);
	#abort: AbortController | null = null;
	/** The errors file of the analysis previewed, kept once made: a file the worker held is made before Complete. */
	#errors: { analysis: Analysis; made: Promise<AnalysisErrorsFile> } | undefined;
	/** The seats the previewed file would lack, followed live (a seat freed in another tab counts at once). */
	#seatShortage = $state<string | null>(null);
	#seatWatch: { unsubscribe(): void } | undefined;
	/**
	 * The customer this import is made into, fixed when the session is made ("pick the customer, then
	 * upload"): switching customer makes the page, and so the session, afresh.
	 */
	readonly customerId = currentCustomer.id;
	/** What a site the file names and the customer does not have is: created on Complete, or the row's error. */
	#unknownSites = $state<SiteCheck['unknown']>('create');

	get step(): ImportStep {
		return this.#step;
	}
	get file(): File | null {
		return this.#file;
	}
	get progress(): { done: number; total: number } {
		return this.#progress;
	}
	get analysis(): Analysis | null {
		return this.#analysis;
	}
	get peek(): AnalysisPeek | null {
		return this.#peek;
	}
	get error(): string | null {
		return this.#error;
	}
	get summary(): ImportSummary | null {
		return this.#summary;
	}
	/** Why a column could not be kept as a new field (its header names one already, say), or a field turned on. */
	get mappingProblem(): string | null {
		return this.#mappingProblem;
	}
	get updateExisting(): boolean {
		return this.#updateExisting;
	}
	/** Workflow D: the file's passwords go only into SMS messages to the new users' mobile phones. */
	get sendSms(): boolean {
		return this.#sendSms;
	}

	/**
	 * Whether 'Send login details by SMS' changes the check: a mobile phone kept as typed (a warning) is an
	 * error for a new user who gets an SMS, and goes back to a warning without it.
	 */
	get hasUnreadMobiles(): boolean {
		const analysis = this.#analysis;
		const isMobile = (problem: { field?: FieldKey }) => problem.field === 'mobilePhone';
		return (
			!!analysis && (analysis.warnings.some(isMobile) || (this.#sendSms && analysis.errors.some(isMobile)))
		);
	}

	/** The preset whose rules this import is checked under, for this import only; null: the field policy. */
	get rules(): PresetFit | null {
		return this.#rules;
	}
	/** The switch of the field policy made from this import, which can be taken back. */
	get policySwitch(): PolicySwitch | null {
		return this.#switch;
	}
	/** The policy the file is checked under: the field policy, or a preset's rules for this import only. */
	get policy(): FieldPolicy {
		return importPasswordPolicy(this.#basePolicy, this.#sendSms && this.canSendSms);
	}
	/** The policy before the password rule: a password is required only with the SMS that carries it. */
	get #basePolicy(): FieldPolicy {
		return this.#rules ? importPolicy(presetOf(this.#rules), settings.policy) : settings.policy;
	}
	/** The preset the file fits when the field policy does not (none once its rules are taken). */
	get presetFit(): PresetFit | null {
		return (!this.#rules && this.#analysis?.presetFit) || null;
	}

	/**
	 * The rows that give a password, for new users and for users already in the directory (by email, whatever
	 * the row's errors): SMS login details go only to new users, so only theirs can be sent.
	 */
	get #passwordRows(): { newUsers: number; existingUsers: number } {
		return this.#analysis?.summary.passwordRows ?? { newUsers: 0, existingUsers: 0 };
	}

	/** Whether new users' rows give passwords and the policy has mobile phones: 'Send login details by SMS' applies. */
	get canSendSms(): boolean {
		return this.#passwordRows.newUsers > 0 && this.#basePolicy.mobilePhone !== 'hidden';
	}

	/**
	 * What becomes of the file's passwords that no SMS carries, said before Complete (droppedPasswordsNotice);
	 * null when every one goes into an SMS (or the file gives none). Without the SMS a password is dropped, and
	 * the user's page says they have none.
	 */
	get droppedPasswords(): string | null {
		return (
			droppedPasswordsNotice({
				...this.#passwordRows,
				hasMobilePhones: this.#basePolicy.mobilePhone !== 'hidden',
				isSendingSms: this.#sendSms && this.canSendSms,
				isSendingActivation: this.sendActivation
			}) ?? null
		);
	}

	/** Whether Complete may run, and if not, why, in the admin's words. */
	get blocker(): string | null {
		const analysis = this.#analysis;
		if (!analysis) return 'Choose a file first.';
		if (!analysis.mapping.isReady) return this.#mappingBlocker(analysis);
		const { counts } = analysis;
		const name = this.#file?.name ?? 'The file';
		if (this.mode === 'all-or-nothing' && counts.error > 0) {
			return `${counts.error} ${counts.error === 1 ? 'row' : 'rows'} of ${name} ${counts.error === 1 ? 'has' : 'have'} errors: fix them in the file (the errors file lists each one) and choose it again, or choose 'Import the valid rows and skip the rest'.`;
		}
		if (counts.new + counts.update === 0 && counts.error > 0) {
			return `Every row of ${name} has errors: fix them in the file (the errors file lists each one) and choose it again.`;
		}
		if (this.#seatShortage) return this.#seatShortage;
		if (counts.new + counts.update === 0) {
			return counts.unchanged > 0
				? `Every user in ${name} is already in the directory with these values: there is nothing to import. Choose another file.`
				: `${name} has no users to import: choose another file.`;
		}
		return null;
	}

	/** Why the mapping stops Complete: which columns need a choice, which required field has no column, and what to do. */
	#mappingBlocker(analysis: Analysis): string {
		const { columns, missing } = analysis.mapping;
		const open = columns.filter((c) => c.status === 'error' || c.status === 'unmapped');
		const sentences: string[] = [];
		if (open.length === 1) {
			sentences.push(
				`Column ${columnName(open[0]!)} needs a choice: pick its field under Columns, or Ignore it.`
			);
		} else if (open.length > 1) {
			sentences.push(
				`Columns ${listOf(open.map(columnName))} need a choice: pick a field for each under Columns, or Ignore them.`
			);
		}
		if (missing.length > 0) {
			const fields = fieldList(missing);
			const it = missing.length === 1 ? 'it' : 'them';
			const fit = this.presetFit;
			const offer = fit ? `, or import the file under the rules of ${fit.name} (above)` : '';
			sentences.push(
				this.#rules
					? `No column gives ${fields}, which the rules of ${this.#rules.name} require: map a column to ${it}, or check the file under the field policy again (above).`
					: `No column gives ${fields}, which the field policy requires: map a column to ${it}, or make ${it} optional in Settings → Field policy${offer}.`
			);
		}
		return sentences.join(' ');
	}

	/** Reads a file the admin chose or dropped; a file over the size limit is refused before reading it. */
	async choose(file: File): Promise<void> {
		this.reset();
		this.#file = file;
		const { maxFileBytes } = settings.value.importLimits;
		if (file.size > maxFileBytes) {
			this.#error = `${file.name} is ${(file.size / MB).toFixed(1)} MB; the limit is ${Math.round(maxFileBytes / MB)} MB (Settings → Import limits). Split the file, or raise the limit.`;
			return;
		}
		await this.#read();
	}

	setMapping(column: number, target: ColumnTarget): Promise<void> {
		this.#mappingProblem = null;
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, never mutated
		this.#choices = new Map([...this.#choices, [column, target]]);
		return this.#read();
	}
	/**
	 * Turns on fields the policy hides that the file has columns for ('Turn on City'): each becomes
	 * optional in the policy, for the form and every later import too, and the file is mapped again.
	 */
	async turnOn(keys: readonly FieldKey[]): Promise<void> {
		const turnedOn = Object.fromEntries(keys.map((key) => [key, 'optional' satisfies Requirement]));
		this.#mappingProblem = null;
		try {
			await settings.save({ policy: { ...settings.policy, ...turnedOn } });
		} catch (error) {
			// Beside the mapping, where the button was: the file's error line is a screen above it.
			const labels = keys.map((key) => field(key).label).join(', ');
			this.#mappingProblem = `${labels} could not be turned on: ${storageErrorMessage(error)}`;
			return;
		}
		await this.#read();
	}
	/**
	 * "Keep as a new field": adds an optional custom attribute named after the column's header and maps the
	 * column to it. The attribute stays in Settings even when this import is not completed.
	 */
	async keepAsNewField(column: Pick<ColumnMapping, 'index' | 'header'>): Promise<void> {
		const result = await customAttributeActions.add(nameFromHeader(column.header));
		if (!result.ok) {
			const named = `Column ${columnLetter(column.index)} ("${column.header.trim()}")`;
			this.#mappingProblem = `${named} cannot be kept as a new field: ${result.message}`;
			return;
		}
		await this.setMapping(column.index, result.key);
	}

	/** Checks this file under the rules of the preset it fits, for this import only (see importPolicy). */
	importUnderPreset(): Promise<void> {
		const fit = this.presetFit;
		if (!fit) return Promise.resolve();
		this.#rules = fit;
		return this.#read();
	}
	/** Back to checking the file under the field policy. */
	useFieldPolicy(): Promise<void> {
		this.#rules = null;
		return this.#read();
	}
	/**
	 * Makes the preset the file fits the field policy (custom attributes kept), for the form and every
	 * later import too, and checks the file again; switchBack undoes it.
	 */
	async switchPolicy(): Promise<void> {
		const fit = this.presetFit ?? this.#rules;
		if (!fit) return;
		const before = { ...settings.policy };
		if (!(await this.#savePolicy(switchedPolicy(presetOf(fit), before)))) return;
		this.#switch = { to: fit, before, beforeName: matchingPreset(before)?.name };
		this.#rules = null;
		await this.#read();
	}
	/** Gives the field policy back as it was before switchPolicy, and checks the file again. */
	async switchBack(): Promise<void> {
		const change = this.#switch;
		if (!change) return;
		// Custom attributes added or renamed since stay as they are now.
		if (!(await this.#savePolicy({ ...change.before, ...customEntries(settings.policy) }))) return;
		this.#switch = null;
		await this.#read();
	}
	async #savePolicy(policy: FieldPolicy): Promise<boolean> {
		this.#mappingProblem = null;
		try {
			await settings.save({ policy });
			return true;
		} catch (error) {
			this.#mappingProblem = `The field policy could not be changed: ${storageErrorMessage(error)}`;
			return false;
		}
	}

	setDelimiter(delimiter: Delimiter): Promise<void> {
		this.#delimiter = delimiter;
		return this.#read();
	}
	setSheet(sheet: string): Promise<void> {
		this.#sheet = sheet;
		this.#choices = NO_CHOICES;
		return this.#read();
	}
	get unknownSites(): SiteCheck['unknown'] {
		return this.#unknownSites;
	}
	/** The admin's choice for the sites the customer does not have (shown with their names in the preview). */
	setUnknownSites(value: SiteCheck['unknown']): Promise<void> {
		this.#unknownSites = value;
		return this.#read();
	}
	/** The name of the customer imported into. */
	get customerName(): string {
		return currentCustomer.nameOf(this.customerId);
	}
	setUpdateExisting(value: boolean): Promise<void> {
		this.#updateExisting = value;
		return this.#read();
	}
	/** Checks the file again only when the switch changes what its rows are (see hasUnreadMobiles). */
	async setSendSms(value: boolean): Promise<void> {
		// The SMS decides whether a mobile kept as typed is an error, and whether a required password is.
		const isChecking = this.hasUnreadMobiles || this.#basePolicy.password === 'required';
		this.#sendSms = value;
		if (isChecking) await this.#read();
	}

	async #read(): Promise<void> {
		const file = this.#file;
		if (!file) return;
		this.#abort?.abort();
		const abort = new AbortController();
		this.#abort = abort;
		this.#step = 'reading';
		this.#error = null;
		this.#progress = { done: 0, total: 0 };
		this.#peek = null;
		try {
			// A file chosen as the page opens waits for the stored policy, default country and limits.
			await settings.loaded();
			if (this.#abort !== abort) return;
			// Plain copies: the options cross to the worker, and reactive proxies cannot be cloned.
			const { importLimits } = $state.snapshot(settings.value);
			const analysis = await analyse(
				file,
				{
					policy: $state.snapshot(this.policy),
					context: settings.context,
					limits: importLimits,
					delimiter: this.#delimiter,
					sheet: this.#sheet,
					choices: this.#choices,
					updateExisting: this.#updateExisting,
					sendsSms: this.#sendSms && this.canSendSms,
					// The worker reads the users the file names, with their values: a row giving exactly
					// what is stored is 'unchanged' (and not written), not an update.
					readsDirectory: true,
					customerId: this.customerId,
					sites: {
						known: sitesOf(currentCustomer.all.find((row) => row.id === this.customerId)?.sites),
						unknown: this.#unknownSites
					}
				},
				(done, total) => {
					if (this.#abort === abort) this.#progress = { done, total };
				},
				abort.signal,
				(peek) => {
					if (this.#abort === abort) this.#peek = peek;
				}
			);
			if (this.#abort !== abort) return;
			this.#peek = null;
			this.#analysis = analysis;
			this.#errors = undefined;
			this.#watchSeats(analysis);
			this.#step = 'preview';
		} catch (error) {
			if (this.#abort !== abort) return;
			this.#analysis = null;
			this.#peek = null;
			this.#step = 'choose';
			this.#error = abort.signal.aborted ? null : aboutFile(file.name, messageOf(error));
		}
	}

	/**
	 * Follows whether the rows to write fit the customer's free seats: the preview says so before Complete
	 * (which would be refused with the same words: the commit counts again, in its transaction).
	 */
	#watchSeats(analysis: Analysis): void {
		this.#seatWatch?.unsubscribe();
		this.#seatShortage = null;
		const planned = analysis.summary.seats;
		if (planned.length === 0) return;
		// The customer the import commits into, as the file was checked for: not whichever is chosen now.
		const customerId = this.customerId;
		this.#seatWatch = liveQuery(() => licenses.shortageOf(customerId, planned)).subscribe({
			next: (found) => {
				if (this.#analysis === analysis)
					this.#seatShortage = found.length > 0 ? shortagesMessage(found) : null;
			},
			error: (error: unknown) => console.error('Counting the seats the file needs failed', error)
		});
	}

	/** Stops reading the file; nothing was written. */
	cancel(): void {
		this.#abort?.abort();
		this.#abort = null;
		this.#peek = null;
		this.#step = this.#analysis ? 'preview' : 'choose';
	}

	/** Commits the previewed rows in one transaction, then shows the summary. */
	async complete(): Promise<void> {
		const analysis = this.#analysis;
		const file = this.#file;
		if (!analysis || !file || this.blocker) return;
		// A custom attribute renamed or deleted since the file was read (Settings, another tab): its values
		// must not be stored under a name the policy no longer knows. Read again: the mapping then says so.
		if (
			analysis.mapping.columns.some(
				(c) => c.status === 'mapped' && c.field && requirementOf(this.policy, c.field) === 'hidden'
			)
		) {
			await this.#read();
			return;
		}
		this.#step = 'saving';
		this.#error = null;
		const options = {
			fileName: file.name,
			mode: this.mode,
			updateExisting: this.#updateExisting,
			customerId: this.customerId,
			addSites: this.#unknownSites === 'create' ? analysis.unknownSites : []
		};
		try {
			const isSending = this.sendActivation || (this.#sendSms && this.canSendSms);
			// In the import worker, which still holds the rows, so the page stays responsive; here when the
			// worker let them go (a small file, stopped after a minute idle), or when messages are queued for
			// the new users in the same transaction (the outbox hook runs on this page: a big file's rows are
			// then fetched from the worker). The worker forgets the rows it has written: the errors file of
			// rows only it holds is made first.
			if (!isWhole(analysis) && analysis.counts.error > 0) await this.#errorsFile(analysis);
			this.#summary =
				(isSending ? undefined : await commitInWorker(analysis, options)) ??
				(await this.#commitHere(await wholeAnalysis(analysis), options));
			if (isSending) sync.kick();
			this.#step = 'done';
		} catch (error) {
			this.#error = aboutFile(file.name, importErrorMessage(error));
			this.#step = 'preview';
		}
	}

	/** Commits on this page, with the messages the switches ask queued in the same transaction. */
	#commitHere(analysis: Analysis, options: CommitOptions): Promise<ImportSummary> {
		return imports.commit(analysis.rows, {
			...options,
			afterCreate: (created) => this.#queueMessages(created, analysis.passwords)
		});
	}

	/** Queues what the switches ask for the new users, inside the import's transaction. */
	async #queueMessages(
		created: readonly { id: number; row: number }[],
		passwords: ReadonlyMap<number, string>
	) {
		const ids = created.map((user) => user.id);
		if (this.sendActivation) await outbox.queueFor(ids, 'activation');
		if (this.#sendSms && this.canSendSms) {
			// eslint-disable-next-line svelte/prefer-svelte-reactivity -- lives for this call only, never rendered
			const byUser = new Map(created.map((user) => [user.id, passwords.get(user.row)]));
			const withPassword = ids.filter((id) => byUser.get(id) !== undefined);
			await outbox.queueFor(withPassword, 'sms-login', {
				values: (user) => ({ password: byUser.get(user.id) })
			});
		}
	}

	/**
	 * The admin's rows as given plus an Errors column, to fix and upload again, in the upload's own
	 * format: CSV with its delimiter and encoding, or an .xlsx for any workbook.
	 */
	async downloadErrors(): Promise<void> {
		const analysis = this.#analysis;
		const file = this.#file;
		if (!analysis || !file) return;
		try {
			const { bytes, isWorkbook } = await this.#errorsFile(analysis);
			if (isWorkbook) download(bytes, errorsFileName(file.name, 'xlsx'), XLSX_TYPE);
			else download(bytes, errorsFileName(file.name), 'text/csv');
		} catch (error) {
			this.#error = aboutFile(file.name, messageOf(error));
		}
	}

	/** The errors file, once made: by the worker where it holds the rows, else here (run in steps). */
	#errorsFile(analysis: Analysis): Promise<AnalysisErrorsFile> {
		if (this.#errors?.analysis === analysis) return this.#errors.made;
		const made = (async () =>
			(await errorsFileInWorker(analysis)) ??
			(await finishInSteps(analysisErrorsFile(await wholeAnalysis(analysis)))))();
		const errors = { analysis, made };
		this.#errors = errors;
		// Not kept on failure: the next click tries again.
		made.catch(() => {
			if (this.#errors === errors) this.#errors = undefined;
		});
		return made;
	}

	reset(): void {
		this.#seatWatch?.unsubscribe();
		this.#seatWatch = undefined;
		this.#seatShortage = null;
		this.#abort?.abort();
		this.#abort = null;
		this.#step = 'choose';
		this.#file = null;
		this.#analysis = null;
		this.#errors = undefined;
		this.#peek = null;
		this.#error = null;
		this.#summary = null;
		this.sendActivation = false;
		this.#sendSms = false;
		this.#delimiter = undefined;
		this.#sheet = undefined;
		this.#choices = NO_CHOICES;
		this.#mappingProblem = null;
		this.#rules = null;
		this.#switch = null;
	}
}
