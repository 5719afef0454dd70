// Lighthouse (the `lighthouse` devDependency's CLI) against the running app, with the system Chromium in
// headless mode and the same flags as every other test here. Lighthouse starts its own Chromium with a
// fresh profile and clears the origin's storage first: it measures a first visit (an empty directory).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../scripts/chromium.ts';

const CLI = fileURLToPath(new URL('../../node_modules/lighthouse/cli/index.js', import.meta.url));

export { CHROMIUM, CHROMIUM_FLAGS };

export interface LighthouseRun {
	performance: number;
	accessibility: number;
	metrics: Record<string, string>;
	/** Audits that scored below 1 (accessibility ones make the score under 100). */
	failing: { category: string; id: string; title: string; score: number }[];
	version: string;
}

interface Lhr {
	lighthouseVersion: string;
	runtimeError?: { message: string };
	categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
	audits: Record<
		string,
		{ title: string; score: number | null; scoreDisplayMode: string; displayValue?: string }
	>;
}

/** One Lighthouse desktop run of `url` (performance and accessibility). */
export async function runLighthouse(url: string): Promise<LighthouseRun> {
	const dir = mkdtempSync(path.join(tmpdir(), 'rollcall-lighthouse-'));
	const output = path.join(dir, 'report.json');
	try {
		await new Promise<void>((resolve, reject) => {
			execFile(
				process.execPath,
				[
					CLI,
					url,
					'--preset=desktop',
					'--only-categories=performance,accessibility',
					'--output=json',
					`--output-path=${output}`,
					'--quiet',
					`--chrome-flags=--headless=new ${CHROMIUM_FLAGS.join(' ')}`
				],
				{ env: { ...process.env, CHROME_PATH: CHROMIUM }, timeout: 180_000, maxBuffer: 64 * 2 ** 20 },
				(error, _stdout, stderr) =>
					error ? reject(new Error(`Lighthouse failed: ${error.message}\n${stderr}`)) : resolve()
			);
		});
		const lhr = JSON.parse(readFileSync(output, 'utf8')) as Lhr;
		if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.message}`);
		const score = (id: string) => Math.round((lhr.categories[id]?.score ?? NaN) * 100);
		const metrics: Record<string, string> = {};
		for (const id of [
			'first-contentful-paint',
			'largest-contentful-paint',
			'total-blocking-time',
			'cumulative-layout-shift',
			'speed-index'
		]) {
			metrics[lhr.audits[id]?.title ?? id] = lhr.audits[id]?.displayValue ?? '?';
		}
		const failing: LighthouseRun['failing'] = [];
		for (const [category, { auditRefs }] of Object.entries(lhr.categories)) {
			for (const { id, weight } of auditRefs) {
				const audit = lhr.audits[id];
				if (!audit || audit.score === null || audit.score >= 1 || audit.scoreDisplayMode === 'informative')
					continue;
				if (category === 'accessibility' || weight > 0)
					failing.push({ category, id, title: audit.title, score: audit.score });
			}
		}
		return {
			performance: score('performance'),
			accessibility: score('accessibility'),
			metrics,
			failing,
			version: lhr.lighthouseVersion
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
