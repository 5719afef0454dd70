import 'fake-indexeddb/auto';
import { expect, it, vi } from 'vitest';
import { db } from '$lib/db';
import { licensesStore } from '$lib/db/licenses';
import { defaultPolicy } from '$lib/domain/policy';
import { DEFAULT_CUSTOMER_ID } from '$lib/domain/user';
import { currentCustomer } from '$lib/state/current-customer.svelte';
import { ImportSession } from '$lib/state/import-session.svelte';
import { settings } from '$lib/state/settings.svelte';

// The worker's work, done here: the session's own logic is what this test is about.
vi.mock('$lib/import/bridge', () => import('./bridge-in-process'));

vi.setConfig({ testTimeout: 30_000 });

const file = (lines: string[]) => new File([lines.join('\r\n')], 'staff.csv', { type: 'text/csv' });

it('counts the seats of the customer the import commits into, not of one switched to since', async () => {
	await settings.save({ policy: { ...defaultPolicy, entitlements: 'optional' } });
	const other = DEFAULT_CUSTOMER_ID + 1;
	await licensesStore(db).setSeats(other, 'Desktop', 10);
	const session = new ImportSession();
	expect(session.customerId).toBe(DEFAULT_CUSTOMER_ID);
	// The switcher chooses a customer with seats while the import (into one without) is open.
	currentCustomer.switchTo(other);
	await session.choose(file(['First name,Last name,Email,Licenses', 'Ada,Lovelace,ada@example.com,Desktop']));
	await vi.waitFor(() => expect(session.blocker).toContain('Desktop seats'), { timeout: 20_000 });
});
