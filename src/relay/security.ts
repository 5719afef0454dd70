import { createHash } from 'node:crypto';

/** Sent with every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'no-referrer',
	'X-Frame-Options': 'DENY',
	'Cross-Origin-Opener-Policy': 'same-origin',
	'Cross-Origin-Resource-Policy': 'same-origin',
	'Permissions-Policy':
		'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()',
	// Replaced by appContentSecurityPolicy() on the app's own files; anything else (errors, future API
	// replies) may load nothing at all.
	'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
};

/**
 * Sent on every response when PUBLIC_URL is https: browsers then never try plain http for this name for a
 * year, so a network attacker cannot strip TLS from a later visit. Not includeSubDomains or preload: those
 * bind names the relay does not own; a proxy that wants them sets its own header instead.
 */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000';

/**
 * The policy for the app's pages, scripts and workers (a worker's policy comes from its own response).
 * Scripts: only files from this origin plus the inline bootstrap scripts SvelteKit writes into the page,
 * allowed by hash. Styles allow 'unsafe-inline' because SvelteKit's page and Svelte templates use style
 * attributes; style injection is a far smaller risk than script injection. Connections: this origin and
 * `connectSources`, so a stray script has nowhere else to send what it reads.
 */
export function appContentSecurityPolicy(
	inlineScriptHashes: readonly string[] = [],
	connectSources: readonly string[] = []
): string {
	const scripts = ["'self'", ...inlineScriptHashes.map((hash) => `'${hash}'`)].join(' ');
	return [
		"default-src 'self'",
		`script-src ${scripts}`,
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: blob:",
		"font-src 'self'",
		// The relay under its other names (localhost, 127.0.0.1, PUBLIC_URL) is this app's relay too.
		["connect-src 'self'", ...connectSources].join(' '),
		"worker-src 'self'",
		"manifest-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors 'none'"
	].join('; ');
}

const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;

/** sha256-... sources for every inline <script> of an HTML page (scripts with a src are left out). */
export function inlineScriptHashes(html: string): string[] {
	const hashes: string[] = [];
	for (const [, attributes = '', body = ''] of html.matchAll(INLINE_SCRIPT)) {
		if (/\bsrc\s*=/i.test(attributes)) continue;
		hashes.push(`sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}`);
	}
	return hashes;
}
