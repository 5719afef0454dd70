// One timed measurement of a benchmark run, logged as it goes; shared by the list and import benches.
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
