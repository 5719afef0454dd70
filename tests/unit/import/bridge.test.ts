import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDb, type RollcallDb } from '../../../src/lib/db/database';
import { usersStore } from '../../../src/lib/db/users';
import { defaultImportLimits } from '../../../src/lib/domain/settings';
import { DEFAULT_CUSTOMER_ID, uniqueEntry } from '../../../src/lib/domain/user';
import { CRASHED, STALLED, createImportBridge, type BridgeOptions } from '../../../src/lib/import/bridge';
import { createWorkerApi, type ImportWorkerApi } from '../../../src/lib/import/worker-api';
import { everything, fixture, gb, preset } from './helpers';
import { FakeWorker } from '../fake-worker';

/** A fresh database for a test's worker (closed after it). */
let databases: RollcallDb[] = [];
function freshDb(): RollcallDb {
	const db = createDb(`rollcall-bridge-${Date.now()}-${databases.length}-${Math.random()}`);
	databases.push(db);
	return db;
}

/**
 * The worker's real API (worker-api.ts) over a database, recording which calls were made; `commit`
 * may be replaced (a refusal).
 */
function workerApi(
	db: RollcallDb = freshDb(),
	commit?: ImportWorkerApi['commit'],
	stillWorkingEveryMs?: number
) {
	return (calls: string[]): ImportWorkerApi => {
		const api = createWorkerApi(() => db, stillWorkingEveryMs);
		const recorded = <K extends keyof ImportWorkerApi>(name: K, call: ImportWorkerApi[K]) =>
			((...args: unknown[]) => {
				calls.push(name);
				return (call as (...a: unknown[]) => unknown)(...args);
			}) as ImportWorkerApi[K];
		return {
			analyseFile: recorded('analyseFile', api.analyseFile),
			reanalyse: recorded('reanalyse', api.reanalyse),
			slice: recorded('slice', api.slice),
			problems: recorded('problems', api.problems),
			errorsFile: recorded('errorsFile', api.errorsFile),
			peek: recorded('peek', api.peek),
			commit: recorded('commit', commit ?? api.commit)
		};
	};
}
/** The real API over a fresh database of its own. */
const pipelineApi = (calls: string[]) => workerApi()(calls);

const never = () => new Promise<never>(() => undefined);
const silentApi = { analyseFile: never, reanalyse: never, slice: never, peek: never, commit: never };

const options: BridgeOptions = { policy: everything, context: gb, limits: defaultImportLimits };
/**
 * Neither the watchdog nor the idle stop fires in a test not about it: a busy machine may pause for longer
 * than any short limit between two messages (a worker stopped for being idle between two calls, or
 * 'stalled' while SheetJS warms up, fails a test that was right). The tests about them set their own.
 */
const timing = { stallMs: 60_000, idleMs: 60_000, readMsPerMb: { workbook: 0, text: 0 } };
const file = (name: string) => new File([fixture(name)], name);

let workers: FakeWorker[] = [];
function bridgeWith(
	api: (calls: string[]) => object,
	custom = timing,
	recover: () => Promise<unknown> = () => Promise.resolve(0)
) {
	return createImportBridge({
		start: () => {
			const worker = new FakeWorker(api);
			workers.push(worker);
			return worker as unknown as Worker;
		},
		timing: custom,
		recover
	});
}

afterEach(() => {
	for (const worker of workers) worker.terminate();
	workers = [];
	for (const db of databases) db.close();
	databases = [];
});

