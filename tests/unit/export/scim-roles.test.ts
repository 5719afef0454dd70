import { describe, expect, it } from 'vitest';
import { defaultPolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import { SCIM_ROLLCALL } from '../../../src/lib/export/scim-schema';
import { createWriter } from '../../../src/lib/export/writer';
import { readScim } from '../../../src/lib/import/scim';
import { request, storedUser, text, writeAll } from './helpers';

const policy: FieldPolicy = { ...defaultPolicy, roles: 'optional' };

describe('SCIM roles (RFC 7643 §4.1.2)', () => {
	it('writes a user’s roles as the core multi-valued roles, one {value} each, not in Rollcall’s extension', () => {
		const ann = storedUser({ email: 'ann@example.com', roles: 'Sales; Field "A", B' });
		const bob = storedUser({ email: 'bob@example.com' }, { id: 2 });
		const writer = createWriter(request({ format: 'scim', total: 2 }, policy));
		const { Resources } = JSON.parse(text(writeAll(writer, [ann, bob]))) as {
			Resources: Record<string, unknown>[];
		};
		expect(Resources[0]!.roles).toEqual([{ value: 'Sales' }, { value: 'Field "A", B' }]);
		expect(Resources[0]![SCIM_ROLLCALL]).not.toHaveProperty('roles');
		// No roles: no attribute (SCIM leaves out what is unassigned).
		expect(Resources[1]).not.toHaveProperty('roles');
		// A policy hiding the field writes none.
		const hidden = createWriter(request({ format: 'scim', total: 1 }, { ...policy, roles: 'hidden' }));
		expect(text(writeAll(hidden, [ann]))).not.toContain('Sales');
	});

	it('reads another service’s roles: value, else display, in order, as one Roles cell', () => {
		const user = {
			schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
			userName: 'bjensen@example.com',
			emails: [{ value: 'bjensen@example.com' }],
			roles: [
				{ value: 'Admins', primary: true },
				{ display: 'Sales', type: 'work' },
				{ value: '' },
				'Support'
			]
		};
		const table = readScim(JSON.stringify(user), 'users.json');
		expect(table.ok && table.value.headers).toContain('Roles');
		const cells = table.ok ? table.value.rows[0]! : [];
		expect(cells[table.ok ? table.value.headers.indexOf('Roles') : -1]).toBe('Admins; Sales; Support');
	});
});
