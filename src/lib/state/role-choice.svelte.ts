import { formatCount } from '$lib/components/format';

/** What the admin chose to do to the selected users' roles. */
export interface RoleChange {
	roleId: number;
	/** Give the role (true) or take it away. */
	isGiven: boolean;
}

/**
 * The question 'which role, given or taken?' put about the Users list's selection. `ask()` opens the
 * RolesDialog bound to it and resolves with the choice, or null when the admin cancels.
 */
export class RoleChoice {
	#isOpen = $state(false);
	#howMany = $state('');
	#resolve: ((change: RoleChange | null) => void) | undefined;

	get isOpen(): boolean {
		return this.#isOpen;
	}
	/** The selected users in words ('3 users'). */
	get howMany(): string {
		return this.#howMany;
	}

	ask(howMany: string): Promise<RoleChange | null> {
		this.#resolve?.(null);
		this.#howMany = howMany;
		this.#isOpen = true;
		return new Promise((resolve) => (this.#resolve = resolve));
	}

	answer(change: RoleChange | null): void {
		if (!this.#isOpen) return;
		this.#isOpen = false;
		this.#resolve?.(change);
		this.#resolve = undefined;
	}
}

/** What a change of roles did: to how many of the selected users, and why not to the others. */
export function roleChangeNotice(role: string, isGiven: boolean, changed: number, selected: number): string {
	const others = selected - changed;
	const rest =
		others === 0 ? '' : ` ${formatCount(others, 'other')} ${isGiven ? 'had it already' : 'did not have it'}.`;
	return `Role ${role} ${isGiven ? 'given to' : 'taken from'} ${formatCount(changed, 'user')}.${rest}`;
}
