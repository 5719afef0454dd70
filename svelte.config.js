import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		// A single-page app: every route is rendered in the browser from the fallback page,
		// which the service worker precaches so the app opens with no network.
		adapter: adapter({ fallback: 'index.html' }),
		serviceWorker: { register: false },
		version: { pollInterval: 0 }
	}
};

export default config;
