// What the outbox holds and how a directory user becomes a message for the relay. Pure: no Dexie, no DOM.
import type { MessageTemplate, MessageUser, MessageValues, OutgoingMessage } from './relay-protocol';
import { listNames } from './fields';
import { isReadPhone } from './phone';
import { nameOf, type User } from './user';
import { licenseFacts } from './relay-license';

/** A message's life: queued -> sending -> sent | failed (with the reason) | cancelled. */
export const messageStates = ['queued', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type MessageState = (typeof messageStates)[number];

/** What the relay later said about a sent message. */
export type Delivery = 'delivered' | 'undeliverable';

/** One message of the outbox, as stored. */
export interface OutboxMessage {
	/** The idempotency key (crypto.randomUUID()): the same on every attempt, so the relay sends once. */
	key: string;
	template: MessageTemplate;
	/** Email address, or E.164 phone number for 'sms-login'. */
	to: string;
	/** The user's local id in this directory (for the user's page and the Outbox list). */
	userId: number;
	/** The user as the relay gets them, fixed when queued so every attempt sends the same body. */
	user: MessageUser;
	/** A password lives here only until the relay accepts the message; then it is wiped. */
	values?: MessageValues;
	state: MessageState;
	/** Why it failed, or why the last attempt did not go through. */
	reason?: string;
	/** Attempts that did not get the message accepted (for the backoff). */
	attempts: number;
	/** Not sent before this time (ms since the epoch). */
	nextAttemptAt: number;
	createdAt: number;
	sentAt?: number;
	/** The relay's id once accepted. */
	messageId?: string;
	delivery?: Delivery;
	deliveredAt?: number;
}

/**
 * A delivered message cleared from the Outbox list, kept as its user's message history: the user's page
 * still shows it, and it still tells that the relay knows the user (commands.queue). Only what those need:
 * never the message's values (a password) or the user as sent.
 */
export type HistoryMessage = Pick<OutboxMessage, 'key' | 'template' | 'userId' | 'createdAt'> &
	Partial<Pick<OutboxMessage, 'to' | 'sentAt' | 'deliveredAt' | 'delivery'>>;

/** A message as a user's page shows it: one in the outbox, or one of their history (see historyMessage). */
export type UserMessage = Pick<OutboxMessage, 'key' | 'template' | 'state' | 'createdAt'> &
	Partial<Pick<OutboxMessage, 'reason' | 'sentAt' | 'delivery' | 'deliveredAt'>>;

/** What of a message its user's history keeps when it is cleared from the Outbox list. */
export function historyOf(message: OutboxMessage): HistoryMessage {
	const kept: HistoryMessage = {
		key: message.key,
		template: message.template,
		userId: message.userId,
		createdAt: message.createdAt
	};
	const optional = {
		to: message.to || undefined,
		sentAt: message.sentAt,
		deliveredAt: message.deliveredAt,
		delivery: message.delivery
	};
	for (const [key, value] of Object.entries(optional)) {
		if (value !== undefined) Object.assign(kept, { [key]: value });
	}
	return kept;
}

/** A history message as the user's page reads it: only sent messages are cleared into a history. */
export const historyMessage = (kept: HistoryMessage): UserMessage => ({ ...kept, state: 'sent' });

/** What a message to queue needs; the outbox adds the key, the state and the times. */
export type MessageDraft = Pick<OutboxMessage, 'template' | 'to' | 'userId' | 'user' | 'values'>;

/** The template in the admin's words. */
export const templateNames: Record<MessageTemplate, string> = {
	activation: 'Activation email',
	welcome: 'Welcome email',
	'sms-login': 'Login details by SMS'
};

/** The template as the object of a sentence ('cannot get an activation email'). */
export const templateObjects: Record<MessageTemplate, string> = {
	activation: 'an activation email',
	welcome: 'a welcome email',
	'sms-login': 'login details by SMS'
};

/** The state in the admin's words. */
export function describeState(message: Pick<OutboxMessage, 'state' | 'delivery'>): string {
	if (message.state === 'sent') {
		if (message.delivery === 'delivered') return 'Delivered';
		if (message.delivery === 'undeliverable') return 'Undeliverable';
		return 'Sent';
	}
	return { queued: 'Waiting', sending: 'Sending', failed: 'Failed', cancelled: 'Cancelled' }[message.state];
}

/** What the Outbox can show: every message, or those in one state as the admin reads it (describeState). */
export const outboxFilters = [
	'All',
	'Waiting',
	'Sending',
	'Sent',
	'Delivered',
	'Undeliverable',
	'Failed',
	'Cancelled'
] as const;
export type OutboxFilter = (typeof outboxFilters)[number];

/** Whether the Outbox shows a message under a filter. */
export function isShownUnder(
	message: Pick<OutboxMessage, 'state' | 'delivery'>,
	filter: OutboxFilter
): boolean {
	return filter === 'All' || describeState(message) === filter;
}

/**
 * Whether a message is delivered and was delivered before `before` (ms since the epoch): what 'Clear
 * delivered' takes off the Outbox list (into its user's history). Only delivered ones: a waiting, failed or
 * undeliverable message still asks something of the admin, and a sent one may yet turn out undeliverable.
 */
export function isDeliveredBefore(
	message: Pick<OutboxMessage, 'state' | 'delivery' | 'deliveredAt' | 'sentAt' | 'createdAt'>,
	before: number
): boolean {
	if (message.state !== 'sent' || message.delivery !== 'delivered') return false;
	return (message.deliveredAt ?? message.sentAt ?? message.createdAt) < before;
}

/** The ages 'Clear delivered' offers, in days; 0 is every delivered message. */
export const clearAges = [0, 1, 7, 30, 90] as const;

/** An age of clearAges in the admin's words. */
export function clearAgeName(days: number): string {
	if (days === 0) return 'any age';
	return days === 1 ? 'more than a day ago' : `more than ${days} days ago`;
}

/** Why 'Send now' has nothing to do, or undefined when it may send. */
export function sendNowProblem(facts: {
	waiting: number;
	isOnline: boolean;
	isPaired: boolean;
	isSyncing: boolean;
}): string | undefined {
	if (facts.waiting === 0) return 'Nothing is waiting to be sent.';
	if (!facts.isOnline) return 'This device is offline: waiting messages go when it is back online.';
	if (!facts.isPaired) return 'This device is not paired with the relay yet.';
	if (facts.isSyncing) return 'Sending now…';
	return undefined;
}

const HEX12 = 0xff_ffff_ffff_ff;

/**
 * The user's id as the relay knows it. Local ids are small numbers that every device reuses, so the
 * relay gets a UUID-shaped id: this directory's random id with the local number in its last 12 hex
 * digits. Events name users by it, and `localUserId` turns it back, ignoring other directories' users.
 */
export function relayUserId(directoryId: string, localId: number): string {
	if (!Number.isSafeInteger(localId) || localId < 0 || localId > HEX12) {
		throw new RangeError(`User id ${localId} cannot be given to the relay.`);
	}
	return `${directoryPrefix(directoryId)}${localId.toString(16).padStart(12, '0')}`;
}

/** The local id of a user named by the relay, or undefined when the id is not one of this directory's. */
export function localUserId(directoryId: string, relayId: string): number | undefined {
	const prefix = directoryPrefix(directoryId);
	const lower = relayId.toLowerCase();
	if (!lower.startsWith(prefix) || lower.length !== prefix.length + 12) return undefined;
	const tail = lower.slice(prefix.length);
	return /^[0-9a-f]{12}$/u.test(tail) ? Number.parseInt(tail, 16) : undefined;
}

/** The first 24 characters of a UUID (through the fourth dash): what every user of a directory shares. */
function directoryPrefix(directoryId: string): string {
	const id = directoryId.toLowerCase();
	if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u.test(id)) {
		throw new TypeError(`The directory id ${directoryId} is not a random UUID.`);
	}
	return id.slice(0, 24);
}

