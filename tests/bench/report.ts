// Writes BENCHMARKS.md from the figures of one `npm run bench`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { InitialJavaScript, Precache } from './assets';
import type { LighthouseRun } from './lighthouse';
import type { Machine } from './machine';
import type { CpuProfile, EndRun, FirstScreen, KeyRun, ScrollRun } from './measure';
import type { MonitorResult } from './probes';
import type { SeedResult } from './seed';
import { mergeTasks, type TaskStats } from './trace';

export interface SearchSample {
	key: string;
	/** The search box's text after the keystroke. */
	query: string;
	/** Users the list must show then. */
	expected: number;
	/** Keydown -> count and rows updated; undefined when the count could not tell (same as before). */
	ms: number | undefined;
	/** Keydown -> the first matches drawn (earlier than `ms` when the list shows them while searching). */
	firstMs?: number;
}

export interface ScaleResults {
	users: number;
	databaseVersion?: number;
	seed?: SeedResult;
	/** When the users came from a cached profile: when that was seeded. */
	cachedFrom?: string;
	/** The page's JavaScript heap after a load, garbage collected. */
	heapAfterLoad?: number;
	/** Load 1 has nothing kept (as after any change to the users); the later loads read the kept order. */
	firstScreens: FirstScreen[];
	/** On load 1: navigation start → the whole name order read and kept on disk. */
	orderKeptAt?: number;
	/** Main-thread tasks of the timed loads (trace). */
	firstScreenTasks?: TaskStats;
	firstScreenProfile?: CpuProfile;
	search: SearchSample[];
	searchTasks?: TaskStats;
	searchProfile?: CpuProfile & { key: string; ms: number };
	scroll?: ScrollRun & { tasks: TaskStats };
	pageDown?: KeyRun & { tasks: TaskStats };
	end?: EndRun & { tasks: TaskStats };
}

export interface Results {
	machine?: Machine;
	viewport: { width: number; height: number };
	initialJs?: InitialJavaScript;
	precache?: Precache;
	lighthouse?: LighthouseRun[];
	scales: ScaleResults[];
	errors: { section: string; message: string }[];
	/** The machine's 1-minute load average as each section started. */
	load: { section: string; loadAverage: number }[];
	startedAt: number;
	finishedAt?: number;
}

const LONG_TASK_TARGET = 50;
const JS_TARGET = 150_000;
const PRECACHE_TARGET = 2 * 2 ** 20;

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '–' : `${int(n)} ms`);
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
const met = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? '**met**' : '**NOT met**');

function median(values: number[]): number {
	const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
}

const table = (head: string[], rows: (string | number)[][]) =>
	[
		`| ${head.join(' | ')} |`,
		`| ${head.map(() => '---').join(' | ')} |`,
		...rows.map((r) => `| ${r.join(' | ')} |`)
	].join('\n');

const scaleName = (n: number) => `${n.toLocaleString('en')} users`;

/** What moving through the list cost the main thread: long tasks and frame gaps (page clock), tasks (trace). */
interface Smoothness {
	longTasks: number;
	longestTask: number;
	longestGap: number;
	gapsOver50: number;
	tasks?: TaskStats;
}

function smoothness(
	runs: ({ monitor: MonitorResult; tasks?: TaskStats } | undefined)[]
): Smoothness | undefined {
	const present = runs.filter((r): r is { monitor: MonitorResult; tasks?: TaskStats } => r !== undefined);
	if (present.length === 0) return undefined;
	const tasks = present.flatMap((r) => r.monitor.longTasks);
	return {
		longTasks: tasks.length,
		longestTask: tasks.length ? Math.max(...tasks.map((t) => t.duration)) : 0,
		longestGap: Math.max(...present.map((r) => r.monitor.maxFrameGap)),
		gapsOver50: present.reduce((n, r) => n + r.monitor.gapsOver50, 0),
		tasks: mergeTasks(...present.map((r) => r.tasks))
	};
}

