import { describe, expect, it } from 'vitest';
import { defaultPolicy, type FieldPolicy } from '../../../src/lib/domain/policy';
import { mapHeaders, normaliseHeader, type MapOptions } from '../../../src/lib/import/headers';
import { analyseSource, type SourceTable } from '../../../src/lib/import/pipeline';
import { checkRows } from '../../../src/lib/import/rows';
import { parseCsv } from '../../../src/lib/import/csv';
import { csvTemplate } from '../../../src/lib/import/template';
import { exportShapes, tableShape, type ExportShape } from '../../../src/lib/export/shapes';
import { presets } from '../../../src/lib/domain/policy';
import { recogniseShape, shapes, type FileShape } from '../../../src/lib/import/shapes';
import { everything, gb, preset, table } from './helpers';

/** Every header row each shape comes as, named for the test titles. */
const rows = shapes.flatMap((shape) =>
	(shape.variants ?? [shape.columns.map(([header]) => header)]).map(
		(headers, i) => [`${shape.id} #${i + 1}`, shape, headers] as const
	)
);

const shapeOf = (headers: readonly string[]) => mapHeaders(headers, everything).shape?.id;

/** The same headers in another order, the same every run: halves swapped, then reversed. */
const shuffled = (headers: readonly string[]) => {
	const half = Math.ceil(headers.length / 2);
	return [...headers.slice(half), ...headers.slice(0, half)].reverse();
};

const EXTRA = ['Badge colour', 'Locker', 'Shoe size'];

/**
 * Too few of a header row's columns to read a shape from: its key columns (which every file of the
 * shape has) and its first or its last ones, 2 or 3 in all (4 for the Okta export, which has 4 keys).
 */
function partials(shape: FileShape, headers: readonly string[]): string[][] {
	const count = Math.min(3, headers.length - Math.floor(headers.length / 4) - 1);
	const others = headers.filter((header) => !shape.keys.includes(header));
	const room = Math.max(0, count - shape.keys.length);
	return [
		[...shape.keys, ...others.slice(others.length - room)],
		[...shape.keys, ...others.slice(0, room)]
	];
}

const positional = (shape: FileShape) => shape.isByPosition === true;
/** Rollcall's own files are known only by their whole header row as Rollcall writes it. */
const exact = (shape: FileShape) => shape.isExact === true;

/** A header as shapes compare it: 'Name' is 'name'. */
const compared = (header: string) => normaliseHeader(header).replace(/ /gu, '');

