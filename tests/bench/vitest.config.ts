// Vitest set-up for `npm run bench` only: the unit tests keep vite.config.ts. No SvelteKit plugin: the bench
// imports the pure domain code (userKeys...) through the same `$lib` alias the app uses.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	resolve: { alias: { $lib: fileURLToPath(new URL('../../src/lib', import.meta.url)) } },
	test: {
		root: fileURLToPath(new URL('../..', import.meta.url)),
		include: ['tests/bench/*.bench.test.ts'],
		environment: 'node',
		fileParallelism: false,
		testTimeout: 120 * 60_000,
		hookTimeout: 10 * 60_000,
		reporters: ['verbose']
	}
});
