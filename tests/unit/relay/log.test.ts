import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../src/relay/config.ts';
import { createLogger, type LogLevel } from '../../../src/relay/log.ts';
import { startTestRelay } from './harness.ts';

function collect(options: { level?: LogLevel; format?: 'text' | 'json' } = {}) {
	const lines: { line: string; level: LogLevel }[] = [];
	const log = createLogger({
		...options,
		now: () => new Date('2026-12-07T10:00:00.000Z'),
		write: (line, level) => lines.push({ line, level })
	});
	return { log, lines };
}

describe('the operator log', () => {
	it('writes one text line per event with its facts, and nothing below the level', () => {
		const { log, lines } = collect({ level: 'info' });
		log.debug('detail', 'not shown');
		log.info('batch-accepted', 'Accepted 3 messages', { device: 'd1', accepted: 3, note: 'two words' });
		log.warn('signin-failed', 'Wrong password');
		expect(lines).toEqual([
			{
				line: '2026-12-07T10:00:00.000Z INFO  batch-accepted: Accepted 3 messages device=d1 accepted=3 note="two words"',
				level: 'info'
			},
			{ line: '2026-12-07T10:00:00.000Z WARN  signin-failed: Wrong password', level: 'warn' }
		]);
	});

	it('writes JSON objects, one a line, for log collectors', () => {
		const { log, lines } = collect({ format: 'json' });
		log.error('disk', 'Cannot write', { retryAfter: 5, skipped: undefined });
		expect(JSON.parse(lines[0]!.line)).toEqual({
			time: '2026-12-07T10:00:00.000Z',
			level: 'error',
			event: 'disk',
			message: 'Cannot write',
			retryAfter: 5
		});
	});

	it('cannot be made to write a second, forged line', () => {
		const { log, lines } = collect();
		log.warn('signin-failed', 'Wrong password for x\n2026 INFO  fake: line', { name: 'a\r\nb' });
		expect(lines).toHaveLength(1);
		expect(lines[0]!.line).not.toMatch(/[\r\n]/);
		expect(lines[0]!.line).toContain('\\u000a');
	});

	it('takes LOG_LEVEL and LOG_FORMAT from the environment and refuses unknown values', () => {
		const good = readConfig({ LOG_LEVEL: 'WARN', LOG_FORMAT: 'json' });
		expect(good.ok && good.config.logLevel).toBe('warn');
		expect(good.ok && good.config.logFormat).toBe('json');
		const bad = readConfig({ LOG_LEVEL: 'loud', LOG_FORMAT: 'xml' });
		expect(bad.ok).toBe(false);
		expect(!bad.ok && bad.errors).toEqual([
			'LOG_LEVEL must be one of debug, info, warn, error, but it is "loud".',
			'LOG_FORMAT must be one of text, json, but it is "xml".'
		]);
	});
});

describe("the relay's log of a running relay", () => {
	it('says when a device pairs and when a request is refused, by its code, never with the code typed', async () => {
		const relay = await startTestRelay();
		try {
			await relay.pair('Front desk iPad');
			const paired = relay.logs.find((line) => line.event === 'paired');
			expect(paired).toMatchObject({ level: 'info', name: 'Front desk iPad' });
			expect(typeof paired?.device).toBe('string');

			const wrongCode = await fetch(`${relay.url}/api/pair`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ code: 'ABCD-EFGH', deviceName: 'Laptop' })
			});
			expect(wrongCode.status).toBe(401);
			const noToken = await fetch(`${relay.url}/api/events`);
			expect(noToken.status).toBe(401);
			const refusals = relay.logs.filter((line) => line.event === 'request-refused');
			expect(refusals).toEqual([
				expect.objectContaining({
					level: 'warn',
					status: 401,
					reason: 'pairing-code-unknown',
					path: '/api/pair'
				}),
				expect.objectContaining({ level: 'warn', status: 401, reason: 'unauthorized', path: '/api/events' })
			]);
			expect(JSON.stringify(relay.logs)).not.toContain('ABCD');
		} finally {
			await relay.close();
		}
	});
});
