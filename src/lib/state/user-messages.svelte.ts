import { liveQuery } from 'dexie';
import { outbox } from '$lib/db';
import { storageErrorMessage } from '$lib/db/errors';
import { field } from '$lib/domain/fields';
import { nothingToSend, templateObjects, type SendPreview, type UserMessage } from '$lib/domain/outbox';
import { initialPasswordProblem } from '$lib/domain/passwords';
import type { MessageTemplate } from '$lib/domain/relay-protocol';
import { nameOf, type User } from '$lib/domain/user';
import { settings } from './settings.svelte';
import { sync } from './sync.svelte';

/**
 * A user's page: the messages sent to them, 'Send activation email' / 'Resend', and 'Send login details
 * by SMS' with a new initial password typed for it (the directory never keeps one to resend).
 */
export class UserMessages {
	readonly #userId: () => number;
	#messages = $state.raw<UserMessage[]>([]);
	#notice = $state<{ text: string; isError?: boolean } | null>(null);
	password = $state('');
	isAskingPassword = $state(false);

	constructor(userId: () => number) {
		this.#userId = userId;
		$effect(() => {
			const id = this.#userId();
			const subscription = liveQuery(() => outbox.forUser(id)).subscribe({
				next: (messages) => (this.#messages = messages),
				error: (error: unknown) => (this.#notice = { text: storageErrorMessage(error), isError: true })
			});
			return () => subscription.unsubscribe();
		});
	}

	get notice() {
		return this.#notice;
	}
	/** The latest message of a template, if any. */
	latest(template: MessageTemplate): UserMessage | undefined {
		return this.#messages.find((message) => message.template === template);
	}
	/** The policy shows a mobile phone (and a password to send) and the user has a mobile phone. */
	hasSms(user: User): boolean {
		return (
			Boolean(user.mobilePhone) &&
			settings.policy.mobilePhone !== 'hidden' &&
			settings.policy.password !== 'hidden'
		);
	}
	/**
	 * Whether the page offers 'Send login details by SMS': not to an Active user, whose own password its new
	 * initial one would replace (with one the admin knows) while the page says "Chosen by them".
	 */
	canSendSms(user: User): boolean {
		return this.hasSms(user) && user.status !== 'Active';
	}
	get passwordProblem(): string | undefined {
		const parsed = field('password').parse(this.password, settings.context);
		return parsed.ok ? undefined : parsed.message;
	}

	async sendActivation(user: User): Promise<void> {
		await this.#queue(user, 'activation', 'Activation email queued in the Outbox.');
	}

	async sendSms(user: User): Promise<void> {
		const problem = this.passwordProblem ?? initialPasswordProblem(this.password, user);
		if (problem) return void (this.#notice = { text: problem, isError: true });
		const password = this.password.normalize('NFC');
		await this.#queue(
			user,
			'sms-login',
			'Login details queued in the Outbox; the password leaves with the SMS.',
			password
		);
		this.password = '';
		this.isAskingPassword = false;
	}

	async #queue(user: User, template: MessageTemplate, done: string, password?: string): Promise<void> {
		try {
			const values = password === undefined ? undefined : () => ({ password });
			const { queued, reasons } = await outbox.queueFor([user.id], template, { values });
			// Why not, as it is now: an event may have made them Active since the page offered it.
			const skipped = Object.entries(reasons).map(([reason, count]) => [
				reason,
				{ count, names: [nameOf(user)] }
			]);
			const preview = { count: 0, names: [], skipped: Object.fromEntries(skipped) as SendPreview['skipped'] };
			this.#notice = queued
				? { text: done }
				: { text: nothingToSend(preview, templateObjects[template]), isError: true };
			sync.kick();
		} catch (error) {
			this.#notice = { text: storageErrorMessage(error), isError: true };
		}
	}
}
