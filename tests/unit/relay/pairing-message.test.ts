import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pairingInstructions } from '../../../src/relay/pairing-message.ts';

const SETTINGS = readFileSync(
	path.resolve(import.meta.dirname, '../../../src/routes/settings/RelaySection.svelte'),
	'utf8'
);

describe('the pairing instructions the relay prints', () => {
	const text = pairingInstructions('K7QD-M2XP', 'https://relay.example.org');

	it('name only fields and buttons the Settings page shows', () => {
		const quoted = [...text.matchAll(/"([^"]+)"/g)].map((match) => match[1] ?? '');
		expect(quoted).toEqual(['Pairing code', 'Device name', 'Pair', 'Relay address']);
		for (const name of quoted) {
			expect(SETTINGS, name).toMatch(new RegExp(`[>'\\n]\\s*${name}\\s*[<'\\n]`));
		}
		expect(SETTINGS).toContain('<h2 id="relay-title">Relay</h2>');
	});

	it('give the code, and the address to enter when the app comes from elsewhere', () => {
		expect(text).toContain('Pairing code: K7QD-M2XP');
		expect(text).toContain('enter https://relay.example.org there first');
	});
});
