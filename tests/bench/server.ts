// Starts the relay (`node src/relay/main.ts`, serving build/) on a free loopback port for the benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningServer {
	readonly url: string;
	readonly port: number;
	/** What the relay printed so far (stdout and stderr). */
	output(): string;
	stop(): Promise<void>;
}

/**
 * `preferred` if it is free on 127.0.0.1, else a port the system says is free (closed again at once, so
 * the relay can take it).
 */
async function freePort(preferred?: number): Promise<number> {
	if (preferred) {
		try {
			return await listenOn(preferred);
		} catch {
			// Taken: any port will do.
		}
	}
	return listenOn(0);
}

function listenOn(port: number): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(port, '127.0.0.1', () => {
			const address = probe.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			probe.close(() => resolve(port));
		});
	});
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string): Promise<void> {
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`The relay exited (${child.exitCode}):\n${output()}`);
		try {
			const response = await fetch(url);
			if (response.ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`The relay did not answer at ${url} within 30 s:\n${output()}`);
}

/** The `node` devDependency's Node 24 (the relay runs its TypeScript as is), else this process's Node. */
const NODE = existsSync(`${ROOT}node_modules/.bin/node`) ? `${ROOT}node_modules/.bin/node` : process.execPath;

/** Runs the relay, on `preferredPort` if it is free; `env` adds to (or overrides) this process's environment. */
export async function startServer(
	preferredPort?: number,
	env: Record<string, string> = {}
): Promise<RunningServer> {
	const port = await freePort(preferredPort);
	const child = spawn(NODE, ['src/relay/main.ts'], {
		cwd: ROOT,
		env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let log = '';
	child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
	const url = `http://127.0.0.1:${port}`;
	try {
		await waitUntilServing(`${url}/`, child, () => log);
	} catch (error) {
		child.kill();
		throw error;
	}
	return {
		url,
		port,
		output: () => log,
		stop: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
				setTimeout(() => child.kill('SIGKILL'), 5000).unref();
			})
	};
}
