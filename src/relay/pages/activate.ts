import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DatabaseSync } from 'node:sqlite';
import {
	hashPassword,
	MAX_PASSWORD_LENGTH,
	MIN_PASSWORD_LENGTH,
	passwordProblem
} from '../accounts/password.ts';
import { checkLinkToken, getAccount, recordSignIn, setOwnPassword, useLinkToken } from '../store/accounts.ts';
import { transaction } from '../store/database.ts';
import { recordEvent } from '../store/events.ts';
import { readForm, sendPage } from '../http.ts';
import type { HashQueue } from '../accounts/hash-queue.ts';
import type { Logger } from '../log.ts';
import { html, page, type Html } from './html.ts';

const LINK_PROBLEMS = {
	unknown: {
		status: 404,
		title: 'This link does not work',
		text: 'This link is not valid. Check that you opened the whole link from the message; if it still does not work, ask your administrator to send a new one.'
	},
	used: {
		status: 410,
		title: 'This link was already used',
		text: 'Your password has been set with this link already. Sign in with it, or ask your administrator for a new link.'
	},
	revoked: {
		status: 410,
		title: 'This link no longer works',
		text: 'A newer message replaced this link, or your account was changed. Use the link in the newest message you received, or ask your administrator to send a new one.'
	},
	expired: {
		status: 410,
		title: 'This link has expired',
		text: 'Activation links work for a limited time. Ask your administrator to send you a new one.'
	}
} as const;

/** The form that sets a password: shown by the activation link, and after a first sign-in with an initial password. */
export function passwordForm(options: { action: string; who: string; intro: string; error?: string }): Html {
	return html`<h1>Choose your password</h1>
		<p>${options.intro}</p>
		${options.error ? html`<p class="error" role="alert" id="form-error">${options.error}</p>` : ''}
		<form method="post" action="${options.action}">
			<input type="text" name="username" value="${options.who}" autocomplete="username" hidden />
			<label for="password">New password</label>
			<input
				id="password"
				name="password"
				type="password"
				autocomplete="new-password"
				required
				minlength="${MIN_PASSWORD_LENGTH}"
				maxlength="${MAX_PASSWORD_LENGTH * 2}"
				aria-describedby="password-hint${options.error ? ' form-error' : ''}"
			/>
			<p class="hint" id="password-hint">
				At least ${MIN_PASSWORD_LENGTH} characters. Any characters are fine; a few unrelated words are easy to
				remember and hard to guess.
			</p>
			<label for="confirm">Type it again</label>
			<input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
			<button type="submit">Set password</button>
		</form>`;
}

function problemPage(response: ServerResponse, reason: keyof typeof LINK_PROBLEMS): void {
	const problem = LINK_PROBLEMS[reason];
	sendPage(
		response,
		problem.status,
		page(
			problem.title,
			html`<h1>${problem.title}</h1>
				<p>${problem.text}</p>
				<p><a href="/signin">Sign in</a></p>`
		)
	);
}

function whoIs(db: DatabaseSync, userId: string): string {
	const account = getAccount(db, userId);
	return account?.username ?? account?.email ?? '';
}

/** GET shows the form and never uses the token up: mail scanners open links before people do. */
export function showActivation(db: DatabaseSync, token: string, response: ServerResponse): void {
	const check = checkLinkToken(db, token);
	if (!check.ok) return problemPage(response, check.reason);
	const who = whoIs(db, check.userId);
	const intro =
		check.purpose === 'change-password'
			? 'You signed in with a password someone else chose. Choose your own now; the old one stops working.'
			: `Set the password for your account${who ? ` ${who}` : ''}.`;
	sendPage(
		response,
		200,
		page('Choose your password', passwordForm({ action: `/activate/${token}`, who, intro }))
	);
}

/**
 * POST sets the password, uses the token up, kills the user's other links and records the activation, all
 * in one transaction: of two POSTs of one link (or of two links) only the first sets a password.
 */
export async function submitActivation(
	context: { readonly db: DatabaseSync; readonly hashing: HashQueue; readonly log: Logger },
	token: string,
	request: IncomingMessage,
	response: ServerResponse
): Promise<void> {
	const { db, hashing, log } = context;
	const form = await readForm(request, response);
	const check = checkLinkToken(db, token);
	if (!check.ok) return problemPage(response, check.reason);
	const account = getAccount(db, check.userId);
	const who = account?.username ?? account?.email ?? '';
	const password = form.get('password') ?? '';
	const again = (error: string): void =>
		sendPage(
			response,
			422,
			page(
				'Choose your password',
				passwordForm({
					action: `/activate/${token}`,
					who,
					intro: 'Set the password for your account.',
					error
				})
			)
		);
	if (password !== (form.get('confirm') ?? ''))
		return again('The two passwords are not the same. Type them again.');
	const problem = passwordProblem(password, [account?.username, account?.email]);
	if (problem) return again(problem);

	// Ahead of every waiting sign-in (see HashQueue): a sign-in flood does not keep a person from activating.
	const queued = hashing.run('person', () => hashPassword(password));
	if (!queued) {
		log.warn('hash-queue-full', 'An activation was refused: too many passwords are waiting to be hashed.');
		response.setHeader('Retry-After', String(hashing.retryAfterSeconds()));
		return sendPage(
			response,
			503,
			page(
				'Busy',
				html`<h1>The relay is busy</h1>
					<p>
						Too many passwords are being set right now. Go back and send the form again in a few seconds.
					</p>`
			)
		);
	}
	const passwordHash = await queued;
	const used = transaction(db, () => {
		const outcome = useLinkToken(db, check.tokenHash);
		if (!outcome) return false;
		setOwnPassword(db, check.userId, passwordHash);
		recordEvent(db, { type: 'activated', userId: check.userId });
		// After a first sign-in with an initial password, choosing one's own completes that sign-in.
		if (check.purpose === 'change-password') {
			recordSignIn(db, check.userId);
			recordEvent(db, { type: 'signed-in', userId: check.userId });
		}
		return outcome;
	});
	if (!used) {
		// Someone used it (or another link, or the account changed) while the password was hashed.
		const now = checkLinkToken(db, token);
		return problemPage(response, now.ok ? 'used' : now.reason);
	}
	log.info('activated', 'A person set their password with a link', { user: check.userId });
	log.debug('links-revoked', "The person's other links no longer work", {
		user: check.userId,
		count: used.revoked
	});
	sendPage(
		response,
		200,
		page(
			'Password set',
			html`<h1>Your password is set</h1>
				<p>Your account is active.</p>
				<p><a href="/signin">Sign in</a></p>`
		)
	);
}
