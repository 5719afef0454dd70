import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../src/relay/config.ts';

describe('readConfig', () => {
	it('defaults to port 4173 on 127.0.0.1', () => {
		expect(readConfig({})).toEqual({ ok: true, config: { port: 4173, host: '127.0.0.1' } });
		expect(readConfig({ PORT: '', HOST: ' ' })).toEqual({
			ok: true,
			config: { port: 4173, host: '127.0.0.1' }
		});
	});

	it('takes PORT and HOST from the environment', () => {
		expect(readConfig({ PORT: '8080', HOST: '0.0.0.0' })).toEqual({
			ok: true,
			config: { port: 8080, host: '0.0.0.0' }
		});
		expect(readConfig({ PORT: '1' })).toMatchObject({ ok: true, config: { port: 1 } });
		expect(readConfig({ PORT: '65535', HOST: '::1' })).toMatchObject({ ok: true, config: { port: 65535 } });
	});

	it.each(['0', '65536', '-1', '80.5', '8o80', 'abc', '1e3', '0x50'])(
		'refuses PORT=%s with a clear message',
		(port) => {
			const result = readConfig({ PORT: port });
			expect(result).toEqual({
				ok: false,
				errors: [`PORT must be a whole number from 1 to 65535, but it is "${port}".`]
			});
		}
	);

	it('reports every problem at once', () => {
		const result = readConfig({ PORT: 'http', HOST: 'http://example.com' });
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.errors).toHaveLength(2);
	});
});

describe('the relay command', () => {
	it('exits with the message when PORT is invalid, before it touches anything else', () => {
		const main = path.resolve(import.meta.dirname, '../../../src/relay/main.ts');
		const run = spawnSync(process.execPath, [main], {
			env: { ...process.env, PORT: '99999' },
			encoding: 'utf8',
			timeout: 10_000
		});
		expect(run.status).toBe(1);
		expect(run.stderr).toContain('PORT must be a whole number from 1 to 65535, but it is "99999".');
	});
});
