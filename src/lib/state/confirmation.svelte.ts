/**
 * A yes/no question put to the admin before an action that changes many users. `ask()` opens the
 * ConfirmDialog bound to it and resolves with the answer.
 */
export class Confirmation {
	readonly title: string;
	readonly confirmLabel: string;
	readonly isDanger: boolean;
	#message = $state('');
	#details = $state<string[]>([]);
	#isOpen = $state(false);
	#resolve: ((ok: boolean) => void) | undefined;

	constructor(title: string, confirmLabel: string, isDanger = false) {
		this.title = title;
		this.confirmLabel = confirmLabel;
		this.isDanger = isDanger;
	}

	get message(): string {
		return this.#message;
	}
	/** Lines listed under the question (who an action leaves out, and why). */
	get details(): string[] {
		return this.#details;
	}
	get isOpen(): boolean {
		return this.#isOpen;
	}

	ask(message: string, details: string[] = []): Promise<boolean> {
		this.#resolve?.(false);
		this.#message = message;
		this.#details = details;
		this.#isOpen = true;
		return new Promise((resolve) => (this.#resolve = resolve));
	}

	answer(ok: boolean): void {
		if (!this.#isOpen) return;
		this.#isOpen = false;
		this.#resolve?.(ok);
		this.#resolve = undefined;
	}
}
