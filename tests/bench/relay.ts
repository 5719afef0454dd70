// `npm run bench:relay`: the relay under a loopback load. Spawns the real relay (SMTP to a local
// smtp-server), loads POST /api/messages with autocannon (one message per request, then batches of 100,
// every message new), waits until the SMTP server has every mail, and writes the figures into the
// "Relay" section of BENCHMARKS.md. Timings are of this machine and this run.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { DatabaseSync } from 'node:sqlite';
import { SMTPServer } from 'smtp-server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DURATION_S = Number(process.env.RELAY_BENCH_SECONDS ?? 3);
const CONNECTIONS = 10;

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

let mails = 0;
const smtp = new SMTPServer({
	authOptional: true,
	disabledCommands: ['STARTTLS', 'AUTH'],
	logger: false,
	onData(stream, _session, callback) {
		stream.resume();
		stream.on('end', () => {
			mails += 1;
			callback();
		});
	}
});
const smtpPort = await freePort();
await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));

const dir = await mkdtemp(path.join(os.tmpdir(), 'rollcall-relay-bench-'));
await mkdir(path.join(dir, 'build'));
await writeFile(path.join(dir, 'build/index.html'), '<!doctype html><title>bench</title>');
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const relay = spawn(path.join(ROOT, 'node_modules/.bin/node'), ['src/relay/main.ts'], {
	cwd: ROOT,
	env: {
		...process.env,
		PORT: String(port),
		PUBLIC_URL: url,
		RELAY_DATA_DIR: path.join(dir, 'data'),
		RELAY_STATIC_DIR: path.join(dir, 'build'),
		SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
		MAIL_FROM: 'rollcall@example.org',
		RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
		RATE_LIMIT_MESSAGES_PER_RECIPIENT_PER_HOUR: '1000000',
		RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR: '1000000',
		RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY: '10000000'
	},
	stdio: ['ignore', 'pipe', 'inherit']
});
const code = await new Promise<string>((resolve, reject) => {
	let out = '';
	relay.stdout.on('data', (chunk: Buffer) => {
		out += chunk.toString();
		const match = /Pairing code: ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(out);
		if (match?.[1]) resolve(match[1]);
	});
	relay.once('exit', () => reject(new Error(`The relay exited:\n${out}`)));
});
const { token } = (await (
	await fetch(`${url}/api/pair`, { method: 'POST', body: JSON.stringify({ code, deviceName: 'bench' }) })
).json()) as { token: string };

let sequence = 0;
function message(): object {
	sequence += 1;
	const key = `bench-${sequence.toString().padStart(12, '0')}-${process.pid}`;
	return {
		idempotencyKey: key,
		template: 'activation',
		to: `person${sequence}@example.com`,
		user: { id: `user-${sequence}`, firstName: 'Bench', lastName: 'Person' }
	};
}

interface Run {
	readonly label: string;
	readonly requestsPerSecond: number;
	readonly messagesPerSecond: number;
	readonly p50: number;
	readonly p99: number;
	readonly errors: number;
	readonly non2xx: number;
}

async function load(label: string, batchSize: number): Promise<Run> {
	const result = await autocannon({
		url: `${url}/api/messages`,
		method: 'POST',
		connections: CONNECTIONS,
		duration: DURATION_S,
		headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
		requests: [
			{
				setupRequest: (request) => ({
					...request,
					body: JSON.stringify({ messages: Array.from({ length: batchSize }, message) })
				})
			}
		]
	});
	return {
		label,
		requestsPerSecond: result.requests.average,
		messagesPerSecond: result.requests.average * batchSize,
		p50: result.latency.p50,
		p99: result.latency.p99,
		errors: result.errors,
		non2xx: result.non2xx
	};
}

console.error(`Relay at ${url}, paired; loading for ${DURATION_S} s per run...`);
const started = Date.now();
const runs = [await load('1 message per request', 1), await load('100 messages per request', 100)];
const loadEnded = Date.now();
console.error('Load done; waiting for delivery...');
// Requests cut off when a run ends may or may not have been accepted: the database says what was.
const db = new DatabaseSync(path.join(dir, 'data/relay.sqlite'), { readOnly: true });
const count = (where: string): number =>
	(db.prepare(`SELECT count(*) AS n FROM messages ${where}`).get() as { n: number }).n;
// Requests still in flight when a run ended are committed after it: wait for the count to settle too.
await new Promise((resolve) => setTimeout(resolve, 1000));
while (count("WHERE state IN ('queued', 'sending')") > 0) {
	await new Promise((resolve) => setTimeout(resolve, 1000));
	console.error(`${mails} mails received, ${count("WHERE state IN ('queued', 'sending')")} to go`);
}
const accepted = count('');
db.close();
const drained = Date.now();
relay.kill('SIGTERM');
await new Promise((resolve) => relay.once('exit', resolve));
await new Promise<void>((resolve) => smtp.close(() => resolve()));
await rm(dir, { recursive: true, force: true });

const number = (value: number, digits = 0): string =>
	value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const section = [
	'<!-- relay-bench:start (written by `npm run bench:relay`) -->',
	'## Relay',
	'',
	`\`npm run bench:relay\` (tests/bench/relay.ts): the relay process on loopback, SMTP delivery to a local`,
	`smtp-server, autocannon with ${CONNECTIONS} connections for ${DURATION_S} s per row; every message is new`,
	'(accepted = committed to SQLite with synchronous=FULL before the answer), delivery running meanwhile.',
	'',
	'|  |  |',
	'| --- | --- |',
	`| Date | ${new Date(started).toISOString().replace(/\.\d+Z$/, 'Z')} |`,
	`| CPU | ${os.cpus()[0]?.model ?? 'unknown'}, ${os.availableParallelism()} cores |`,
	`| Node | ${process.version} |`,
	`| Load average (1 min) at the end | ${number(os.loadavg()[0] ?? 0, 1)} |`,
	'',
	'| load | requests/s | messages accepted/s | p50 latency | p99 latency | errors / non-2xx |',
	'| --- | ---: | ---: | ---: | ---: | ---: |',
	...runs.map(
		(run) =>
			`| ${run.label} | ${number(run.requestsPerSecond)} | ${number(run.messagesPerSecond)} | ${run.p50} ms | ${run.p99} ms | ${run.errors} / ${run.non2xx} |`
	),
	'',
	`All ${number(accepted)} accepted messages (${number(mails)} mails received) were delivered ${number((drained - loadEnded) / 1000, 1)} s after the load ended`,
	`(${number(accepted / ((drained - started) / 1000))} mails/s over the whole run).`,
	'<!-- relay-bench:end -->'
].join('\n');

const file = path.join(ROOT, 'BENCHMARKS.md');
const current = readFileSync(file, 'utf8');
const pattern = /<!-- relay-bench:start[\s\S]*?<!-- relay-bench:end -->/;
writeFileSync(
	file,
	pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`
);
console.log(section);
