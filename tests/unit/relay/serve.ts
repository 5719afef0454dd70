// Helpers for the relay tests: a real relay on a free loopback port, and raw HTTP requests (fetch would
// normalise `..` in paths and decompress bodies, hiding what the server actually sent).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRelayServer } from '../../../src/relay/server.ts';

export interface RawResponse {
	status: number;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

export interface TestRelay {
	/** The temporary directory holding `files`; the relay serves its `build/` subdirectory. */
	readonly dir: string;
	request(
		urlPath: string,
		options?: { method?: string; headers?: Record<string, string> }
	): Promise<RawResponse>;
	close(): Promise<void>;
}

/** Writes `files` (path -> content) under a temporary build/ and starts the relay on it. */
export async function startRelay(files: Record<string, string | Buffer>): Promise<TestRelay> {
	const dir = await mkdtemp(path.join(tmpdir(), 'rollcall-relay-'));
	const staticDir = path.join(dir, 'build');
	for (const [name, content] of Object.entries(files)) {
		const file = path.join(staticDir, name);
		await mkdir(path.dirname(file), { recursive: true });
		await writeFile(file, content);
	}
	const server: Server = createRelayServer({ staticDir, boundary: { publicUrl: 'http://localhost' } });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	return {
		dir,
		request: (urlPath, { method = 'GET', headers = {} } = {}) =>
			new Promise((resolve, reject) => {
				const req = httpRequest({ host: '127.0.0.1', port, path: urlPath, method, headers }, (res) => {
					const chunks: Buffer[] = [];
					res.on('data', (chunk: Buffer) => chunks.push(chunk));
					res.on('end', () =>
						resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
					);
					res.on('error', reject);
				});
				req.on('error', reject);
				req.end();
			}),
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			await rm(dir, { recursive: true, force: true });
		}
	};
}
