// The relay's own messages. Values come from validated fields only and every one is escaped for HTML;
// nothing an app sends becomes a header except the single checked recipient, and the only free text, the
// name in the greeting, is one a mail app cannot turn into a link.
import type { MessageTemplate } from '../../lib/domain/relay-protocol.ts';
import { nameProblem } from '../messages/validate.ts';
import { html, page } from '../pages/html.ts';

export interface MailContent {
	readonly subject: string;
	readonly text: string;
	readonly html: string;
}

export interface TemplateInput {
	readonly template: MessageTemplate;
	readonly displayName?: string;
	readonly username?: string;
	readonly email?: string;
	readonly licenseKey?: string;
	readonly password?: string;
	/** The activation link, for 'activation' and 'welcome'. */
	readonly activationUrl?: string;
	/** This mail's link replaced earlier ones, which no longer work: the mail says so. */
	readonly replacesEarlier?: boolean;
	/** The sign-in page, for 'sms-login'. */
	readonly signInUrl: string;
	readonly activationTtlHours: number;
}

export function renderMail(input: TemplateInput): MailContent {
	// A name reaches the mail only if it is just a name (one stored before names were checked may not be).
	const name =
		input.displayName && !nameProblem(input.displayName, 'displayName') ? input.displayName : undefined;
	const greeting = name ? `Hello ${name},` : 'Hello,';
	const link = input.activationUrl ?? '';
	const validity = `The link works once, for ${input.activationTtlHours} hours.`;
	const replaced = input.replacesEarlier
		? 'This is a new link: links in earlier messages no longer work.'
		: undefined;
	const replacedText = replaced ? [replaced, ''] : [];
	if (input.template === 'welcome') {
		const text = [
			greeting,
			'',
			'Welcome! Your account is ready.',
			'',
			`Your license key: ${input.licenseKey ?? ''}`,
			'',
			'To activate your account, choose a password here:',
			link,
			'',
			...replacedText,
			validity,
			'If you did not expect this message, you can ignore it.'
		].join('\n');
		const body = html`<p>${greeting}</p>
			<p>Welcome! Your account is ready.</p>
			<p>Your license key: <strong>${input.licenseKey ?? ''}</strong></p>
			<p><a href="${link}">Activate your account</a> by choosing a password.</p>
			${replaced ? html`<p>${replaced}</p>` : ''}
			<p>${validity} If you did not expect this message, you can ignore it.</p>`;
		return { subject: 'Welcome: your license key and account activation', text, html: page('Welcome', body) };
	}
	const text = [
		greeting,
		'',
		'An account has been created for you. To activate it, choose a password here:',
		link,
		'',
		...replacedText,
		validity,
		'If you did not expect this message, you can ignore it.'
	].join('\n');
	const body = html`<p>${greeting}</p>
		<p>An account has been created for you.</p>
		<p><a href="${link}">Activate your account</a> by choosing a password.</p>
		${replaced ? html`<p>${replaced}</p>` : ''}
		<p>${validity} If you did not expect this message, you can ignore it.</p>`;
	return { subject: 'Activate your account', text, html: page('Activate your account', body) };
}

/** SMS login details: short, plain, one message. */
export function renderSms(input: TemplateInput): string {
	return [
		'Your account is ready.',
		`Username: ${input.username ?? input.email ?? ''}`,
		`Password: ${input.password ?? ''}`,
		`Sign in at ${input.signInUrl} and choose your own password.`
	].join('\n');
}
