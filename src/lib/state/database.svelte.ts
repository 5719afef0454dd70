import { db, imports, users } from '$lib/db';

const DAY = 24 * 60 * 60 * 1000;
/** How often an open tab empties the trash: the relay wipes a deleted account only then. */
const PURGE_EVERY_MS = 60 * 60 * 1000;

/**
 * The database connection as the admin needs to know it: a newer Rollcall in another tab may need to
 * upgrade the schema; this tab then lets go at once (so neither tab hangs) and asks for a reload.
 */
class DatabaseState {
	#isReplaced = $state(false);
	#isBlocked = $state(false);

	get isReplaced(): boolean {
		return this.#isReplaced;
	}
	/** This tab waits for an older tab to let go of the database. */
	get isBlocked(): boolean {
		return this.#isBlocked;
	}

	start(): void {
		db.on('versionchange', () => {
			db.close();
			this.#isReplaced = true;
			return false;
		});
		db.on('blocked', () => {
			this.#isBlocked = true;
		});
		db.on('ready', () => {
			this.#isBlocked = false;
		});
		// Deletions older than a day can no longer be undone: the relay is then told to wipe the accounts. On
		// start and every hour, or a tab left open for days would never send the wipe.
		const purge = () =>
			users
				.purgeTrash(Date.now() - DAY)
				.catch((error: unknown) => console.warn('Emptying the trash failed', error));
		void purge();
		setInterval(() => void purge(), PURGE_EVERY_MS);
		// An import too big for one transaction that a closed or crashed tab left half written is taken back
		// now, not at the next import: until then its users would be in the list, its history entry unfinished.
		imports
			.recover()
			.catch((error: unknown) => console.warn('Taking back an unfinished import failed', error));
	}
}

export const database = new DatabaseState();