/** Who the message is about, as the relay needs it: only the fields it uses, none empty. */
export function messageUser(user: User, directoryId: string): MessageUser {
	const picked: Record<string, string> = { id: relayUserId(directoryId, user.id) };
	for (const key of ['email', 'username', 'firstName', 'lastName'] as const) {
		if (user[key]) picked[key] = user[key];
	}
	picked.displayName = nameOf(user);
	// The license goes along, so the relay knows it from the first message (see MessageUser).
	return { ...(picked as unknown as MessageUser), ...licenseFacts(user) };
}

/**
 * Why a user is left out of a send, grouped in the confirmation: an activation (or welcome) mail goes only to
 * someone who can still activate -- an Active person has a password already, and a Suspended one cannot sign
 * in (the relay would refuse the mail) -- and who has an address; an SMS only to someone not Active (its initial
 * password would replace the one they chose), at a number Rollcall can read.
 * 'deleted': removed from the directory while the question was open.
 */
export type SkipReason = 'active' | 'suspended' | 'no-email' | 'no-phone' | 'unreadable-phone' | 'deleted';

/** Why a user is left out of a send of `template`, or undefined when the message can go to them. */
export function skipReason(user: User, template: MessageTemplate): SkipReason | undefined {
	if (template === 'sms-login') {
		// An SMS's initial password would replace the one an Active person chose, with one the admin knows.
		if (user.status === 'Active') return 'active';
		if (!user.mobilePhone) return 'no-phone';
		// An import keeps an optional mobile it cannot read as typed: no SMS can go to it.
		return isReadPhone(user.mobilePhone) ? undefined : 'unreadable-phone';
	}
	if (user.status === 'Active') return 'active';
	if (user.status === 'Suspended') return 'suspended';
	return user.email ? undefined : 'no-email';
}

