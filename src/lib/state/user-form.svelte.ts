import { outbox, users } from '$lib/db';
import { DuplicateError, storageErrorMessage } from '$lib/db/errors';
import {
	field,
	listNames,
	type FieldContext,
	type FieldDef,
	type FieldKey,
	type FieldValue
} from '$lib/domain/fields';
import { checkGroups } from '$lib/domain/groups';
import { fail, type Parsed } from '$lib/domain/result';
import { knownRoleNames } from '$lib/domain/roles';
import { foldText } from '$lib/domain/text';
import type { AddedOutcome } from '$lib/domain/next-steps';
import { initialPasswordProblem, initialPasswordRequirement } from '$lib/domain/passwords';
import type { FieldPolicy } from '$lib/domain/policy';
import {
	contextOf,
	nameOf,
	validateField,
	validateUser,
	type User,
	type UserFields,
	type UserInput
} from '$lib/domain/user';
import { availableText, sitesOf, takenText } from '$lib/domain/customer';
import { currentCustomer } from './current-customer.svelte';
import { settings } from './settings.svelte';
import { sync } from './sync.svelte';

type UniqueField = 'email' | 'username' | 'customerCode';

/**
 * How long the admin must stop typing before a wrong value gets its red mark: while they type, an address or
 * a number is usually only incomplete. Leaving the field marks it at once; a right value is marked at once.
 */
export const TYPING_PAUSE_MS = 800;
const isUnique = (key: FieldKey): key is UniqueField => field(key).isUnique;

/**
 * How a field reads right now: nothing to say yet, fine (with what will be stored), wrong and why, or
 * taken but not kept (a password with no SMS to carry it).
 */
