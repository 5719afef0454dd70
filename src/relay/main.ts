// Starts the relay: `node src/relay/main.ts` (after `npm run build`). Settings come from PORT and HOST.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readConfig } from './config.ts';
import { createRelayServer } from './server.ts';

const staticDir = path.resolve(import.meta.dirname, '../../build');

const result = readConfig(process.env);
if (!result.ok) {
	for (const error of result.errors) console.error(`Rollcall relay: ${error}`);
	process.exit(1);
}
const { port, host } = result.config;

if (!existsSync(path.join(staticDir, 'index.html'))) {
	console.error(
		`Rollcall relay: the built app is missing (${staticDir}/index.html). Run \`npm run build\` first.`
	);
	process.exit(1);
}

const server = createRelayServer({ staticDir });

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
	const isLocal = ['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'].includes(host);
	const shownHost = isLocal ? 'localhost' : host.includes(':') ? `[${host}]` : host;
	console.log(`Rollcall is running at http://${shownHost}:${actualPort}/ (listening on ${host})`);
});

function shutDown(signal: string): void {
	console.log(`Rollcall relay: ${signal} received, closing.`);
	server.close(() => process.exit(0));
	server.closeIdleConnections();
	// Open requests get a moment to finish; then the process goes anyway.
	setTimeout(() => process.exit(0), 3000).unref();
}
process.once('SIGINT', () => shutDown('SIGINT'));
process.once('SIGTERM', () => shutDown('SIGTERM'));