/** Why a user cannot be sent a template, in a sentence, or undefined when they can. */
export function cannotSend(user: User, template: MessageTemplate): string | undefined {
	const reason = skipReason(user, template);
	const name = nameOf(user) || 'This user';
	switch (reason) {
		case undefined:
			return undefined;
		case 'no-phone':
			return `${name} has no mobile phone.`;
		case 'unreadable-phone':
			return `${name}'s mobile phone "${user.mobilePhone}" is not a number Rollcall can read: correct it on their page.`;
		case 'active':
			return `${name} is Active already: they have signed in and set their own password.`;
		case 'suspended':
			return `${name} is Suspended: reactivate them first.`;
		case 'no-email':
			return `${name} has no email.`;
		case 'deleted':
			return `${name} is no longer in the directory.`;
	}
}

/**
 * The mail that activates this user: a licensed user's (one holding a product) is the welcome mail, which
 * carries their license key with the activation link (DESIGN.md workflow A); anyone else's the activation
 * email. Other templates are themselves.
 */
export function mailFor(user: Pick<User, 'entitlements'>, template: MessageTemplate): MessageTemplate {
	return template === 'activation' && listNames(user.entitlements).length > 0 ? 'welcome' : template;
}

/** The message draft for a user, or undefined when the user has nowhere to send it. */
export function draftFor(
	user: User,
	template: MessageTemplate,
	directoryId: string,
	values?: MessageValues
): MessageDraft | undefined {
	if (cannotSend(user, template)) return undefined;
	// A phone may carry an extension (+44...;ext=12): an SMS goes to the number itself.
	const to = template === 'sms-login' ? user.mobilePhone!.split(';')[0]! : user.email;
	// The welcome mail carries the user's own key, to their own address (the relay checks both).
	const withKey =
		template === 'welcome' && user.licenseKey ? { ...values, licenseKey: user.licenseKey } : values;
	return { template, to, userId: user.id, user: messageUser(user, directoryId), values: withKey };
}

/** The message as it goes over the wire: exactly the same body on every attempt. */
export function outgoing(message: OutboxMessage): OutgoingMessage {
	const body: OutgoingMessage = {
		idempotencyKey: message.key,
		template: message.template,
		to: message.to,
		user: message.user
	};
	return message.values ? { ...body, values: message.values } : body;
}

/** Some of the users a send leaves out for one reason: how many, and the first few names. */
export interface SkippedGroup {
	count: number;
	names: string[];
}

/** Who a send would reach (how many, the first few names), and who it leaves out and why. */
export interface SendPreview {
	count: number;
	names: string[];
	skipped: Partial<Record<SkipReason, SkippedGroup>>;
}

/** How many users a send leaves out, in all. */
export function skippedCount(preview: Pick<SendPreview, 'skipped'>): number {
	return Object.values(preview.skipped).reduce((sum, group) => sum + group.count, 0);
}

const plural = (count: number, one: string, many = `${one}s`) =>
	`${count.toLocaleString('en')} ${count === 1 ? one : many}`;