function describeSmoothness(s: Smoothness | undefined): string {
	if (!s) return '–';
	const tasks = s.longTasks
		? `${s.longTasks} long task${s.longTasks > 1 ? 's' : ''}, longest ${ms(s.longestTask)}`
		: 'no long task';
	const cpu = s.tasks ? `; longest task’s CPU time ${ms(s.tasks.longestCpu)}` : '';
	return `${tasks}; longest frame gap ${ms(s.longestGap)}${cpu}`;
}

/**
 * Met when no long task and no frame gap passed 50 ms. When they did but no task used 50 ms of CPU,
 * the time went to other processes of a busy machine, not to the app: said so.
 */
function smoothVerdict(s: Smoothness | undefined): string {
	if (!s) return '–';
	if (s.longTasks === 0 && s.longestGap <= LONG_TASK_TARGET) return met(true);
	if (s.tasks && s.tasks.longestCpu <= LONG_TASK_TARGET) {
		return '**NOT met** in wall time; met in CPU time (the machine was busy, see the load)';
	}
	return met(false);
}

function monitorLine(
	name: string,
	m: MonitorResult | undefined,
	tasks: TaskStats | undefined,
	extra = ''
): (string | number)[] {
	if (!m) return [name, '–', '–', '–', '–', '–', extra];
	const longestTask = m.longTasks.length ? Math.max(...m.longTasks.map((t) => t.duration)) : 0;
	return [
		name,
		m.longTasks.length ? `${m.longTasks.length} (longest ${ms(longestTask)})` : 'none',
		tasks ? `${ms(tasks.longestCpu)} (${tasks.over50Cpu} over 50 ms)` : '–',
		ms(m.maxFrameGap),
		`${m.gapsOver50} of ${int(m.frames)}`,
		ms(m.duration),
		extra
	];
}

const fills = (values: number[] | undefined) =>
	values?.length
		? `rows drawn in ${ms(median(values))} median, ${ms(percentile(values, 95))} p95, ${ms(Math.max(...values))} max`
		: '';

const hidden = (px: number | undefined, what: string) =>
	px === undefined
		? ''
		: px > 0.5
			? `**${what} was ${Math.round(px)} px outside the view**`
			: `${what} fully in view`;

function profileTables(profile: CpuProfile): string {
	const rows = (entries: CpuProfile['bySelf']) =>
		entries.map((e) => [e.label.replace(/\|/g, '\\|'), ms(e.selfMs), ms(e.totalMs)]);
	return [
		`Sampled ${ms(profile.totalMs)} of main-thread time. By self time:`,
		'',
		table(
			['Function (minified name, file:line:col, start of its code)', 'Self', 'Total'],
			rows(profile.bySelf)
		),
		'',
		'By total time (callees included):',
		'',
		table(['Function', 'Self', 'Total'], rows(profile.byTotal))
	].join('\n');
}

