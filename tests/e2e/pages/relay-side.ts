import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { PORT, RELAY_DATA_DIR, SMS_WEBHOOK_PORT } from '../relay-env';

/** A mail or SMS as the relay's built-in mailbox shows it (GET /mailbox/messages.json). */
export interface MailboxItem {
	id: number;
	kind: string;
	to: string;
	subject: string;
	text: string;
	links: string[];
}

/** A fresh one-time pairing code, from the relay's own CLI against the running relay's database. */
export function newPairingCode(): string {
	const output = execFileSync('node_modules/.bin/node', ['src/relay/cli.ts', 'pair'], {
		env: { ...process.env, PORT: String(PORT), RELAY_DATA_DIR },
		encoding: 'utf8'
	});
	const code = /Pairing code: (\S+)/.exec(output)?.[1];
	if (!code) throw new Error(`The relay CLI printed no pairing code:\n${output}`);
	return code;
}

/** Pairs the app in `page` with the relay through Settings > Relay (the address left as the app's own). */
export async function pairThroughSettings(page: Page, deviceName: string): Promise<void> {
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
	const relay = page.getByRole('region', { name: 'Relay' });
	await relay.getByLabel('Pairing code').fill(newPairingCode());
	await relay.getByLabel('Device name').fill(deviceName);
	await relay.getByRole('button', { name: 'Pair' }).click();
	await expect(relay).toContainText(`Paired as ${deviceName}`);
}

/** What the relay's mailbox holds for these addresses, waiting until each has `count` items. */
export async function mailFor(
	request: APIRequestContext,
	addresses: string[],
	count = 1
): Promise<Map<string, MailboxItem[]>> {
	let byAddress = new Map<string, MailboxItem[]>();
	await expect
		.poll(
			async () => {
				const response = await request.get('/mailbox/messages.json');
				expect(response.ok()).toBe(true);
				const items = (await response.json()) as MailboxItem[];
				byAddress = new Map(addresses.map((a) => [a, items.filter((item) => item.to === a)]));
				return addresses.map((a) => byAddress.get(a)!.length);
			},
			{ timeout: 30_000 }
		)
		.toEqual(addresses.map(() => count));
	return byAddress;
}

/** An SMS provider on loopback: what the relay POSTs to SMS_WEBHOOK_URL, as received. */
export class SmsWebhook {
	readonly received: { to: string; text: string; idempotencyKey: string }[] = [];
	#server: Server | undefined;

	async start(): Promise<void> {
		this.#server = createServer((request, response) => {
			let body = '';
			request.setEncoding('utf8');
			request.on('data', (chunk: string) => (body += chunk));
			request.on('end', () => {
				this.received.push(JSON.parse(body) as SmsWebhook['received'][number]);
				response.writeHead(202).end();
			});
		});
		await new Promise<void>((resolve) => this.#server!.listen(SMS_WEBHOOK_PORT, '127.0.0.1', resolve));
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
	}
}
