import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { licensesStore } from '$lib/db/licenses';
import { outboxStore } from '$lib/db/outbox';
import { relayStore } from '$lib/db/relay';
import { usersStore } from '$lib/db/users';
import { mailFor } from '$lib/domain/outbox';
import { DEFAULT_CUSTOMER_ID } from '$lib/domain/user';
import { freshDb, person } from './helpers';

describe('the mail that activates a user', () => {
	it('is the welcome mail for a licensed user (it carries the key), the activation email for anyone else', () => {
		expect(mailFor({ entitlements: 'Desktop' }, 'activation')).toBe('welcome');
		expect(mailFor({ entitlements: 'Web; Mobile' }, 'activation')).toBe('welcome');
		expect(mailFor({}, 'activation')).toBe('activation');
		expect(mailFor({ entitlements: 'Desktop' }, 'sms-login')).toBe('sms-login');
	});

	it('goes out of Send activation as each user needs it: the licensed get their own key', async () => {
		const db = freshDb('outbox-welcome');
		const users = usersStore(db);
		const outbox = outboxStore(db, relayStore(db));
		await licensesStore(db).setSeats(DEFAULT_CUSTOMER_ID, 'Desktop', 1);
		const licensed = await users.add(
			person({ firstName: 'Lia', email: 'lia@example.com', entitlements: 'Desktop' })
		);
		const plain = await users.add(person({ firstName: 'Pat', email: 'pat@example.com' }));
		expect(await outbox.queueFor([licensed.id, plain.id], 'activation')).toMatchObject({ queued: 2 });
		const sent = await outbox.list();
		const of = (id: number) => sent.find((message) => message.userId === id);
		expect(of(licensed.id)).toMatchObject({
			template: 'welcome',
			to: 'lia@example.com',
			values: { licenseKey: licensed.licenseKey }
		});
		expect(of(plain.id)).toMatchObject({ template: 'activation', to: 'pat@example.com' });
		expect(of(plain.id)?.values?.licenseKey).toBeUndefined();
	});
});
