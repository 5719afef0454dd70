import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { eventsStore } from '$lib/db/events';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { relayUserId } from '$lib/domain/outbox';
import { freshDb, person } from './helpers';

const NOW = 40 * 86_400_000;

describe('an initial password whose SMS the relay could not deliver', () => {
	it('is not claimed: the person never got it', async () => {
		const db = freshDb('initial-password-undeliverable');
		const users = usersStore(db);
		const relay = relayStore(db);
		const outbox = outboxStore(db, relay);
		const ann = (
			await users.add(person({ firstName: 'Ann', email: 'ann@example.com', mobilePhone: '+33612345678' }))
		).id;
		const values = () => ({ password: 'Correct-Horse-Battery-9' });
		await outbox.queueFor([ann], 'sms-login', { values, now: NOW });
		expect((await users.get(ann))?.hasPassword).toBe(true);
		const [sms] = await db.outbox.toArray();
		await db.outbox.update(sms!.key, { state: 'sent', sentAt: NOW + 1, values: undefined });
		const { directoryId } = await relay.read();
		const event = {
			cursor: '1',
			type: 'undeliverable' as const,
			userId: relayUserId(directoryId, ann),
			idempotencyKey: sms!.key,
			at: new Date(NOW + 2).toISOString(),
			reason: 'The number does not exist.'
		};
		await eventsStore(db, relay).apply([event], '1');
		expect((await users.get(ann))?.hasPassword).toBe(false);
	});
});
