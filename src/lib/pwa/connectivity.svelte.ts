import { browser } from '$app/environment';

/** Whether the browser believes it has a network connection (it can be wrong about "online"). */
export class Connectivity {
	#isOnline = $state(true);

	/** `navigator.onLine`, kept current by the online/offline events. */
	get isOnline(): boolean {
		return this.#isOnline;
	}

	/** Starts listening; returns a stop function. */
	start(): () => void {
		if (!browser) return () => {};
		const update = () => {
			this.#isOnline = navigator.onLine;
		};
		update();
		window.addEventListener('online', update);
		window.addEventListener('offline', update);
		return () => {
			window.removeEventListener('online', update);
			window.removeEventListener('offline', update);
		};
	}
}

/** The app's one connectivity tracker. */
export const connectivity = new Connectivity();
