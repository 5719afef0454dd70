import { PAIRING_CODE_MINUTES } from './store/devices.ts';

/** What the relay prints with a fresh pairing code: the code, how long it lasts, where it goes. */
export function pairingInstructions(code: string, publicUrl: string): string {
	return [
		`Pairing code: ${code} (valid for ${PAIRING_CODE_MINUTES} minutes, once)`,
		`To connect Rollcall to this relay: open Rollcall, go to Settings > Relay, enter the relay address`,
		`${publicUrl} and this code. For another code later: npm run relay -- pair`
	].join('\n');
}
