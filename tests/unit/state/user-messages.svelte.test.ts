import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { db, users } from '$lib/db';
import { UserMessages } from '$lib/state/user-messages.svelte';
import { person } from '../db/helpers';

// What is queued and said is the subject here, not the sending.
vi.mock('$lib/state/sync.svelte', () => ({ sync: { kick: vi.fn() } }));

describe("a user's page that offered an activation email", () => {
	it('says why nothing was queued when the person activated meanwhile, not that they have no address', async () => {
		const ann = await users.add(person({ firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com' }));
		// The relay's event arrived after the page offered 'Send activation email'.
		await db.users.update(ann.id, { status: 'Active', activatedAt: Date.now() });
		let messages!: UserMessages;
		const cleanup = $effect.root(() => void (messages = new UserMessages(() => ann.id)));
		await messages.sendActivation(ann);
		expect(await db.outbox.count()).toBe(0);
		expect(messages.notice?.isError).toBe(true);
		expect(messages.notice?.text).toMatch(
			/^Nothing was sent: Ann Lee cannot get an activation email, as they .*Active/
		);
		cleanup();
	});
});
