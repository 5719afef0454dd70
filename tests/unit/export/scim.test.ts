import { describe, expect, it, vi } from 'vitest';
import { customKey } from '../../../src/lib/domain/fields';
import { defaultPolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import { createWriter } from '../../../src/lib/export/writer';
import { MAX_JSON_DEPTH, readScim } from '../../../src/lib/import/scim';
import { readSource } from '../../../src/lib/import/pipeline';
import type { Parsed } from '../../../src/lib/domain/result';
import { request, storedUser, text, writeAll } from './helpers';

const messageOf = (result: Parsed<unknown>) => (result.ok ? 'read without a problem' : result.message);

const policy: FieldPolicy = {
	...defaultPolicy,
	costCenter: 'optional',
	manager: 'optional',
	city: 'optional',
	country: 'optional',
	customerCode: 'optional',
	[customKey('Badge colour')]: 'optional'
};

const ada = storedUser(
	{
		firstName: 'Ada',
		lastName: 'Lovelace',
		email: 'ada@example.com',
		mobilePhone: '+447911123456',
		businessPhone: '+442079460958',
		company: 'Example Ltd',
		department: 'Research',
		costCenter: 'CC-1',
		manager: 'grace@example.com',
		city: 'London',
		country: 'GB',
		customerCode: '000123',
		[customKey('Badge colour')]: 'red'
	},
	{ status: 'Suspended', lastLoginAt: 0 }
);

describe('SCIM export', () => {
	it("gives every user a distinct userName, even when one's username is another's email", () => {
		const bob = storedUser({ email: 'bob@example.com' }, { id: 2 });
		const robert = storedUser({ email: 'robert@example.com', username: 'bob@example.com' }, { id: 3 });
		const writer = createWriter(request({ format: 'scim', total: 2 }, policy));
		const { Resources } = JSON.parse(text(writeAll(writer, [bob, robert]))) as {
			Resources: { userName: string }[];
		};
		expect(Resources.map((r) => r.userName)).toEqual(['bob@example.com', 'robert@example.com']);
	});

	it('is a ListResponse of core Users with the enterprise and Rollcall extensions', () => {
		const writer = createWriter(request({ format: 'scim', total: 2 }, policy));
		const document = JSON.parse(text(writeAll(writer, [ada, { ...ada, id: 2, email: 'b@example.com' }]))) as {
			Resources: unknown[];
		};
		expect(document).toMatchObject({
			schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
			totalResults: 2,
			startIndex: 1,
			itemsPerPage: 2
		});
		expect(document.Resources).toHaveLength(2);
		expect(document.Resources[0]).toEqual({
			schemas: [
				'urn:ietf:params:scim:schemas:core:2.0:User',
				'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
				'urn:rollcall:params:scim:schemas:extension:rollcall:2.0:User'
			],
			id: '1',
			userName: 'ada@example.com',
			name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
			userType: 'Standard',
			active: false,
			emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
			phoneNumbers: [
				{ value: '+447911123456', type: 'mobile' },
				{ value: '+442079460958', type: 'work' }
			],
			addresses: [{ type: 'work', locality: 'London', country: 'GB', primary: true }],
			meta: {
				resourceType: 'User',
				created: '2026-01-02T03:04:05.000Z',
				lastModified: '2026-02-02T03:04:05.000Z'
			},
			'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
				department: 'Research',
				costCenter: 'CC-1',
				manager: { value: 'grace@example.com' }
			},
			'urn:rollcall:params:scim:schemas:extension:rollcall:2.0:User': {
				site: 'HQ',
				company: 'Example Ltd',
				customerCode: '000123',
				status: 'Suspended',
				activatedAt: '2026-01-03T08:00:00.000Z',
				lastLoginAt: null,
				customAttributes: { 'Badge colour': 'red' }
			}
		});
		expect(writer.fileName(1, 1)).toBe('rollcall-users-2026-12-07.json');
		expect(writer.mimeType).toBe('application/scim+json');
	});

	it('keeps a custom attribute named like a JavaScript internal, and leaves out times it does not know', () => {
		const proto = customKey('__proto__');
		const writer = createWriter(request({ format: 'scim' }, { ...policy, [proto]: 'optional' }));
		const user = { ...ada, [proto]: 'kept', createdAt: 0 };
		const document = JSON.parse(text(writeAll(writer, [user]))) as {
			Resources: Record<string, { customAttributes?: unknown } & Record<string, unknown>>[];
		};
		const resource = document.Resources[0]!;
		const extension = resource['urn:rollcall:params:scim:schemas:extension:rollcall:2.0:User']!;
		expect(Object.entries(extension.customAttributes as object)).toEqual([
			['Badge colour', 'red'],
			['__proto__', 'kept']
		]);
		// xsd:dateTime has no empty form: a meta time Rollcall lacks is absent, not ''.
		expect(resource.meta).toEqual({ resourceType: 'User', lastModified: '2026-02-02T03:04:05.000Z' });
	});

	it('never carries a license key (a credential), even when the policy shows it, but carries the licenses', () => {
		const shown: FieldPolicy = { ...policy, licenseKey: 'optional', entitlements: 'optional' };
		const user = { ...ada, licenseKey: '54K0H-RTK2C-EYHJ8-DRH3A', entitlements: 'Desktop' };
		const written = text(writeAll(createWriter(request({ format: 'scim' }, shown)), [user]));
		expect(written).not.toContain('54K0H');
		expect(written).toContain('"entitlements":"Desktop"');
	});

	it('names the enterprise extension in schemas only when the user has its attributes', () => {
		const writer = createWriter(request({ format: 'scim' }));
		const plain = storedUser({ email: 'p@example.com' });
		const document = JSON.parse(text(writeAll(writer, [plain]))) as { Resources: Record<string, unknown>[] };
		const resource = document.Resources[0]!;
		expect(resource.schemas).toEqual([
			'urn:ietf:params:scim:schemas:core:2.0:User',
			'urn:rollcall:params:scim:schemas:extension:rollcall:2.0:User'
		]);
		expect(Object.keys(resource).some((key) => key.includes(':enterprise:'))).toBe(false);
	});

	it('leaves out what a user has nothing for, and escapes any text', () => {
		const writer = createWriter(request({ format: 'scim', total: 2 }, policy));
		const odd = 'Say "hi"\n\\ \u2028 \u00e9 \u0001';
		const sparse = storedUser({ lastName: odd, email: 'b@example.com', country: 'FR' });
		const bare = storedUser({ email: 'c@example.com' }, { id: 3, lastLoginAt: 0, activatedAt: null });
		const resources = (
			JSON.parse(text(writeAll(writer, [sparse, bare]))) as { Resources: Record<string, unknown>[] }
		).Resources;
		expect(resources[0]).toMatchObject({
			name: { familyName: odd, formatted: odd },
			addresses: [{ type: 'work', country: 'FR', primary: true }]
		});
		expect(Object.keys(resources[0]!)).not.toContain('phoneNumbers');
		expect(Object.keys(resources[1]!)).toEqual([
			'schemas',
			'id',
			'userName',
			'userType',
			'active',
			'emails',
			'meta',
			'urn:rollcall:params:scim:schemas:extension:rollcall:2.0:User'
		]);
		expect(resources[1]!['urn:rollcall:params:scim:schemas:extension:rollcall:2.0:User']).toEqual({
			site: 'HQ',
			status: 'Active',
			activatedAt: null,
			lastLoginAt: null
		});
	});

	it('is valid JSON with no users too', () => {
		const writer = createWriter(request({ format: 'scim', total: 0 }));
		expect(JSON.parse(text(writeAll(writer, [])))).toMatchObject({ totalResults: 0, Resources: [] });
	});
});

