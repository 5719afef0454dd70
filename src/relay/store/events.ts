import type { DatabaseSync } from 'node:sqlite';
import type { EventPage, RelayEvent, RelayEventType } from '../../lib/domain/relay-protocol.ts';

export interface NewEvent {
	readonly type: RelayEventType;
	readonly userId: string;
	readonly idempotencyKey?: string;
	readonly reason?: string;
	readonly computer?: string;
}

/** Appends an event; call inside the transaction that makes it true. */
export function recordEvent(db: DatabaseSync, event: NewEvent, now = Date.now()): void {
	db.prepare(
		'INSERT INTO events (type, user_id, idempotency_key, at, reason, computer) VALUES (?, ?, ?, ?, ?, ?)'
	).run(
		event.type,
		event.userId,
		event.idempotencyKey ?? null,
		now,
		event.reason ?? null,
		event.computer ?? null
	);
}

interface EventRow {
	seq: number;
	type: RelayEventType;
	user_id: string;
	idempotency_key: string | null;
	at: number;
	reason: string | null;
	computer: string | null;
}

/** The events after `after` (a sequence number), oldest first. */
export function readEvents(db: DatabaseSync, after: number, limit: number): EventPage {
	const rows = db
		.prepare(
			'SELECT seq, type, user_id, idempotency_key, at, reason, computer FROM events WHERE seq > ? ORDER BY seq LIMIT ?'
		)
		.all(after, limit + 1) as unknown as EventRow[];
	const page = rows.slice(0, limit);
	const events = page.map((row): RelayEvent => ({
		cursor: String(row.seq),
		type: row.type,
		userId: row.user_id,
		at: new Date(row.at).toISOString(),
		...(row.idempotency_key === null ? {} : { idempotencyKey: row.idempotency_key }),
		...(row.reason === null ? {} : { reason: row.reason }),
		...(row.computer === null ? {} : { computer: row.computer })
	}));
	return {
		events,
		cursor: events.at(-1)?.cursor ?? String(after),
		hasMore: rows.length > limit
	};
}
