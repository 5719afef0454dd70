import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM, CHROMIUM_FLAGS } from './scripts/chromium.ts';

// E2E_PORT lets two checkouts run their browser tests side by side.
const PORT = Number(process.env.E2E_PORT ?? 4321);
const isCI = Boolean(process.env.CI);

export default defineConfig({
	testDir: 'tests/e2e',
	fullyParallel: false,
	forbidOnly: isCI,
	retries: isCI ? 1 : 0,
	workers: isCI ? 1 : 2,
	reporter: 'list',
	use: {
		baseURL: `http://127.0.0.1:${PORT}`,
		serviceWorkers: 'allow',
		trace: 'retain-on-failure'
	},
	projects: [
		{
			name: 'chromium',
			use: {
				...devices['Desktop Chrome'],
				launchOptions: {
					executablePath: CHROMIUM,
					args: CHROMIUM_FLAGS
				}
			}
		}
	],
	// `npm run test:e2e` builds first; the relay serves build/ exactly as in production. Node 24 from the
	// `node` devDependency, named outright so that `npx playwright test` on an older system Node works too.
	webServer: {
		command: 'node_modules/.bin/node src/relay/main.ts',
		env: { PORT: String(PORT), HOST: '127.0.0.1' },
		url: `http://127.0.0.1:${PORT}/`,
		reuseExistingServer: !isCI,
		stdout: 'pipe',
		stderr: 'pipe',
		timeout: 30_000
	}
});