describe('SCIM import', () => {
	const okta = {
		schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
		USERNAME: 'bjensen@example.com',
		Name: { GivenName: 'Barbara', familyname: 'Jensen' },
		displayName: 'Babs Jensen',
		Emails: [
			{ value: 'home@example.com', type: 'home' },
			{ value: 'bjensen@example.com', type: 'Work', primary: true }
		],
		phoneNumbers: [{ value: 'tel:+1-201-555-0123', type: 'work' }],
		'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': {
			employeeNumber: 701984,
			department: 'Tour'
		}
	};

	it('reads a ListResponse, an array of Users and one User, names compared case-insensitively', () => {
		for (const document of [
			{ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, resources: [okta] },
			[okta],
			okta
		]) {
			const table = readScim(JSON.stringify(document), 'users.json');
			expect(table).toEqual({
				ok: true,
				value: {
					headers: [
						'First name',
						'Last name',
						'Display name',
						'Email',
						'Username',
						'Business phone',
						'Department',
						'Employee number'
					],
					rows: [
						[
							'Barbara',
							'Jensen',
							'Babs Jensen',
							'bjensen@example.com',
							'bjensen@example.com',
							'+1-201-555-0123',
							'Tour',
							'701984'
						]
					]
				}
			});
		}
	});

	it('never lets a custom attribute named like a field or a status column overwrite it', () => {
		const user = {
			userName: 'a@example.com',
			name: { givenName: 'Ada' },
			'urn:rollcall:params:scim:schemas:extension:rollcall:2.0:User': {
				status: 'Active',
				customAttributes: { 'First name': 'Mallory', Status: 'Suspended', Badge: 'red' }
			}
		};
		const read = readScim(JSON.stringify(user), 'x.json');
		expect(read).toEqual({
			ok: true,
			value: {
				headers: ['First name', 'Badge', 'Status'],
				rows: [['Ada', 'red', 'Active']]
			}
		});
	});

	it('lists the keys of an object once however many attributes it looks up (a user with 1,000 keys)', () => {
		const wide = {
			userName: 'w@example.com',
			...Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]))
		};
		const keys = vi.spyOn(Object, 'keys');
		try {
			const read = readScim(JSON.stringify([wide]), 'wide.json');
			expect(read.ok && read.value.rows).toEqual([['w@example.com']]);
			const listings = keys.mock.calls.filter(([node]) => node !== null && Object.hasOwn(node, 'k0'));
			expect(listings).toHaveLength(1);
		} finally {
			keys.mockRestore();
		}
	});

	it('skips resources that are not Users (a Group), and says so when none is', () => {
		const group = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Tour' };
		const both = readScim(JSON.stringify({ Resources: [group, okta] }), 'x.json');
		expect(both.ok && both.value.rows).toHaveLength(1);
		const none = readScim(JSON.stringify({ Resources: [group] }), 'groups.json');
		expect(messageOf(none)).toMatch('“groups.json” has no SCIM User');
		// An empty ListResponse may leave Resources out: it is SCIM, with no one in it.
		const empty = { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0 };
		expect(messageOf(readScim(JSON.stringify(empty), 'empty.json'))).toMatch('“empty.json” has no SCIM User');
	});

	it('names the file when it is not JSON, not SCIM, or nested too deep', () => {
		expect(messageOf(readScim('{"Resources": [', 'cut.json'))).toMatch(/^“cut\.json” is not valid JSON/u);
		expect(messageOf(readScim('{"name": "a config file"}', 'config.json'))).toMatch(
			/^“config\.json” is JSON but not SCIM users/u
		);
		const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
		expect(messageOf(readScim(deep, 'deep.json'))).toMatch('“deep.json” nests');
		// A million brackets would overflow a recursive parser: refused before JSON.parse sees them.
		expect(readScim('['.repeat(1_000_000), 'bomb.json').ok).toBe(false);
		// Brackets inside strings are text, not nesting.
		expect(readScim(JSON.stringify({ ...okta, title: '[[[[{{{{'.repeat(20) }), 'ok.json').ok).toBe(true);
	});

	it('is chosen by content or by name, and the file-size limit applies first', () => {
		const bytes = new TextEncoder().encode(JSON.stringify([okta]));
		const limits = { maxFileBytes: 1 << 20, maxRows: 10 };
		expect(readSource({ name: 'export.txt', bytes }, { limits })).toMatchObject({
			ok: true,
			value: { format: 'scim' }
		});
		const notJson = new TextEncoder().encode('First name,Email\r\nAda,ada@example.com\r\n');
		expect(messageOf(readSource({ name: 'users.json', bytes: notJson }, { limits }))).toMatch(
			/^“users\.json” is not valid JSON/u
		);
		expect(
			messageOf(readSource({ name: 'x.json', bytes }, { limits: { ...limits, maxFileBytes: 10 } }))
		).toMatch(/^x\.json is/u);
		const many = new TextEncoder().encode(JSON.stringify(Array.from({ length: 11 }, () => okta)));
		expect(messageOf(readSource({ name: 'x.json', bytes: many }, { limits }))).toMatch('11 rows');
	});
});
