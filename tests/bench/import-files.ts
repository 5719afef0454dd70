// The files the import benchmark uploads, made from the same generator as the seeded directories
// (people.ts): what an admin types, one person a row, with the column names of Rollcall's own template.
// Deterministic, so every run imports the same bytes; written to disk once and reused while people.ts
// is unchanged.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { UserInput } from '$lib/domain/user';
import { sharedStringsXlsx } from '../fixtures/workbooks';
import { People } from './people';

const COLUMNS: [keyof UserInput, string][] = [
	['firstName', 'First name'],
	['lastName', 'Last name'],
	['email', 'Email'],
	['username', 'Username'],
	['userType', 'User type'],
	['site', 'Site'],
	['department', 'Department'],
	['jobTitle', 'Job title'],
	['company', 'Company'],
	['mobilePhone', 'Mobile phone'],
	['customerCode', 'Customer code'],
	['displayName', 'Display name']
];

const HEADER = COLUMNS.map(([, header]) => header);

/** Generated people start here: far past any seeded directory, so their emails are new to any of them. */
const FIRST_PERSON = 50_000_000;

function cells(input: UserInput): string[] {
	return COLUMNS.map(([key]) => {
		const value = input[key];
		return typeof value === 'string' ? value : '';
	});
}

const csvCell = (cell: string) => (/[",\n\r]/u.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);

/** `rows` people as a comma-separated UTF-8 file (CRLF, as Excel saves one), written in pieces to `file`. */
function writeCsv(file: string, rows: number): void {
	const people = new People(FIRST_PERSON);
	const partial = `${file}.partial`;
	const fd = openSync(partial, 'w');
	try {
		writeSync(fd, `${HEADER.join(',')}\r\n`);
		const lines: string[] = [];
		for (let i = 0; i < rows; i++) {
			lines.push(cells(people.person().input).map(csvCell).join(','));
			if (lines.length === 10_000 || i === rows - 1) {
				writeSync(fd, `${lines.join('\r\n')}\r\n`);
				lines.length = 0;
			}
		}
	} finally {
		closeSync(fd);
	}
	renameSync(partial, file);
}

/** The same people as an .xlsx as Excel writes a big one (shared strings, deflated). */
function writeXlsx(file: string, rows: number): void {
	const people = new People(FIRST_PERSON);
	const table = [HEADER, ...Array.from({ length: rows }, () => cells(people.person().input))];
	const fd = openSync(file, 'w');
	try {
		writeSync(fd, sharedStringsXlsx(table));
	} finally {
		closeSync(fd);
	}
}

export interface ImportFile {
	path: string;
	rows: number;
	bytes: number;
}

/** The file of `rows` people in `format`, under `dir` (keyed by the generator's cache key), made if missing. */
export function importFile(dir: string, key: string, format: 'csv' | 'xlsx', rows: number): ImportFile {
	mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `people-${key}-${rows}.${format}`);
	if (!existsSync(file)) (format === 'csv' ? writeCsv : writeXlsx)(file, rows);
	return { path: file, rows, bytes: statSync(file).size };
}