function scaleSection(scale: ScaleResults): string {
	const out: string[] = [`### ${scaleName(scale.users)}`, ''];
	if (scale.seed) {
		const how =
			`raw IndexedDB puts (20,000 per transaction, relaxed durability) into the app's database ` +
			`(IndexedDB version ${scale.databaseVersion ?? '?'}, i.e. Dexie schema v${Math.round((scale.databaseVersion ?? 0) / 10)}, with its catalogue): ` +
			`${int(scale.seed.count)} users in ${scale.seed.seconds.toFixed(1)} s ` +
			`(${int(scale.seed.usersPerSecond)} users/s; ${scale.seed.writeSeconds.toFixed(1)} s inside the ` +
			`transactions, ${int(scale.seed.count / scale.seed.writeSeconds)} users/s; Node made them in ` +
			`${scale.seed.generateSeconds.toFixed(1)} s, overlapping the writes)`;
		out.push(
			scale.cachedFrom
				? `The users come from a copy of the profile an earlier run seeded (${scale.cachedFrom}) with ${how}.`
				: `Seeded with ${how}.`,
			''
		);
	}
	if (scale.heapAfterLoad !== undefined) {
		out.push(
			`JavaScript heap the page keeps after a load (garbage collected): ${mib(scale.heapAfterLoad)}.`,
			''
		);
	}
	if (scale.firstScreens.length) {
		out.push(
			'**First screen** (navigation start → first row’s name cell has its text; “painted” = the next animation frame):',
			'',
			table(
				[
					'Load',
					'DOMContentLoaded',
					'First contentful paint',
					'Count shown',
					'First row in DOM',
					'First row painted',
					'Long tasks before it'
				],
				scale.firstScreens.map((s, i) => [
					i === 0 ? '1 (nothing kept)' : `${i + 1} (kept order)`,
					ms(s.domContentLoaded),
					ms(s.firstContentfulPaint),
					ms(s.countShown),
					ms(s.firstRow),
					ms(s.firstRowPainted),
					s.longTasks.length ? s.longTasks.map((t) => ms(t.duration)).join(', ') : 'none'
				])
			),
			''
		);
		if (scale.orderKeptAt !== undefined) {
			out.push(
				`Load 1 is the first visit after the users changed: the first screen comes from the head of the order, then every id of the order is read and kept on disk (src/lib/db/lists.ts), ${ms(scale.orderKeptAt)} after navigation start. Later loads read the kept order.`,
				''
			);
		}
		const last = scale.firstScreens[scale.firstScreens.length - 1]!;
		if (last.reads.length) {
			out.push(
				'Large or slow IndexedDB reads before the first row (last load; time from the request to its success event):',
				'',
				table(
					['Request', 'On', 'Started', 'Took', 'Results'],
					last.reads.map((r) => [r.op, r.source, ms(r.start), ms(r.end - r.start), int(r.size)])
				),
				''
			);
		}
	}
	if (scale.search.length) {
		out.push(
			'**Search** (keydown in “Search users” → the count shows the expected number and the rows in view are drawn):',
			'',
			table(
				['Key', 'Search', 'Users found', 'Keystroke → first matches drawn', 'Keystroke → updated list'],
				scale.search.map((s) => [
					`\`${s.key}\``,
					s.query,
					int(s.expected),
					s.firstMs === undefined ? '–' : ms(s.firstMs),
					s.ms === undefined ? 'not timed (same count as before)' : ms(s.ms)
				])
			),
			''
		);
	}
	out.push(
		'**Main thread while moving through the list** (long tasks from PerformanceObserver, wall clock; the ' +
			'longest task’s CPU time from a Chromium trace; frame gaps from a requestAnimationFrame loop):',
		'',
		table(
			[
				'Run',
				'Long tasks (> 50 ms)',
				'Longest task, CPU time',
				'Longest frame gap',
				'Gaps > 50 ms',
				'Duration',
				'Notes'
			],
			[
				monitorLine(
					`scrollTop from top to bottom in ${scale.scroll?.fills.length ?? '–'} steps`,
					scale.scroll?.monitor,
					scale.scroll?.tasks,
					`${fills(scale.scroll?.fills)}; reached aria-rowindex ${int(scale.scroll?.lastRowIndex ?? NaN)}`
				),
				monitorLine(
					`PageDown × ${scale.pageDown?.latencies.length ?? '–'}`,
					scale.pageDown?.monitor,
					scale.pageDown?.tasks,
					`keydown → rows drawn: ${ms(median(scale.pageDown?.latencies ?? []))} median, ` +
						`${ms(percentile(scale.pageDown?.latencies ?? [], 95))} p95; ` +
						hidden(scale.pageDown?.worstHiddenPx, 'the active row')
				),
				monitorLine(
					'End (jump to the last row)',
					scale.end?.monitor,
					scale.end?.tasks,
					`keydown → last row drawn: ${ms(scale.end?.latency)}; ${hidden(scale.end?.hiddenPx, 'the last row')}`
				)
			]
		),
		''
	);
	const taskLine = (name: string, t: TaskStats | undefined) =>
		t
			? `${name}: longest main-thread task ${ms(t.longestWall)} wall clock, ${ms(t.longestCpu)} CPU time; ` +
				`${t.over50Cpu} task${t.over50Cpu === 1 ? '' : 's'} over 50 ms of CPU.`
			: '';
	out.push(
		...[
			taskLine('During the timed first loads', scale.firstScreenTasks),
			taskLine('During the search keystrokes', scale.searchTasks)
		].filter(Boolean),
		''
	);
	if (scale.firstScreenProfile) {
		out.push(
			`**Where a first load’s time goes** (V8 CPU profile of one more load):`,
			'',
			profileTables(scale.firstScreenProfile),
			''
		);
	}
	if (scale.searchProfile) {
		out.push(
			`**Where a search keystroke’s time goes** (\`${scale.searchProfile.key}\` in an empty box: ` +
				`${ms(scale.searchProfile.ms)} under the profiler):`,
			'',
			profileTables(scale.searchProfile),
			''
		);
	}
	return out.join('\n');
}

