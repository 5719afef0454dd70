// Starts the relay: `node src/relay/main.ts` (after `npm run build`). Settings come from the environment
// (see README.md, "Configuration").
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readConfig } from './config.ts';
import { isLoopbackHost, smtpTransportOptions } from './delivery/transports.ts';
import { pairingInstructions } from './pairing-message.ts';
import { createRelay } from './relay.ts';
import { createPairingCode } from './store/devices.ts';

const result = readConfig(process.env);
if (!result.ok) {
	for (const error of result.errors) console.error(`Rollcall relay: ${error}`);
	process.exit(1);
}
const config = result.config;
const { port, host, staticDir } = config;

if (!existsSync(path.join(staticDir, 'index.html'))) {
	console.error(
		`Rollcall relay: the built app is missing (${staticDir}/index.html). Run \`npm run build\` first.`
	);
	process.exit(1);
}

let relay: ReturnType<typeof createRelay>;
try {
	relay = createRelay(config);
} catch (error) {
	console.error(`Rollcall relay: cannot open the database in ${config.dataDir}: ${(error as Error).message}`);
	process.exit(1);
}
const { server } = relay;

server.on('error', (error: NodeJS.ErrnoException) => {
	if (error.code === 'EADDRINUSE') {
		console.error(`Rollcall relay: port ${port} on ${host} is already in use. Set PORT to another port.`);
	} else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
		console.error(`Rollcall relay: cannot listen on HOST ${host}: no such address on this machine.`);
	} else {
		console.error('Rollcall relay:', error);
	}
	process.exit(1);
});

server.listen(port, host, () => {
	const address = server.address();
	const actualPort = typeof address === 'object' && address ? address.port : port;
	console.log(`Rollcall is running at ${config.publicUrl}/ (listening on ${host}, port ${actualPort})`);
	if (!isLoopbackHost(host) && isLoopbackHost(new URL(config.publicUrl).hostname)) {
		// The relay answers only the names it is configured for (hosts.ts): other machines need PUBLIC_URL.
		console.log(
			'PUBLIC_URL names this machine only: set it to the address other machines open (such as https://relay.example.org). The relay answers no other name (besides HOST), and links in mail start with it.'
		);
	}
	console.log(`Data: ${config.dataDir}`);
	const smtp = config.smtpUrl
		? smtpTransportOptions(config.smtpUrl, { plaintextHost: config.smtpPlaintextHost })
		: undefined;
	console.log(
		smtp
			? `Mail: sent through SMTP_URL (${smtp.secure ? 'TLS' : smtp.requireTLS ? 'STARTTLS required' : 'STARTTLS when the server offers it'})`
			: `Mail: kept in the mailbox at http://localhost:${actualPort}/mailbox (this machine only)`
	);
	console.log(config.smsWebhookUrl ? 'SMS: sent to SMS_WEBHOOK_URL' : 'SMS: kept in the mailbox');
	try {
		console.log(pairingInstructions(createPairingCode(relay.db).code, config.publicUrl));
	} catch (error) {
		// A full disk at start: the relay runs (and says so in its log); pairing waits until it can write.
		if (!relay.health.noteFailure(error)) throw error;
		console.error(
			'Rollcall relay: no pairing code now: the database cannot be written. Once it can, run `npm run relay -- pair`.'
		);
	}
	relay.log.info('started', `Listening on ${host}:${actualPort}`, { publicUrl: config.publicUrl });
});

function shutDown(signal: string): void {
	relay.log.info('stopping', `${signal} received, closing.`);
	relay.close().then(
		() => process.exit(0),
		() => process.exit(1)
	);
	// Open requests get a moment to finish; then the process goes anyway.
	setTimeout(() => process.exit(0), 3000).unref();
}
process.once('SIGINT', () => shutDown('SIGINT'));
process.once('SIGTERM', () => shutDown('SIGTERM'));
