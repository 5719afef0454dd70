import { createReadStream, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { COMPRESSIBLE, contentType } from './content-types.ts';
import { appContentSecurityPolicy, inlineScriptHashes } from './security.ts';

export interface StaticOptions {
	/** The directory to serve (the `build/` that `vite build` writes). */
	readonly root: string;
	/** Served for any path that names no file, so that the client-side router can render it. */
	readonly fallback?: string;
	/** Origins besides its own the app may connect to: the relay's other names (asked per response). */
	readonly connectSources?: () => readonly string[];
}

/** Answers one request from the files under `root`. It always answers (404, 405...). */
export type StaticHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

const MIN_COMPRESS_BYTES = 1024;
const IMMUTABLE = 'public, max-age=31536000, immutable';

const compressors = {
	br: (data: Buffer) =>
		promisify(brotliCompress)(data, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } }),
	gzip: (data: Buffer) => promisify(gzip)(data, { level: 9 })
};
type Encoding = keyof typeof compressors;

/** One file read from disk, with what is derived from it, kept until the file changes. */
interface CachedFile {
	readonly version: string;
	readonly content: Buffer;
	readonly variants: Map<Encoding, Promise<Buffer>>;
	readonly scriptHashes: string[];
}

class HttpError extends Error {
	readonly status: number;
	constructor(status: number, message: string) {
		super(message);
		this.status = status;
	}
}

export function createStaticHandler({
	root,
	fallback = 'index.html',
	connectSources = () => []
}: StaticOptions): StaticHandler {
	const rootDir = path.resolve(root);
	const cache = new Map<string, CachedFile>();

	async function load(file: string, stats: Stats, type: string): Promise<CachedFile> {
		const version = `${stats.size}-${Math.trunc(stats.mtimeMs)}`;
		const cached = cache.get(file);
		if (cached?.version === version) return cached;
		const content = await readFile(file);
		const scriptHashes = type.startsWith('text/html') ? inlineScriptHashes(content.toString('utf8')) : [];
		const entry: CachedFile = { version, content, variants: new Map(), scriptHashes };
		cache.set(file, entry);
		return entry;
	}

	return async (request, response) => {
		try {
			if (request.method !== 'GET' && request.method !== 'HEAD') {
				response.setHeader('Allow', 'GET, HEAD');
				throw new HttpError(405, 'Method not allowed');
			}
			const found = await resolveFile(rootDir, request.url ?? '/', fallback);
			await send(request, response, found, load, (hashes) =>
				appContentSecurityPolicy(hashes, connectSources())
			);
		} catch (error) {
			if (!(error instanceof HttpError)) throw error;
			response.writeHead(error.status, { 'Content-Type': 'text/plain; charset=utf-8' });
			response.end(request.method === 'HEAD' ? undefined : `${error.message}\n`);
		}
	};
}

interface FoundFile {
	readonly file: string;
	readonly stats: Stats;
	readonly urlPath: string;
}

/** Maps a request URL to a file under rootDir, refusing anything that would leave it. */
async function resolveFile(rootDir: string, url: string, fallback: string): Promise<FoundFile> {
	let urlPath: string;
	try {
		// The raw path, not URL's normalised one: a request that tries `..` is refused, not quietly redirected.
		const target = url.startsWith('/') ? url : new URL(url).pathname;
		urlPath = decodeURIComponent(target.replace(/[?#].*$/s, ''));
	} catch {
		throw new HttpError(400, 'Bad request');
	}
	const segments = urlPath.split('/');
	if (urlPath.includes('\0') || urlPath.includes('\\') || segments.some((s) => s === '..' || s === '.')) {
		throw new HttpError(400, 'Bad request');
	}
	if (segments.some((s) => s.startsWith('.') && s !== '.well-known')) throw new HttpError(404, 'Not found');

	const file = path.join(rootDir, urlPath);
	if (file !== rootDir && !file.startsWith(rootDir + path.sep)) throw new HttpError(400, 'Bad request');

	const candidates = urlPath.endsWith('/')
		? [path.join(file, 'index.html')]
		: [file, path.join(file, 'index.html'), `${file}.html`];
	for (const candidate of candidates) {
		const stats = await stat(candidate).catch(() => undefined);
		if (stats?.isFile()) return { file: candidate, stats, urlPath };
	}
	// A path with an extension names a file, and a missing file must not turn into a page.
	if (path.extname(urlPath) !== '') throw new HttpError(404, 'Not found');
	const shell = path.join(rootDir, fallback);
	const stats = await stat(shell).catch(() => undefined);
	if (!stats?.isFile()) throw new HttpError(404, 'Not found');
	return { file: shell, stats, urlPath };
}

async function send(
	request: IncomingMessage,
	response: ServerResponse,
	{ file, stats, urlPath }: FoundFile,
	load: (file: string, stats: Stats, type: string) => Promise<CachedFile>,
	policy: (inlineScriptHashes: readonly string[] | undefined) => string
): Promise<void> {
	const type = contentType(file);
	const etag = `W/"${stats.size.toString(16)}-${Math.trunc(stats.mtimeMs).toString(16)}"`;
	const isCompressible = COMPRESSIBLE.test(type) && stats.size >= MIN_COMPRESS_BYTES;
	const isHtml = type.startsWith('text/html');
	// A page needs the hashes of its inline scripts in its policy, even on a 304 (which updates the
	// browser's stored headers).
	const entry = isHtml ? await load(file, stats, type) : undefined;

	response.setHeader('Content-Type', type);
	response.setHeader('Cache-Control', urlPath.startsWith('/_app/immutable/') ? IMMUTABLE : 'no-cache');
	response.setHeader('ETag', etag);
	response.setHeader('Last-Modified', stats.mtime.toUTCString());
	// Workers take their policy from their own script's response, so every app file carries it.
	response.setHeader('Content-Security-Policy', policy(entry?.scriptHashes));
	if (isCompressible) response.setHeader('Vary', 'Accept-Encoding');

	const ifNoneMatch = request.headers['if-none-match'];
	if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
		response.statusCode = 304;
		response.end();
		return;
	}

	const encoding = isCompressible ? pickEncoding(request.headers['accept-encoding']) : undefined;
	if (!entry && !encoding) {
		response.setHeader('Content-Length', stats.size);
		if (request.method === 'HEAD') response.end();
		// A client that goes away mid-file is not an error worth reporting; pipeline closes both ends.
		else await pipeline(createReadStream(file), response).catch(() => {});
		return;
	}

	const { content, variants } = entry ?? (await load(file, stats, type));
	let body = content;
	if (encoding) {
		let variant = variants.get(encoding);
		if (!variant) variants.set(encoding, (variant = compressors[encoding](content)));
		body = await variant;
		response.setHeader('Content-Encoding', encoding);
	}
	response.setHeader('Content-Length', body.length);
	response.end(request.method === 'HEAD' ? undefined : body);
}

/** br if the client takes it, else gzip, else nothing; honours q=0. */
export function pickEncoding(header: string | string[] | undefined): Encoding | undefined {
	const accepted = new Set<string>();
	for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
		const [name = '', ...params] = part.trim().toLowerCase().split(';');
		const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
		if (name && (q === undefined || Number(q.slice(2)) > 0)) accepted.add(name);
	}
	if (accepted.has('br')) return 'br';
	if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
	return undefined;
}
