import { storageErrorMessage } from '$lib/db/errors';
import type { Settings } from '$lib/domain/settings';
import { entriesOf, holds, type SettingsPatch } from '$lib/domain/settings-patch';
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
	/** The entries this change replaced, as they were before its edit session began. */
	before: SettingsPatch;
	/** The entries as this change's latest save wrote them: an undo puts `before` back only over these. */
	wrote: SettingsPatch;
	/** Whether edits to the same control still join this change (until the control loses focus). */
	isOpen: boolean;
}

/** Where settings are kept: the app's settings, or a stand-in in tests. */
export interface SettingsStore {
	readonly value: Settings;
	/**
	 * Puts the patch's entries into the stored settings, leaving the rest as stored; with `expected`,
	 * only while the stored entries are still those (false, nothing written, when they are not).
	 */
	change(patch: SettingsPatch, expected?: SettingsPatch): Promise<boolean>;
}

const undone: ChangeNote = { text: 'Undone: back to what it was.', canUndo: false };
const changedElsewhere: ChangeNote = {
	text: 'Not undone: this setting was changed elsewhere since (another tab, or a restored backup). What is shown is what is stored now.',
	canUndo: false,
	isError: true
};

/**
 * The Settings page's changes: each is saved as the admin makes it, confirmed beside its control (on a
 * page 2,400 px long a line at the top is not seen), and can be undone. A number typed digit by digit, or
 * a select stepped through with the arrow keys, is one edit session until the control loses focus: Undo
 * restores what was there before the session, not the previous keystroke. An undo puts back only the
 * entries the change wrote (one field's requirement, one limit), onto the settings as they are then, and
 * only while they still hold what it wrote: a custom attribute added since, or another tab's or a
 * restore's change, is never undone with it.
 */
export class SettingChanges {
	// Replaced whole, never changed in place: a save compares it with the change it started.
	#last = $state.raw<Change | null>(null);
	readonly #store: SettingsStore;

	constructor(store: SettingsStore = settings) {
		this.#store = store;
	}

	/**
	 * The note beside `control`, when the last change was made there. Its Undo goes once the settings no
	 * longer hold what the change wrote (changed since in another tab, or by a restore).
	 */
	noteFor(control: string): ChangeNote | null {
		const last = this.#last;
		if (last?.control !== control) return null;
		if (last.note?.canUndo && !holds(this.#store.value, last.wrote)) return { ...last.note, canUndo: false };
		return last.note;
	}

	/**
	 * Saves `patch`, made with `control`, and says `text` beside it once stored. The session is joined
	 * before the write, not after: the next keystroke may come while this one is still being stored.
	 */
	async save(control: string, patch: SettingsPatch, text: string): Promise<void> {
		const last = this.#last;
		const isSameSession = last?.control === control && last.isOpen;
		const change: Change = {
			control,
			before: isSameSession ? last.before : this.#snapshot(patch),
			wrote: patch,
			isOpen: true,
			note: isSameSession ? last.note : null
		};
		this.#last = change;
		const note = await this.#store.change(patch).then(
			(): ChangeNote => ({ text, canUndo: true }),
			(error: unknown): ChangeNote => ({ text: storageErrorMessage(error), canUndo: false, isError: true })
		);
		// Still this save's change, though the control may have been left meanwhile (end() copies it, keeping
		// what it wrote); a later keystroke's save owns the note now, and says the same of the same session.
		const current = this.#last;
		if (current?.wrote === change.wrote && current.before === change.before)
			this.#last = { ...current, note, isOpen: current.isOpen && !note.isError };
		else if (this.#last?.control === control && this.#last.before === change.before && note.isError)
			this.#last = { ...this.#last, note, isOpen: false };
	}

	/** The control lost focus: its next edit is a change of its own. */
	end(control: string): void {
		if (this.#last?.control === control && this.#last.isOpen) this.#last = { ...this.#last, isOpen: false };
	}

	/** Puts back the entries the last change replaced, if they still hold what it wrote. */
	async undo(): Promise<void> {
		const last = this.#last;
		if (!last || !this.noteFor(last.control)?.canUndo) return;
		const undoing: Change = { ...last, isOpen: false, note: null };
		this.#last = undoing;
		const note = await this.#store.change(last.before, last.wrote).then(
			(isDone): ChangeNote => (isDone ? undone : changedElsewhere),
			(error: unknown): ChangeNote => ({ text: storageErrorMessage(error), canUndo: true, isError: true })
		);
		if (this.#last === undoing) this.#last = { ...undoing, note };
	}

	/** The current values of the entries `patch` touches. */
	#snapshot(patch: SettingsPatch): SettingsPatch {
		// A plain copy: the live settings are reactive proxies, which IndexedDB cannot store.
		return entriesOf($state.snapshot(this.#store.value), patch);
	}
}
