import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from './harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let relay: TestRelay;

beforeAll(async () => {
	relay = await startTestRelay();
});
afterAll(async () => {
	await relay.close();
});

function cli(...args: string[]): { status: number | null; out: string } {
	const run = spawnSync(path.join(ROOT, 'node_modules/.bin/node'), ['src/relay/cli.ts', ...args], {
		cwd: ROOT,
		env: { ...process.env, RELAY_DATA_DIR: relay.dataDir, PUBLIC_URL: relay.url },
		encoding: 'utf8',
		timeout: 20_000
	});
	return { status: run.status, out: run.stdout + run.stderr };
}

describe('npm run relay -- ...', () => {
	it(
		'prints a pairing code the running relay accepts, lists devices and revokes one',
		{ timeout: 60_000 },
		async () => {
			const paired = cli('pair');
			expect(paired.status).toBe(0);
			const code = /Pairing code: ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(paired.out)?.[1] ?? '';
			expect(paired.out).toContain(`otherwise enter ${relay.url} there first`);
			const response = await fetch(`${relay.url}/api/pair`, {
				method: 'POST',
				body: JSON.stringify({ code, deviceName: 'Reception laptop' })
			});
			expect(response.status).toBe(200);
			const { token, deviceId } = (await response.json()) as { token: string; deviceId: string };

			const list = cli('tokens', 'list');
			expect(list.out).toMatch(new RegExp(`${deviceId}  Reception laptop  paired .* active`));
			expect(list.out).not.toContain(token);

			expect(cli('tokens', 'revoke', deviceId)).toMatchObject({ status: 0 });
			expect(cli('tokens', 'list').out).toMatch(new RegExp(`${deviceId}  Reception laptop .* revoked`));
			expect((await relay.send(token, [])).status).toBe(401);
			expect(cli('tokens', 'revoke', deviceId).status).toBe(1);
			expect(cli('nonsense').status).toBe(2);
		}
	);
});
