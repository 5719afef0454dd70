import { liveQuery } from 'dexie';
import { settings as settingsTable } from '$lib/db';
import type { FieldContext } from '$lib/domain/fields';
import { visibleFields } from '$lib/domain/policy';
import { restoreSettings, type Settings } from '$lib/domain/settings';
import { patched, type SettingsPatch } from '$lib/domain/settings-patch';
import { currentCustomer } from './current-customer.svelte';

/** The organisation's settings, kept current from the database in every tab. */
class SettingsState {
	#value = $state<Settings>(restoreSettings({}));
	#isLoaded = $state(false);
	#started = false;
	/** This page's writes not yet settled: while any is, what the live query reads may predate it. */
	#writing = 0;
	#markLoaded: () => void = () => undefined;
	readonly #loaded = new Promise<void>((resolve) => (this.#markLoaded = resolve));

	get value(): Settings {
		return this.#value;
	}
	get isLoaded(): boolean {
		return this.#isLoaded;
	}
	get policy() {
		return this.#value.policy;
	}
	get context(): FieldContext {
		return { defaultCountry: this.#value.defaultCountry };
	}
	get visibleFields() {
		return visibleFields(this.#value.policy);
	}

	/**
	 * Resolves once the stored settings are read (at once where nothing follows them): until then the
	 * value is the defaults, and a file checked against them would be checked under the wrong policy.
	 */
	loaded(): Promise<void> {
		return this.#started ? this.#loaded : Promise.resolve();
	}

	/** Follows the stored settings for the life of the page. */
	start(): void {
		if (this.#started) return;
		this.#started = true;
		// Read again for each customer the tab switches to: the field policy is the customer's.
		$effect.root(() => {
			$effect(() => {
				const customerId = currentCustomer.id;
				const subscription = liveQuery(() => settingsTable.read(navigator.language, customerId)).subscribe({
					next: (value) => {
						// A read that began before this page's latest write would put an older value on screen,
						// under the admin's fingers; the page reads again once its writes settle (see #write).
						if (this.#writing === 0) this.#value = value;
						this.#isLoaded = true;
						this.#markLoaded();
					},
					error: (error: unknown) => {
						console.error('Reading settings failed', error);
						// What waits for them goes on with the defaults rather than waiting for ever.
						this.#markLoaded();
					}
				});
				return () => subscription.unsubscribe();
			});
		});
	}

	/** Shows changes another module stored already (with other tables, in one transaction): see save. */
	applied(changes: Partial<Settings>): void {
		this.#value = { ...this.#value, ...changes };
	}

	/**
	 * Stores changes, and shows them at once: the live query catches up a moment later, and a second
	 * change made before it does must build on the first, not on what was stored before it.
	 */
	async save(changes: Partial<Settings>): Promise<void> {
		const before = this.#value;
		this.#value = { ...before, ...changes };
		try {
			await this.#write(() => settingsTable.write(changes, currentCustomer.id));
		} catch (error) {
			this.#value = before;
			throw error;
		}
	}

	/**
	 * Puts `patch`'s entries into the stored settings as they are then (see settingsTable.change); with
	 * `expected`, only while the stored entries are still those. Shown at once unless it is conditional:
	 * then once it is known to be stored.
	 */
	async change(patch: SettingsPatch, expected?: SettingsPatch): Promise<boolean> {
		const before = this.#value;
		if (!expected) this.#value = { ...before, ...patched(before, patch) };
		try {
			const replaced = await this.#write(() =>
				settingsTable.change(patch, expected, navigator.language, currentCustomer.id)
			);
			if (replaced && expected) this.#value = { ...this.#value, ...patched(this.#value, patch) };
			return replaced !== null;
		} catch (error) {
			if (!expected) this.#value = before;
			throw error;
		}
	}

	/**
	 * Runs one of this page's writes. The live query answers each write a moment after it is stored, and
	 * with quick edits (a number typed digit by digit, a select stepped through) the answer to one write
	 * arrives after the next is already shown: it would set the control back a step. So its answers wait
	 * while this page writes, and once the last write settles the settings are read afresh: a read begun
	 * then sees every write of this page, and anything another tab stored meanwhile.
	 */
	async #write<T>(task: () => Promise<T>): Promise<T> {
		this.#writing += 1;
		try {
			return await task();
		} finally {
			this.#writing -= 1;
			if (this.#writing === 0 && this.#started) void this.#reread();
		}
	}

	async #reread(): Promise<void> {
		const value = await settingsTable.read(navigator.language, currentCustomer.id).catch(() => undefined);
		// A write begun meanwhile rereads in its turn.
		if (value && this.#writing === 0) this.#value = value;
	}
}

export const settings = new SettingsState();
