// What the add-user form tells the admin once a user is saved: what was set in motion and when it leaves.
// Pure: the page passes in whether the device is paired and online.

/** What adding one user set in motion. */
export interface AddedOutcome {
	name: string;
	/** 'no-email': ticked, but the user has no address to send it to. */
	activation: 'queued' | 'not-ticked' | 'no-email';
	/** 'not-offered': the policy has no SMS login details (no mobile phone or no password). */
	sms: 'queued' | 'not-ticked' | 'not-offered';
	/** A password was typed and, with no SMS to carry it, not kept (the form said so before saving). */
	isPasswordDropped: boolean;
}

/** Where a queued message stands: it leaves through the relay only once the device is paired and online. */
export interface Route {
	isPaired: boolean;
	isOnline: boolean;
}

function leaves(route: Route): string {
	if (!route.isPaired) return 'it waits in the Outbox until this device is paired with the relay (Settings)';
	if (!route.isOnline) return 'it waits in the Outbox until this device is back online';
	return 'it leaves now, through the relay';
}

/** The notice after adding a user, sentence by sentence: who was added, and what happens next. */
export function addedNotice(outcome: AddedOutcome, route: Route): string[] {
	const lines = [`${outcome.name} was added as Pending.`];
	if (outcome.activation === 'queued') lines.push(`Activation email queued: ${leaves(route)}.`);
	else if (outcome.activation === 'no-email')
		lines.push('No activation email was queued: they have no email address.');
	else lines.push('No activation email was sent: send one from their page when they should sign in.');
	if (outcome.sms === 'queued')
		lines.push(`Login details by SMS queued, with the password: ${leaves(route)}.`);
	else if (outcome.isPasswordDropped)
		lines.push(
			outcome.activation === 'queued'
				? 'No login details by SMS were sent, so the password typed was not kept: they choose their own from the activation email.'
				: 'No login details by SMS were sent, so the password typed was not kept: they have none until an activation email reaches them.'
		);
	else if (outcome.sms === 'not-ticked') lines.push('No login details by SMS were sent.');
	return lines;
}
