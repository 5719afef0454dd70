import { formatCount } from '$lib/components/format';
import { licenses } from '$lib/db';
import { storageErrorMessage } from '$lib/db/errors';
import { products, type Product } from '$lib/domain/fields';

/** What the Licenses… dialog changes: one product, or the web access switch. */
export type LicenseTarget = Product | 'webAccess';
export const licenseTargets: readonly LicenseTarget[] = [...products, 'webAccess'];

/**
 * The Users list's Licenses… dialog: gives a product to the selected users or takes it away, or turns
 * their web access on or off, all or none (licenses.setProduct refuses a change the seats cannot take,
 * naming how many are missing, and the dialog stays open to say so).
 */
export class BulkLicenses {
	target = $state<LicenseTarget>('Desktop');
	isGiven = $state(true);
	#ids = $state.raw<readonly number[]>([]);
	#isOpen = $state(false);
	#isSaving = $state(false);
	#error = $state<string | null>(null);
	#resolve: ((notice: string | null) => void) | undefined;

	get isOpen(): boolean {
		return this.#isOpen;
	}
	get isSaving(): boolean {
		return this.#isSaving;
	}
	get error(): string | null {
		return this.#error;
	}
	get count(): number {
		return this.#ids.length;
	}

	/** Opens the dialog for these users; resolves with what was done, or null when cancelled. */
	open(ids: readonly number[]): Promise<string | null> {
		this.#resolve?.(null);
		this.#ids = ids;
		this.#error = null;
		this.#isOpen = true;
		return new Promise((resolve) => (this.#resolve = resolve));
	}

	close(): void {
		if (!this.#isOpen) return;
		this.#isOpen = false;
		this.#resolve?.(null);
		this.#resolve = undefined;
	}

	/** Applies the change; on a refusal the dialog stays open with the reason. */
	async apply(): Promise<void> {
		const { target, isGiven } = this;
		this.#isSaving = true;
		this.#error = null;
		try {
			const changed =
				target === 'webAccess'
					? await licenses.setWebAccess(this.#ids, isGiven)
					: await licenses.setProduct(this.#ids, target, isGiven);
			const users = formatCount(changed, 'user');
			const notice =
				target === 'webAccess'
					? `Web access turned ${isGiven ? 'on' : 'off'} for ${users}.`
					: isGiven
						? `${target} given to ${users}.`
						: `${target} taken from ${users}.`;
			this.#isOpen = false;
			this.#resolve?.(notice);
			this.#resolve = undefined;
		} catch (error) {
			this.#error = storageErrorMessage(error);
		} finally {
			this.#isSaving = false;
		}
	}
}
