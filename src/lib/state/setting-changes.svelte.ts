import { storageErrorMessage } from '$lib/db/errors';
import type { Settings } from '$lib/domain/settings';
import { settings } from './settings.svelte';

/** What the Settings page says beside the control that changed last. */
export interface ChangeNote {
	text: string;
	canUndo: boolean;
	isError?: boolean;
}

interface Change {
	control: string;
	/** Null until its first save is stored: "saved" is said only once it is. */
	note: ChangeNote | null;
	/** The settings this change replaced, as they were before its edit session began. */
	before: Partial<Settings>;
	/** Whether edits to the same control still join this change (until the control loses focus). */
	isOpen: boolean;
}

/** Where settings are kept: the app's settings, or a stand-in in tests. */
export interface SettingsStore {
	readonly value: Settings;
	save(changes: Partial<Settings>): Promise<void>;
}

/**
 * The Settings page's changes: each is saved as the admin makes it, confirmed beside its control (on a
 * page 2,400 px long a line at the top is not seen), and can be undone. A number typed digit by digit, or
 * a select stepped through with the arrow keys, is one edit session until the control loses focus: Undo
 * restores what was there before the session, not the previous keystroke.
 */
export class SettingChanges {
	// Replaced whole, never changed in place: a save compares it with the change it started.
	#last = $state.raw<Change | null>(null);
	readonly #store: SettingsStore;

	constructor(store: SettingsStore = settings) {
		this.#store = store;
	}

	/** The note beside `control`, when the last change was made there. */
	noteFor(control: string): ChangeNote | null {
		return this.#last?.control === control ? this.#last.note : null;
	}

	/**
	 * Saves changes made with `control` and says `text` beside it once stored. The session is joined before
	 * the write, not after: the next keystroke may come while this one is still being stored.
	 */
	async save(control: string, changes: Partial<Settings>, text: string): Promise<void> {
		const last = this.#last;
		const isSameSession = last?.control === control && last.isOpen;
		const change: Change = {
			control,
			before: isSameSession ? last.before : this.#snapshot(changes),
			isOpen: true,
			note: isSameSession ? last.note : null
		};
		this.#last = change;
		const note = await this.#store.save(changes).then(
			(): ChangeNote => ({ text, canUndo: true }),
			(error: unknown): ChangeNote => ({ text: storageErrorMessage(error), canUndo: false, isError: true })
		);
		// A later keystroke's save owns the note now; it says the same of the same session.
		if (this.#last === change) this.#last = { ...change, note, isOpen: change.isOpen && !note.isError };
		else if (this.#last?.control === control && this.#last.before === change.before && note.isError)
			this.#last = { ...this.#last, note, isOpen: false };
	}

	/** The control lost focus: its next edit is a change of its own. */
	end(control: string): void {
		if (this.#last?.control === control && this.#last.isOpen) this.#last = { ...this.#last, isOpen: false };
	}

	/** Puts back what the last change replaced. */
	async undo(): Promise<void> {
		const last = this.#last;
		if (!last?.note?.canUndo) return;
		const undone: Change = { ...last, isOpen: false, note: null };
		this.#last = undone;
		const note = await this.#store.save(last.before).then(
			(): ChangeNote => ({ text: 'Undone: back to what it was.', canUndo: false }),
			(error: unknown): ChangeNote => ({ text: storageErrorMessage(error), canUndo: true, isError: true })
		);
		if (this.#last === undone) this.#last = { ...undone, note };
	}

	/** The current values of the settings `changes` touches. */
	#snapshot(changes: Partial<Settings>): Partial<Settings> {
		// A plain copy: the live settings are reactive proxies, which IndexedDB cannot store.
		const current = $state.snapshot(this.#store.value);
		return Object.fromEntries(Object.keys(changes).map((key) => [key, current[key as keyof Settings]]));
	}
}
