// The relay's operator log: one line per event that matters to whoever runs it (pairing, accepted batches,
// deliveries, bounces, activations, failed sign-ins, refused requests). Never a secret: callers pass no
// token, password, code or link, and `fields` are written as given, so they must be plain facts.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

/** Facts about an event: short values only (ids, counts, statuses, addresses of peers, reasons). */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
	debug(event: string, message: string, fields?: LogFields): void;
	info(event: string, message: string, fields?: LogFields): void;
	warn(event: string, message: string, fields?: LogFields): void;
	error(event: string, message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
	readonly level?: LogLevel;
	readonly format?: LogFormat;
	/** Where a finished line goes (tests collect them); stderr for warn and error, stdout otherwise. */
	readonly write?: (line: string, level: LogLevel) => void;
	readonly now?: () => Date;
}

// Anything that could end a log line or fake another one is shown escaped.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu;

function plain(value: string): string {
	return value.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function textValue(value: string | number | boolean | null): string {
	if (typeof value !== 'string') return String(value);
	const safe = plain(value);
	return /^[^\s"=]+$/u.test(safe) ? safe : JSON.stringify(safe);
}

function defaultWrite(line: string, level: LogLevel): void {
	if (level === 'warn' || level === 'error') process.stderr.write(`${line}\n`);
	else process.stdout.write(`${line}\n`);
}

/** A logger writing lines at `level` and above, as `text` (time level event message key=value) or `json`. */
export function createLogger(options: LoggerOptions = {}): Logger {
	const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
	const format = options.format ?? 'text';
	const write = options.write ?? defaultWrite;
	const now = options.now ?? (() => new Date());
	const log =
		(level: LogLevel) =>
		(event: string, message: string, fields: LogFields = {}): void => {
			if (LOG_LEVELS.indexOf(level) < threshold) return;
			const time = now().toISOString();
			const facts = Object.entries(fields).filter(
				(entry): entry is [string, string | number | boolean | null] => entry[1] !== undefined
			);
			if (format === 'json') {
				write(JSON.stringify({ time, level, event, message, ...Object.fromEntries(facts) }), level);
				return;
			}
			const tail = facts.map(([key, value]) => ` ${key}=${textValue(value)}`).join('');
			write(`${time} ${level.toUpperCase().padEnd(5)} ${event}: ${plain(message)}${tail}`, level);
		};
	return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** Writes nothing: the default inside tests and library use, where no one reads a log. */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => {} });
