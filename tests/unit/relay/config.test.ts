import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, readConfig } from '../../../src/relay/config.ts';

describe('readConfig', () => {
	it('defaults to port 4173 on 127.0.0.1', () => {
		expect(readConfig({})).toMatchObject({ ok: true, config: { port: 4173, host: '127.0.0.1' } });
		expect(readConfig({ PORT: '', HOST: ' ' })).toMatchObject({
			ok: true,
			config: { port: 4173, host: '127.0.0.1' }
		});
	});

	it('takes PORT and HOST from the environment', () => {
		expect(readConfig({ PORT: '8080', HOST: '0.0.0.0' })).toMatchObject({
			ok: true,
			config: { port: 8080, host: '0.0.0.0' }
		});
		expect(readConfig({ PORT: '1' })).toMatchObject({ ok: true, config: { port: 1 } });
		expect(readConfig({ PORT: '65535', HOST: '::1' })).toMatchObject({ ok: true, config: { port: 65535 } });
	});

	it.each(['0', '65536', '-1', '80.5', '8o80', 'abc', '1e3', '0x50'])(
		'refuses PORT=%s with a clear message',
		(port) => {
			const result = readConfig({ PORT: port });
			expect(result).toEqual({
				ok: false,
				errors: [`PORT must be a whole number from 1 to 65535, but it is "${port}".`]
			});
		}
	);

	it('reports every problem at once', () => {
		const result = readConfig({ PORT: 'http', HOST: 'http://example.com' });
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.errors).toHaveLength(2);
	});
});

