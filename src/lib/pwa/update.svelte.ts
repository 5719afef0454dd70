import { browser, dev } from '$app/environment';
import { Workbox } from 'workbox-window';

/** How often a long-lived page asks the server whether a new version has been deployed. */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Registers the service worker and reports when a new version of Rollcall is waiting. The page is never
 * reloaded behind the admin's back: the new version takes over only when `reload()` is called.
 */
export class AppUpdate {
	#isUpdateReady = $state(false);
	#isOfflineReady = $state(false);
	#workbox: Workbox | undefined;
	#isReloading = false;

	/** A new version is installed and waits for `reload()`. */
	get isUpdateReady(): boolean {
		return this.#isUpdateReady;
	}

	/** The whole app is cached on this device: it opens with no connection. */
	get isOfflineReady(): boolean {
		return this.#isOfflineReady;
	}

	/** Registers /service-worker.js (in production builds, in the browser). Returns a stop function. */
	start(): () => void {
		if (!browser || dev || this.#workbox || !('serviceWorker' in navigator)) return () => {};
		const workbox = new Workbox('/service-worker.js');
		this.#workbox = workbox;

		workbox.addEventListener('waiting', () => {
			this.#isUpdateReady = true;
		});
		workbox.addEventListener('activated', (event) => {
			if (!event.isUpdate) this.#isOfflineReady = true;
		});
		workbox.addEventListener('controlling', (event) => {
			if (this.#isReloading) window.location.reload();
			// Another tab let a new version take over: this page still runs the old code.
			else if (event.isUpdate) this.#isUpdateReady = true;
		});

		workbox
			.register()
			.then((registration) => {
				if (registration?.active) this.#isOfflineReady = true;
			})
			.catch((error: unknown) => console.warn('Rollcall: service worker registration failed', error));

		const timer = setInterval(() => {
			if (navigator.onLine) workbox.update().catch(() => {});
		}, UPDATE_CHECK_INTERVAL_MS);
		return () => clearInterval(timer);
	}

	/** Lets the waiting version take over, then reloads the page once it controls it. */
	reload(): void {
		const workbox = this.#workbox;
		if (!workbox || this.#isReloading) return;
		this.#isReloading = true;
		navigator.serviceWorker
			.getRegistration()
			.then((registration) => {
				// Nothing waits any more (another tab took the update): the new version already controls us.
				if (registration?.waiting) workbox.messageSkipWaiting();
				else window.location.reload();
			})
			.catch(() => window.location.reload());
	}
}

/** The app's one service-worker registration. */
export const appUpdate = new AppUpdate();
