import 'fake-indexeddb/auto';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { usersStore, type ExportScope } from '$lib/db/users';
import { userKeys, type User } from '$lib/domain/user';
import { readAhead, runExport, outputOf } from '$lib/export/run';
import type { ExportWriter } from '$lib/export/writer';
import { freshDb, person } from '../db/helpers';

/**
 * The runner over a writer that records what it was given (the real writers have their own tests): one
 * line per user, a header per file, a footer per file.
 */
function recordingWriter(maxUsersPerFile = Infinity, includes: (user: User) => boolean = () => true) {
	const pages: number[] = [];
	const encode = (text: string) => new TextEncoder().encode(text);
	const writer: ExportWriter = {
		maxUsersPerFile,
		mimeType: 'text/csv',
		notes: [],
		includes,
		fileName: (part, parts) => (parts === 1 ? 'users.csv' : `users-${part}-of-${parts}.csv`),
		begin: (part) => encode(`begin ${part}\n`),
		write: (users) => {
			pages.push(users.length);
			return encode(users.map((user) => `${user.email}\n`).join(''));
		},
		end: () => encode('end\n')
	};
	return { writer, pages };
}

async function directory(count: number) {
	const db = freshDb('export');
	const users = usersStore(db);
	const records = Array.from({ length: count }, (_, i) => {
		const fields = person({ email: `u${String(i).padStart(4, '0')}@example.com` });
		return {
			...fields,
			...userKeys(fields, 1),
			customerId: 1,
			status: 'Pending' as const,
			hasPassword: false,
			createdAt: 1,
			updatedAt: 1,
			activatedAt: null,
			lastLoginAt: 0
		};
	});
	const ids = await db.users.bulkAdd(records, { allKeys: true });
	return { db, users, ids };
}

/** Runs an export of `scope` into memory; the bytes come back as text. */
async function exportText(
	users: ReturnType<typeof usersStore>,
	scope: ExportScope,
	writer: ExportWriter,
	options: {
		pageSize?: number;
		signal?: AbortSignal;
		onProgress?: (done: number, total: number) => void;
	} = {}
) {
	const chunks: Uint8Array[] = [];
	const total = await users.exportCount(scope);
	const outcome = await runExport({
		writer,
		total,
		pages: users.exportPages(scope, options.pageSize ?? 10),
		write: (bytes) => void chunks.push(bytes),
		onProgress: options.onProgress,
		signal: options.signal
	});
	const bytes = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
	let at = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, at);
		at += chunk.length;
	}
	return { outcome, bytes, text: new TextDecoder().decode(bytes) };
}

const emails = (from: number, to: number) =>
	Array.from({ length: to - from }, (_, i) => `u${String(from + i).padStart(4, '0')}@example.com\n`).join('');