describe('the relay settings', () => {
	it('has working defaults: data in ./relay-data, mail and SMS in the mailbox', () => {
		const result = readConfig({ PORT: '5000' }, '/srv/rollcall');
		expect(result).toEqual({
			ok: true,
			config: {
				port: 5000,
				host: '127.0.0.1',
				dataDir: path.resolve('/srv/rollcall/relay-data'),
				staticDir: path.resolve(import.meta.dirname, '../../../build'),
				publicUrl: 'http://localhost:5000',
				allowedOrigins: [],
				smtpUrl: undefined,
				smtpPlaintextHost: undefined,
				mailFrom: { name: 'Rollcall', address: 'rollcall@localhost' },
				smsWebhookUrl: undefined,
				smsWebhookToken: undefined,
				activationTtlHours: 72,
				initialPasswordTtlHours: 72,
				passwordHashing: { atOnce: 2, waiting: 16 },
				rateLimits: DEFAULT_RATE_LIMITS,
				trustedProxies: [],
				connectionLimits: { total: 1000, perAddress: 100 },
				logLevel: 'info',
				logFormat: 'text'
			}
		});
	});

	it('reads every variable', () => {
		const result = readConfig(
			{
				RELAY_DATA_DIR: 'data',
				RELAY_STATIC_DIR: '/srv/app',
				PUBLIC_URL: 'https://relay.example.org/',
				ALLOWED_ORIGINS: 'https://admin.example.org, http://localhost:5173',
				SMTP_URL: 'smtps://user:secret@mail.example.org:465',
				MAIL_FROM: 'Example Admin <admin@example.org>',
				SMS_WEBHOOK_URL: 'https://sms.example.org/send',
				SMS_WEBHOOK_TOKEN: 'abc',
				ACTIVATION_TTL_HOURS: '24',
				RATE_LIMIT_REQUESTS_PER_MINUTE: '10',
				RATE_LIMIT_MESSAGES_PER_RECIPIENT_PER_HOUR: '2',
				RATE_LIMIT_SIGNIN_FAILURES_PER_15_MINUTES: '3',
				RATE_LIMIT_PAIR_ATTEMPTS_PER_15_MINUTES: '4',
				INITIAL_PASSWORD_TTL_HOURS: '12',
				PASSWORD_HASHES_AT_ONCE: '1',
				PASSWORD_HASHES_WAITING: '0'
			},
			'/srv/rollcall'
		);
		expect(result).toMatchObject({
			ok: true,
			config: {
				dataDir: path.resolve('/srv/rollcall/data'),
				staticDir: path.resolve('/srv/app'),
				publicUrl: 'https://relay.example.org',
				allowedOrigins: ['https://admin.example.org', 'http://localhost:5173'],
				smtpUrl: 'smtps://user:secret@mail.example.org:465',
				mailFrom: { name: 'Example Admin', address: 'admin@example.org' },
				smsWebhookUrl: 'https://sms.example.org/send',
				smsWebhookToken: 'abc',
				activationTtlHours: 24,
				initialPasswordTtlHours: 12,
				passwordHashing: { atOnce: 1, waiting: 0 },
				rateLimits: {
					requestsPerMinute: 10,
					messagesPerRecipientPerHour: 2,
					signInFailuresPer15Minutes: 3,
					pairAttemptsPer15Minutes: 4
				}
			}
		});
	});

	it('lists every problem in plain words, never showing a secret', () => {
		const result = readConfig({
			PUBLIC_URL: 'relay.example.org',
			ALLOWED_ORIGINS: 'https://ok.example.org,https://admin.example.org/path',
			SMTP_URL: 'http://user:hunter2@mail.example.org',
			SMS_WEBHOOK_TOKEN: 'secret-token',
			ACTIVATION_TTL_HOURS: '0',
			RATE_LIMIT_REQUESTS_PER_MINUTE: 'many'
		});
		expect(result).toEqual({
			ok: false,
			errors: [
				'PUBLIC_URL must be the address people open the relay at, such as https://relay.example.org, but it is "relay.example.org".',
				'ALLOWED_ORIGINS must be a comma-separated list of origins such as https://admin.example.org (scheme, host and port only), but "https://admin.example.org/path" is not one.',
				'SMTP_URL must look like smtp://user:password@mail.example.org:587 or smtps://mail.example.org:465, but it does not (its value is not shown because it may hold a password).',
				'SMS_WEBHOOK_TOKEN is set but SMS_WEBHOOK_URL is not: set both, or neither.',
				'ACTIVATION_TTL_HOURS must be a whole number from 1 to 8760, but it is "0".',
				'RATE_LIMIT_REQUESTS_PER_MINUTE must be a whole number from 1 to 1000000, but it is "many".'
			]
		});
		expect(JSON.stringify(result)).not.toContain('hunter2');
	});

	it('reads the per-device message caps, and refuses a day smaller than its hour', () => {
		expect(readConfig({}, '/srv')).toMatchObject({
			config: { rateLimits: { messagesPerDevicePerHour: 1000, messagesPerDevicePerDay: 5000 } }
		});
		expect(
			readConfig({
				RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR: '2000',
				RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY: '20000'
			})
		).toMatchObject({
			config: { rateLimits: { messagesPerDevicePerHour: 2000, messagesPerDevicePerDay: 20000 } }
		});
		expect(readConfig({ RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR: '1.5' })).toEqual({
			ok: false,
			errors: [
				'RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR must be a whole number from 1 to 1000000, but it is "1.5".'
			]
		});
		expect(
			readConfig({
				RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR: '600',
				RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY: '500'
			})
		).toEqual({
			ok: false,
			errors: [
				'RATE_LIMIT_MESSAGES_PER_DEVICE_PER_DAY (500) must be at least RATE_LIMIT_MESSAGES_PER_DEVICE_PER_HOUR (600): a day holds every hour of it.'
			]
		});
	});

	it('refuses an initial-password lifetime or a hashing bound out of range', () => {
		expect(
			readConfig({
				INITIAL_PASSWORD_TTL_HOURS: '0',
				PASSWORD_HASHES_AT_ONCE: '0',
				PASSWORD_HASHES_WAITING: '-1'
			})
		).toEqual({
			ok: false,
			errors: [
				'INITIAL_PASSWORD_TTL_HOURS must be a whole number from 1 to 8760, but it is "0".',
				'PASSWORD_HASHES_AT_ONCE must be a whole number from 1 to 64, but it is "0".',
				'PASSWORD_HASHES_WAITING must be a whole number from 0 to 10000, but it is "-1".'
			]
		});
	});

	it('needs MAIL_FROM with SMTP_URL, and refuses a From that could carry a header', () => {
		expect(readConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toEqual({
			ok: false,
			errors: ['MAIL_FROM is required when SMTP_URL is set: the address mail is sent from.']
		});
		for (const from of [
			'a@example.org, b@example.org',
			'Eve <a@example.org>\r\nBcc: x@example.org',
			'not an address'
		]) {
			const result = readConfig({ MAIL_FROM: from });
			expect(result.ok).toBe(false);
		}
	});
});

describe('SMTP without TLS', () => {
	const withSmtp = (env: Record<string, string>) => readConfig({ MAIL_FROM: 'rollcall@example.org', ...env });

	it("is allowed only for the host SMTP_ALLOW_PLAINTEXT names, which must be SMTP_URL's", () => {
		expect(
			withSmtp({
				SMTP_URL: 'smtp://u:p@Mail.Internal.example:25',
				SMTP_ALLOW_PLAINTEXT: 'mail.internal.example'
			})
		).toMatchObject({ ok: true, config: { smtpPlaintextHost: 'mail.internal.example' } });
		expect(withSmtp({ SMTP_URL: 'smtp://mail.example.org:587' })).toMatchObject({
			ok: true,
			config: { smtpPlaintextHost: undefined }
		});
		expect(
			withSmtp({
				SMTP_URL: 'smtp://u:hunter2@mail.example.org:587',
				SMTP_ALLOW_PLAINTEXT: 'other.example.org'
			})
		).toEqual({
			ok: false,
			errors: [
				'SMTP_ALLOW_PLAINTEXT must name the host of SMTP_URL (mail.example.org) to let it go without TLS, but it is "other.example.org".'
			]
		});
		expect(withSmtp({ SMTP_ALLOW_PLAINTEXT: 'mail.example.org' })).toEqual({
			ok: false,
			errors: [
				'SMTP_ALLOW_PLAINTEXT is set but SMTP_URL is not: it names the mail server that may receive the password without TLS.'
			]
		});
		expect(
			withSmtp({ SMTP_URL: 'smtps://mail.example.org', SMTP_ALLOW_PLAINTEXT: 'mail.example.org' })
		).toEqual({
			ok: false,
			errors: ['SMTP_ALLOW_PLAINTEXT is not needed with smtps://, which is always encrypted: remove it.']
		});
	});

	it('cannot be asked for through settings in SMTP_URL', () => {
		for (const query of ['?requireTLS=false', '?ignoreTLS=true', '?tls.rejectUnauthorized=false']) {
			const result = withSmtp({ SMTP_URL: `smtp://u:hunter2@mail.example.org:587${query}` });
			expect(result).toEqual({
				ok: false,
				errors: [
					'SMTP_URL takes no settings after a "?": the relay sets TLS, pooling and timeouts itself (its value is not shown because it may hold a password).'
				]
			});
		}
	});
});

describe('the boundary settings (boundary)', () => {
	it('reads TRUSTED_PROXIES and the connection caps', () => {
		expect(
			readConfig({
				TRUSTED_PROXIES: ' loopback, 10.0.0.0/8 ,192.0.2.7, 2001:DB8::/32',
				MAX_CONNECTIONS: '50',
				MAX_CONNECTIONS_PER_ADDRESS: '5'
			})
		).toMatchObject({
			ok: true,
			config: {
				trustedProxies: ['loopback', '10.0.0.0/8', '192.0.2.7', '2001:db8::/32'],
				connectionLimits: { total: 50, perAddress: 5 }
			}
		});
	});

	it('refuses a proxy entry that is not an address or range, in plain words', () => {
		expect(readConfig({ TRUSTED_PROXIES: 'loopback,nginx,10.0.0.0/33', MAX_CONNECTIONS: '0' })).toEqual({
			ok: false,
			errors: [
				'TRUSTED_PROXIES must be a comma-separated list of "loopback", IP addresses and ranges such as 10.0.0.0/8, but "nginx" is not one.',
				'TRUSTED_PROXIES must be a comma-separated list of "loopback", IP addresses and ranges such as 10.0.0.0/8, but "10.0.0.0/33" is not one.',
				'MAX_CONNECTIONS must be a whole number from 1 to 1000000, but it is "0".'
			]
		});
	});
});

describe('the relay command', () => {
	it('exits with the message when PORT is invalid, before it touches anything else', () => {
		const main = path.resolve(import.meta.dirname, '../../../src/relay/main.ts');
		const run = spawnSync(process.execPath, [main], {
			env: { ...process.env, PORT: '99999' },
			encoding: 'utf8',
			timeout: 10_000
		});
		expect(run.status).toBe(1);
		expect(run.stderr).toContain('PORT must be a whole number from 1 to 65535, but it is "99999".');
		// Longer than the child's own 10 s: spawnSync holds the test's clock until the child ends, so a slow
		// start (Node loading the relay: over 5 s with four suites on this 2-core machine) failed a passing run.
	}, 20_000);
});