export function writeReport(file: string, r: Results): void {
	const m = r.machine;
	const small = r.scales[0];
	const big = r.scales.length > 1 ? r.scales[r.scales.length - 1] : undefined;
	const firstScreen = (s: ScaleResults | undefined) =>
		median(s?.firstScreens.map((f) => f.firstRowPainted) ?? []);
	const search = (s: ScaleResults | undefined) =>
		median((s?.search ?? []).map((x) => x.ms).filter((x): x is number => x !== undefined));
	const moving = (s: ScaleResults | undefined) => smoothness([s?.scroll, s?.pageDown, s?.end]);
	const lh = r.lighthouse ?? [];
	const lhPerf = median(lh.map((x) => x.performance));
	const lhA11y = lh.length ? Math.min(...lh.map((x) => x.accessibility)) : NaN;
	const js = r.initialJs;
	const pre = r.precache;

	const summary: (string | number)[][] = [];
	const scaleRows = (label: string, s: ScaleResults | undefined) => {
		if (!s) return;
		const name = scaleName(s.users);
		const [cold, ...warm] = s.firstScreens;
		if (cold) {
			summary.push([
				label,
				`First screen of the list, ${name}: first visit after a change (nothing kept)`,
				ms(cold.firstRowPainted),
				'no target set',
				'–'
			]);
		}
		if (s.orderKeptAt !== undefined) {
			summary.push([
				label,
				`… and the whole order read and kept (every row reachable, actions on all)`,
				ms(s.orderKeptAt),
				'no target set',
				'–'
			]);
		}
		if (warm.length) {
			summary.push([
				label,
				`First screen of the list, ${name}: later visits (median of ${warm.length})`,
				ms(firstScreen({ ...s, firstScreens: warm })),
				'no target set',
				'–'
			]);
		}
		summary.push([
			label,
			`Search keystroke → updated list, ${name} (median of ${s.search.filter((x) => x.ms !== undefined).length})`,
			ms(search(s)),
			'no target set',
			'–'
		]);
		summary.push([
			label,
			`Longest main-thread task scrolling / PageDown / End, ${name}`,
			describeSmoothness(moving(s)),
			'none over 50 ms',
			smoothVerdict(moving(s))
		]);
	};
	scaleRows('(a–c)', small);
	if (!big || big.users < 1_000_000) {
		summary.push(['(d)', '1,000,000 users', 'not measured in this run', 'none over 50 ms', '–']);
	}
	if (big) {
		scaleRows('(d)', big);
		summary.push([
			'(d)',
			`End → last row (aria-rowindex ${int(big.users + 1)}) drawn, ${scaleName(big.users)}`,
			`${ms(big.end?.latency)}; ${describeSmoothness(smoothness([big.end]))}`,
			'no task over 50 ms',
			smoothVerdict(smoothness([big.end]))
		]);
	}
	if (js) {
		summary.push([
			'(e)',
			`JavaScript of the first visit to / (${js.files.length} files), gzip -9`,
			`${kb(js.gzip)} (${kb(js.transferred)} as sent, brotli)`,
			'< 150 kB',
			met(js.gzip < JS_TARGET)
		]);
		summary.push([
			'(e)',
			'SheetJS in that JavaScript',
			js.sheetjsInInitial.length ? `yes (${js.sheetjsInInitial.join(', ')})` : 'no',
			'absent',
			met(js.sheetjsInInitial.length === 0)
		]);
	}
	if (pre) {
		summary.push([
			'(f)',
			`Precache (${pre.files.length} files named by service-worker.js)`,
			`${mib(pre.bytes)} (${int(pre.bytes)} bytes)`,
			'< 2 MiB',
			met(pre.bytes < PRECACHE_TARGET)
		]);
	}
	if (lh.length) {
		summary.push([
			'(g)',
			`Lighthouse desktop performance, / (median of ${lh.length})`,
			String(lhPerf),
			'≥ 95',
			met(lhPerf >= 95)
		]);
		summary.push([
			'(g)',
			`Lighthouse accessibility, / (lowest of ${lh.length})`,
			String(lhA11y),
			'100',
			met(lhA11y >= 100)
		]);
	}

	const out: string[] = [
		'# Rollcall benchmarks',
		'',
		'Written by `npm run bench` (tests/bench/): do not edit by hand, run it again. It builds the app, serves',
		'build/ with the relay on a loopback port, and measures in headless Chromium. Timings are of this machine',
		'and this run; the tests assert no timing.',
		'',
		'## Machine',
		'',
		table(
			['', ''],
			m
				? [
						['Date', m.date],
						['CPU', `${m.cpuModel}, ${m.cpus} cores`],
						['Memory', m.memory],
						['OS', m.os],
						['Chromium', `${m.chromium} (headless, ${r.viewport.width}×${r.viewport.height})`],
						['Node', m.node],
						['Run took', r.finishedAt ? `${((r.finishedAt - r.startedAt) / 60_000).toFixed(1)} min` : '–'],
						[
							'Load average (1 min) as sections started',
							r.load.map((l) => `${l.loadAverage.toFixed(1)} (${l.section})`).join(', ')
						]
					]
				: []
		),
		'',
		'## Summary',
		'',
		table(['', 'Measure', 'Result', 'Target', ''], summary),
		''
	];
	if (r.errors.length) {
		out.push(
			'## Failures in this run',
			'',
			...r.errors.map((e) => `- **${e.section}**: ${e.message.split('\n')[0]}`),
			''
		);
	}
	out.push(
		'## How it is measured',
		'',
		'- Users are generated in Node (tests/bench/people.ts: ~180 first and ~180 last names with accents,',
		'  hyphens, apostrophes and particles; unique emails, usernames and customer codes; 44 sites; 15 %',
		'  Privileged; 60 % Active, 30 % Pending, 10 % Suspended) as `User` records with the keys `userKeys()`',
		'  derives, and written with raw IndexedDB puts into the database the app created, with the catalogue',
		'  the app keeps beside them (src/lib/db/catalog.ts, made in Node by catalogOf). The 1,000,000 run',
		'  tops up the 100,000 one. The Chromium profile is on disk (an incognito one runs out of quota), and',
		'  once seeded it is copied to node_modules/.cache/rollcall-bench/ (about 1.5 GB for both sizes): later',
		'  runs with the same generator, schema, domain code, Chromium and relay port start from a copy',
		'  (BENCH_CACHE=0: always seed). Service workers are blocked for the list measurements (the app files',
		'  come from the HTTP cache). Writing the users is most of a first run: each has 5 or 6 index entries',
		'  (the primary key, its unique entries and the customer and name order), and 1,000,000 take minutes.',
		'  `BENCH_SCALES=100000` measures the smaller directory only.',
		'- Times come from the page’s own clock: navigation start (performance.now() = 0) for the first screen,',
		'  the keydown event’s timeStamp for keystrokes. The list is checked once per animation frame, so a',
		'  latency is known to within a frame (~17 ms). “Drawn” means every row inside the scroller’s view shows',
		'  its name (no placeholder) and the rows cover the view.',
		'- Long tasks: a `longtask` PerformanceObserver (Chromium reports tasks over 50 ms). Frame gaps: the',
		'  largest interval between two requestAnimationFrame callbacks while the run lasts. Both are wall-clock',
		'  times: when the load average is above the number of cores, other processes took CPU from the page',
		'  and these grow. A Chromium trace (`toplevel`) of the same runs gives each main-thread task’s CPU',
		'  (thread) time too, which such contention does not inflate: it is what the app itself costs.',
		'- Where the time goes: V8’s sampling profiler over one extra load and one extra keystroke (not the',
		'  timed ones); names are minified, so each function is shown with the start of its code.',
		'- JavaScript: every .js response of a first visit to / in a fresh profile (no cache, no service worker),',
		'  until the network is idle; gzip -9 of each file, and the bytes actually sent (the relay prefers brotli).',
		'- Precache: the paths build/service-worker.js names, sized from build/; then the worker is really',
		'  installed in a fresh profile and Cache Storage is summed.',
		'- Lighthouse: the `lighthouse` package’s CLI, `--preset=desktop`, system Chromium (`CHROME_PATH`,',
		'  `--headless=new` and the flags above). It clears the origin’s storage first: an empty directory.',
		''
	);

	if (js) {
		out.push(
			'## (e) JavaScript of the first visit',
			'',
			table(
				['File', 'On disk', 'gzip -9', 'Sent'],
				[...js.files]
					.sort((a, b) => b.gzip - a.gzip)
					.map((f) => [f.path, kb(f.raw), kb(f.gzip), `${kb(f.transferred)} (${f.encoding})`])
					.concat([['**Total**', kb(js.raw), kb(js.gzip), kb(js.transferred)]])
			),
			'',
			js.sheetjsChunks.length
				? `SheetJS is in ${js.sheetjsChunks.map((c) => `${c.path} (${kb(c.gzip)} gzip)`).join(', ')}` +
						`${js.sheetjsInInitial.length ? '' : ', which the first visit does not load'}.`
				: 'No built file contains SheetJS (no import code in this build yet).',
			''
		);
	}
	if (pre) {
		out.push(
			'## (f) Precache',
			'',
			`${pre.files.length} files, ${mib(pre.bytes)}. ` +
				(pre.installed
					? `Installed for real: ${pre.installed.entries} Cache Storage entries, ${mib(pre.installed.bytes)}.`
					: `The worker could not be installed here: ${pre.installError ?? 'unknown reason'}.`),
			'',
			table(
				['Largest files', 'Bytes'],
				pre.files.slice(0, 8).map((f) => [f.path, int(f.bytes)])
			),
			''
		);
	}
	if (lh.length) {
		out.push(
			`## (g) Lighthouse ${lh[0]!.version}`,
			'',
			table(
				['Run', 'Performance', 'Accessibility', ...Object.keys(lh[0]!.metrics)],
				lh.map((x, i) => [i + 1, x.performance, x.accessibility, ...Object.values(x.metrics)])
			),
			''
		);
		const failing = new Map<string, string>();
		for (const run of lh)
			for (const f of run.failing) failing.set(`${f.category}: ${f.title} (${f.id})`, f.category);
		if (failing.size)
			out.push('Audits below full marks in some run:', '', ...[...failing.keys()].map((f) => `- ${f}`), '');
	}
	out.push('## The Users list', '', ...r.scales.map(scaleSection));
	// The other benchmarks (import, relay, outbox) write their own marked sections and can run alone: keep them.
	for (const section of markedSections(file)) out.push('', section);
	writeFileSync(file, `${out.join('\n').trimEnd()}\n`);
}

/** Every `<!-- name:start ... -->` ... `<!-- name:end -->` block of `file`, in order. */
function markedSections(file: string): string[] {
	if (!existsSync(file)) return [];
	return [...readFileSync(file, 'utf8').matchAll(/<!-- ([\w-]+):start[^>]*-->[\s\S]*?<!-- \1:end -->/g)].map(
		(match) => match[0]
	);
}