describe('a shape is recognised by its whole header row', () => {
	it.each(rows)('%s: exactly as written', (_, shape, headers) => {
		// Cross-checks the catalogue too: no header row of one shape is read as another.
		expect(shapeOf(headers)).toBe(shape.id);
	});

	it.each(rows.filter(([, shape]) => !positional(shape)))('%s: in another order', (_, shape, headers) => {
		expect(shuffled(headers)).not.toEqual(headers);
		expect(shapeOf(shuffled(headers))).toBe(shape.id);
	});

	it.each(rows.filter(([, shape]) => !exact(shape)))(
		'%s: with columns of the admin before and after it',
		(_, shape, headers) => {
			expect(shapeOf([...headers, ...EXTRA])).toBe(shape.id);
			if (!positional(shape)) expect(shapeOf([EXTRA[0]!, ...headers, ...EXTRA.slice(1)])).toBe(shape.id);
		}
	);

	it.each(rows.filter(([, shape, headers]) => headers.length >= 8 && !positional(shape) && !exact(shape)))(
		'%s: with two of its columns missing',
		(_, shape, headers) => {
			const keys = new Set(shape.keys);
			const optional = headers.filter((header) => !keys.has(header)).slice(-2);
			expect(shapeOf(headers.filter((header) => !optional.includes(header)))).toBe(shape.id);
		}
	);

	it.each(rows)('%s: not from 2 or 3 of its columns, which map by aliases', (_, shape, headers) => {
		for (const few of partials(shape, headers)) {
			expect(few.length).toBeGreaterThanOrEqual(Math.min(2, headers.length));
			expect(few.length).toBeLessThanOrEqual(Math.max(3, shape.keys.length));
			// Some other shape's whole header row ('User name*, Email*' is workflow C's) is that shape.
			const id = recogniseShape(few)?.shape.id;
			expect([undefined, shape.id], few.join()).toContain(id);
		}
	});

	it.each(rows.filter(([, shape]) => exact(shape)))(
		'%s: only as Rollcall writes it, with an Errors column at most',
		(_, shape, headers) => {
			expect(shapeOf([...headers, 'Errors'])).toBe(shape.id);
			// Not this shape; another may fit (workflow C's upload file has Username and Email).
			expect(shapeOf([...headers, 'Badge colour'])).not.toBe(shape.id);
			expect(shapeOf(headers.slice(1))).not.toBe(shape.id);
			expect(shapeOf(headers.map((h) => h.toUpperCase()))).not.toBe(shape.id);
			const unmarked = shapeOf(headers.map((h) => h.replace(' *', '')));
			if (headers.some((h) => h.endsWith(' *'))) expect(unmarked).not.toBe(shape.id);
			else expect(unmarked).toBe(shape.id);
		}
	);

	it.each([
		['Okta minimal', ['login', 'email', 'firstName', 'lastName']],
		['JumpCloud', ['firstname', 'lastname', 'username', 'email', 'password']],
		['typed by hand', ['First name', 'Last name', 'Email', 'Phone']],
		['typed by hand, as a template under workflow A', ['First name', 'Last name', 'Email']]
	])('not a Rollcall file: %s', (_, headers) => {
		expect(recogniseShape(headers)?.shape.id ?? '').not.toMatch(/^rollcall/u);
	});

	it('not by position when its columns moved: the German template read by aliases instead', () => {
		const german = shapes.find((shape) => shape.id === 'microsoft-365-template-de')!;
		const headers = german.variants![0]!;
		expect(shapeOf(headers)).toBe(german.id);
		const moved = [headers[1]!, headers[0]!, ...headers.slice(2)];
		expect(recogniseShape(moved)).toBeUndefined();
		const mapping = mapHeaders(moved, everything);
		expect(mapping.columns[0]).toMatchObject({ header: 'Vorname', field: 'firstName' });
	});

	it('not from a sheet typed by hand, nor when most of the file is not the shape', () => {
		expect(shapeOf(['Name', 'Email', 'Phone', 'Team'])).toBeUndefined();
		const okta = rows.find(([name]) => name === 'okta-import #1')![2].slice(0, 8);
		expect(shapeOf([...okta, ...Array.from({ length: 9 }, (_, i) => `Extra ${i + 1}`)])).toBeUndefined();
	});
});

describe("Rollcall's own files come back as what they are", () => {
	const expected: Record<ExportShape, string> = {
		rollcall: 'rollcall-export',
		'microsoft-365': 'microsoft-365-template',
		entra: 'entra-bulk-create',
		google: 'google-upload',
		okta: 'okta-import'
	};

	it.each(presets.map((p) => [p.name, p.policy] as const))('exports and templates under %s', (_, policy) => {
		for (const shape of exportShapes) {
			const headers = tableShape(shape, policy).columns.map((column) => column.header);
			expect(shapeOf(headers), shape).toBe(expected[shape]);
		}
		const template = parseCsv(new TextDecoder().decode(csvTemplate(policy)));
		expect(shapeOf(template.headers)).toBe('rollcall-template');
		// An errors file: the admin's rows under the template's header, and an Errors column.
		expect(shapeOf([...template.headers, 'Errors'])).toBe('rollcall-template');
	});

	it('under a policy of its own: a preset changed, a custom attribute added', () => {
		const multi = preset('multi-customer');
		const policy: FieldPolicy = {
			...multi,
			username: 'required',
			city: 'optional',
			'custom:Badge colour': 'optional'
		};
		const template = parseCsv(new TextDecoder().decode(csvTemplate(policy))).headers;
		expect(template).toContain('Username *');
		expect(template).toContain('Badge colour');
		expect(mapHeaders(template, policy).shape?.id).toBe('rollcall-template');
		const exported = tableShape('rollcall', policy).columns.map((column) => column.header);
		expect(mapHeaders(exported, policy).shape?.id).toBe('rollcall-export');
		// The same header row under a policy that writes another is not that policy's template.
		expect(mapHeaders(template, defaultPolicy).shape?.id).not.toBe('rollcall-template');
	});
});

