// The contract between the app and the relay: what goes over HTTP, in both directions. Pure types and
// constants, shared by src/lib/sync (the app's side) and src/relay (the server's side).
//
// Routes (all JSON, UTF-8; every error body is `RelayErrorBody`):
//   POST /api/pair      PairRequest -> 200 PairResponse           (no token: the one-time code is the credential)
//   POST /api/messages  MessageBatch -> 200 MessageBatchResponse  (Authorization: Bearer <device token>)
//   POST /api/commands  CommandBatch -> 200 CommandBatchResponse  (Authorization: Bearer <device token>)
//   GET  /api/events?after=<cursor>&limit=<n> -> 200 EventPage    (Authorization: Bearer <device token>)
//   GET  /api/health    -> 200 { ok: true, protocol: PROTOCOL_VERSION }
//   POST /api/activate  ActivationRequest -> 200 ActivationResponse (no token: the desktop program proves
//                       itself with the email and license key; refusals are RelayErrorBody, see
//                       ACTIVATION_REFUSALS)
// Whole-request failures: 400 malformed body, 401 missing/unknown/revoked token, 403 origin not allowed,
// 413 body over MAX_BATCH_BYTES or more than MAX_BATCH_MESSAGES, 429 rate limit (Retry-After header, seconds),
// 5xx relay trouble (the app retries with backoff). A 2xx batch answer carries one result per message
// (or command).
//
// Messages and commands: a message asks the relay to send something (mail, SMS); an account command tells
// it what the admin did to an account it knows (suspend, reactivate, delete), so links and sign-in follow
// the directory. Both are idempotent by key: the same key with the same body is answered again without a
// second effect, the same key with another body is refused. The app sends its waiting commands before its
// waiting messages, so a suspension is never overtaken by a message queued after it.

/**
 * Bumped when a change would break an app or relay of the previous version. Adding /api/commands did not
 * bump it: a route is additive, an older app never calls it, and a newer app meeting an older relay gets
 * 404 for its commands (kept and sent again later) while its messages still go.
 */
export const PROTOCOL_VERSION = 1;

/** At most this many messages in one POST /api/messages. */
export const MAX_BATCH_MESSAGES = 100;
/** At most this many commands in one POST /api/commands. */
export const MAX_BATCH_COMMANDS = 100;
/** At most this many bytes in one request body. */
export const MAX_BATCH_BYTES = 256 * 1024;
/** At most this many events in one page of GET /api/events. */
export const MAX_EVENT_PAGE = 500;

/** Idempotency keys: 16-128 characters of A-Z a-z 0-9 _ - (the app uses crypto.randomUUID()). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** Pairing codes as printed by the relay and typed by the admin: 8 characters, grouped 4-4 for reading. */
export const PAIRING_CODE_PATTERN = /^[A-Z2-9]{4}-?[A-Z2-9]{4}$/;

export interface PairRequest {
	/** The one-time code the relay printed (case and the dash are ignored). */
	readonly code: string;
	/** A name the admin recognises in the relay's token list, e.g. 'Front desk iPad'. 1-100 characters. */
	readonly deviceName: string;
}

/**
 * Why the relay refused a pairing code (401, the error body's code): the app words each its own way, in
 * what the admin can do. An older relay answered 'pairing-code-refused' for all three.
 */
export const PAIRING_REFUSALS = [
	'pairing-code-unknown',
	'pairing-code-used',
	'pairing-code-expired'
] as const;
export type PairingRefusal = (typeof PAIRING_REFUSALS)[number];

export interface PairResponse {
	/** The device token: sent as `Authorization: Bearer <token>`. The relay keeps only its hash. */
	readonly token: string;
	/** The relay's id for this device (shown by `npm run relay -- tokens list`). */
	readonly deviceId: string;
	readonly protocol: number;
}

/** The templates the relay renders from its own files. There is no free-form mail. */
export type MessageTemplate = 'activation' | 'welcome' | 'sms-login';

