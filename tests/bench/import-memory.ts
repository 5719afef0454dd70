// Memory while an import runs: the JavaScript heap of the page and of each of its workers (DevTools'
// Runtime.getHeapUsage, the import worker reached through target auto-attach), sampled every half second;
// the peak of each is reported.
import type { CDPSession, Page } from '@playwright/test';

export interface MemoryPeaks {
	/** Largest used JS heap of the page's main thread, bytes. */
	pageHeap: number;
	/** Largest used JS heap of any worker of the page, bytes (0 when no worker could be reached). */
	workerHeap: number;
	/** Largest sum of the two at one sample. */
	totalHeap: number;
	samples: number;
}

interface HeapUsage {
	usedSize: number;
	totalSize: number;
}

/** Starts sampling; the returned function stops and gives the peaks. */
export async function sampleMemory(page: Page, everyMs = 500): Promise<() => Promise<MemoryPeaks>> {
	const cdp: CDPSession = await page.context().newCDPSession(page);
	const workers = new Set<string>();
	let nextId = 1;
	const waiting = new Map<number, (usage: HeapUsage | undefined) => void>();
	cdp.on('Target.attachedToTarget', (event) => {
		if (event.targetInfo.type === 'worker') workers.add(event.sessionId);
	});
	cdp.on('Target.detachedFromTarget', (event) => {
		if (event.sessionId) workers.delete(event.sessionId);
	});
	cdp.on('Target.receivedMessageFromTarget', (event) => {
		const message = JSON.parse(event.message) as { id?: number; result?: HeapUsage };
		if (message.id !== undefined) waiting.get(message.id)?.(message.result);
	});
	// flatten: false keeps these sessions to this CDP session, apart from Playwright's own.
	await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
	const workerHeap = (sessionId: string) =>
		new Promise<number>((resolve) => {
			const id = nextId++;
			const timer = setTimeout(() => finish(undefined), 2000);
			const finish = (usage: HeapUsage | undefined) => {
				clearTimeout(timer);
				waiting.delete(id);
				resolve(usage?.usedSize ?? 0);
			};
			waiting.set(id, finish);
			cdp
				.send('Target.sendMessageToTarget', {
					sessionId,
					message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' })
				})
				.catch(() => finish(undefined));
		});
	const peaks: MemoryPeaks = { pageHeap: 0, workerHeap: 0, totalHeap: 0, samples: 0 };
	let isRunning = true;
	const loop = (async () => {
		while (isRunning) {
			try {
				const page = (await cdp.send('Runtime.getHeapUsage')).usedSize;
				let worker = 0;
				for (const sessionId of workers) worker = Math.max(worker, await workerHeap(sessionId));
				peaks.pageHeap = Math.max(peaks.pageHeap, page);
				peaks.workerHeap = Math.max(peaks.workerHeap, worker);
				peaks.totalHeap = Math.max(peaks.totalHeap, page + worker);
				peaks.samples++;
			} catch {
				// The page is navigating or closing: the next sample will tell.
			}
			await new Promise((resolve) => setTimeout(resolve, everyMs));
		}
	})();
	return async () => {
		isRunning = false;
		await loop;
		await cdp.detach().catch(() => undefined);
		return peaks;
	};
}