export type FieldMark =
	| { state: 'none' }
	| { state: 'valid'; text: string }
	| { state: 'invalid'; text: string }
	| { state: 'warning'; text: string };

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
	/** The other customers an available email is also used in (allowed: a note for a multi-customer admin). */
	#elsewhere = $state<Partial<Record<FieldKey, string[]>>>({});
	#checks: Partial<Record<FieldKey, number>> = {};
	/** Fields whose 'already taken' lookup has not answered yet. */
	#pending = $state<Partial<Record<FieldKey, boolean>>>({});
	/** Fields the admin has left, or stopped typing in for TYPING_PAUSE_MS: a wrong value may be marked. */
	#settled = $state<Partial<Record<FieldKey, boolean>>>({});
	#pauses: Partial<Record<FieldKey, ReturnType<typeof setTimeout>>> = {};
	/** The names the page offers for 'list' fields without choices of their own (a customer's groups, roles). */
	#choices = $state<Partial<Record<FieldKey, readonly string[]>>>({});
	#outcome = $state<AddedOutcome | null>(null);
	#isSubmitted = $state(false);
	#isSaving = $state(false);
	#saveError = $state<string | null>(null);
	/**
	 * The customer's group names, once the page has read them (CustomerGroups.names): the Groups value may
	 * name only these, and is saved in their own spelling. Undefined: not judged yet.
	 */
	groupNames = $state.raw<readonly string[] | undefined>(undefined);
	/**
	 * The customer's role names, once the page has read them (roleNames.namesOnceRead): the Roles value may
	 * name only these (a typo must not save a role that grants nothing), and is saved in their own spelling.
	 * Undefined: not judged yet.
	 */
	roleNames = $state.raw<readonly string[] | undefined>(undefined);
	readonly existing: User | undefined;
	/** The customer the user belongs to: an existing user's own, else the one the admin works in. */
	readonly customerId: number;
	/**
	 * The field policy as this form applies it: a new user's password only with the SMS that carries it
	 * (see initialPasswordRequirement). Derived once per change, so fieldsOf's cache by policy holds.
	 */
	#policy = $derived.by((): FieldPolicy => {
		const base = settings.policy;
		if (this.existing) return base;
		const password = initialPasswordRequirement(base.password ?? 'hidden', {
			canSend: this.canSendSms,
			isSending: this.sendSms
		});
		return password === base.password ? base : { ...base, password };
	});

	constructor(existing?: User) {
		this.existing = existing;
		this.customerId = existing?.customerId ?? currentCustomer.id;
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

	get policy(): FieldPolicy {
		return this.#policy;
	}

	/** The fields the policy shows, but the generated ones (the license key); an existing user's password is never edited here. */
	get fields(): FieldDef[] {
		return settings.visibleFields.filter(
			(f) => !f.isGenerated && !(f.isSensitive && (this.existing || this.#policy[f.key] === 'hidden'))
		);
	}

	/**
	 * The names a 'list' field offers as checkboxes (ListControl): the registry's choices (the products),
	 * else the names the page gave with setChoices; then any name the user holds that is neither (a group
	 * deleted in another tab), so saving never drops it unseen. Empty: the field is typed as text instead.
	 */
	choicesOf(def: FieldDef): readonly string[] {
		const offered = def.choices ?? this.#choices[def.key] ?? [];
		const value = this.values[def.key];
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- lives for this call only, never rendered
		const known = new Set(offered.map((name) => name.toLowerCase()));
		const others = listNames(typeof value === 'string' ? value : '').filter(
			(n) => !known.has(n.toLowerCase())
		);
		return others.length > 0 ? [...offered, ...others] : offered;
	}

	/**
	 * Gives a 'list' field the names to offer (a customer's groups or roles, read by the page): the form
	 * shows a checkbox for each. Call again when the names change; until called, the field is typed.
	 */
	setChoices(key: FieldKey, names: readonly string[]): void {
		this.#choices[key] = [...names];
	}

	/** Whether the typed password goes anywhere: only into the SMS login details, when ticked. */
	get isPasswordKept(): boolean {
		return this.sendSms && this.canSendSms;
	}

	/** A typed password that will be dropped on saving: the form says so before. */
	get isPasswordDropped(): boolean {
		const { password } = this.values;
		return !this.existing && !this.isPasswordKept && typeof password === 'string' && password !== '';
	}

	/** The line under a field: the registry's hint, or for a new user's password where it goes. */
	hintOf(def: FieldDef): string | undefined {
		// Chosen from a list, never left empty: the registry's 'Left empty: HQ' does not apply.
		if (def.key === 'site') return 'The sites are listed in Settings → Sites.';
		if (!def.isSensitive || this.existing) return def.hint;
		if (this.isPasswordKept)
			return 'Goes only into the SMS login details: it signs in once, then the person chooses their own. Rollcall never keeps it.';
		// The activation email is named only when one goes: without it the person has no way in yet.
		const instead = this.sendActivation
			? 'the person chooses their own password from the activation email'
			: "the person has no password until an activation email reaches them ('Send activation email now', or later from their page), from which they choose their own";
		return `Only for 'Send login details by SMS' below: Rollcall keeps no passwords. Without the SMS, ${instead}.`;
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

	/** What saving a new user set in motion (for the notice that says what happens next). */
	get outcome(): AddedOutcome | null {
		return this.#outcome;
	}

	/** Whether the admin typed or ticked anything: leaving then asks first. */
	get isDirty(): boolean {
		const typed = Object.values(this.values).some((v) => v !== undefined && v !== '' && v !== false);
		return typed || this.sendActivation || this.sendSms;
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
		// A password that goes nowhere is not checked: it is dropped, and the form says so (mark).
		if (field(key).isSensitive && !this.isPasswordKept) return undefined;
		const { value, error } = validateField(key, this.values[key], this.#policy, this.context);
		if (!error && key === 'groups') return this.#groupsProblem(value);
		if (!error && key === 'roles') return this.#rolesProblem(value);
		return error ?? this.#taken[key];
	}

	/** Why a Groups value cannot be saved: a name that is none of the customer's groups. */
	#groupsProblem(value: FieldValue | undefined): string | undefined {
		if (this.groupNames === undefined || typeof value !== 'string') return undefined;
		const checked = checkGroups(value, this.groupNames);
		return checked.ok ? undefined : checked.message;
	}

	/** The Roles value in the roles' own spelling, or why it cannot be saved; undefined: not judged yet. */
	#checkedRoles(value: FieldValue | undefined): Parsed<string> | undefined {
		if (this.roleNames === undefined || typeof value !== 'string') return undefined;
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- lives for this call only, never rendered
		const known = new Map(this.roleNames.map((name) => [foldText(name), name] as const));
		const checked = knownRoleNames(value, known);
		return checked.ok
			? checked
			: fail(`There is no role ${checked.message} yet: add it under Roles & profiles first.`);
	}

	/** Why a Roles value cannot be saved: a name that is none of the customer's roles. */
	#rolesProblem(value: FieldValue | undefined): string | undefined {
		const checked = this.#checkedRoles(value);
		return checked && !checked.ok ? checked.message : undefined;
	}

	mark(key: FieldKey): FieldMark {
		if (!this.#touched[key] && !this.#isSubmitted) return { state: 'none' };
		const isTyping = !this.#settled[key] && !this.#isSubmitted;
		if (field(key).isSensitive && this.isPasswordDropped) {
			return {
				state: 'warning',
				text: "This password will not be kept: tick 'Send login details by SMS' to send it, or clear it."
			};
		}
		const error = this.errorOf(key);
		// A value that is wrong as typed waits for the pause; one already taken is a fact about a whole value.
		if (error && isTyping && !this.#taken[key]) return { state: 'none' };
		if (error) return { state: 'invalid', text: error };
		const raw = this.values[key];
		const def = field(key);
		// An empty optional field says nothing: its default (HQ, Standard) is shown by the hint or the select.
		if (
			raw === undefined ||
			raw === '' ||
			def.type === 'boolean' ||
			def.type === 'list' ||
			this.optionsOf(def)
		)
			return { state: 'none' };
		const { value } = validateField(key, raw, this.#policy, this.context);
		if (value === undefined || value === '') return { state: 'none' };
		if (def.isSensitive) return { state: 'valid', text: 'Strong enough.' };
		if (def.isUnique) {
			if (this.#pending[key]) return { state: 'none' };
			return { state: 'valid', text: availableText(def.label, this.#inCustomer(), this.#elsewhere[key]) };
		}
		const shown = def.format(value, this.context);
		return { state: 'valid', text: shown === value ? 'Looks good.' : `Will be saved as ${shown}.` };
	}

	/** Records a keystroke: the field is now marked, and a unique one is checked against the directory. */
	input(key: FieldKey, value: FieldValue): void {
		this.values[key] = value;
		this.#touched[key] = true;
		clearTimeout(this.#pauses[key]);
		// A choice or a ticked list name is a whole value at once: nothing to wait for.
		const isTyped =
			field(key).type !== 'choice' && !(field(key).type === 'list' && this.choicesOf(field(key)).length > 0);
		if (typeof value === 'string' && isTyped) {
			this.#settled[key] = false;
			this.#pauses[key] = setTimeout(() => (this.#settled[key] = true), TYPING_PAUSE_MS);
		} else this.#settled[key] = true;
		this.#saveError = null;
		if (isUnique(key)) void this.#checkTaken(key);
	}

	/** The admin left a field: what it holds now is what they meant, so a wrong value is marked. */
	blur(key: FieldKey): void {
		clearTimeout(this.#pauses[key]);
		if (this.#touched[key]) this.#settled[key] = true;
	}

	/**
	 * The values a field is chosen from, or undefined for one typed: a choice field's, and the site, chosen
	 * from the customer's sites (Settings), with the user's own site kept if it is no longer one of them.
	 */
	optionsOf(def: FieldDef): readonly string[] | undefined {
		if (def.key !== 'site') return def.type === 'choice' ? (def.choices ?? []) : undefined;
		const sites = sitesOf(currentCustomer.all.find((row) => row.id === this.customerId)?.sites);
		const own = this.existing?.site;
		return own && !sites.includes(own) ? [own, ...sites] : sites;
	}

	/** The customer's name where it tells something: only an admin of several customers needs it. */
	#inCustomer(): string | undefined {
		return currentCustomer.isSeveral ? currentCustomer.nameOf(this.customerId) || undefined : undefined;
	}

	async #checkTaken(key: UniqueField): Promise<void> {
		const raw = this.values[key];
		const check = (this.#checks[key] ?? 0) + 1;
		this.#checks[key] = check;
		delete this.#taken[key];
		delete this.#elsewhere[key];
		this.#pending[key] = false;
		const { value, error } = validateField(key, raw, this.#policy, this.context);
		if (error || typeof value !== 'string' || value === '') return;
		this.#pending[key] = true;
		try {
			const other = await users.whoHas(key, value, this.existing?.id, this.customerId);
			const elsewhere =
				key === 'email' && !other && currentCustomer.isSeveral
					? await users.emailElsewhere(value, this.customerId)
					: [];
			// Only the answer to the latest keystroke counts.
			if (this.#checks[key] !== check) return;
			if (other) this.#taken[key] = takenText(field(key).label, nameOf(other), this.#inCustomer());
			if (elsewhere.length > 0) this.#elsewhere[key] = elsewhere.map((id) => currentCustomer.nameOf(id));
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
		const result = validateUser(this.values, this.#policy, settings.context);
		if (!this.isPasswordKept) {
			delete result.errors.password;
			delete result.password;
		}
		if (!result.isValid && Object.keys(result.errors).length > 0) return null;
		if (this.fields.some((f) => this.#taken[f.key])) return null;
		if ('groups' in result.values && this.groupNames !== undefined) {
			// Each name in its group's own spelling ('sales' is saved as Sales).
			const checked = checkGroups(result.values.groups, this.groupNames);
			if (!checked.ok) return null;
			result.values.groups = checked.value;
		}
		if ('roles' in result.values) {
			// Each name in its role's own spelling ('admin' is saved as Admin).
			const checked = this.#checkedRoles(result.values.roles);
			if (checked && !checked.ok) return null;
			if (checked?.value) result.values.roles = checked.value;
		}
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

	/**
	 * Adds the user and queues what the admin ticked, in one transaction; the password goes only into the SMS
	 * (queueing it marks the user as having an initial password).
	 */
	async #add(values: UserFields, password: string | undefined): Promise<User> {
		const sendSms = this.isPasswordKept && password !== undefined;
		const isPasswordDropped = this.isPasswordDropped;
		const { user, activation, sms } = await outbox.together(async () => {
			const added = await users.add(values, { customerId: this.customerId });
			const activation = this.sendActivation ? await outbox.queueFor([added.id], 'activation') : undefined;
			const sms = sendSms
				? await outbox.queueFor([added.id], 'sms-login', { values: () => ({ password }) })
				: undefined;
			return { user: added, activation, sms };
		});
		if (activation?.queued || sms?.queued) sync.kick();
		this.#outcome = {
			name: nameOf(user),
			activation: !activation ? 'not-ticked' : activation.queued ? 'queued' : 'no-email',
			sms: !this.canSendSms ? 'not-offered' : sms?.queued ? 'queued' : 'not-ticked',
			isPasswordDropped
		};
		return { ...user, hasPassword: Boolean(sms?.queued) };
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
		this.#elsewhere = {};
		this.#settled = {};
		this.#isSubmitted = false;
		this.#saveError = null;
	}
}
