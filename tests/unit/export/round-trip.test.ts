import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customKey, isCustomKey, listNames, type FieldKey } from '../../../src/lib/domain/fields';
import { newLicenseKey } from '../../../src/lib/domain/license-key';
import { fieldsOf, visibleFields, type FieldPolicy } from '../../../src/lib/domain/policy';
import { userStatuses, validateUser, type User, type UserInput } from '../../../src/lib/domain/user';
import { valueOf } from '../../../src/lib/export/values';
import { createWriter, type ExportFormat, type ExportRequest } from '../../../src/lib/export/writer';
import { analyseSource, readSource } from '../../../src/lib/import/pipeline';
import { NOW, gb, storedUser } from './helpers';

/**
 * Export then import through the real pipeline (readSource: decoding and the format's reader; then
 * analyseSource: header mapping and every row's validation) gives back the same users, field for field.
 */

/** A well-formed key (its check symbol right), the same in every run. */
const LICENSE_KEY = newLicenseKey((array) => array.map((_, i) => i * 7919));

const CUSTOM = [customKey('Badge colour'), customKey('Desk "A", floor; 2')];

/** Every built-in field shown (the password hidden: it is never exported), two custom attributes. */
const policy = {
	...Object.fromEntries(fieldsOf({} as FieldPolicy).map((def) => [def.key, 'optional'])),
	email: 'required',
	password: 'hidden',
	// Not yet carried by every format: each gets its round trip as its export lands.
	groups: 'hidden',
	roles: 'hidden',
	entitlements: 'hidden',
	webAccess: 'hidden',
	licenseKey: 'hidden',
	...Object.fromEntries(CUSTOM.map((key) => [key, 'optional']))
} as FieldPolicy;

/** The awkward pieces values are made of. */
const pieces = [
	'Ada',
	"O'Brien",
	'"quoted"',
	'a,b',
	'semi;colon',
	'line\nbreak',
	'tab\there',
	'😀',
	'👩🏽‍💻',
	'שלום',
	'مرحبا',
	'e\u0301',
	'007',
	'=1+1',
	'=HYPERLINK("http://x")',
	'+SUM(A1)',
	'-2',
	'@cmd',
	'＝x',
	'＋1',
	"'=x",
	"''+y",
	"'",
	'\\',
	'_x0041_',
	'&<>',
	'  spaced  ',
	'Zoë'
];

const text = fc
	.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4 })
	.map((parts) => parts.join(parts.length > 2 ? ' ' : ''));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const phones = [
	'+14155550100',
	'+44 20 7946 0958',
	'020 7946 0958',
	'+33 6 12 34 56 78',
	'+1 415 555 0100 ext. 12'
];
const input = fc.record({
	firstName: maybe(text),
	lastName: maybe(text),
	displayName: maybe(text),
	local: fc.constantFrom('ada', '=cmd', '+plus', '-dash', "o'brien", 'x.y'),
	username: maybe(fc.constantFrom('ada', '-dash', '@at', "o'brien", '=eq'.slice(1), 'x.y_z')),
	userType: maybe(fc.constantFrom('Standard', 'Privileged')),
	site: maybe(text),
	mobilePhone: maybe(fc.constantFrom(...phones)),
	businessPhone: maybe(fc.constantFrom(...phones)),
	company: maybe(text),
	jobTitle: maybe(text),
	department: maybe(text),
	customerCode: maybe(fc.constantFrom('000123', '=01', '-7', '0')),
	udid: maybe(fc.constantFrom('00008030-001A2B3C4D5E6F70', '2B6F0CC904D137BE2E1730235F5664094B831186')),
	inGlobalAddressBook: fc.boolean(),
	streetAddress: maybe(text),
	city: maybe(text),
	region: maybe(text),
	postalCode: maybe(fc.constantFrom('01234', 'EC1A 1BB', '=5', '-0')),
	country: maybe(fc.constantFrom('GB', 'FR', 'US', 'JP', 'IL')),
	office: maybe(text),
	employeeNumber: maybe(fc.constantFrom('000042', '+7', '@1')),
	costCenter: maybe(text),
	division: maybe(text),
	organization: maybe(text),
	manager: maybe(fc.constantFrom('grace@example.com', '=boss@example.com')),
	preferredLanguage: maybe(fc.constantFrom('en-GB', 'fr', 'he-IL')),
	timeZone: maybe(fc.constantFrom('Europe/London', 'Asia/Jerusalem')),
	groups: maybe(fc.constantFrom<string>('Nurses', 'Nurses; Night shift', '=Ops; @Leads')),
	// A role's name has no ';' (it separates them); roles travel as SCIM's multi-valued roles.
	roles: maybe(fc.constantFrom<string>('Sales', 'Field engineers; Sales', 'Zoë, "Lead"; +Admins')),
	entitlements: maybe(fc.constantFrom<string>('Desktop', 'Web; Mobile')),
	webAccess: fc.boolean(),
	licenseKey: maybe(fc.constant(LICENSE_KEY)),
	badge: maybe(text),
	desk: maybe(text),
	status: fc.constantFrom(...userStatuses),
	activatedAt: fc.option(fc.integer({ min: 1, max: NOW }), { nil: null }),
	lastLoginAt: fc.integer({ min: 0, max: NOW })
});

type Generated = typeof input extends fc.Arbitrary<infer T> ? T : never;

