import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickEncoding } from '../../../src/relay/static.ts';
import { startRelay, type TestRelay } from './serve.ts';

const BOOTSTRAP = 'console.log("start the app")';
const INDEX_HTML = `<!doctype html><html><head><script type="module" src="/_app/immutable/entry/app.js"></script></head><body><script>${BOOTSTRAP}</script></body></html>`;
const APP_JS = `export const app = ${JSON.stringify('x'.repeat(4000))};\n`;

let relay: TestRelay;

beforeAll(async () => {
	relay = await startRelay({
		'index.html': INDEX_HTML,
		'_app/immutable/entry/app.js': APP_JS,
		'_app/immutable/assets/app.css': 'body { margin: 0 }\n',
		'_app/version.json': '{"version":"1"}',
		'service-worker.js': `self.addEventListener('fetch', () => {});\n${'//'.repeat(800)}`,
		'manifest.webmanifest': '{"name":"Rollcall"}',
		'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
		'icons/icon-192.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
		'fonts/inter.woff2': Buffer.from('wOF2'),
		'about.html': '<!doctype html><title>About</title>',
		'.env': 'SECRET=1'
	});
	// Beside build/, where a path that escapes it would land.
	await writeFile(path.join(relay.dir, 'secret.txt'), 'top secret');
});

afterAll(async () => {
	await relay.close();
});

