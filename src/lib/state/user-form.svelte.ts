import { outbox, users } from '$lib/db';
import { DuplicateError, storageErrorMessage } from '$lib/db/errors';
import { field, type FieldContext, type FieldDef, type FieldKey, type FieldValue } from '$lib/domain/fields';
import { initialPasswordProblem } from '$lib/domain/passwords';
import {
	contextOf,
	nameOf,
	validateField,
	validateUser,
	type User,
	type UserFields,
	type UserInput
} from '$lib/domain/user';
import { settings } from './settings.svelte';
import { sync } from './sync.svelte';

type UniqueField = 'email' | 'username' | 'customerCode';
const isUnique = (key: FieldKey): key is UniqueField => field(key).isUnique;

/** How a field reads right now: nothing to say yet, fine (with what will be stored), or wrong and why. */
export type FieldMark =
	{ state: 'none' } | { state: 'valid'; text: string } | { state: 'invalid'; text: string };

/**
 * The add/edit user form: what the admin typed, each field's live mark (including 'already taken',
 * checked against the directory as they type), and saving.
 */
export class UserForm {
	values = $state<UserInput>({});
	/** New users only: queue an activation email as the user is saved. */
	sendActivation = $state(false);
	/** New users only (workflow D): queue the login details, password included, by SMS. */
	sendSms = $state(false);
	#touched = $state<Partial<Record<FieldKey, boolean>>>({});
	#taken = $state<Partial<Record<FieldKey, string>>>({});
	#checks: Partial<Record<FieldKey, number>> = {};
	/** Fields whose 'already taken' lookup has not answered yet. */
	#pending = $state<Partial<Record<FieldKey, boolean>>>({});
	#isSubmitted = $state(false);
	#isSaving = $state(false);
	#saveError = $state<string | null>(null);
	readonly existing: User | undefined;

	constructor(existing?: User) {
		this.existing = existing;
		if (existing) {
			for (const f of this.fields) {
				const value = existing[f.key as keyof User];
				if (typeof value === 'boolean') this.values[f.key] = value;
				// A field with suggestions is edited as they offer it and the user's page shows it ('Germany',
				// not 'DE'): the registry reads what it shows back as the same value.
				else if (typeof value === 'string')
					this.values[f.key] = f.suggestions ? f.format(value, settings.context) : value;
			}
		}
	}

	/** The fields the policy shows; an existing user's password is never edited here. */
	get fields(): FieldDef[] {
		return settings.visibleFields.filter((f) => !(this.existing && f.isSensitive));
	}

	/** Whether the form offers 'Send login details by SMS': the policy asks for a mobile phone and a password. */
	get canSendSms(): boolean {
		return (
			!this.existing && settings.policy.mobilePhone !== 'hidden' && settings.policy.password !== 'hidden'
		);
	}

	/** Why the SMS cannot go with what was typed, or undefined. */
	get smsProblem(): string | undefined {
		if (!this.sendSms || !this.canSendSms) return undefined;
		if (!this.values.mobilePhone) return 'Login details by SMS need a mobile phone.';
		const { password } = this.values;
		if (typeof password !== 'string' || !password) return 'Login details by SMS need a password.';
		// The password becomes the person's own until they choose one: the relay holds it to the rules
		// for any password, and would refuse the SMS after it was queued.
		const text = (key: 'firstName' | 'lastName' | 'displayName' | 'username' | 'email') => {
			const value = this.values[key];
			return typeof value === 'string' ? value : undefined;
		};
		return initialPasswordProblem(password, {
			firstName: text('firstName'),
			lastName: text('lastName'),
			displayName: text('displayName'),
			username: text('username'),
			email: text('email')
		});
	}

	get isSaving(): boolean {
		return this.#isSaving;
	}
	get saveError(): string | null {
		return this.#saveError;
	}

	/** The context this person's values are read in: their own country's phone numbers (see contextOf). */
	get context(): FieldContext {
		return contextOf(this.values, settings.context);
	}

	errorOf(key: FieldKey): string | undefined {
		const { error } = validateField(key, this.values[key], settings.policy, this.context);
		return error ?? this.#taken[key];
	}

