// What the figures were measured on: they mean little without it.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
	cpus: number;
	cpuModel: string;
	memory: string;
	os: string;
	node: string;
	chromium: string;
	date: string;
}

function cpuModel(): string {
	try {
		const line = readFileSync('/proc/cpuinfo', 'utf8')
			.split('\n')
			.find((l) => l.startsWith('model name'));
		if (line) return line.split(':').slice(1).join(':').trim();
	} catch {
		// Not Linux: fall back to what Node reports.
	}
	return os.cpus()[0]?.model ?? 'unknown';
}

export function describeMachine(chromium: string): Machine {
	return {
		cpus: os.availableParallelism(),
		cpuModel: cpuModel(),
		memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
		os: `${os.type()} ${os.release()} (${os.arch()})`,
		node: process.version,
		chromium,
		date: new Date().toISOString().replace(/\.\d+Z$/, 'Z')
	};
}
