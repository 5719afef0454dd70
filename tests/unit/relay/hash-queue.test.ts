import { describe, expect, it } from 'vitest';
import { HashQueue } from '../../../src/relay/accounts/hash-queue.ts';

/** A hash that ends when the test says so. */
function gate(): { promise: Promise<string>; finish: (value: string) => void } {
	let finish: (value: string) => void = () => {};
	const promise = new Promise<string>((resolve) => (finish = resolve));
	return { promise, finish };
}

/** Lets every settled promise's callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('HashQueue', () => {
	it('runs at most its cap at once, hands a freed slot to the next, and refuses past the waiting cap', async () => {
		const queue = new HashQueue({ running: 2, waiting: 2 });
		const gates = Array.from({ length: 5 }, gate);
		const order: number[] = [];
		const runs = gates.map((g, i) =>
			queue.run('sign-in', () => {
				order.push(i);
				return g.promise;
			})
		);
		expect(runs[4]).toBeUndefined();
		expect(queue.stats()).toMatchObject({ running: 2, waiting: 2, refused: 1 });
		expect(order).toEqual([0, 1]);

		gates[0]!.finish('a');
		expect(await runs[0]).toBe('a');
		await settle();
		expect(order).toEqual([0, 1, 2]);
		// A newcomer arriving while slots are handed over does not jump the queue or exceed the cap.
		const late = gate();
		const lateRun = queue.run('sign-in', () => late.promise);
		expect(queue.stats()).toMatchObject({ running: 2, waiting: 2 });

		for (const g of [gates[1]!, gates[2]!, gates[3]!, late]) g.finish('done');
		await Promise.all([runs[1], runs[2], runs[3], lateRun]);
		expect(queue.stats()).toEqual({ running: 0, waiting: 0, maxRunning: 2, started: 5, refused: 1 });
	});

	it('lets a person (activation, SMS login details) go ahead of every waiting sign-in', async () => {
		const queue = new HashQueue({ running: 1, waiting: 3 });
		const first = gate();
		const order: string[] = [];
		const job = (name: string) => () => {
			order.push(name);
			return Promise.resolve(name);
		};
		const running = queue.run('sign-in', () => first.promise);
		const waiting = [queue.run('sign-in', job('sign-in 1')), queue.run('sign-in', job('sign-in 2'))];
		const person = queue.run('person', job('activation'));
		first.finish('first');
		await Promise.all([running, ...waiting, person]);
		expect(order).toEqual(['activation', 'sign-in 1', 'sign-in 2']);
	});

	it('keeps a separate, larger waiting room for people, so a full sign-in lane does not refuse them', async () => {
		const queue = new HashQueue({ running: 1, waiting: 0, personWaiting: 1 });
		const first = gate();
		const running = queue.run('sign-in', () => first.promise);
		expect(queue.run('sign-in', () => Promise.resolve('no room'))).toBeUndefined();
		const person = queue.run('person', () => Promise.resolve('activated'));
		expect(person).toBeDefined();
		expect(queue.run('person', () => Promise.resolve('one too many'))).toBeUndefined();
		first.finish('first');
		expect(await person).toBe('activated');
		await running;
	});

	it('frees the slot of a hash that fails', async () => {
		const queue = new HashQueue({ running: 1, waiting: 1 });
		const failing = queue.run('sign-in', () => Promise.reject(new Error('scrypt failed')));
		const next = queue.run('sign-in', () => Promise.resolve('next'));
		await expect(failing).rejects.toThrow('scrypt failed');
		expect(await next).toBe('next');
		expect(queue.stats().running).toBe(0);
	});
});
