import { liveQuery } from 'dexie';
import { browser } from '$app/environment';
import { users } from '$lib/db';
import { formatBytes } from './format-bytes';

/**
 * How much this device stores for Rollcall, and whether the browser has promised to keep it.
 * Unpersisted storage can be evicted under pressure (Safari: after 7 days unused unless installed).
 */
export class StorageStatus {
	#isPersisted = $state<boolean | undefined>(undefined);
	#usage = $state<number | undefined>(undefined);
	#quota = $state<number | undefined>(undefined);
	#hasChecked = $state(false);

	/** The browser lets the page ask for persistent storage. */
	get canPersist(): boolean {
		return browser && typeof (navigator as { storage?: StorageManager }).storage?.persist === 'function';
	}

	/** True or false once known; undefined before `refresh()` or where the browser cannot say. */
	get isPersisted(): boolean | undefined {
		return this.#isPersisted;
	}

	/** Bytes used by this origin, if the browser reports it. */
	get usage(): number | undefined {
		return this.#usage;
	}

	/** Bytes this origin may use, if the browser reports it. */
	get quota(): number | undefined {
		return this.#quota;
	}

	/** "12.3 MB used of 2.1 GB", or a plain sentence when the browser does not report storage. */
	get summary(): string {
		if (!this.#hasChecked) return 'Checking storage use…';
		if (this.#usage === undefined) return 'Storage use is not reported by this browser';
		if (this.#quota === undefined) return `${formatBytes(this.#usage)} used`;
		return `${formatBytes(this.#usage)} used of ${formatBytes(this.#quota)}`;
	}

	/**
	 * Reads the current state, then asks for persistent storage when it starts to matter: when the directory
	 * first holds users (the first add or import, while this page is open) and when Rollcall is installed.
	 * Not at every start: Firefox asks the admin each time, and a refusal should not come back every visit
	 * (Settings keeps a button for that). Returns a stop function.
	 */
	start(): () => void {
		if (!browser) return () => {};
		void this.refresh();
		const onInstalled = () => void this.ask();
		window.addEventListener('appinstalled', onInstalled);
		let wasEmpty: boolean | undefined;
		const subscription = liveQuery(() => users.count()).subscribe({
			next: (count) => {
				if (wasEmpty && count > 0) void this.ask();
				wasEmpty = count === 0;
				// Only the first users matter: with users already there, nothing is watched any more.
				if (!wasEmpty) subscription.unsubscribe();
			},
			error: (error: unknown) => console.warn('Counting users for storage persistence failed', error)
		});
		return () => {
			window.removeEventListener('appinstalled', onInstalled);
			subscription.unsubscribe();
		};
	}

	/** Asks for persistence unless the browser already keeps the data; then reads the state again. */
	async ask(): Promise<void> {
		await this.refresh();
		if (this.#isPersisted === true) return;
		await this.persist();
		await this.refresh();
	}

	/** Re-reads persistence and the usage estimate. Never throws. */
	async refresh(): Promise<void> {
		if (!browser) return;
		// Missing outside secure contexts and in older browsers, whatever the DOM types say.
		const { storage } = navigator as { storage?: StorageManager };
		if (!storage) {
			this.#hasChecked = true;
			return;
		}
		const [isPersisted, estimate] = await Promise.all([
			typeof storage.persisted === 'function' ? storage.persisted().catch(() => undefined) : undefined,
			typeof storage.estimate === 'function' ? storage.estimate().catch(() => undefined) : undefined
		]);
		this.#isPersisted = isPersisted;
		this.#usage = estimate?.usage;
		this.#quota = estimate?.quota;
		this.#hasChecked = true;
	}

	/**
	 * Asks the browser to keep Rollcall's data under storage pressure. Call it from the page, ideally
	 * from a click (it is not available in workers, and some browsers only grant it after a gesture).
	 */
	async persist(): Promise<boolean> {
		if (!this.canPersist) return false;
		const isGranted = await navigator.storage.persist().catch(() => false);
		this.#isPersisted = isGranted;
		return isGranted;
	}
}

/** The app's one storage tracker. */
export const storage = new StorageStatus();