describe('a recognised shape maps every column it knows', () => {
	/**
	 * Each header row of each shape, and each column the shape knows added to its first header row (the
	 * two Active Directory shapes know the same columns: all at once, a file would be both).
	 */
	const files = [
		...rows.map(([name, , headers]) => [name, headers] as const),
		...shapes.flatMap((shape) => {
			const [first] = shape.variants ?? [shape.columns.map(([header]) => header)];
			return shape.columns
				.filter(
					([header]) =>
						!positional(shape) && !exact(shape) && !first!.some((h) => compared(h) === compared(header))
				)
				.map(([header]) => [`${shape.id} + ${header}`, [...first!, header]] as const);
		})
	];

	it.each([
		['the default policy', defaultPolicy],
		['a policy that shows every field', everything as FieldPolicy]
	])('to a field or ignored with a reason, never left to the admin, under %s', (_, policy) => {
		// Rollcall's own shapes are known only whole: no column is added to them.
		expect(files.length).toBeGreaterThan(140);
		for (const [id, headers] of files) {
			const mapping = mapHeaders(headers, policy);
			expect(mapping.shape, id).toBeDefined();
			const left = mapping.columns.filter((c) => c.status !== 'mapped' && c.status !== 'ignored');
			expect(left.map((c) => `${id}: ${c.header} ${c.status} ${c.reason}`)).toEqual([]);
			for (const c of mapping.columns) expect(c.reason, `${id}: ${c.header}`).not.toBe('');
		}
	});

	it('gives the vendor’s reason for a column Rollcall has no use for', () => {
		const google = mapHeaders(table('google-workspace.csv').headers, defaultPolicy);
		expect(google.shape).toEqual({
			id: 'google-upload',
			name: 'Google Workspace bulk upload template',
			system: 'Google Workspace'
		});
		const reason = (header: string) => google.columns.find((c) => c.header === header)?.reason;
		expect(reason('Password Hash Function [UPLOAD ONLY]')).toBe(
			"Google Workspace's password hash function: Rollcall never takes password hashes."
		);
		// A field the policy hides still offers to turn it on.
		expect(google.columns.find((c) => c.header === 'Employee ID')).toMatchObject({
			status: 'ignored',
			hiddenField: 'employeeNumber'
		});
		const okta = mapHeaders(table('okta.csv').headers, everything);
		expect(okta.columns.find((c) => c.header === 'userType')).toMatchObject({
			status: 'ignored',
			reason: "Okta's user type is free text (Employee, Contractor), not Rollcall's Standard/Privileged."
		});
	});

	it('leaves a column the shape does not know to the aliases, custom attributes and the admin', () => {
		const headers = [...table('google-workspace.csv').headers, 'Badge colour', 'Office location'];
		const policy: FieldPolicy = { ...everything, 'custom:Badge colour': 'optional' };
		const mapping = mapHeaders(headers, policy);
		expect(mapping.shape?.id).toBe('google-upload');
		expect(mapping.columns.at(-2)).toMatchObject({ status: 'mapped', field: 'custom:Badge colour' });
		expect(mapping.columns.at(-1)).toMatchObject({ status: 'mapped', field: 'office' });
		expect(mapHeaders([...headers, 'Wing'], everything).columns.at(-1)?.status).toBe('unmapped');
	});

	it('takes a custom attribute over a column the shape would ignore, never over one of its fields', () => {
		const headers = table('google-workspace.csv').headers;
		const policy: FieldPolicy = { ...everything, 'custom:Employee Type': 'optional' };
		const mapping = mapHeaders(headers, policy);
		expect(mapping.columns.find((c) => c.header === 'Employee Type')?.field).toBe('custom:Employee Type');
	});

	it('the admin’s choice still wins over the shape', () => {
		const headers = table('okta.csv').headers;
		const mapping = mapHeaders(headers, everything, {
			choices: new Map([[headers.indexOf('userType'), 'site']])
		});
		expect(mapping.columns[headers.indexOf('userType')]).toMatchObject({ status: 'mapped', field: 'site' });
	});

	it('the German template by position: its two "Telefon geschäftlich" columns are office and phone', () => {
		const german = shapes.find((shape) => shape.id === 'microsoft-365-template-de')!.variants![0]!;
		const mapping = mapHeaders(german, everything, { isEmailColumn: (i) => i === 0 });
		expect(mapping.problems).toEqual([]);
		expect(mapping.columns.slice(6, 8).map((c) => c.field)).toEqual(['office', 'businessPhone']);
		expect(mapping.columns[0]?.field).toBe('email');
		expect(mapping.countryColumns).toEqual([15]);
	});
});

