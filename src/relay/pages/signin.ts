import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DatabaseSync } from 'node:sqlite';
import { verifyNothing, verifyPassword } from '../accounts/password.ts';
import { readForm, remoteAddress, sendPage } from '../http.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { createLinkToken, findAccountBySignInName, recordSignIn } from '../store/accounts.ts';
import { transaction } from '../store/database.ts';
import { recordEvent } from '../store/events.ts';
import { passwordForm } from './activate.ts';
import { html, page } from './html.ts';

/** How long the "choose your own password" step after a first sign-in stays open. */
const CHANGE_PASSWORD_MS = 15 * 60_000;

export interface SignInLimits {
	readonly perAccount: RateLimiter;
	readonly perAddress: RateLimiter;
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

export async function submitSignIn(
	db: DatabaseSync,
	limits: SignInLimits,
	request: IncomingMessage,
	response: ServerResponse
): Promise<void> {
	const fields = await readForm(request, response);
	const name = (fields.get('name') ?? '').trim().slice(0, 320);
	const password = fields.get('password') ?? '';
	const accountKey = name.toLowerCase();
	const address = remoteAddress(request);

	const wait = Math.max(limits.perAccount.peek(accountKey), limits.perAddress.peek(address));
	if (wait > 0) {
		response.setHeader('Retry-After', String(wait));
		const minutes = Math.ceil(wait / 60);
		return sendPage(
			response,
			429,
			form({ name, error: `Too many attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` })
		);
	}

	const account = name && password ? findAccountBySignInName(db, name) : undefined;
	const isRight = account?.passwordHash
		? await verifyPassword(password, account.passwordHash)
		: await verifyNothing(password);
	if (account?.isSuspended) {
		limits.perAccount.take(accountKey);
		limits.perAddress.take(address);
		// The same answer whether the password was right or not: a suspension reveals no password.
		return sendPage(
			response,
			403,
			form({ name, error: 'This account is suspended. Ask your administrator to reactivate it.' })
		);
	}
	if (!account || !isRight) {
		limits.perAccount.take(accountKey);
		limits.perAddress.take(address);
		// One message for an unknown name and a wrong password: the page does not say which accounts exist.
		return sendPage(response, 401, form({ name, error: 'The username or password is not right.' }));
	}
	limits.perAccount.reset(accountKey);

	if (account.mustChangePassword) {
		const token = createLinkToken(db, account.userId, 'change-password', CHANGE_PASSWORD_MS);
		const who = account.username ?? account.email ?? '';
		return sendPage(
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

	transaction(db, () => {
		recordSignIn(db, account.userId);
		recordEvent(db, { type: 'signed-in', userId: account.userId });
	});
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
