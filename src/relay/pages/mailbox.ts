// The built-in mailbox: where mail and SMS go when no SMTP server or SMS webhook is configured. It holds
// live activation links and initial passwords, so only this machine may read it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DatabaseSync } from 'node:sqlite';
import { isLoopback, isProxied, sendJson, sendPage } from '../http.ts';
import { escapeHtml, html, page } from './html.ts';

interface MailboxRow {
	id: number;
	kind: 'mail' | 'sms';
	recipient: string;
	subject: string | null;
	text: string;
	created_at: number;
}

const LINK = /https?:\/\/[^\s<>"']+/g;

/**
 * Loopback peers only. A request that came through a proxy is refused: it has a forwarding header, or its
 * peer is a trusted proxy (a TCP proxy on this machine adds no header; TRUSTED_PROXIES=loopback names it).
 */
export function mayReadMailbox(request: IncomingMessage): boolean {
	return isLoopback(request) && !isProxied(request);
}

export function refuseMailbox(response: ServerResponse): void {
	sendPage(
		response,
		403,
		page(
			'Mailbox',
			html`<h1>Not available</h1>
				<p>The mailbox can only be read on the relay's own machine.</p>`
		)
	);
}

function rows(db: DatabaseSync): MailboxRow[] {
	return db
		.prepare('SELECT id, kind, recipient, subject, text, created_at FROM mailbox ORDER BY id DESC LIMIT 500')
		.all() as unknown as MailboxRow[];
}

export function mailboxJson(db: DatabaseSync, response: ServerResponse): void {
	sendJson(
		response,
		200,
		rows(db).map((row) => ({
			id: row.id,
			kind: row.kind,
			to: row.recipient,
			subject: row.subject,
			text: row.text,
			links: row.text.match(LINK) ?? [],
			createdAt: new Date(row.created_at).toISOString()
		}))
	);
}

export function mailboxList(db: DatabaseSync, response: ServerResponse): void {
	const items = rows(db);
	const body = html`<h1>Mailbox</h1>
		<p>
			Mail and SMS the relay would have sent, newest first. Configure SMTP_URL and SMS_WEBHOOK_URL to send
			them for real.
		</p>
		${
			items.length === 0
				? html`<p>Nothing yet.</p>`
				: html`<table>
						<thead>
							<tr>
								<th scope="col">Sent</th>
								<th scope="col">Type</th>
								<th scope="col">To</th>
								<th scope="col">Subject</th>
							</tr>
						</thead>
						<tbody>
							${items.map(
								(row) =>
									html`<tr>
										<td>${new Date(row.created_at).toISOString().replace('T', ' ').slice(0, 19)}</td>
										<td>${row.kind === 'sms' ? 'SMS' : 'Mail'}</td>
										<td>${row.recipient}</td>
										<td><a href="/mailbox/${row.id}">${row.subject ?? row.text.split('\n')[0]}</a></td>
									</tr>`
							)}
						</tbody>
					</table>`
		}`;
	sendPage(response, 200, page('Mailbox', body));
}

export function mailboxItem(db: DatabaseSync, id: number, response: ServerResponse): void {
	const row = db
		.prepare('SELECT id, kind, recipient, subject, text, created_at FROM mailbox WHERE id = ?')
		.get(id) as MailboxRow | undefined;
	if (!row) {
		return sendPage(
			response,
			404,
			page(
				'Mailbox',
				html`<h1>No such message</h1>
					<p><a href="/mailbox">Back to the mailbox</a></p>`
			)
		);
	}
	// Escape first, then turn the (escaped) addresses into links: nothing in the text becomes markup.
	const text = escapeHtml(row.text).replace(LINK, (url) => `<a href="${url}">${url}</a>`);
	const body = html`<p><a href="/mailbox">Back to the mailbox</a></p>
		<h1>${row.subject ?? 'SMS'}</h1>
		<p>To: ${row.recipient}<br />Sent: ${new Date(row.created_at).toISOString()}</p>
		<pre>${{ html: text }}</pre>`;
	sendPage(response, 200, page(row.subject ?? 'SMS', body));
}