describe('two columns of one attribute', () => {
	const headers = [
		'SamAccountName',
		'UserPrincipalName',
		'GivenName',
		'Surname',
		'sn',
		'EmailAddress',
		'mail'
	];

	it('the shape’s first is the field, the others are read where it is empty', () => {
		const mapping = mapHeaders(
			['DistinguishedName', 'Enabled', 'Name', 'ObjectClass', 'ObjectGUID', 'SID', ...headers],
			everything
		);
		expect(mapping.shape?.id).toBe('active-directory-get-aduser');
		expect(mapping.problems).toEqual([]);
		const at = (header: string) => mapping.columns.find((c) => c.header === header)!;
		expect(at('mail')).toMatchObject({ status: 'mapped', field: 'email' });
		expect(at('mail').backupOf).toBeUndefined();
		expect(at('EmailAddress')).toMatchObject({
			status: 'mapped',
			field: 'email',
			backupOf: at('mail').index,
			reason: 'Read where column M ("mail") is empty.'
		});
		expect(at('UserPrincipalName')).toMatchObject({ field: 'email', backupOf: at('EmailAddress').index });
		expect(at('sn')).toMatchObject({ field: 'lastName', backupOf: at('Surname').index });
	});

	it('a row’s value comes from a backup column where the main one is empty, and its errors name it', () => {
		const csvde = shapes.find((shape) => shape.id === 'active-directory-csvde')!.variants![1]!;
		const mapping = mapHeaders(csvde, everything);
		expect(mapping.shape?.id).toBe('active-directory-csvde');
		const row = (values: Record<string, string>) => csvde.map((header) => values[header] ?? '');
		const result = checkRows(
			[
				row({ sAMAccountName: 'ada', mail: 'ada@example.com', userPrincipalName: 'ada@corp.example.com' }),
				row({ sAMAccountName: 'grace', userPrincipalName: 'grace@corp.example.com', sn: 'Hopper' }),
				row({ sAMAccountName: 'alan', userPrincipalName: 'alan@corp', givenName: 'Alan' })
			],
			mapping,
			{ policy: everything, context: gb }
		);
		expect(result.rows.map((r) => r.values.email)).toEqual([
			'ada@example.com',
			'grace@corp.example.com',
			undefined
		]);
		expect(result.errors).toEqual([
			expect.objectContaining({
				row: 4,
				column: csvde.indexOf('userPrincipalName'),
				header: 'userPrincipalName',
				field: 'email'
			})
		]);
	});

	it('through the whole pipeline, with the directory found by the value read', () => {
		const source: SourceTable = {
			format: 'csv',
			preamble: [],
			headerRow: 1,
			headers: ['userPrincipalName', 'sAMAccountName', 'givenName', 'sn', 'mail', 'displayName', 'DN'],
			rows: [['bo@corp.example.com', 'bo', 'Bo', 'Lee', '', 'Bo Lee', 'CN=Bo']]
		};
		const analysis = analyseSource(source, { policy: defaultPolicy, context: gb });
		expect(analysis.rows[0]).toMatchObject({ status: 'new', values: { email: 'bo@corp.example.com' } });
	});
});