describe('the import bridge', () => {
	it('starts the worker on first use and gives the whole Analysis, rows received in slices', async () => {
		const bridge = bridgeWith(pipelineApi);
		const progress: [number, number][] = [];
		const analysis = await bridge.analyse(
			file('workflow-d.csv'),
			{ ...options, policy: preset('field-heavy') },
			(done, total) => progress.push([done, total])
		);
		expect(workers).toHaveLength(1);
		expect(analysis.rows).toHaveLength(3);
		expect(analysis.errors.map((error) => error.row)).toEqual([3, 3, 4, 4, 4]);
		expect(analysis.warnings.map((warning) => [warning.row, warning.field])).toEqual([[4, 'businessPhone']]);
		expect(analysis.rowsWithWarnings).toBe(1);
		expect(analysis.table.rows).toHaveLength(3);
		expect(analysis.passwords).toEqual(
			new Map([
				[2, 'correct horse battery'],
				[4, 'enigma machine 1']
			])
		);
		expect(progress.at(-1)).toEqual([3, 3]);
		bridge.stop();
	});

	it('asks for the next slice of rows before the one asked for first has come', async () => {
		// 4,500 users: three slices. The worker holds the first back until the second is asked for: a page
		// that waited for each slice before asking for the next would wait here for ever.
		const csv = [
			'First name,Last name,Email',
			...Array.from({ length: 4500 }, (_, i) => `Ann,Lee,ann${i}@example.com`)
		];
		const asked: number[] = [];
		let secondAsked: () => void = () => undefined;
		const second = new Promise<void>((resolve) => (secondAsked = resolve));
		const bridge = bridgeWith((calls) => {
			const api = workerApi()(calls);
			return {
				...api,
				slice: async (start: number, end: number) => {
					asked.push(start);
					if (asked.length === 2) secondAsked();
					if (start === 0) await second;
					return api.slice(start, end);
				}
			};
		});
		const analysis = await bridge.analyse(new File([csv.join('\n')], 'people.csv'), options);
		expect(analysis.rows).toHaveLength(4500);
		expect(analysis.rows.map((row) => row.row)).toEqual(Array.from({ length: 4500 }, (_, i) => i + 2));
		expect(analysis.table.rows[4499]).toEqual(['Ann', 'Lee', 'ann4499@example.com']);
		expect(asked).toEqual([0, 2000, 4000]);
		bridge.stop();
	});

	it('rejects with the admin’s message when the file cannot be imported', async () => {
		const bridge = bridgeWith(pipelineApi);
		await expect(bridge.analyse(file('web-page.xls'), options)).rejects.toThrow(/web page/u);
		await expect(
			bridge.analyse(new File([new Uint8Array(2 * 1024 * 1024)], 'big.csv'), {
				...options,
				limits: { maxFileBytes: 1024 * 1024, maxRows: 10 }
			})
		).rejects.toThrow('The file is 2 MB; the limit is 1 MB (Settings).');
		bridge.stop();
	});

	it('checks the same file again without reading it when only the mapping changes', async () => {
		const bridge = bridgeWith(pipelineApi);
		const workbook = file('workbook.xlsx');
		const first = await bridge.analyse(workbook, options);
		expect(first.mapping.isReady).toBe(false);
		const second = await bridge.analyse(workbook, { ...options, choices: new Map([[6, 'ignored']]) });
		expect(second.mapping.isReady).toBe(true);
		expect(second.rows).toHaveLength(3);
		expect(workers[0]!.calls.filter((call) => call !== 'slice')).toEqual(['analyseFile', 'reanalyse']);
		await bridge.analyse(workbook, { ...options, sheet: 'Other site' });
		expect(workers[0]!.calls.filter((call) => call !== 'slice')).toEqual([
			'analyseFile',
			'reanalyse',
			'analyseFile'
		]);
		bridge.stop();
	});

	it('stops a worker that reports nothing, with the watchdog’s message', async () => {
		const bridge = bridgeWith(() => silentApi, { ...timing, stallMs: 200 });
		const started = Date.now();
		await expect(bridge.analyse(file('workflow-a.csv'), options)).rejects.toThrow(STALLED);
		expect(Date.now() - started).toBeGreaterThanOrEqual(190);
		expect(workers[0]!.isTerminated).toBe(true);
	});

	it('stops the worker on cancel, rejecting with the signal’s reason', async () => {
		const bridge = bridgeWith(() => silentApi);
		const abort = new AbortController();
		const analysing = bridge.analyse(file('workflow-a.csv'), options, undefined, abort.signal);
		abort.abort();
		await expect(analysing).rejects.toMatchObject({ name: 'AbortError' });
		expect(workers[0]!.isTerminated).toBe(true);
	});

	it('reports a worker that crashed', async () => {
		let reached!: () => void;
		const isReading = new Promise<void>((resolve) => (reached = resolve));
		const bridge = bridgeWith(() => ({
			...silentApi,
			analyseFile: () => {
				reached();
				return never();
			}
		}));
		const analysing = bridge.analyse(file('workflow-a.csv'), options);
		// Crashes while it reads the file.
		await isReading;
		workers[0]!.dispatchEvent(new Event('error'));
		await expect(analysing).rejects.toThrow(CRASHED);
	});

	it('takes back what a worker that crashed while committing left, before reporting it', async () => {
		let reached!: () => void;
		const isCommitting = new Promise<void>((resolve) => (reached = resolve));
		const steps: string[] = [];
		const bridge = bridgeWith(
			(calls) => ({
				...workerApi()(calls),
				commit: () => {
					reached();
					return never();
				}
			}),
			timing,
			() => Promise.resolve(steps.push('recovered'))
		);
		const analysis = await bridge.analyse(file('workflow-a.csv'), options);
		const committing = bridge
			.commit(analysis, { fileName: 'workflow-a.csv', mode: 'all-or-nothing', updateExisting: false })
			.catch((error: unknown) => {
				steps.push('reported');
				throw error;
			});
		await isCommitting;
		workers[0]!.dispatchEvent(new Event('error'));
		await expect(committing).rejects.toThrow(CRASHED);
		expect(steps).toEqual(['recovered', 'reported']);
	});

	it('cancels a call still running when another file is chosen', async () => {
		let calls = 0;
		const bridge = bridgeWith((log) => (calls++ === 0 ? silentApi : pipelineApi(log)));
		const first = bridge.analyse(file('workflow-a.csv'), options);
		const second = bridge.analyse(file('workflow-b.csv'), options);
		await expect(first).rejects.toMatchObject({ name: 'AbortError' });
		expect((await second).rows.length).toBeGreaterThan(0);
		expect(workers.map((worker) => worker.isTerminated)).toEqual([true, false]);
		bridge.stop();
	});

	it('stops the worker after a while idle, and starts a new one when needed', async () => {
		// The idle time passes when the test says, not while a busy machine answers the first call.
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
		try {
			const bridge = bridgeWith(pipelineApi, { ...timing, idleMs: 50 });
			await bridge.analyse(file('workflow-a.csv'), options);
			vi.advanceTimersByTime(49);
			expect(workers[0]!.isTerminated).toBe(false);
			vi.advanceTimersByTime(1);
			expect(workers[0]!.isTerminated).toBe(true);
			await bridge.analyse(file('workflow-a.csv'), options);
			expect(workers).toHaveLength(2);
			bridge.stop();
		} finally {
			vi.useRealTimers();
		}
	});

	it('commits in the worker only the Analysis the worker holds, and passes on its message', async () => {
		const refuse = () => Promise.resolve({ ok: false as const, message: 'Not committed in these tests.' });
		const bridge = bridgeWith(workerApi(freshDb(), refuse));
		const commit = { fileName: 'workflow-a.csv', mode: 'all-or-nothing' as const, updateExisting: false };
		const first = await bridge.analyse(file('workflow-a.csv'), options);
		const second = await bridge.analyse(file('workflow-a.csv'), { ...options, updateExisting: true });
		// The worker holds the second one only: the first must be committed by the page.
		await expect(bridge.commit(first, commit)).resolves.toBeUndefined();
		await expect(bridge.commit(second, commit)).rejects.toThrow('Not committed in these tests.');
		expect(workers[0]!.calls.filter((call) => call === 'commit')).toHaveLength(1);
		// Refused: it may be tried again.
		await expect(bridge.commit(second, commit)).rejects.toThrow('Not committed in these tests.');
		bridge.stop();
		await expect(bridge.commit(second, commit)).resolves.toBeUndefined();
	});

	it('gives the start of a big text file checked before the whole of it', async () => {
		const bridge = bridgeWith(pipelineApi);
		// Long rows (a long note), so that a few thousand make the file big enough to be peeked at.
		const note = 'n'.repeat(1000);
		const lines = ['First name,Last name,Email,Notes'];
		for (let i = 0, size = 0; size < 3 * 1024 * 1024; i++) {
			lines.push(`Ada,Lovelace,ada.${i}@example.com,${note}`);
			size += lines.at(-1)!.length + 1;
		}
		const big = new File([lines.join('\n')], 'big.csv');
		const peeks: number[] = [];
		let peekedBeforeDone = false;
		const analysis = await bridge.analyse(big, options, undefined, undefined, (peek) => {
			peeks.push(peek.rows.length);
			peekedBeforeDone = workers[0]!.calls.at(-1) === 'peek';
		});
		expect(peeks).toEqual([50]);
		expect(peekedBeforeDone).toBe(true);
		expect(analysis.rows).toHaveLength(lines.length - 1);
		// A small file is checked whole at once: nothing to peek at.
		await bridge.analyse(file('workflow-a.csv'), options, undefined, undefined, (peek) =>
			peeks.push(peek.rows.length)
		);
		expect(peeks).toEqual([50]);
		bridge.stop();
	});

	it('compares rows with the stored values of the users the file names: unchanged rows are not written', async () => {
		const db = freshDb();
		const users = usersStore(db);
		const stored = (firstName: string, lastName: string, email: string) =>
			users.add(
				{ firstName, lastName, email, userType: 'Standard', site: 'HQ', inGlobalAddressBook: false },
				{ now: 1_000 }
			);
		const ada = await stored('Ada', 'Lovelace', 'ada@example.com');
		const grace = await stored('Grace', 'Hopper', 'grace@example.com');
		await stored('Alan', 'Turing', 'alan@example.com');
		const csv = [
			'First name,Last name,Email,Password',
			// Ada exactly as stored (another spelling of her email, an empty cell that erases nothing).
			'Ada,,  ADA@Example.com ,',
			// Grace with a new last name; Alan with a password, which is no change (no SMS carries an
			// update's password, and Rollcall keeps none); Linus is new.
			'Grace,Murray Hopper,grace@example.com,',
			'Alan,Turing,alan@example.com,correct horse battery',
			'Linus,Torvalds,linus@example.org,'
		].join('\r\n');
		// The worker reads the users the file names from the database (the page passes no directory).
		const bridge = bridgeWith(workerApi(db));
		const analysis = await bridge.analyse(new File([csv], 'people.csv'), {
			...options,
			updateExisting: true,
			readsDirectory: true
		});
		expect(analysis.rows.map((row) => [row.row, row.status, row.changes])).toEqual([
			[2, 'unchanged', undefined],
			[3, 'update', ['lastName']],
			[4, 'unchanged', undefined],
			[5, 'new', undefined]
		]);
		expect(analysis.counts).toMatchObject({ new: 1, update: 1, unchanged: 2, error: 0 });

		// Committed by the worker, which holds the Analysis (and the password) itself.
		const summary = await bridge.commit(analysis, {
			fileName: 'people.csv',
			mode: 'all-or-nothing',
			updateExisting: true,
			now: 2_000
		});
		expect(summary, 'committed in the worker').toBeDefined();
		expect(summary!.counts).toMatchObject({ created: 1, updated: 1, unchanged: 2 });
		expect(await db.users.get(ada.id)).toEqual(ada);
		expect(await db.users.get(grace.id)).toMatchObject({ lastName: 'Murray Hopper', updatedAt: 2_000 });
		const alan = uniqueEntry('email', 'alan@example.com', DEFAULT_CUSTOMER_ID);
		expect(await db.users.where('uniqueKeys').equals(alan).first()).toMatchObject({
			hasPassword: false,
			updatedAt: 1_000
		});

		// Checked again (the admin turns the switch off): the same lookup, and the unchanged row stays fine.
		const again = await bridge.analyse(new File([csv], 'people.csv'), { ...options, readsDirectory: true });
		expect(again.rows.map((row) => row.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
		bridge.stop();
	});

	it('keeps the watchdog quiet while the worker reads a slow directory, and stops a silent one', async () => {
		// The watchdog's clock is the test's: it moves a heartbeat at a time, each step letting the page hear
		// the worker, so no pause of a busy machine can make a heartbeat look late (or a silence look short).
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
		try {
			const quick = { ...timing, stallMs: 600 };
			/** A directory that opens when `opened` settles (a million users on a slow tablet). */
			const slowDb = (reached: () => void, opened: Promise<void>) => {
				const db = freshDb();
				db.on('ready', () => {
					reached();
					return opened;
				});
				return db;
			};
			const passStallTime = async (times: number) => {
				for (let ms = 0; ms < times * quick.stallMs; ms += 50) await vi.advanceTimersByTimeAsync(50);
			};

			let reachedHeard!: () => void;
			let open!: () => void;
			const heardReading = new Promise<void>((resolve) => (reachedHeard = resolve));
			const opened = new Promise<void>((resolve) => (open = resolve));
			const heard = bridgeWith(workerApi(slowDb(reachedHeard, opened), undefined, 50), quick);
			const analysing = heard.analyse(file('workflow-a.csv'), { ...options, readsDirectory: true });
			await heardReading;
			await passStallTime(4);
			open();
			expect((await analysing).rows.length).toBeGreaterThan(0);
			heard.stop();

			let reachedSilent!: () => void;
			const silentReading = new Promise<void>((resolve) => (reachedSilent = resolve));
			const never = new Promise<void>(() => undefined);
			const silent = bridgeWith(workerApi(slowDb(reachedSilent, never), undefined, 60_000), quick);
			const stalled = expect(
				silent.analyse(file('workflow-a.csv'), { ...options, readsDirectory: true })
			).rejects.toThrow(STALLED);
			await silentReading;
			await passStallTime(1);
			await stalled;
			silent.stop();
		} finally {
			vi.useRealTimers();
		}
	});

	it('says to reload when the directory cannot be read because Rollcall was updated in another tab', async () => {
		const db = freshDb();
		db.close({ disableAutoOpen: true });
		const bridge = bridgeWith(workerApi(db));
		await expect(
			bridge.analyse(file('workflow-a.csv'), { ...options, readsDirectory: true })
		).rejects.toThrow(/updated in another tab.*Reload the page/);
		// Without the directory, the same file is read as ever.
		expect((await bridge.analyse(file('workflow-a.csv'), options)).rows.length).toBeGreaterThan(0);
		bridge.stop();
	});

	it('names in the preview a username or customer code another stored user has', async () => {
		const db = freshDb();
		const users = usersStore(db);
		const base = { userType: 'Standard', site: 'HQ', inGlobalAddressBook: false } as const;
		await users.add({
			...base,
			firstName: 'Grace',
			email: 'grace@example.com',
			username: 'ghopper',
			customerCode: '00042'
		});
		const csv = [
			'First name,Email,Username,Customer code',
			// Grace's own row: her username and code are hers.
			'Grace,grace@example.com,ghopper,00042',
			// Linus, new, with Grace's username (other case) and code (with spaces).
			'Linus,linus@example.org,GHopper, 00042 ',
			'Ada,ada@example.com,ada,00043'
		].join('\n');
		const bridge = bridgeWith(workerApi(db));
		const analysis = await bridge.analyse(new File([csv], 'people.csv'), {
			...options,
			updateExisting: true,
			readsDirectory: true
		});
		expect(analysis.errors.map((error) => [error.row, error.field, error.message])).toEqual([
			[3, 'username', 'Row 2 already has the username GHopper.'],
			[3, 'username', 'Another user in the directory already has the username GHopper.'],
			[3, 'customerCode', 'Row 2 already has the customer code 00042.'],
			[3, 'customerCode', 'Another user in the directory already has the customer code 00042.']
		]);
		expect(analysis.rows.map((row) => row.status)).toEqual(['unchanged', 'error', 'new']);
		bridge.stop();
	});
});
