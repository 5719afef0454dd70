// Where the browser tests' relay listens and keeps its state; read by playwright.config.ts and the tests.

/** E2E_PORT lets two checkouts run their browser tests side by side. */
export const PORT = Number(process.env.E2E_PORT ?? 4321);
/** The relay's database for this run: emptied when the relay starts, so no run sees another's mail. */
export const RELAY_DATA_DIR = `/tmp/rollcall-e2e-relay-${PORT}`;
/** Where the relay POSTs SMS: the activation test listens there (pages/sms-webhook.ts). */
export const SMS_WEBHOOK_PORT = PORT + 1;
