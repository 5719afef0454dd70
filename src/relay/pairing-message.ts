import { PAIRING_CODE_MINUTES } from './store/devices.ts';

/**
 * What the relay prints with a fresh pairing code: the code, how long it lasts, where it goes. The quoted
 * names are the Settings page's own (src/routes/settings/RelaySection.svelte), so the two read alike.
 */
export function pairingInstructions(code: string, publicUrl: string): string {
	return [
		`Pairing code: ${code} (valid for ${PAIRING_CODE_MINUTES} minutes, once)`,
		`To pair Rollcall with this relay: in Rollcall open Settings > Relay, type this code as "Pairing code",`,
		`give the device a "Device name" and press "Pair". "Relay address" stays empty when Rollcall was opened`,
		`from this relay; otherwise enter ${publicUrl} there first. Another code: npm run relay -- pair`
	].join('\n');
}
