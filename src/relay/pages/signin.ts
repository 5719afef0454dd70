import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DatabaseSync } from 'node:sqlite';
import { verifyNothing, verifyPassword } from '../accounts/password.ts';
import { readForm, remoteAddress, sendPage } from '../http.ts';
import type { HashQueue } from '../accounts/hash-queue.ts';
import type { SignInThrottle } from '../accounts/sign-in-throttle.ts';
import type { Logger } from '../log.ts';
import {
	createLinkToken,
	findAccountsBySignInName,
	recordSignIn,
	useInitialPassword,
	type Account
} from '../store/accounts.ts';
import { transaction } from '../store/database.ts';
import { isWebAccessOff } from '../store/licenses.ts';
import { sha256 } from '../store/secrets.ts';
import { isTrustedBrowser, trustBrowser } from '../store/trusted-browsers.ts';
import { recordEvent } from '../store/events.ts';
import { passwordForm } from './activate.ts';
import { html, page } from './html.ts';

/** How long the "choose your own password" step after a first sign-in stays open. */
const CHANGE_PASSWORD_MS = 15 * 60_000;
/** How long a browser stays trusted after a sign-in (see SignInThrottle and store/trusted-browsers.ts). */
const TRUSTED_BROWSER_MS = 90 * 24 * 3_600_000;
const BROWSER_COOKIE = 'rollcall_browser';

/** What the sign-in page needs besides the database. */
export interface SignInContext {
	readonly db: DatabaseSync;
	readonly log: Logger;
	readonly throttle: SignInThrottle;
	readonly hashing: HashQueue;
	/** How long an initial password (SMS login details) signs in after it was set. */
	readonly initialPasswordTtlMs: number;
	/** An https address makes the trusted-browser cookie Secure. */
	readonly publicUrl: string;
}

function form(options: { name?: string; error?: string } = {}): string {
	return page(
		'Sign in',
		html`<h1>Sign in</h1>
			${options.error ? html`<p class="error" role="alert" id="form-error">${options.error}</p>` : ''}
			<form method="post" action="/signin">
				<label for="name">Username or email</label>
				<input
					id="name"
					name="name"
					autocomplete="username"
					required
					value="${options.name ?? ''}"
					${options.error ? html` aria-describedby="form-error"` : ''}
				/>
				<label for="password">Password</label>
				<input id="password" name="password" type="password" autocomplete="current-password" required />
				<button type="submit">Sign in</button>
			</form>`
	);
}

export function showSignIn(response: ServerResponse): void {
	sendPage(response, 200, form());
}

/** The trusted-browser token the request carries, if it looks like one. */
function browserToken(request: IncomingMessage): string | undefined {
	const cookies = request.headers.cookie ?? '';
	return /(?:^|;\s*)rollcall_browser=([A-Za-z0-9_-]{43})\s*(?:;|$)/.exec(cookies)?.[1];
}

function tooMany(response: ServerResponse, name: string, seconds: number): void {
	response.setHeader('Retry-After', String(seconds));
	const minutes = Math.ceil(seconds / 60);
	sendPage(
		response,
		429,
		form({ name, error: `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` })
	);
}

/**
 * The attempt is counted before its password is hashed (see SignInThrottle), and the hash waits its turn
 * in the relay's HashQueue, so a flood of sign-ins neither runs more guesses than the limits allow nor
 * fills the thread pool that serves files.
 */
