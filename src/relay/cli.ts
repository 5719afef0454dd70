// `npm run relay -- <command>`: pairing codes and device tokens, written to the same database a running
// relay reads (SQLite in WAL mode takes both), so a new code works at once. And `activate`, which stands in
// for the desktop program: it asks a running relay over HTTP, as the program would.
import { activateAt, activationUsage } from './activate-client.ts';
import { readConfig } from './config.ts';
import { pairingInstructions } from './pairing-message.ts';
import { openDatabase } from './store/database.ts';
import { createPairingCode, listDevices, revokeDevice } from './store/devices.ts';

const USAGE = `Usage:
  npm run relay -- pair                     print a new one-time pairing code
  npm run relay -- tokens list              list paired devices
  npm run relay -- tokens revoke <deviceId> revoke a device's token at once
${activationUsage}`;

const result = readConfig(process.env);
if (!result.ok) {
	for (const error of result.errors) console.error(`Rollcall relay: ${error}`);
	process.exit(1);
}
const { config } = result;
const [command, sub, argument] = process.argv.slice(2);

function time(ms: number | null): string {
	return ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

if (command === 'activate') {
	process.exitCode = await activateAt(process.argv.slice(3), process.env, config.publicUrl);
	process.exit();
}

const db = openDatabase(config.dataDir);
try {
	if (command === 'pair' && sub === undefined) {
		console.log(pairingInstructions(createPairingCode(db).code, config.publicUrl));
	} else if (command === 'tokens' && sub === 'list' && argument === undefined) {
		const devices = listDevices(db);
		if (devices.length === 0) console.log('No paired devices.');
		for (const device of devices) {
			const state = device.revokedAt === null ? 'active' : `revoked ${time(device.revokedAt)}`;
			console.log(
				`${device.id}  ${device.name}  paired ${time(device.createdAt)}  last seen ${time(device.lastSeenAt)}  ${state}`
			);
		}
	} else if (command === 'tokens' && sub === 'revoke' && argument) {
		if (revokeDevice(db, argument)) {
			console.log(`Revoked device ${argument}: its token no longer works.`);
		} else {
			console.error(`No active device with id ${argument} (see: npm run relay -- tokens list).`);
			process.exitCode = 1;
		}
	} else {
		console.error(USAGE);
		process.exitCode = 2;
	}
} finally {
	db.close();
}