/** A user as Rollcall would store them: the generated input through the registry's validation. */
function stored(generated: Generated, index: number): User | undefined {
	const { local, badge, desk, status, activatedAt, lastLoginAt, username, customerCode, ...rest } = generated;
	const raw: UserInput = {
		...rest,
		email: `${local}.${index}@example.com`,
		// Unique fields are made unique per user.
		username: username && `${username}${index}`,
		customerCode: customerCode && `${customerCode}${index}`,
		[CUSTOM[0]!]: badge,
		[CUSTOM[1]!]: desk
	};
	const checked = validateUser(raw, policy, gb);
	if (!checked.isValid) return undefined;
	const values = Object.fromEntries(
		Object.entries(checked.values).filter(([, v]) => v !== undefined && v !== '')
	);
	return storedUser(
		{ ...values, email: checked.values.email! },
		{ id: index + 1, status, activatedAt, lastLoginAt }
	);
}

const directory = fc
	.array(input, { minLength: 1, maxLength: 12 })
	.map((generated) => generated.flatMap((g, i) => stored(g, i) ?? []))
	.filter((users) => users.length > 0);

function exported(users: readonly User[], format: ExportFormat, delimiter: ',' | ';' = ',') {
	const request: ExportRequest = {
		format,
		shape: 'rollcall',
		delimiter,
		policy,
		context: gb,
		total: users.length,
		now: NOW,
		// The directory's groups: SCIM writes each as a Group resource, which the import reads past.
		groups: [...new Set(users.flatMap((user) => listNames(user.groups)))].map((name, i) => ({
			id: i + 1,
			name
		}))
	};
	const writer = createWriter(request);
	const included = users.filter((user) => writer.includes(user));
	// Written in pages, as the runner does.
	const pages = [writer.begin(1)];
	for (let i = 0; i < users.length; i += 5) pages.push(writer.write(users.slice(i, i + 5)));
	pages.push(writer.end());
	const bytes = new Uint8Array(pages.reduce((sum, page) => sum + page.length, 0));
	let at = 0;
	for (const page of pages) {
		bytes.set(page, at);
		at += page.length;
	}
	return { name: writer.fileName(1, 1), bytes, included };
}

/** Imports a file into an empty directory: the values each row would store. */
function imported(file: { name: string; bytes: Uint8Array }) {
	const source = readSource(file, { limits: { maxFileBytes: 100 * 1024 * 1024, maxRows: 10_000 } });
	if (!source.ok) throw new Error(source.message);
	// No choices: every column, custom attributes included, maps by its header alone.
	const analysis = analyseSource(source.value, { policy, context: gb });
	expect(analysis.mapping.problems).toEqual([]);
	expect(analysis.errors).toEqual([]);
	return analysis.rows.filter((row) => row.status !== 'blank').map((row) => row.values);
}

const shownKeys: FieldKey[] = visibleFields(policy).map((def) => def.key);

/** A user's values of every shown field, as text or boolean, '' standing for none. */
function fieldsOfUser(values: Partial<Record<FieldKey, unknown>>): Record<string, unknown> {
	return Object.fromEntries(shownKeys.map((key) => [key, values[key] ?? '']));
}

const expectedOf = (user: User) =>
	fieldsOfUser(Object.fromEntries(shownKeys.map((key) => [key, valueOf(user, key)])));

const formats: [string, ExportFormat, ',' | ';'][] = [
	['CSV', 'csv', ','],
	['CSV with semicolons', 'csv', ';'],
	['XLSX', 'xlsx', ','],
	['SCIM JSON', 'scim', ','],
	['vCard', 'vcard', ',']
];

describe('export then import gives back the same users, field for field', () => {
	it.each(formats)('%s', (_, format, delimiter) => {
		fc.assert(
			fc.property(directory, (users) => {
				const file = exported(users, format, delimiter);
				// A vCard of no one in the address book is an empty file, which the import refuses as such.
				if (file.included.length === 0) {
					expect(file.bytes.length).toBe(0);
					return;
				}
				const rows = imported(file);
				expect(rows.map(fieldsOfUser)).toEqual(file.included.map(expectedOf));
			}),
			{ numRuns: format === 'xlsx' ? 30 : 60 }
		);
	});

	it('covers custom attributes, formula-looking values and every shown field', () => {
		// The generator can give each of these; one directory that has them all, checked in every format.
		const user = stored(
			{
				firstName: '=1+1',
				lastName: "'=x",
				displayName: 'שלום 😀 e\u0301',
				local: '=cmd',
				username: '-dash',
				userType: 'Privileged',
				site: '@site',
				mobilePhone: '+14155550100',
				businessPhone: '+1 415 555 0100 ext. 12',
				company: 'a,b',
				jobTitle: 'semi;colon',
				department: '"quoted"',
				customerCode: '000123',
				udid: '00008030-001A2B3C4D5E6F70',
				inGlobalAddressBook: true,
				streetAddress: 'line\nbreak',
				city: '＝x',
				region: '+SUM(A1)',
				postalCode: '01234',
				country: 'FR',
				office: '\\',
				employeeNumber: '000042',
				costCenter: '_x0041_',
				division: '&<>',
				organization: "''+y",
				manager: 'grace@example.com',
				preferredLanguage: 'fr',
				timeZone: 'Europe/London',
				groups: 'Nurses; =Night shift',
				roles: 'Sales; @Admins',
				entitlements: 'Desktop; Web',
				webAccess: true,
				licenseKey: LICENSE_KEY,
				badge: '-2',
				desk: 'Zoë',
				status: 'Suspended',
				activatedAt: null,
				lastLoginAt: 0
			},
			0
		)!;
		expect(shownKeys.every((key) => valueOf(user, key) !== undefined)).toBe(true);
		expect(isCustomKey(CUSTOM[1]!)).toBe(true);
		for (const [, format, delimiter] of formats) {
			const file = exported([user], format, delimiter);
			expect(imported(file).map(fieldsOfUser)).toEqual([expectedOf(user)]);
		}
	});
});