describe("a 'User name' column, by its values", () => {
	const headers = ['User name', 'Email', 'Site'];
	const options = (isName: boolean, isEmail = false): MapOptions => ({
		isNameColumn: (i) => i === 0 && isName,
		isEmailColumn: (i) => i === 0 && isEmail
	});

	it("of people's names ('Ann Lee') is the display name", () => {
		expect(mapHeaders(headers, everything, options(true)).columns[0]).toMatchObject({
			status: 'mapped',
			field: 'displayName'
		});
	});

	it('of sign-in names is the username', () => {
		expect(mapHeaders(headers, everything, options(false)).columns[0]?.field).toBe('username');
	});

	it('of addresses, with no other email column, is the email', () => {
		const mapping = mapHeaders(['User Name', 'First Name'], everything, options(false, true));
		expect(mapping.columns[0]).toMatchObject({ status: 'mapped', field: 'email' });
	});

	it('of sign-in names stays the username a policy that requires a display name lacks: said once, not moved', () => {
		const c = preset('multi-customer');
		const file = table('workflow-c.csv');
		const names = mapHeaders(file.headers, c, options(true));
		expect(names.columns[0]?.field).toBe('displayName');
		expect(names.missing).toEqual([]);
		const signIns = mapHeaders(file.headers, c, options(false));
		expect(signIns.columns[0]).toMatchObject({ status: 'mapped', field: 'username' });
		expect(signIns.missing).toEqual(['displayName']);
		expect(signIns.problems.filter((p) => p.includes('Display name'))).toHaveLength(1);
		expect(mapHeaders(['User name', 'Email'], c, options(false, true)).columns[0]?.field).toBe('username');
		expect(mapHeaders(['User name', 'Display name', 'Email'], c, options(true)).columns[0]?.field).toBe(
			'username'
		);
	});

	it("a file of sign-in names ('alee') under preset C: no row gets its username as display name", () => {
		const source: SourceTable = {
			format: 'csv',
			preamble: [],
			headerRow: 1,
			headers: ['User name', 'Email'],
			rows: [
				['alee', 'ann.lee@example.com'],
				['bstone', 'bob@example.com']
			]
		};
		const analysis = analyseSource(source, { policy: preset('multi-customer'), context: gb });
		expect(analysis.mapping.columns[0]?.field).toBe('username');
		expect(analysis.mapping.isReady).toBe(false);
		expect(analysis.rows.map((r) => r.values.displayName)).toEqual([undefined, undefined]);
	});

	it("workflow C's file of names imports under its preset with no error", () => {
		const source: SourceTable = {
			format: 'csv',
			preamble: [],
			headerRow: 1,
			headers: ['User name*', 'Email*', 'User type', 'Site'],
			rows: [
				['Ann Lee', 'ann.lee@example.com', 'Privileged', 'Paris'],
				['Bob Stone', 'bob@example.com', '', '']
			]
		};
		const analysis = analyseSource(source, { policy: preset('multi-customer'), context: gb });
		expect(analysis.mapping.shape?.name).toBe('Multi-customer upload file');
		expect(analysis.errors).toEqual([]);
		expect(analysis.rows.map((r) => r.values.displayName)).toEqual(['Ann Lee', 'Bob Stone']);
	});
});

describe('the columns that give each row’s country', () => {
	it.each<[string, readonly string[], string[]]>([
		['Microsoft 365 template', shapes[0]!.columns.map(([h]) => h), ['Country or Region']],
		[
			'Active Directory: c before co, wherever they are',
			[
				...shapes.find((shape) => shape.id === 'active-directory-csvde')!.variants![1]!.slice(0, -2),
				'co',
				'c'
			],
			['c']
		],
		['Okta', table('okta.csv').headers, ['countryCode']],
		['Google Workspace has none', table('google-workspace.csv').headers, []],
		[
			'Entra bulk create: Country, else the usage location',
			table('entra-bulk-create.csv').headers,
			['Country or region [country]', 'Usage location [usageLocation]']
		],
		[
			'Entra without Country: its usage location',
			['Name', 'Email', 'Usage location [usageLocation]'],
			['Usage location [usageLocation]']
		]
	])('%s', (_, headers, expected) => {
		for (const policy of [defaultPolicy, everything as FieldPolicy]) {
			const mapping = mapHeaders(headers, policy);
			expect(mapping.countryColumns.map((index) => headers[index])).toEqual(expected);
		}
	});
});

describe("Google Workspace's upload: a Password cell that is not a password gives none", () => {
	const google = shapes.find((shape) => shape.id === 'google-upload')!;
	const headers = google.variants![0]!;
	const HASH = '5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8';
	/** A row of the upload template: its name, email, password and hash function, the rest empty. */
	const row = (email: string, password: string, hashFunction = '') =>
		headers.map(
			(header) =>
				({
					'First Name [Required]': 'Ann',
					'Last Name [Required]': 'Lee',
					'Email Address [Required]': email,
					'Password [Required]': password,
					'Password Hash Function [UPLOAD ONLY]': hashFunction,
					'Org Unit Path [Required]': '/'
				})[header] ?? ''
		);
	const source: SourceTable = {
		format: 'csv',
		preamble: [],
		headerRow: 1,
		headers: [...headers],
		rows: [
			row('ann@example.com', HASH, 'SHA-1'),
			row('bo@example.com', '****'),
			row('cy@example.com', 'correct horse battery')
		]
	};
	const passwordColumn = headers.indexOf('Password [Required]');

	it('a hash (its hash function given) or ****: no password, a warning that quotes neither', () => {
		const policy = { ...everything, password: 'optional' } as const;
		const analysis = analyseSource(source, { policy, context: gb });
		expect(analysis.mapping.shape?.id).toBe('google-upload');
		expect(analysis.rows.map((r) => [r.status, r.hasPassword])).toEqual([
			['new', false],
			['new', false],
			['new', true]
		]);
		expect([...analysis.passwords]).toEqual([[4, 'correct horse battery']]);
		expect(analysis.warnings).toEqual([
			{
				row: 2,
				column: passwordColumn,
				header: 'Password [Required]',
				field: 'password',
				message:
					'Password is a hash (SHA-1): Rollcall never takes password hashes, so this user gets none; they choose one when they activate.'
			},
			{
				row: 3,
				column: passwordColumn,
				header: 'Password [Required]',
				field: 'password',
				message:
					"Password is ****, Google Workspace's way of saying the password stays unchanged: Rollcall takes no password from it, so this user gets none; they choose one when they activate."
			}
		]);
		const shown = JSON.stringify([analysis.rows, analysis.errors, analysis.warnings, analysis.table]);
		expect(shown).not.toContain(HASH);
	});

	it('an error, not a warning, when the policy requires a password (workflow D)', () => {
		const analysis = analyseSource(source, { policy: preset('field-heavy'), context: gb });
		const errors = analysis.errors.filter((e) => e.field === 'password');
		expect(errors.map((e) => [e.row, e.header])).toEqual([
			[2, 'Password [Required]'],
			[3, 'Password [Required]']
		]);
		expect(errors[0]?.message).toBe(
			'Password is a hash (SHA-1): Rollcall never takes password hashes, and the field policy requires Password: type one in its place, or make Password optional in Settings → Field policy.'
		);
		expect(analysis.warnings.filter((w) => w.field === 'password')).toEqual([]);
		expect(analysis.passwords.has(2)).toBe(false);
		expect(JSON.stringify([analysis.rows, analysis.errors, analysis.table])).not.toContain(HASH);
	});
});