/** 'Ann, Bob, Cy + 2 more': the names known, and how many more there are. */
function namesOf(group: SkippedGroup): string {
	const more = group.count - group.names.length;
	const named = group.names.join(', ');
	if (more <= 0) return named;
	return named ? `${named} + ${more.toLocaleString('en')} more` : `${more.toLocaleString('en')} users`;
}

/** Why each group is left out, in the admin's words (the count goes before). */
const skipWords: Record<SkipReason, string> = {
	active: 'already Active (they have signed in and chosen a password)',
	suspended: 'Suspended (reactivate them first)',
	'no-email': 'without an email',
	'no-phone': 'without a mobile phone',
	'unreadable-phone': 'with a mobile phone Rollcall cannot read',
	deleted: 'no longer in the directory'
};

/** One line per reason a send leaves users out: '2 already Active (...): Ann, Bob'. */
export function skippedLines(preview: Pick<SendPreview, 'skipped'>): string[] {
	return (Object.keys(skipWords) as SkipReason[]).flatMap((reason) => {
		const group = preview.skipped[reason];
		if (!group?.count) return [];
		const names = group.names.length > 0 ? `: ${namesOf(group)}` : '';
		return [`${group.count.toLocaleString('en')} ${skipWords[reason]}${names}`];
	});
}

/** The confirm dialog's question: 'Send an activation email to 5 users: Ann, Bob, Cy + 2 more?' and a note. */
export function sendQuestion(preview: SendPreview, what = 'an activation email'): string {
	const who = namesOf({ count: preview.count, names: preview.names });
	const skipped = skippedCount(preview);
	const rest = skipped > 0 ? ` ${plural(skipped, 'selected user is', 'selected users are')} skipped:` : '';
	return `Send ${what} to ${plural(preview.count, 'user')}: ${who}? It leaves as soon as this device is online and paired with the relay.${rest}`;
}

/** Why each group is left out, as a sentence says it: the verb for one and for many, then the rest. */
const skipClauses: Record<SkipReason, [one: string, many: string, rest: string]> = {
	active: ['is', 'are', 'already Active (they have signed in and chosen a password)'],
	suspended: ['is', 'are', 'Suspended (reactivate them first)'],
	'no-email': ['has', 'have', 'no email'],
	'no-phone': ['has', 'have', 'no mobile phone'],
	'unreadable-phone': ['has', 'have', 'a mobile phone Rollcall cannot read'],
	deleted: ['is', 'are', 'no longer in the directory']
};

/**
 * What the admin is told when no selected user can be sent anything (and nothing is sent): 'Nothing was
 * sent: Ann cannot get an activation email, as they are already Active (...).' for one; for many, each
 * group as a clause, '5 are already Active (...): Ann, Bob, Eve + 2 more; 1 has no email: Gus.'
 */
export function nothingToSend(preview: SendPreview, what = 'an activation email'): string {
	const skipped = skippedCount(preview);
	const groups = (Object.keys(skipClauses) as SkipReason[]).flatMap((reason) => {
		const group = preview.skipped[reason];
		return group?.count ? [[reason, group] as const] : [];
	});
	if (skipped === 1 && groups.length === 1) {
		const [reason, group] = groups[0]!;
		const [, they, rest] = skipClauses[reason];
		const who = group.names[0] ?? 'the selected user';
		return `Nothing was sent: ${who} cannot get ${what}, as they ${they} ${rest}.`;
	}
	const why = groups.map(([reason, group]) => {
		const [one, many, rest] = skipClauses[reason];
		const names = group.names.length > 0 ? `: ${namesOf(group)}` : '';
		return `${group.count.toLocaleString('en')} ${group.count === 1 ? one : many} ${rest}${names}`;
	});
	return `Nothing was sent: none of the ${plural(skipped, 'selected user')} can get ${what}. ${why.join('; ')}.`;
}

/** The notice after queueing: how many went into the Outbox, and how many were skipped and why. */
export function queuedNotice(
	queued: number,
	reasons: Partial<Record<SkipReason, number>>,
	what = 'activation email'
): string {
	const groups = Object.entries(reasons).map(([reason, count]) => [reason, { count, names: [] }]);
	const skipped = skippedLines({ skipped: Object.fromEntries(groups) as SendPreview['skipped'] });
	const left = skipped.length > 0 ? ` Skipped: ${skipped.join('; ')}.` : '';
	return `${plural(queued, what)} queued in the Outbox.${left}`;
}