export async function submitSignIn(
	context: SignInContext,
	request: IncomingMessage,
	response: ServerResponse
): Promise<void> {
	const { db, log, throttle, hashing } = context;
	const fields = await readForm(request, response);
	const name = (fields.get('name') ?? '').trim().slice(0, 320);
	const password = fields.get('password') ?? '';
	const client = remoteAddress(request);
	const notRight = (): void =>
		// One message for an unknown name and a wrong password: the page does not say which accounts exist.
		sendPage(
			response,
			401,
			form({
				name,
				error:
					'The username or password is not right. If you are sure they are, ask your administrator: the account may be suspended.'
			})
		);
	if (!name || !password) return notRight();

	// Username and email of one account share one budget; an unknown name has its own. A name several
	// accounts share (one address in several customers) counts against its most recently updated one's.
	const candidates = findAccountsBySignInName(db, name);
	const first = candidates[0];
	const accountKey = first ? `user:${first.userId}` : `name:${name.normalize('NFKC').toLowerCase()}`;
	const browser = browserToken(request);
	const trustedFor = (userId: string): boolean => Boolean(browser && isTrustedBrowser(db, browser, userId));
	const gate = throttle.begin(
		client,
		accountKey,
		browser && candidates.some((c) => trustedFor(c.userId)) ? sha256(browser) : undefined
	);
	if (!gate.ok) {
		log.warn('signin-throttled', 'A sign-in was refused: too many failed attempts.', {
			client,
			limit: gate.limit,
			account: first?.userId,
			retryAfterSeconds: gate.retryAfterSeconds
		});
		return tooMany(response, name, gate.retryAfterSeconds);
	}
	const check = hashing.run('sign-in', () => whosePassword(candidates, password));
	if (!check) {
		throttle.withdraw(gate.attempt);
		log.warn('hash-queue-full', 'A sign-in was refused: too many sign-ins are waiting to be checked.', {
			client
		});
		response.setHeader('Retry-After', String(hashing.retryAfterSeconds()));
		return sendPage(
			response,
			429,
			form({ name, error: 'The relay is busy checking other sign-ins. Try again in a few seconds.' })
		);
	}
	// Awaited for an unknown name too: its answer takes as long as a wrong password's.
	const account = await check;
	if (!account) {
		log.warn('signin-failed', 'A sign-in failed: unknown name or wrong password.', {
			client,
			account: first?.userId
		});
		return notRight();
	}
	const isTrusted = trustedFor(account.userId);
	if (account.isSuspended) {
		// The answer a wrong password gets, right password or not: the page tells no one which accounts are
		// suspended, and a suspended account is no oracle for guessing its password. The attempt stays
		// counted.
		log.warn('signin-suspended', 'A sign-in to a suspended account was refused.', {
			client,
			account: account.userId
		});
		return notRight();
	}
	throttle.succeeded(gate.attempt);
	if (isWebAccessOff(db, account.userId)) {
		// Said plainly: the password was right, so this tells nothing to someone who does not know it.
		log.info('signin-no-web-access', 'A sign-in was refused: web access is off for the account.', {
			account: account.userId
		});
		return sendPage(
			response,
			403,
			form({
				name,
				error:
					'Web access is turned off for your account, so you cannot sign in here. Ask your administrator to turn it on.'
			})
		);
	}

	if (account.mustChangePassword) return firstSignIn(context, account, name, response);

	transaction(db, () => {
		recordSignIn(db, account.userId);
		recordEvent(db, { type: 'signed-in', userId: account.userId });
	});
	log.info('signed-in', 'A person signed in.', { account: account.userId, isTrustedBrowser: isTrusted });
	if (!isTrusted) {
		const token = trustBrowser(db, account.userId, TRUSTED_BROWSER_MS);
		const secure = context.publicUrl.startsWith('https:') ? '; Secure' : '';
		response.setHeader(
			'Set-Cookie',
			`${BROWSER_COOKIE}=${token}; Path=/signin; Max-Age=${TRUSTED_BROWSER_MS / 1000}; HttpOnly; SameSite=Strict${secure}`
		);
	}
	const who = account.displayName ?? account.username ?? account.email ?? '';
	sendPage(
		response,
		200,
		page(
			'Signed in',
			html`<h1>You are signed in</h1>
				<p>Welcome, ${who}.</p>`
		)
	);
}

/**
 * The account among `candidates` whose password this is: a usable one before a suspended one (which
 * then gets a wrong password's answer). At most MAX_SIGN_IN_CANDIDATES hashes, one at a time, in the
 * caller's HashQueue slot; with no candidate, one hash all the same, so an unknown name takes as long.
 */
async function whosePassword(candidates: readonly Account[], password: string): Promise<Account | undefined> {
	if (candidates.length === 0) return verifyNothing(password).then(() => undefined);
	let suspended: Account | undefined;
	for (const candidate of candidates) {
		if (!candidate.passwordHash || !(await verifyPassword(password, candidate.passwordHash))) continue;
		if (!candidate.isSuspended) return candidate;
		suspended ??= candidate;
	}
	return suspended;
}

/**
 * The right initial password (from SMS login details): it works once, within its lifetime, and only
 * leads to choosing one's own password.
 */
function firstSignIn(context: SignInContext, account: Account, name: string, response: ServerResponse): void {
	const { db, log, initialPasswordTtlMs } = context;
	const now = Date.now();
	const setAt = account.initialPasswordSetAt ?? 0;
	const refuse = (reason: 'expired' | 'used', error: string): void => {
		log.warn('signin-initial-refused', `An initial password was refused: ${reason}.`, {
			account: account.userId,
			reason
		});
		sendPage(response, 401, form({ name, error }));
	};
	if (now >= setAt + initialPasswordTtlMs) {
		const hours = Math.round(initialPasswordTtlMs / 3_600_000);
		return refuse(
			'expired',
			`The login details sent to you have expired: they work for ${hours} hours. Ask your administrator to send new ones.`
		);
	}
	const token = transaction(db, () =>
		useInitialPassword(db, account.userId, account.passwordHash ?? '', now)
			? createLinkToken(db, account.userId, 'change-password', CHANGE_PASSWORD_MS)
			: undefined
	);
	if (!token) {
		return refuse(
			'used',
			'The login details sent to you work only once, and they have been used. If you did not finish choosing your password, ask your administrator to send new ones.'
		);
	}
	log.info('signin-initial', 'A person signed in with an initial password and is choosing their own.', {
		account: account.userId
	});
	const who = account.username ?? account.email ?? '';
	sendPage(
		response,
		200,
		page(
			'Choose your password',
			passwordForm({
				action: `/activate/${token}`,
				who,
				intro:
					'You signed in with a password someone else chose. Choose your own now; the old one stops working.'
			})
		)
	);
}