describe("a vendor column's cell rule without its shape", () => {
	it("a password hash function voids the password in a file cut down to a few of Google's columns", () => {
		const HASH = '5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8';
		const headers = [
			'First Name [Required]',
			'Last Name [Required]',
			'Email Address [Required]',
			'Password [Required]',
			'Password Hash Function [UPLOAD ONLY]'
		];
		const source: SourceTable = {
			format: 'csv',
			preamble: [],
			headerRow: 1,
			headers,
			rows: [['Ann', 'Lee', 'ann@example.com', HASH, 'SHA-1']]
		};
		const analysis = analyseSource(source, { policy: { ...everything, password: 'optional' }, context: gb });
		expect(analysis.mapping.shape).toBeUndefined();
		expect(analysis.rows.map((r) => [r.status, r.hasPassword])).toEqual([['new', false]]);
		expect(analysis.passwords.size).toBe(0);
		expect(analysis.warnings.map((w) => w.message)).toEqual([
			'Password is a hash (SHA-1): Rollcall never takes password hashes, so this user gets none; they choose one when they activate.'
		]);
		expect(JSON.stringify([analysis.rows, analysis.errors, analysis.warnings, analysis.table])).not.toContain(
			HASH
		);
	});
});

describe("Entra's download: a guest's made-up userPrincipalName is never the email", () => {
	const entra = shapes.find((shape) => shape.id === 'entra-download')!;
	const headers = entra.variants![0]!;
	const row = (values: Record<string, string>) => headers.map((header) => values[header] ?? '');
	const source: SourceTable = {
		format: 'csv',
		preamble: [],
		headerRow: 1,
		headers: [...headers],
		rows: [
			row({ userPrincipalName: 'ann_gmail.com#EXT#@contoso.onmicrosoft.com', displayName: 'Ann Lee' }),
			row({ userPrincipalName: 'bo@contoso.com', displayName: 'Bo Lee' }),
			row({
				userPrincipalName: 'cy_gmail.com#EXT#@contoso.onmicrosoft.com',
				mail: 'cy@gmail.com',
				displayName: 'Cy Lee'
			})
		]
	};

	it('its row gets an error on the mail column saying what to do; a member with no mail still signs in by it', () => {
		const analysis = analyseSource(source, { policy: everything, context: gb });
		expect(analysis.mapping.shape?.id).toBe('entra-download');
		expect(analysis.rows.map((r) => [r.status, r.values.email])).toEqual([
			['error', undefined],
			['new', 'bo@contoso.com'],
			['new', 'cy@gmail.com']
		]);
		expect(analysis.errors).toEqual([
			{
				row: 2,
				column: headers.indexOf('mail'),
				header: 'mail',
				field: 'email',
				message:
					"This user is a guest: Entra made up their userPrincipalName (…#EXT#@…), and their address is only in mail (an address of the guest's own domain). Fill in this row's mail column with their address, or remove the row."
			}
		]);
	});
});
