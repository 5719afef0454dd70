// One timed measurement of a benchmark run, logged as it goes, and a bench's section of BENCHMARKS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/** What a run keeps of its sections: the load each started under, and the failures for the report. */
export interface SectionLog {
	load: { section: string; loadAverage: number }[];
	errors: { section: string; message: string }[];
}

/** Runs one measurement; a failure is kept in `log` for the report (and still fails the test). */
export async function section<T>(log: SectionLog, name: string, run: () => Promise<T>): Promise<T> {
	log.load.push({ section: name, loadAverage: os.loadavg()[0]! });
	const started = performance.now();
	console.log(`[bench] ${name}…`);
	try {
		const result = await run();
		console.log(`[bench] ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
		return result;
	} catch (error) {
		log.errors.push({ section: name, message: error instanceof Error ? error.message : String(error) });
		throw error;
	}
}

/**
 * Puts a bench's section into BENCHMARKS.md: replaces what lies from `<!-- name:start` to `<!-- name:end -->`
 * (the text carries both markers), or appends it; the rest of the file is left as it is.
 */
export function replaceSection(file: string, name: string, text: string): void {
	const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
	const endMarker = `<!-- ${name}:end -->`;
	const start = current.indexOf(`<!-- ${name}:start`);
	const end = current.indexOf(endMarker);
	writeFileSync(
		file,
		start >= 0 && end > start
			? current.slice(0, start) + text + current.slice(end + endMarker.length)
			: `${current.trimEnd()}\n\n${text}\n`
	);
	console.log(text);
}