describe('the static file handler', () => {
	it('serves index.html for / with no-cache and every security header', async () => {
		const response = await relay.request('/');
		expect(response.status).toBe(200);
		expect(response.body.toString()).toBe(INDEX_HTML);
		expect(response.headers).toMatchObject({
			'content-type': 'text/html; charset=utf-8',
			'cache-control': 'no-cache',
			'x-content-type-options': 'nosniff',
			'referrer-policy': 'no-referrer',
			'x-frame-options': 'DENY'
		});
		expect(response.headers['permissions-policy']).toContain('camera=()');
		expect(response.headers['content-length']).toBe(String(Buffer.byteLength(INDEX_HTML)));
	});

	it("allows the page's inline bootstrap script by hash, and nothing else inline", async () => {
		const csp = String((await relay.request('/')).headers['content-security-policy']);
		const hash = createHash('sha256').update(BOOTSTRAP).digest('base64');
		const scriptSrc = csp.split('; ').find((directive) => directive.startsWith('script-src '));
		expect(scriptSrc).toBe(`script-src 'self' 'sha256-${hash}'`);
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).toContain("object-src 'none'");
		expect(csp).not.toContain('unsafe-eval');
	});

	it('answers unknown routes with the app shell, so that the client-side router renders them', async () => {
		for (const route of ['/users', '/users/42/edit', '/import?step=2#preview']) {
			const response = await relay.request(route);
			expect(response.status, route).toBe(200);
			expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
			expect(response.body.toString()).toBe(INDEX_HTML);
		}
	});

	it('serves a prerendered page for its extension-less path', async () => {
		const response = await relay.request('/about');
		expect(response.body.toString()).toContain('<title>About</title>');
	});

	it('answers 404, not the app, for a missing file with an extension', async () => {
		for (const missing of ['/missing.js', '/_app/immutable/chunks/gone.js', '/icons/nope.png']) {
			const response = await relay.request(missing);
			expect(response.status, missing).toBe(404);
			expect(response.body.toString()).not.toContain('<html');
		}
	});

	it.each([
		['/_app/immutable/entry/app.js', 'text/javascript; charset=utf-8'],
		['/_app/immutable/assets/app.css', 'text/css; charset=utf-8'],
		['/_app/version.json', 'application/json; charset=utf-8'],
		['/manifest.webmanifest', 'application/manifest+json; charset=utf-8'],
		['/favicon.svg', 'image/svg+xml'],
		['/icons/icon-192.png', 'image/png'],
		['/fonts/inter.woff2', 'font/woff2']
	])('serves %s as %s', async (file, type) => {
		const response = await relay.request(file);
		expect(response.status).toBe(200);
		expect(response.headers['content-type']).toBe(type);
	});

	it('lets browsers keep hashed build files forever, and revalidate everything else', async () => {
		const immutable = await relay.request('/_app/immutable/entry/app.js');
		expect(immutable.headers['cache-control']).toBe('public, max-age=31536000, immutable');
		for (const file of ['/service-worker.js', '/manifest.webmanifest', '/index.html', '/_app/version.json']) {
			expect((await relay.request(file)).headers['cache-control'], file).toBe('no-cache');
		}
	});

	it('ignores the query string (Workbox adds __WB_REVISION__ when it precaches)', async () => {
		const response = await relay.request('/service-worker.js?__WB_REVISION__=123');
		expect(response.status).toBe(200);
		expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
	});

	it('compresses with gzip or br when the client accepts it', async () => {
		const gzipped = await relay.request('/_app/immutable/entry/app.js', {
			headers: { 'Accept-Encoding': 'gzip, deflate' }
		});
		expect(gzipped.headers['content-encoding']).toBe('gzip');
		expect(gzipped.headers.vary).toBe('Accept-Encoding');
		expect(Number(gzipped.headers['content-length'])).toBe(gzipped.body.length);
		expect(gunzipSync(gzipped.body).toString()).toBe(APP_JS);

		const brotli = await relay.request('/_app/immutable/entry/app.js', {
			headers: { 'Accept-Encoding': 'gzip, deflate, br' }
		});
		expect(brotli.headers['content-encoding']).toBe('br');
		expect(brotliDecompressSync(brotli.body).toString()).toBe(APP_JS);
	});

	it('sends the bytes as they are without Accept-Encoding, and never compresses PNGs', async () => {
		const plain = await relay.request('/_app/immutable/entry/app.js');
		expect(plain.headers['content-encoding']).toBeUndefined();
		expect(plain.body.toString()).toBe(APP_JS);
		const png = await relay.request('/icons/icon-192.png', { headers: { 'Accept-Encoding': 'gzip, br' } });
		expect(png.headers['content-encoding']).toBeUndefined();
	});

	it('answers HEAD with the headers of GET and no body', async () => {
		const get = await relay.request('/_app/immutable/entry/app.js', {
			headers: { 'Accept-Encoding': 'gzip' }
		});
		const head = await relay.request('/_app/immutable/entry/app.js', {
			method: 'HEAD',
			headers: { 'Accept-Encoding': 'gzip' }
		});
		expect(head.status).toBe(200);
		expect(head.body.length).toBe(0);
		for (const name of ['content-type', 'content-length', 'content-encoding', 'cache-control', 'etag']) {
			expect(head.headers[name], name).toBe(get.headers[name]);
		}
		const shell = await relay.request('/some/route', { method: 'HEAD' });
		expect(shell.status).toBe(200);
		expect(shell.headers['content-length']).toBe(String(Buffer.byteLength(INDEX_HTML)));
		expect(shell.body.length).toBe(0);
	});

	it('answers 304 when the ETag still matches', async () => {
		const first = await relay.request('/manifest.webmanifest');
		const etag = first.headers.etag ?? '';
		expect(etag).not.toBe('');
		const again = await relay.request('/manifest.webmanifest', { headers: { 'If-None-Match': etag } });
		expect(again.status).toBe(304);
		expect(again.body.length).toBe(0);
	});

	it('refuses other methods', async () => {
		const response = await relay.request('/', { method: 'POST' });
		expect(response.status).toBe(405);
		expect(response.headers.allow).toBe('GET, HEAD');
	});

	it.each([
		'/../secret.txt',
		'/../../../../etc/passwd',
		'/%2e%2e/secret.txt',
		'/..%2fsecret.txt',
		'/%2e%2e%2fsecret.txt',
		'/icons/..%2f..%2f..%2fsecret.txt',
		'/icons/..%5c..%5csecret.txt',
		'/%00/index.html',
		'/%E0%A4%A'
	])('refuses the path %s', async (attack) => {
		const response = await relay.request(attack);
		expect(response.status).toBeGreaterThanOrEqual(400);
		expect(response.status).toBeLessThan(500);
		expect(response.body.toString()).not.toContain('top secret');
		expect(response.body.toString()).not.toContain('root:');
	});

	it('does not serve dotfiles', async () => {
		expect((await relay.request('/.env')).status).toBe(404);
	});
});

describe('pickEncoding', () => {
	it.each([
		[undefined, undefined],
		['', undefined],
		['identity', undefined],
		['gzip', 'gzip'],
		['br;q=1.0, gzip;q=0.8', 'br'],
		['br;q=0, gzip', 'gzip'],
		['gzip;q=0', undefined],
		['*', 'gzip']
	])('%s -> %s', (header, expected) => {
		expect(pickEncoding(header)).toBe(expected);
	});
});
