import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	preview: { port: 4173, strictPort: true },
	test: {
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['tests/unit/**/*.test.ts'],
					exclude: ['tests/unit/**/*.svelte.test.ts'],
					environment: 'node'
				}
			},
			{
				// The app's state classes with their runes live: Svelte's client build, so $effect runs.
				extends: true,
				resolve: { conditions: ['browser'] },
				test: {
					name: 'state',
					include: ['tests/unit/**/*.svelte.test.ts'],
					environment: 'happy-dom'
				}
			}
		]
	}
});
