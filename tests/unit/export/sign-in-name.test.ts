import { describe, expect, it } from 'vitest';
import { defaultPolicy, presets } from '../../../src/lib/domain/policy';
import { analyseSource, readSource } from '../../../src/lib/import/pipeline';

const read = (csv: string, policy = defaultPolicy) => {
	const source = readSource(
		{ name: 'users.csv', bytes: new TextEncoder().encode(csv) },
		{ limits: { maxFileBytes: 1 << 20, maxRows: 100 } }
	);
	if (!source.ok) throw new Error(source.message);
	return analyseSource(source.value, { policy, context: { defaultCountry: 'GB' } });
};

describe("Microsoft 365's User Name, the sign-in address", () => {
	const m365 = 'User Name,First Name,Last Name,Display Name\r\nada@example.com,Ada,Lovelace,Ada L\r\n';

	it('is the email when no column names the email and every value is an address', () => {
		const analysis = read(m365);
		expect(analysis.mapping.columns[0]).toMatchObject({ status: 'mapped', field: 'email' });
		expect(analysis.mapping.isReady).toBe(true);
		expect(analysis.rows[0]!.values.email).toBe('ada@example.com');
	});

	it('is the email under a policy that hides the username too', () => {
		const portal = presets.find((p) => p.id === 'portal')!.policy;
		expect(read(m365, portal).mapping.columns[0]).toMatchObject({ status: 'mapped', field: 'email' });
	});

	it('stays the username beside an Email column (workflow C), or when its values are not addresses', () => {
		const both = read('User name,Email,First name,Last name\r\nada,ada@example.com,Ada,Lovelace\r\n');
		expect(both.mapping.columns.map((c) => c.field)).toEqual(['username', 'email', 'firstName', 'lastName']);
		const names = read('User Name,First Name,Last Name\r\nada,Ada,Lovelace\r\n');
		expect(names.mapping.columns[0]).toMatchObject({ field: 'username' });
		expect(names.mapping.missing).toEqual(['email']);
	});
});
