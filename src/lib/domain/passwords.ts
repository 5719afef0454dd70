// The password rules the app and the relay share (NIST SP 800-63B Rev. 4, section 3.1.1.2): the length
// and that no part of what is known of the person is in it. The relay adds the check against breached and
// common passwords (zxcvbn's dictionaries, too big for the app), so a password this file accepts can still
// be refused there; one it refuses never passes there.

export const MIN_PASSWORD_LENGTH = 15;
export const MAX_PASSWORD_LENGTH = 256;

/** The service's own name: people put it in passwords made for it, and attackers try it first. */
export const SERVICE_WORDS: readonly string[] = ['rollcall', 'roll call'];

/** The form a password is compared and hashed in. */
export function normalisePassword(password: string): string {
	return password.normalize('NFKC');
}

// What people type for letters. 1, ! and | stand for i or l: each is tried both ways.
const L33T: Record<string, string> = {
	'4': 'a',
	'@': 'a',
	'3': 'e',
	'0': 'o',
	$: 's',
	'5': 's',
	'7': 't',
	'+': 't'
};

/** The password as typed, and as read with l33t substitutions undone ("R0llc@ll" is "rollcall"). */
function unl33t(lower: string): string[] {
	const plain = [...lower].map((char) => L33T[char] ?? char).join('');
	return [lower, plain.replace(/[1!|]/g, 'i'), plain.replace(/[1!|]/g, 'l')];
}

/** The person's names and the parts of their username and email's local part of 4 characters or more. */
export function contextWords(context: readonly (string | null | undefined)[]): string[] {
	const words = new Set(SERVICE_WORDS);
	for (const item of context) {
		const local = item?.normalize('NFKC').toLowerCase().split('@')[0]?.trim() ?? '';
		for (const part of [local, ...local.split(/[^\p{L}\p{N}]+/u)]) {
			if ([...part].length >= 4) words.add(part);
		}
	}
	return [...words];
}

/**
 * Why a password breaks the shared rules, in the person's words; undefined when it keeps them. `context`
 * is what is known of the person (names, username, email): no part of it may be in their password.
 */
