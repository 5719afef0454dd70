import { describe, expect, it } from 'vitest';
import { defaultPolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import type { Parsed } from '../../../src/lib/domain/result';
import { createWriter } from '../../../src/lib/export/writer';
import type { TextTable } from '../../../src/lib/import/table-builder';
import { readScim } from '../../../src/lib/import/scim';
import { request, storedUser, text, writeAll } from './helpers';

const policy: FieldPolicy = { ...defaultPolicy, groups: 'optional' };
const groups = [
	{ id: 7, name: 'Sales' },
	{ id: 9, name: 'Support' },
	{ id: 12, name: 'Empty' }
];
const ann = storedUser({
	firstName: 'Ann',
	lastName: 'Lee',
	email: 'ann@example.com',
	groups: 'Sales; Support'
});
const bob = storedUser({ firstName: 'Bob', email: 'bob@example.com', groups: 'sales' }, { id: 2 });
const cy = storedUser({ firstName: 'Cy', email: 'cy@example.com' }, { id: 3 });

interface Resource {
	schemas: string[];
	id: string;
	groups?: unknown;
	displayName?: string;
	members?: unknown;
	meta: unknown;
}

function exported(users = [ann, bob, cy], shown = policy) {
	const writer = createWriter(request({ format: 'scim', total: users.length, groups }, shown));
	return JSON.parse(text(writeAll(writer, users))) as { totalResults: number; Resources: Resource[] };
}

/** The cells of a read table by column, row by row. */
function cells(result: Parsed<TextTable>, column: string): string[] {
	if (!result.ok) throw new Error(result.message);
	const index = result.value.headers.indexOf(column);
	return result.value.rows.map((row) => (index < 0 ? '' : (row[index] ?? '')));
}

describe('SCIM groups', () => {
	it("writes each User's groups as {value, display} and the Group resources with their members", () => {
		const document = exported();
		expect(document.totalResults).toBe(6);
		expect(document.Resources[0]!.groups).toEqual([
			{ value: '7', display: 'Sales' },
			{ value: '9', display: 'Support' }
		]);
		// Named as the user has it, the id is the group's.
		expect(document.Resources[1]!.groups).toEqual([{ value: '7', display: 'sales' }]);
		expect(document.Resources[2]).not.toHaveProperty('groups');
		expect(JSON.stringify(document.Resources[0])).not.toContain('"groups":"');
		expect(document.Resources.slice(3)).toEqual([
			{
				schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
				id: '7',
				displayName: 'Sales',
				members: [
					{ value: '1', type: 'User', display: 'Ann Lee' },
					{ value: '2', type: 'User', display: 'Bob' }
				],
				meta: { resourceType: 'Group' }
			},
			{
				schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
				id: '9',
				displayName: 'Support',
				members: [{ value: '1', type: 'User', display: 'Ann Lee' }],
				meta: { resourceType: 'Group' }
			},
			{
				schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
				id: '12',
				displayName: 'Empty',
				members: [],
				meta: { resourceType: 'Group' }
			}
		]);
	});

	it('writes no groups when the policy hides them', () => {
		const document = exported([ann], defaultPolicy);
		expect(document.totalResults).toBe(1);
		expect(document.Resources).toHaveLength(1);
		expect(document.Resources[0]).not.toHaveProperty('groups');
	});

	it('reads the groups back: from each User, or from the Group resources when the Users do not say', () => {
		const file = JSON.stringify(exported());
		expect(cells(readScim(file, 'users.json'), 'Groups')).toEqual(['Sales; Support', 'sales', '']);
		const withoutUserGroups = exported();
		for (const resource of withoutUserGroups.Resources) delete resource.groups;
		const read = readScim(JSON.stringify(withoutUserGroups), 'users.json');
		expect(cells(read, 'Groups')).toEqual(['Sales; Support', 'Sales', '']);
		// An entry with only the id is named by its Group resource.
		const byId = exported();
		byId.Resources[1]!.groups = [{ value: '9' }];
		expect(cells(readScim(JSON.stringify(byId), 'users.json'), 'Groups')[1]).toBe('Support');
	});
});