describe('runExport', () => {
	it('writes every user a page at a time, never more than a page, with progress after each', async () => {
		const { users } = await directory(25);
		const { writer, pages } = recordingWriter();
		const progress: [number, number][] = [];
		const { outcome, text } = await exportText(users, { kind: 'everyone' }, writer, {
			onProgress: (done, total) => progress.push([done, total])
		});
		expect(text).toBe(`begin 1\n${emails(0, 25)}end\n`);
		expect(pages).toEqual([10, 10, 5]);
		expect(progress).toEqual([
			[10, 25],
			[20, 25],
			[25, 25]
		]);
		expect(outcome).toEqual({ fileName: 'users.csv', mimeType: 'text/csv', count: 25, files: 1 });
	});

	it('exports the given ids in the order they were added, whatever order they come in', async () => {
		const { users, ids } = await directory(40);
		const { writer } = recordingWriter();
		// Dense (a range read) and sparse (key by key) runs of ids, shuffled, one repeated.
		const chosen = [ids[30]!, ids[3]!, ids[4]!, ids[2]!, ids[39]!, ids[5]!, ids[3]!, ids[17]!];
		const { text, outcome } = await exportText(users, { kind: 'ids', ids: chosen }, writer, { pageSize: 4 });
		expect(text).toBe(`begin 1\n${[2, 3, 4, 5, 17, 30, 39].map((i) => emails(i, i + 1)).join('')}end\n`);
		expect(outcome.count).toBe(7);
	});

	it('leaves out users deleted since the ids were taken', async () => {
		const { db, users, ids } = await directory(6);
		await db.users.bulkDelete([ids[1]!, ids[4]!]);
		const { writer } = recordingWriter();
		const { text, outcome } = await exportText(users, { kind: 'ids', ids }, writer, { pageSize: 4 });
		expect(text).toBe(`begin 1\n${[0, 2, 3, 5].map((i) => emails(i, i + 1)).join('')}end\n`);
		expect(outcome.count).toBe(4);
	});

	it("splits at the writer's users per file into parts laid in one ZIP", async () => {
		const { users } = await directory(23);
		const { writer } = recordingWriter(10);
		const { outcome, bytes } = await exportText(users, { kind: 'everyone' }, writer, { pageSize: 7 });
		expect(outcome).toEqual({ fileName: 'users.zip', mimeType: 'application/zip', count: 23, files: 3 });
		const files = unzip(bytes);
		expect([...files.keys()]).toEqual(['users-1-of-3.csv', 'users-2-of-3.csv', 'users-3-of-3.csv']);
		expect(files.get('users-1-of-3.csv')).toBe(`begin 1\n${emails(0, 10)}end\n`);
		expect(files.get('users-2-of-3.csv')).toBe(`begin 2\n${emails(10, 20)}end\n`);
		expect(files.get('users-3-of-3.csv')).toBe(`begin 3\n${emails(20, 23)}end\n`);
	});

	it('writes only the users the format includes, counting every user read as progress', async () => {
		const { users } = await directory(12);
		const { writer } = recordingWriter(4, (user) => Number(user.email.slice(1, 5)) % 2 === 0);
		const progress: number[] = [];
		const { outcome, bytes } = await exportText(users, { kind: 'everyone' }, writer, {
			onProgress: (done) => progress.push(done)
		});
		expect(outcome).toMatchObject({ count: 6, files: 2 });
		expect([...unzip(bytes).values()]).toEqual([
			`begin 1\n${[0, 2, 4, 6].map((i) => emails(i, i + 1)).join('')}end\n`,
			`begin 2\n${[8, 10].map((i) => emails(i, i + 1)).join('')}end\n`
		]);
		expect(progress).toEqual([10, 12]);
	});

	it('writes one plain file when the users fit in one', async () => {
		const { users } = await directory(10);
		const { writer } = recordingWriter(10);
		const { outcome, text } = await exportText(users, { kind: 'everyone' }, writer);
		expect(outcome.fileName).toBe('users.csv');
		expect(text).toBe(`begin 1\n${emails(0, 10)}end\n`);
		expect(outputOf(writer, 11).fileName).toBe('users.zip');
	});

	it('stops between pages when cancelled, with the reason, and writes nothing more', async () => {
		const { users } = await directory(30);
		const { writer, pages } = recordingWriter();
		const controller = new AbortController();
		const reason = new DOMException('The export was cancelled.', 'AbortError');
		const run = exportText(users, { kind: 'everyone' }, writer, {
			signal: controller.signal,
			onProgress: (done) => done === 10 && controller.abort(reason)
		});
		await expect(run).rejects.toBe(reason);
		expect(pages).toEqual([10]);
	});

	it('writes a header-only file for an empty directory', async () => {
		const { users } = await directory(0);
		const { writer } = recordingWriter();
		const { text, outcome } = await exportText(users, { kind: 'everyone' }, writer);
		expect(text).toBe('begin 1\nend\n');
		expect(outcome.count).toBe(0);
	});
});

describe('readAhead', () => {
	/** Pages 1..count, logging when each is asked for. */
	async function* numbered(count: number, log: string[]) {
		for (let page = 1; page <= count; page++) {
			log.push(`read ${page}`);
			yield await Promise.resolve(page);
		}
	}

	it('asks for the next page before the current one is written', async () => {
		const log: string[] = [];
		for await (const page of readAhead(numbered(3, log))) log.push(`write ${page}`);
		expect(log).toEqual(['read 1', 'read 2', 'write 1', 'read 3', 'write 2', 'write 3']);
	});

	it('closes the source when the writing stops early, and passes a failed read on', async () => {
		const log: string[] = [];
		for await (const page of readAhead(numbered(5, log))) if (page === 2) break;
		expect(log).toEqual(['read 1', 'read 2', 'read 3']);
		async function* failing() {
			yield await Promise.resolve(1);
			throw new Error('The disk is gone');
		}
		const seen: number[] = [];
		const reading = (async () => {
			for await (const page of readAhead(failing())) seen.push(page);
		})();
		await expect(reading).rejects.toThrow('The disk is gone');
		expect(seen).toEqual([1]);
	});
});

describe('exportPages', () => {
	it('reads everyone there when the export began, not users added meanwhile', async () => {
		const { users } = await directory(5);
		const seen: User[] = [];
		for await (const page of users.exportPages({ kind: 'everyone' }, 2)) {
			seen.push(...page);
			if (seen.length === 2) await users.add(person({ email: 'late@example.com' }));
		}
		expect(seen.map((user) => user.email)).toEqual(emails(0, 5).trim().split('\n'));
	});
});

/** The files of a ZIP (stored or deflated), as text, read through its central directory. */
function unzip(zip: Uint8Array): Map<string, string> {
	const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
	const end = zip.length - 22;
	expect(view.getUint32(end, true)).toBe(0x06054b50);
	const count = view.getUint16(end + 10, true);
	let at = view.getUint32(end + 16, true);
	const files = new Map<string, string>();
	for (let i = 0; i < count; i++) {
		const method = view.getUint16(at + 10, true);
		const compressed = view.getUint32(at + 20, true);
		const nameLength = view.getUint16(at + 28, true);
		const offset = view.getUint32(at + 42, true);
		const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
		const dataAt = offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
		const data = zip.subarray(dataAt, dataAt + compressed);
		files.set(name, new TextDecoder().decode(method === 8 ? inflateRawSync(data) : data));
		at += 46 + nameLength;
	}
	return files;
}