export function passwordRuleProblem(
	password: string,
	context: readonly (string | null | undefined)[]
): string | undefined {
	const value = normalisePassword(password);
	const length = [...value].length;
	if (length < MIN_PASSWORD_LENGTH) {
		return `Use at least ${MIN_PASSWORD_LENGTH} characters (this one has ${length}). A few unrelated words make a good password.`;
	}
	if (length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
	const variants = unl33t(value.toLowerCase());
	if (contextWords(context).some((word) => variants.some((variant) => variant.includes(word)))) {
		return 'The password cannot contain your name, username or email address, or the name Rollcall. Choose another one.';
	}
	return undefined;
}

/** What the relay knows of a person when it checks their initial password: names, username, email. */
export interface PasswordContext {
	readonly firstName?: string;
	readonly lastName?: string;
	readonly displayName?: string;
	readonly username?: string;
	readonly email?: string;
}

/**
 * Why an initial password cannot go by SMS for this person (it breaks the shared rules), or undefined. The relay
 * checks it against the username, the email and the name the mail greets (the display name, else first and
 * last name): so does this, with each name on its own too.
 */
export function initialPasswordProblem(password: string, person: PasswordContext): string | undefined {
	const fullName = [person.firstName, person.lastName].filter(Boolean).join(' ');
	const problem = passwordRuleProblem(password, [
		person.firstName,
		person.lastName,
		person.displayName || fullName,
		person.username,
		person.email
	]);
	return problem && `The password cannot go by SMS: ${problem}`;
}

/** How the form asks for a new user's initial password (see initialPasswordRequirement). */
export type PasswordRequirement = 'required' | 'optional' | 'hidden';

/**
 * Whether a new user's form asks for an initial password, whatever the field policy says. Rollcall keeps no
 * password, and the relay takes one only inside SMS login details (it signs in once, then the person picks
 * their own); an activation email lets the person choose theirs. So a password is asked for only with the SMS:
 * required when it is ticked, offered (and said to go nowhere unless ticked) when it could be, and not at all
 * where no SMS can go (the policy hides the mobile phone) -- a password typed there could only be thrown away.
 */
export function initialPasswordRequirement(
	policy: PasswordRequirement,
	sms: { canSend: boolean; isSending: boolean }
): PasswordRequirement {
	if (policy === 'hidden' || !sms.canSend) return 'hidden';
	return sms.isSending ? 'required' : 'optional';
}

/**
 * Whether a message gives its user an initial password: SMS login details that were not cancelled (waiting,
 * sent, or failed and open to a Retry) and that the relay did not report undeliverable. A cancelled one never
 * leaves, and its password is wiped; an undeliverable one never reached the person.
 */
export function givesInitialPassword(message: {
	template: string;
	/** None for a message of a user's history (cleared from the Outbox list once delivered). */
	state?: string;
	delivery?: string;
}): boolean {
	return (
		message.template === 'sms-login' && message.state !== 'cancelled' && message.delivery !== 'undeliverable'
	);
}

/**
 * What a user's page says of their password: only what is true. Rollcall never holds one; an initial password
 * exists only while SMS login details carry it (hasPassword), and a person who activated chose their own.
 * `activation`: their latest activation email, if any; the page points to it only when one is on its way.
 */
export function passwordStatus(
	user: { status: string; hasPassword: boolean },
	activation?: { state: string; delivery?: string }
): string {
	if (user.status === 'Active') return 'Chosen by them (never shown)';
	if (user.hasPassword) return 'Initial password, in the SMS login details (never shown)';
	const isOnItsWay = activation && !['cancelled', 'failed'].includes(activation.state);
	if (isOnItsWay && activation.delivery !== 'undeliverable') {
		return 'None yet: they choose their own from the activation email';
	}
	return 'None yet: they choose their own from an activation email, and none is on its way';
}

/** How many rows of an import give a password, for new users and for users already in the directory. */
export interface ImportPasswords {
	newUsers: number;
	existingUsers: number;
	/** Whether the field policy has mobile phones: only then can an SMS carry a password. */
	hasMobilePhones: boolean;
	isSendingSms: boolean;
	isSendingActivation: boolean;
}

const usersOf = (count: number) => `${count.toLocaleString('en')} ${count === 1 ? 'user' : 'users'}`;

/**
 * What becomes of an import file's passwords, said before Complete; undefined when each goes into an SMS (or
 * the file gives none). Rollcall keeps no password: a row's password reaches its person only in SMS login
 * details, and those go only to the new users; an existing user's password in the file is never sent.
 */
export function droppedPasswordsNotice(file: ImportPasswords): string | undefined {
	const { newUsers, existingUsers } = file;
	if (newUsers + existingUsers === 0) return undefined;
	const instead = file.isSendingActivation
		? 'the new users choose their own from the activation email.'
		: "the new users have none until they get an activation email ('Send activation email to new users', or later from each user's page), from which they choose their own.";
	if (!file.hasMobilePhones) {
		return `The file's passwords will not be kept: Rollcall keeps no passwords, and this field policy has no mobile phone to send them to by SMS. Instead, ${instead}`;
	}
	const existing = `The passwords of ${usersOf(existingUsers)} already in the directory (rows whose email is there) will not be sent: SMS login details go only to new users, and Rollcall keeps no passwords.`;
	if (newUsers === 0) return existing;
	if (file.isSendingSms) return existingUsers > 0 ? existing : undefined;
	return `The file's passwords will not be kept: Rollcall keeps no passwords, and a password reaches its person only in SMS login details. Switch on 'Send login details by SMS' to send each new user theirs (${usersOf(newUsers)}); otherwise ${instead}`;
}

/**
 * The field policy an import checks its rows under, as the add-user form applies it: a required password is
 * required only when 'Send login details by SMS' carries it. Without the SMS a password goes nowhere, so a file
 * with no Password column (or empty cells) imports under a policy that requires one.
 */
export function importPasswordPolicy<P extends { password?: PasswordRequirement }>(
	policy: P,
	isSendingSms: boolean
): P {
	return policy.password === 'required' && !isSendingSms ? { ...policy, password: 'optional' } : policy;
}
