import * as Comlink from 'comlink';

/**
 * A stand-in for a module worker in Node (which has none): the same Comlink protocol over a
 * MessageChannel, with the real worker API behind it, so a bridge is tested as it talks to its worker.
 * `api` may be made from the list of calls, which the test then reads.
 */
export class FakeWorker extends EventTarget {
	readonly calls: string[] = [];
	isTerminated = false;
	readonly #port: MessagePort;

	constructor(api: object | ((calls: string[]) => object)) {
		super();
		const { port1, port2 } = new MessageChannel();
		Comlink.expose(typeof api === 'function' ? api(this.calls) : api, port2);
		this.#port = port1;
	}
	postMessage(message: unknown, transfer: Transferable[] = []): void {
		this.#port.postMessage(message, transfer);
	}
	override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
		if (type === 'message') this.#port.addEventListener(type, listener as EventListener);
		else super.addEventListener(type, listener);
	}
	override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
		if (type === 'message') this.#port.removeEventListener(type, listener as EventListener);
		else super.removeEventListener(type, listener);
	}
	terminate(): void {
		this.isTerminated = true;
		this.#port.close();
	}
}
