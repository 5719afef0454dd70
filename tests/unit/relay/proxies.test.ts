import { describe, expect, it } from 'vitest';
import { parseProxyEntry, plainAddress, TrustedProxies } from '../../../src/relay/proxies.ts';

describe('which client a request comes from', () => {
	const proxies = new TrustedProxies(['loopback', '10.0.0.0/8', '2001:db8::/32']);

	it('is the peer when the peer is no trusted proxy, whatever the header says', () => {
		expect(new TrustedProxies([]).clientOf('127.0.0.1', '203.0.113.1')).toBe('127.0.0.1');
		expect(proxies.clientOf('::ffff:198.51.100.4', '203.0.113.1')).toBe('198.51.100.4');
	});

	it('is the nearest hop a trusted proxy names that is not a trusted proxy itself', () => {
		expect(proxies.clientOf('::ffff:127.0.0.1', '198.51.100.1, 203.0.113.1, 10.1.2.3')).toBe('203.0.113.1');
		expect(proxies.clientOf('::1', '2001:DB9::9, 2001:db8::1')).toBe('2001:db9::9');
		expect(proxies.clientOf('::1', '[2001:db9::7]:443')).toBe('2001:db9::7');
		expect(proxies.clientOf('127.0.0.1', '203.0.113.1:5678')).toBe('203.0.113.1');
		expect(proxies.clientOf('127.0.0.1', '::ffff:203.0.113.2')).toBe('203.0.113.2');
	});

	it('stops at the last trusted hop when the header holds no address there', () => {
		expect(proxies.clientOf('127.0.0.1', '203.0.113.1, unknown')).toBe('127.0.0.1');
		expect(proxies.clientOf('127.0.0.1', '_hidden, 10.0.0.5')).toBe('10.0.0.5');
		expect(proxies.clientOf('127.0.0.1', undefined)).toBe('127.0.0.1');
		// Every hop trusted: the farthest one is the client.
		expect(proxies.clientOf('127.0.0.1', '10.0.0.1, 10.0.0.2')).toBe('10.0.0.1');
	});

	it('reads TRUSTED_PROXIES entries', () => {
		expect(
			['loopback', 'LOOPBACK', '192.0.2.1', '10.0.0.0/8', '::1', 'fd00::/8'].map(parseProxyEntry)
		).toEqual(['loopback', 'loopback', '192.0.2.1', '10.0.0.0/8', '::1', 'fd00::/8']);
		for (const bad of ['nginx', '10.0.0.0/33', '10.0.0.0/8/1', '::1/129', '10.0.0/8', '10.0.0.0/x']) {
			expect(parseProxyEntry(bad), bad).toBeUndefined();
		}
		expect(plainAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1');
	});
});
