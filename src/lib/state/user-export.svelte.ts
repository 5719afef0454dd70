import { formatCount } from '$lib/components/format';
import { groups as groupsTable, users } from '$lib/db';
import type { ExportScope } from '$lib/db/users';
import type { ExportFormat, ExportShape } from '$lib/export/writer';
import { planExport, runExportInWorker, type ExportPlan } from '$lib/export/bridge';
import { currentCustomer } from './current-customer.svelte';
import { settings } from './settings.svelte';
import type { UserList } from './user-list.svelte';

/** Which users an export writes, in the admin's words: everyone, what the list matches, or the selection. */
export type ExportWho = 'everyone' | 'matches' | 'selection';

/** What the dialog shows: the choices, the progress, or how it ended. */
export type ExportPhase = 'choosing' | 'running' | 'saved' | 'failed';

/** From this many users, a browser that can write straight to a file offers to by default. */
export const BIG_EXPORT = 50_000;

/** The File System Access save picker, where the browser has one (Chromium). */
type SavePicker = (options: {
	suggestedName: string;
	types: { description: string; accept: Record<string, string[]> }[];
}) => Promise<FileSystemFileHandle>;

const savePicker = (): SavePicker | undefined =>
	(globalThis as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;

/** Hands a Blob to the browser as a download, named as given. */
function downloadBlob(blob: Blob, name: string): void {
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = name;
	link.click();
	// The download reads the Blob after this task: a big one may take a while to start.
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const isAbort = (error: unknown) => (error as { name?: string } | null)?.name === 'AbortError';

/**
 * The Users page's export: the admin's choices, the file they would give (asked of the export worker
 * as they change), then the run with its progress and Cancel. Create it during a component's
 * initialisation, over the page's list.
 */
export class UserExport {
	isOpen = $state(false);
	who = $state<ExportWho>('everyone');
	format = $state<ExportFormat>('csv');
	shape = $state<ExportShape>('rollcall');
	delimiter = $state<',' | ';'>(',');
	/** The admin's choice of writing straight into a file; undefined until they make one. */
	#isToFile = $state<boolean | undefined>();
	#everyone = $state(0);
	#plan = $state.raw<ExportPlan | undefined>();
	#phase = $state<ExportPhase>('choosing');
	#progress = $state({ done: 0, total: 0 });
	#message = $state('');
	#planProblem = $state('');
	#controller: AbortController | undefined;
	readonly #list: UserList;
	/** When the export ran, for its timestamps and file name: now, unless a test says otherwise. */
	readonly #now: () => number;

	constructor(list: UserList, now: () => number = Date.now) {
		this.#list = list;
		this.#now = now;
		$effect(() => {
			if (!this.isOpen || this.#phase !== 'choosing') return;
			const [request, total] = [this.#request(), this.count];
			let isCurrent = true;
			planExport(request, total).then(
				(plan) => {
					if (!isCurrent) return;
					this.#plan = plan;
					this.#planProblem = '';
				},
				(error: unknown) => {
					if (!isCurrent) return;
					this.#plan = undefined;
					this.#planProblem = error instanceof Error ? error.message : String(error);
				}
			);
			return () => (isCurrent = false);
		});
	}

	/** Whether the list is narrowed by a search or filters (else 'what they match' is everyone). */
	get isNarrowed(): boolean {
		return this.#list.isNarrowed;
	}
	get everyoneCount(): number {
		return this.#everyone;
	}
	get matchesCount(): number {
		return this.#list.count;
	}
	get selectionCount(): number {
		return this.#list.selectedCount;
	}
	/** How many users the chosen 'who' holds (before a format such as vCard leaves some out). */
	get count(): number {
		if (this.who === 'selection') return this.selectionCount;
		return this.who === 'matches' ? this.matchesCount : this.#everyone;
	}
	get plan(): ExportPlan | undefined {
		return this.#plan;
	}
	/** Why no file can be planned for these choices (the export worker failed to say). */
	get planProblem(): string {
		return this.#planProblem;
	}
	get phase(): ExportPhase {
		return this.#phase;
	}
	get progress(): { done: number; total: number } {
		return this.#progress;
	}
	/** How it ended: 'Saved 12 users to …', or what went wrong. */
	get message(): string {
		return this.#message;
	}
	/**
	 * Write straight into a file the admin chooses (only where the browser can): by default for a big
	 * export, until the admin says otherwise.
	 */
	get isToFile(): boolean {
		return this.canWriteToFile && (this.#isToFile ?? this.count >= BIG_EXPORT);
	}
	set isToFile(isToFile: boolean) {
		this.#isToFile = isToFile;
	}
	/** Whether this browser can write straight into a file the admin chooses. */
	get canWriteToFile(): boolean {
		return savePicker() !== undefined;
	}

	/** Opens the dialog on `who` (the Action menu opens it on the selection). */
	async open(who: ExportWho): Promise<void> {
		this.who = who;
		this.#phase = 'choosing';
		this.#message = '';
		this.#plan = undefined;
		this.#isToFile = undefined;
		this.isOpen = true;
		try {
			this.#everyone = await users.count(currentCustomer.id);
		} catch (error) {
			this.#fail(error);
		}
	}

	/** Closes the dialog; a running export is cancelled (nothing is saved). */
	close(): void {
		this.cancel();
		this.isOpen = false;
	}

	/** Stops a running export: the worker stops at once and a chosen file is removed where possible. */
	cancel(): void {
		this.#controller?.abort(new DOMException('The export was cancelled.', 'AbortError'));
	}

	/** Offers CSV instead of a format that cannot hold this many users. */
	useCsv(): void {
		this.format = 'csv';
	}

	/** Runs the export (from the Export button's click: a save picker needs it). */
	async start(): Promise<void> {
		const plan = this.#plan;
		if (!plan || plan.limit || this.#phase === 'running') return;
		let file: FileSystemFileHandle | undefined;
		const picker = savePicker();
		if (this.isToFile && picker) {
			try {
				file = await picker({ suggestedName: plan.fileName, types: [fileType(plan)] });
			} catch (error) {
				if (!isAbort(error)) this.#fail(error);
				return;
			}
		}
		const controller = (this.#controller = new AbortController());
		this.#phase = 'running';
		this.#progress = { done: 0, total: this.count };
		try {
			const scope = await this.#scope();
			controller.signal.throwIfAborted();
			const onProgress = (done: number, total: number) => (this.#progress = { done, total });
			const request = this.#request();
			// SCIM writes the customer's groups as Group resources (the other formats have them in a column).
			const groups = request.format === 'scim' ? await groupsTable.list(currentCustomer.id) : undefined;
			const done = await runExportInWorker(
				{ request: { ...request, groups: groups?.map(({ id, name }) => ({ id, name })) }, scope },
				file,
				onProgress,
				controller.signal
			);
			if (done.blob) downloadBlob(done.blob, done.fileName);
			const into = done.files > 1 ? ` (${done.files} files in one archive)` : '';
			this.#message = `Saved ${formatCount(done.count, 'user')} to ${file?.name ?? done.fileName}${into}.`;
			this.#phase = 'saved';
		} catch (error) {
			if (isAbort(error)) {
				if (this.isOpen) this.#phase = 'choosing';
				this.#message = 'The export was cancelled: nothing was saved.';
			} else {
				this.#fail(error);
			}
		} finally {
			if (this.#controller === controller) this.#controller = undefined;
		}
	}

	/** Back to the choices after an export ended. */
	again(): void {
		this.#phase = 'choosing';
		this.#message = '';
	}

	#request() {
		return {
			format: this.format,
			shape: this.shape,
			delimiter: this.delimiter,
			policy: $state.snapshot(settings.policy),
			context: settings.context,
			now: this.#now()
		};
	}

	/** The users of the chosen 'who', as the worker reads them: ids move to it as one typed array. */
	async #scope(): Promise<ExportScope> {
		if (this.who === 'everyone' || (this.who === 'matches' && !this.isNarrowed)) {
			return { kind: 'everyone', customerId: currentCustomer.id };
		}
		const ids = this.who === 'selection' ? await this.#list.selectedIds() : await this.#list.matchingIds();
		return { kind: 'ids', ids: Uint32Array.from(ids) };
	}

	#fail(error: unknown): void {
		this.#message = error instanceof Error ? error.message : String(error);
		this.#phase = 'failed';
	}
}

/** The picker's file type: the plan's type (without parameters) and its file's extension. */
function fileType(plan: ExportPlan) {
	const extension = plan.fileName.slice(plan.fileName.lastIndexOf('.'));
	const mime = plan.mimeType.split(';')[0]!;
	return { description: `${extension.slice(1).toUpperCase()} file`, accept: { [mime]: [extension] } };
}