	mark(key: FieldKey): FieldMark {
		if (!this.#touched[key] && !this.#isSubmitted) return { state: 'none' };
		const error = this.errorOf(key);
		if (error) return { state: 'invalid', text: error };
		const raw = this.values[key];
		const def = field(key);
		// An empty optional field says nothing: its default (HQ, Standard) is shown by the hint or the select.
		if (raw === undefined || raw === '' || def.type === 'boolean' || def.type === 'choice')
			return { state: 'none' };
		const { value } = validateField(key, raw, settings.policy, this.context);
		if (value === undefined || value === '') return { state: 'none' };
		if (def.isSensitive) return { state: 'valid', text: 'Strong enough.' };
		if (def.isUnique) {
			if (this.#pending[key]) return { state: 'none' };
			return { state: 'valid', text: `${def.label} is available.` };
		}
		const shown = def.format(value, this.context);
		return { state: 'valid', text: shown === value ? 'Looks good.' : `Will be saved as ${shown}.` };
	}

	/** Records a keystroke: the field is now marked, and a unique one is checked against the directory. */
	input(key: FieldKey, value: FieldValue): void {
		this.values[key] = value;
		this.#touched[key] = true;
		this.#saveError = null;
		if (isUnique(key)) void this.#checkTaken(key);
	}

	async #checkTaken(key: UniqueField): Promise<void> {
		const raw = this.values[key];
		const check = (this.#checks[key] ?? 0) + 1;
		this.#checks[key] = check;
		delete this.#taken[key];
		this.#pending[key] = false;
		const { value, error } = validateField(key, raw, settings.policy, this.context);
		if (error || typeof value !== 'string' || value === '') return;
		this.#pending[key] = true;
		try {
			const other = await users.whoHas(key, value, this.existing?.id);
			// Only the answer to the latest keystroke counts.
			if (this.#checks[key] !== check) return;
			if (other)
				this.#taken[key] = `This ${field(key).label.toLowerCase()} is already taken by ${nameOf(other)}.`;
		} catch (error) {
			if (this.#checks[key] === check) this.#saveError = storageErrorMessage(error);
		} finally {
			if (this.#checks[key] === check) this.#pending[key] = false;
		}
	}

	/** Validates everything and saves; returns the saved user, or null with the marks showing why not. */
	async save(): Promise<User | null> {
		this.#isSubmitted = true;
		this.#saveError = null;
		const checks = this.fields
			.filter((f) => isUnique(f.key))
			.map((f) => this.#checkTaken(f.key as UniqueField));
		await Promise.all(checks);
		const result = validateUser(this.values, settings.policy, settings.context);
		if (this.existing) delete result.errors.password;
		if (!result.isValid && Object.keys(result.errors).length > 0) return null;
		if (this.fields.some((f) => this.#taken[f.key])) return null;
		if (this.smsProblem) {
			this.#saveError = this.smsProblem;
			return null;
		}
		this.#isSaving = true;
		try {
			if (this.existing) return await users.update(this.existing.id, this.#changed(result.values));
			return await this.#add(result.values as UserFields, result.password);
		} catch (error) {
			if (error instanceof DuplicateError) this.#taken[error.field] = error.message;
			else this.#saveError = storageErrorMessage(error);
			return null;
		} finally {
			this.#isSaving = false;
		}
	}

	/** Adds the user and queues what the admin ticked, in one transaction; the password goes only into the SMS. */
	async #add(values: UserFields, password: string | undefined): Promise<User> {
		const sendSms = this.sendSms && this.canSendSms && password !== undefined;
		const user = await outbox.together(async () => {
			const added = await users.add(values, { hasPassword: password !== undefined });
			if (this.sendActivation) await outbox.queueFor([added.id], 'activation');
			if (sendSms) await outbox.queueFor([added.id], 'sms-login', { values: () => ({ password }) });
			return added;
		});
		if (this.sendActivation || sendSms) sync.kick();
		return user;
	}

	/**
	 * Only the fields the admin changed: saving an edit must not write back, field by field, values
	 * another tab changed meanwhile.
	 */
	#changed(values: Partial<UserFields>): Partial<UserFields> {
		const existing = this.existing as Partial<UserFields> | undefined;
		const changed = Object.entries(values).filter(
			([key, value]) => existing?.[key as keyof UserFields] !== value
		);
		return Object.fromEntries(changed) as Partial<UserFields>;
	}

	/** The fields still wrong, in form order, for the summary above the form. */
	get problems(): { key: FieldKey; label: string; text: string }[] {
		if (!this.#isSubmitted) return [];
		return this.fields.flatMap((f) => {
			const text = this.errorOf(f.key);
			return text ? [{ key: f.key, label: f.label, text }] : [];
		});
	}

	reset(): void {
		this.values = {};
		this.#touched = {};
		this.#taken = {};
		this.#isSubmitted = false;
		this.#saveError = null;
	}
}
