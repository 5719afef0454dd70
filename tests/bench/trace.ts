// The renderer's main-thread tasks from a Chromium trace ('toplevel' category): each task's wall time and
// its thread (CPU) time. On a shared or loaded machine a task's wall time includes the time the thread
// was waiting for a core; its CPU time is what the page itself cost.
import type { CDPSession, Page } from '@playwright/test';

export interface TaskStats {
	tasks: number;
	/** Longest task, wall clock. */
	longestWall: number;
	/** Longest task, CPU time of the main thread. */
	longestCpu: number;
	/** Tasks over 50 ms, wall clock / CPU time. */
	over50Wall: number;
	over50Cpu: number;
	/** Main-thread CPU time of all tasks. */
	totalCpu: number;
}

interface TraceEvent {
	name: string;
	ph: string;
	pid: number;
	tid: number;
	dur?: number;
	tdur?: number;
	args?: { name?: string };
}

/** Stops the trace started on `cdp` and reads it back. */
async function stopTrace(cdp: CDPSession): Promise<TraceEvent[]> {
	const complete = new Promise<string | undefined>((resolve) =>
		cdp.once('Tracing.tracingComplete', (event) => resolve(event.stream))
	);
	await cdp.send('Tracing.end');
	const stream = await complete;
	if (!stream) return [];
	let text = '';
	for (;;) {
		const chunk = await cdp.send('IO.read', { handle: stream, size: 4 * 2 ** 20 });
		text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
		if (chunk.eof) break;
	}
	await cdp.send('IO.close', { handle: stream });
	const parsed = JSON.parse(text) as TraceEvent[] | { traceEvents: TraceEvent[] };
	return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

/** Runs `run` while Chromium traces (through `page`'s DevTools session), and sums up the renderer main threads' tasks. */
export async function traced<T>(page: Page, run: () => Promise<T>): Promise<{ result: T; tasks: TaskStats }> {
	const cdp = await page.context().newCDPSession(page);
	try {
		await cdp.send('Tracing.start', {
			traceConfig: { includedCategories: ['toplevel'], recordMode: 'recordAsMuchAsPossible' },
			transferMode: 'ReturnAsStream'
		});
		let result: T;
		try {
			result = await run();
		} catch (error) {
			await stopTrace(cdp).catch(() => []);
			throw error;
		}
		const traceEvents = await stopTrace(cdp);
		const mainThreads = new Set<string>();
		for (const e of traceEvents) {
			if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain') {
				mainThreads.add(`${e.pid}:${e.tid}`);
			}
		}
		const stats: TaskStats = {
			tasks: 0,
			longestWall: 0,
			longestCpu: 0,
			over50Wall: 0,
			over50Cpu: 0,
			totalCpu: 0
		};
		for (const e of traceEvents) {
			if (e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask' || !mainThreads.has(`${e.pid}:${e.tid}`))
				continue;
			const wall = (e.dur ?? 0) / 1000;
			const cpu = (e.tdur ?? e.dur ?? 0) / 1000;
			stats.tasks++;
			stats.longestWall = Math.max(stats.longestWall, wall);
			stats.longestCpu = Math.max(stats.longestCpu, cpu);
			if (wall > 50) stats.over50Wall++;
			if (cpu > 50) stats.over50Cpu++;
			stats.totalCpu += cpu;
		}
		return { result, tasks: stats };
	} finally {
		await cdp.detach().catch(() => {});
	}
}

/** Several runs' task statistics as one. */
export function mergeTasks(...all: (TaskStats | undefined)[]): TaskStats | undefined {
	const present = all.filter((s): s is TaskStats => s !== undefined);
	if (present.length === 0) return undefined;
	return present.reduce((a, b) => ({
		tasks: a.tasks + b.tasks,
		longestWall: Math.max(a.longestWall, b.longestWall),
		longestCpu: Math.max(a.longestCpu, b.longestCpu),
		over50Wall: a.over50Wall + b.over50Wall,
		over50Cpu: a.over50Cpu + b.over50Cpu,
		totalCpu: a.totalCpu + b.totalCpu
	}));
}