/** Who the message is about: the relay keeps this to build the account the activation link opens. */
export interface MessageUser {
	/** The user's stable id in the app's directory (a UUID). Events name users by this id. */
	readonly id: string;
	readonly email?: string;
	readonly username?: string;
	readonly firstName?: string;
	readonly lastName?: string;
	readonly displayName?: string;
	/**
	 * The user's license as the directory has it (sent from December 2026): their key in its grouped form,
	 * the products they may use, and whether they may sign in on the web. The relay takes these from a
	 * message only for an account it has no license for yet: after that, 'license' commands (sent before
	 * any message) keep it current, so a message queued before a key was regenerated cannot bring the old
	 * key back. `webAccess` is absent while the admin manages no license for the user (no product, web
	 * access never turned on): the relay then lets them sign in as before licenses existed.
	 */
	readonly licenseKey?: string;
	readonly entitlements?: readonly LicensedProduct[];
	readonly webAccess?: boolean;
}

/** The products a license covers (the registry's `products`); only 'Desktop' activates computers. */
export const LICENSED_PRODUCTS = ['Desktop', 'Web', 'Mobile'] as const;
export type LicensedProduct = (typeof LICENSED_PRODUCTS)[number];

/** At most this many computers hold a user's Desktop license at once. */
export const MAX_COMPUTERS = 2;
/** A computer's name as the desktop program reports it: 1-100 characters on one line. */
export const MAX_COMPUTER_NAME = 100;

/** Per-template values; anything else is refused. */
export interface MessageValues {
	/**
	 * 'welcome' only: the license key the mail carries (workflow A): 1-100 letters, digits and . _ + / = -,
	 * nothing that reads as a web address.
	 */
	readonly licenseKey?: string;
	/**
	 * 'sms-login' only: the initial password (workflow D). The relay sets it as the account's password (stored
	 * hashed) and sends it once; after delivery it keeps no readable copy.
	 */
	readonly password?: string;
}

export interface OutgoingMessage {
	readonly idempotencyKey: string;
	readonly template: MessageTemplate;
	/** An email address for 'activation' and 'welcome'; an E.164 phone number (+447700900123) for 'sms-login'. */
	readonly to: string;
	readonly user: MessageUser;
	readonly values?: MessageValues;
}

export interface MessageBatch {
	readonly messages: readonly OutgoingMessage[];
}

/**
 * One message's answer, in the order sent:
 * - 'accepted': stored durably by the relay, which now delivers it (`replayed` when this key was seen before
 *   with the same body: the first answer again, no second send).
 * - 'rejected': never sent and never will be under this key; `code` says why (see RejectionCode).
 * - 'rate-limited': not stored; send again after `retryAfterSeconds` with the same key (a limit of this
 *   device or of the recipient; `reason` says which).
 */
export type MessageResult =
	| {
			readonly idempotencyKey: string;
			readonly status: 'accepted';
			readonly messageId: string;
			readonly replayed: boolean;
	  }
	| {
			readonly idempotencyKey: string;
			readonly status: 'rejected';
			readonly code: RejectionCode;
			/** In the admin's words, naming the field at fault. */
			readonly reason: string;
	  }
	| {
			readonly idempotencyKey: string;
			readonly status: 'rate-limited';
			readonly retryAfterSeconds: number;
			/** Which limit was reached, in the admin's words (relays before December 2026 do not say). */
			readonly reason?: string;
			/**
			 * Whose limit: 'device' (this device sent its hourly or daily most: every message waits) or
			 * 'recipient' (this address or number had its most: only messages to it wait). Absent from older relays.
			 */
			readonly scope?: RateLimitScope;
	  };

export type RateLimitScope = 'device' | 'recipient';

export type RejectionCode =
	| 'invalid' // a field is missing or malformed (recipient address, phone, template, values)
	| 'idempotency-conflict' // this key was used before with a different body (HTTP's 422 per message)
	| 'recipient-refused'; // the address is one the relay will not send to (suppressed after a bounce, say)

export interface MessageBatchResponse {
	readonly results: readonly MessageResult[];
}

/** What happened after a message was accepted, or to the account it was about. */
export type RelayEventType =
	| 'delivered' // the mail server or SMS webhook took the message
	| 'undeliverable' // delivery failed for good (bounce, refused recipient, webhook 4xx); `reason` says why
	| 'activated' // the person set a password through the activation link
	| 'signed-in' // the person signed in on the relay's sign-in page
	| 'computer-activated' // a desktop program activated the user's license on `computer`
	| 'computer-deactivated'; // the relay freed `computer`'s slot (a 'deactivate' command, or a 'license' one with a new key or no Desktop)

