import { MediaQuery } from 'svelte/reactivity';
import { relay } from '$lib/db';

/** Which columns the admin chose to show or hide on this device, by column id; the rest keep their default. */
export type ColumnChoice = Readonly<Record<string, boolean>>;

/** Where a choice is kept: the page's localStorage, or a stand-in in tests. */
export type ChoiceStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Below this width the list starts with its main columns only (a tablet in portrait, a phone). */
export const NARROW_SCREEN = '(max-width: 960px)';

const KEY_PREFIX = 'rollcall.list-columns.';

/**
 * A choice read back from storage (written by an older Rollcall, or edited by hand) made whole: only
 * column ids set to true or false are kept.
 */
export function restoreChoice(stored: unknown): ColumnChoice {
	if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
	return Object.fromEntries(
		Object.entries(stored).filter((entry): entry is [string, boolean] => typeof entry[1] === 'boolean')
	);
}

function read(storage: ChoiceStorage, key: string): ColumnChoice {
	try {
		return restoreChoice(JSON.parse(storage.getItem(key) ?? '{}'));
	} catch {
		return {};
	}
}

/**
 * The Users list's columns as this device shows them. A screen's width decides what fits, so the choice
 * is the device's own (localStorage, never in a backup or another device), kept per directory: a device
 * that serves two directories (another origin, a restored backup's) keeps one choice for each.
 */
export class DeviceColumns {
	#choice = $state.raw<ColumnChoice>({});
	#key: string | undefined;
	readonly #storage: ChoiceStorage | undefined;
	readonly #narrow = new MediaQuery(NARROW_SCREEN, false);

	/** `directoryId` names the directory; storage is undefined where the browser refuses it (private modes). */
	constructor(directoryId: Promise<string>, storage: ChoiceStorage | undefined) {
		this.#storage = storage;
		directoryId.then(
			(id) => {
				this.#key = KEY_PREFIX + id;
				// A change made before the id was read wins over what was stored.
				const changed = this.#choice;
				this.#choice = { ...(storage ? read(storage, this.#key) : {}), ...changed };
				if (Object.keys(changed).length > 0) this.#save();
			},
			(error: unknown) => console.warn('The directory could not be read: column choices stay unsaved', error)
		);
	}

	get choice(): ColumnChoice {
		return this.#choice;
	}
	/** Whether the screen is narrow enough that secondary columns start hidden. */
	get isNarrow(): boolean {
		return this.#narrow.current;
	}
	/** Whether the admin changed anything from the defaults on this device. */
	get isChanged(): boolean {
		return Object.keys(this.#choice).length > 0;
	}

	set(id: string, isShown: boolean): void {
		this.#choice = { ...this.#choice, [id]: isShown };
		this.#save();
	}

	/** Back to the defaults for the screen's width. */
	reset(): void {
		this.#choice = {};
		this.#save();
	}

	#save(): void {
		if (!this.#storage || !this.#key) return;
		try {
			if (this.isChanged) this.#storage.setItem(this.#key, JSON.stringify(this.#choice));
			else this.#storage.removeItem(this.#key);
		} catch (error) {
			// A full or refused storage only loses the choice at the next visit: the list still shows it.
			console.warn('The column choice could not be kept', error);
		}
	}
}

/** The device's columns for the Users list, for its directory; create it during a component's initialisation. */
export function deviceColumns(): DeviceColumns {
	let storage: ChoiceStorage | undefined;
	try {
		storage = localStorage;
	} catch {
		storage = undefined;
	}
	return new DeviceColumns(
		relay.read().then((link) => link.directoryId),
		storage
	);
}
