import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM, CHROMIUM_FLAGS } from './scripts/chromium.ts';
import { PORT, RELAY_DATA_DIR, SMS_WEBHOOK_PORT } from './tests/e2e/relay-env.ts';

const isCI = Boolean(process.env.CI);

export default defineConfig({
	testDir: 'tests/e2e',
	// One folder per port: two runs side by side in one checkout (E2E_PORT apart) would otherwise share
	// test-results/.playwright-artifacts-N, and each run deletes the other's traces as it goes.
	outputDir: `test-results/${PORT}`,
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
		command: `rm -rf ${RELAY_DATA_DIR} && node_modules/.bin/node src/relay/main.ts`,
		env: {
			PORT: String(PORT),
			HOST: '127.0.0.1',
			RELAY_DATA_DIR,
			PUBLIC_URL: `http://127.0.0.1:${PORT}`,
			SMS_WEBHOOK_URL: `http://127.0.0.1:${SMS_WEBHOOK_PORT}/sms`
		},
		url: `http://127.0.0.1:${PORT}/`,
		reuseExistingServer: !isCI,
		stdout: 'pipe',
		stderr: 'pipe',
		timeout: 30_000
	}
});