export interface RelayEvent {
	/** Opaque, increasing: pass the last one seen as `after` to get what came next. */
	readonly cursor: string;
	readonly type: RelayEventType;
	/** MessageUser.id of the user concerned. */
	readonly userId: string;
	/** For 'delivered' / 'undeliverable': the message's idempotency key. */
	readonly idempotencyKey?: string;
	/** ISO 8601 time the event happened on the relay. */
	readonly at: string;
	readonly reason?: string;
	/** For 'computer-activated' / 'computer-deactivated': the computer's name as the program reported it. */
	readonly computer?: string;
}

export interface EventPage {
	readonly events: readonly RelayEvent[];
	/** The cursor to pass next time (unchanged when there was nothing new). */
	readonly cursor: string;
	readonly hasMore: boolean;
}

/**
 * What the admin did to an account, for the relay to follow:
 * - 'suspend': every unused link dies, sign-in is refused, waiting messages are not sent.
 * - 'reactivate': sign-in works again (links stay dead: a new message brings a new one).
 * - 'delete': every link dies, the account's password and names are wiped, waiting messages are not sent.
 * - 'license': the user's license is now `license` (a new key revokes the old one at once: it activates
 *   nothing more; other products; web access on or off).
 * - 'deactivate': `computer` no longer holds one of the user's Desktop slots.
 */
export type AccountCommandType = 'suspend' | 'reactivate' | 'delete' | 'license' | 'deactivate';

export const ACCOUNT_COMMAND_TYPES: readonly AccountCommandType[] = [
	'suspend',
	'reactivate',
	'delete',
	'license',
	'deactivate'
];

/** A user's license as a 'license' command carries it (see MessageUser for each field). */
export interface LicenseFacts {
	readonly licenseKey: string;
	readonly entitlements: readonly LicensedProduct[];
	readonly webAccess?: boolean;
}

export interface AccountCommand {
	readonly idempotencyKey: string;
	readonly type: AccountCommandType;
	/** MessageUser.id of the user concerned (the relay need not have heard of them yet). */
	readonly userId: string;
	/** 'license' only. */
	readonly license?: LicenseFacts;
	/** 'deactivate' only: the computer's name as its activation reported it. */
	readonly computer?: string;
}

/** What a desktop program sends to activate the user's Desktop license on this computer. */
export interface ActivationRequest {
	readonly email: string;
	/** As the person typed it: any case, spaces or dashes (readLicenseKey). */
	readonly licenseKey: string;
	/** The computer's name (1-100 characters on one line); activating the same name again changes nothing. */
	readonly computer: string;
}

export interface ActivationResponse {
	readonly status: 'activated';
	readonly computer: string;
	/** ISO 8601: when this computer was first activated. */
	readonly activatedAt: string;
	/** True when this computer was activated already (nothing changed). */
	readonly replayed: boolean;
}

/**
 * The error codes of a refused activation (the error body's `code`; 'activation-limit' also lists the
 * `computers` that hold the slots):
 * - 'license-not-recognised' (403): the email and key do not go together, whichever is wrong.
 * - 'license-not-usable' (403): the account is suspended or deleted.
 * - 'no-desktop-license' (403): the user's license does not include Desktop.
 * - 'activation-limit' (409): MAX_COMPUTERS other computers hold the license.
 */
export const ACTIVATION_REFUSALS = [
	'license-not-recognised',
	'license-not-usable',
	'no-desktop-license',
	'activation-limit'
] as const;
export type ActivationRefusal = (typeof ACTIVATION_REFUSALS)[number];

export interface CommandBatch {
	readonly commands: readonly AccountCommand[];
}

/**
 * One command's answer, in the order sent: 'applied' (durably; `replayed` when this key was seen before
 * with the same body), or 'rejected' for good (`code` 'invalid' or 'idempotency-conflict').
 */
export type CommandResult =
	| { readonly idempotencyKey: string; readonly status: 'applied'; readonly replayed: boolean }
	| {
			readonly idempotencyKey: string;
			readonly status: 'rejected';
			readonly code: 'invalid' | 'idempotency-conflict';
			readonly reason: string;
	  };

export interface CommandBatchResponse {
	readonly results: readonly CommandResult[];
}

export interface RelayErrorBody {
	readonly error: {
		/** Stable, machine-readable: 'unauthorized', 'too-large', 'rate-limited', 'bad-request', ... */
		readonly code: string;
		/** In plain words, for the admin. */
		readonly message: string;
	};
}
