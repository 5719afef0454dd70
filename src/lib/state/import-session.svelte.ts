import { imports, outbox } from '$lib/db';
import { importErrorMessage, type ImportSummary } from '$lib/db/imports';
import type { ImportMode } from '$lib/db/database';
import { storageErrorMessage } from '$lib/db/errors';
import { field, type FieldKey } from '$lib/domain/fields';
import type { Requirement } from '$lib/domain/policy';
import { analyse, commitInWorker, type Analysis, type AnalysisPeek } from '$lib/import/bridge';
import type { Delimiter } from '$lib/import/csv';
import { errorsFileName, writeErrorsFile, writeErrorsWorkbook } from '$lib/import/errors-file';
import { columnLetter, nameFromHeader, type ColumnMapping, type ColumnTarget } from '$lib/import/headers';
import { customAttributeActions } from './custom-attributes.svelte';
import { requirementOf } from '$lib/domain/policy';
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
	#abort: AbortController | null = null;

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

	/** Whether the file gives passwords and the policy has mobile phones: 'Send login details by SMS' applies. */
	get canSendSms(): boolean {
		return (this.#analysis?.passwords.size ?? 0) > 0 && settings.policy.mobilePhone !== 'hidden';
	}

	/** Whether Complete may run, and if not, why, in the admin's words. */
	get blocker(): string | null {
		const analysis = this.#analysis;
		if (!analysis) return 'Choose a file first.';
		if (!analysis.mapping.isReady)
			return 'Map or ignore every column, and give every required field a column.';
		const { counts } = analysis;
		if (this.mode === 'all-or-nothing' && counts.error > 0) {
			return `${counts.error} ${counts.error === 1 ? 'row has' : 'rows have'} errors: fix the file, or choose 'Import the valid rows and skip the rest'.`;
		}
		if (counts.new + counts.update === 0)
			return 'There is nothing to import: no new users and nothing to update.';
		return null;
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

	setDelimiter(delimiter: Delimiter): Promise<void> {
		this.#delimiter = delimiter;
		return this.#read();
	}
	setSheet(sheet: string): Promise<void> {
		this.#sheet = sheet;
		this.#choices = NO_CHOICES;
		return this.#read();
	}
	setUpdateExisting(value: boolean): Promise<void> {
		this.#updateExisting = value;
		return this.#read();
	}
	/** Checks the file again only when the switch changes what its rows are (see hasUnreadMobiles). */
	async setSendSms(value: boolean): Promise<void> {
		const isChecking = this.hasUnreadMobiles;
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
			// Plain copies: the options cross to the worker, and reactive proxies cannot be cloned.
			const { policy, importLimits } = $state.snapshot(settings.value);
			const analysis = await analyse(
				file,
				{
					policy,
					context: settings.context,
					limits: importLimits,
					delimiter: this.#delimiter,
					sheet: this.#sheet,
					choices: this.#choices,
					updateExisting: this.#updateExisting,
					sendsSms: this.#sendSms && this.canSendSms,
					// The worker reads the users the file names, with their values: a row giving exactly
					// what is stored is 'unchanged' (and not written), not an update.
					readsDirectory: true
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
			this.#step = 'preview';
		} catch (error) {
			if (this.#abort !== abort) return;
			this.#analysis = null;
			this.#peek = null;
			this.#step = 'choose';
			this.#error = abort.signal.aborted ? null : error instanceof Error ? error.message : String(error);
		}
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
				(c) => c.status === 'mapped' && c.field && requirementOf(settings.policy, c.field) === 'hidden'
			)
		) {
			await this.#read();
			return;
		}
		this.#step = 'saving';
		this.#error = null;
		const options = { fileName: file.name, mode: this.mode, updateExisting: this.#updateExisting };
		try {
			const isSending = this.sendActivation || (this.#sendSms && this.canSendSms);
			// In the import worker, which still holds the rows, so the page stays responsive; here when the
			// worker let them go (stopped after a minute idle), or when messages are queued for the new users
			// in the same transaction (the outbox hook runs on this page).
			this.#summary =
				(isSending ? undefined : await commitInWorker(analysis, options)) ??
				(await imports.commit(analysis.rows, {
					...options,
					passwords: analysis.passwords,
					afterCreate: (created) => this.#queueMessages(created, analysis.passwords)
				}));
			if (isSending) sync.kick();
			this.#step = 'done';
		} catch (error) {
			this.#error = importErrorMessage(error);
			this.#step = 'preview';
		}
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
		const check = { rows: analysis.rows, errors: analysis.errors, counts: analysis.counts };
		if (analysis.format === 'csv') {
			const { bytes } = writeErrorsFile(
				{ ...analysis.table, delimiter: analysis.delimiter ?? ',' },
				check,
				analysis.mapping,
				analysis.encoding
			);
			download(bytes, errorsFileName(file.name), 'text/csv');
			return;
		}
		const table = { ...analysis.table, sheet: analysis.sheet, headerRow: analysis.headerRow };
		const bytes = await finishInSteps(writeErrorsWorkbook(table, check, analysis.mapping));
		download(bytes, errorsFileName(file.name, 'xlsx'), XLSX_TYPE);
	}

	reset(): void {
		this.#abort?.abort();
		this.#abort = null;
		this.#step = 'choose';
		this.#file = null;
		this.#analysis = null;
		this.#peek = null;
		this.#error = null;
		this.#summary = null;
		this.sendActivation = false;
		this.#sendSms = false;
		this.#delimiter = undefined;
		this.#sheet = undefined;
		this.#choices = NO_CHOICES;
		this.#mappingProblem = null;
	}
}
