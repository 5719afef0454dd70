import { createHash } from 'node:crypto';

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Marks a string as already-escaped HTML. */
export interface Html {
	readonly html: string;
}

/** html`...`: interpolated strings are escaped, Html values and arrays of them are kept. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
	let out = strings[0] ?? '';
	values.forEach((value, index) => {
		out += render(value) + (strings[index + 1] ?? '');
	});
	return { html: out };
}

function render(value: unknown): string {
	if (value === undefined || value === null || value === false) return '';
	if (Array.isArray(value)) return value.map(render).join('');
	if (typeof value === 'object') return 'html' in value ? (value as Html).html : '';
	if (typeof value === 'string') return escapeHtml(value);
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return '';
}

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0 auto; max-width: 32rem; padding: 1.5rem 1rem; }
h1 { font-size: 1.5rem; }
label { display: block; font-weight: 600; margin-top: 1rem; }
input { box-sizing: border-box; width: 100%; font: inherit; padding: 0.6rem; margin-top: 0.25rem; }
button { font: inherit; margin-top: 1.25rem; padding: 0.6rem 1.2rem; cursor: pointer; }
:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.hint { color: #555; font-size: 0.9rem; margin: 0.25rem 0 0; }
.error { color: #b91c1c; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.4rem; border-bottom: 1px solid #8884; vertical-align: top; }
pre { white-space: pre-wrap; word-break: break-word; }
@media (prefers-color-scheme: dark) { .hint { color: #bbb; } .error { color: #f87171; } }
`;

/** The relay pages' one stylesheet, allowed by hash: the pages run no script at all. */
export const PAGE_CONTENT_SECURITY_POLICY = [
	"default-src 'none'",
	`style-src 'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`,
	"form-action 'self'",
	"frame-ancestors 'none'",
	"base-uri 'none'"
].join('; ');

/** A whole page: the relay's pages share one plain layout that works at phone width. */
export function page(title: string, body: Html): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${escapeHtml(title)} - Rollcall</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body.html}
</main>
</body>
</html>
`;
}
