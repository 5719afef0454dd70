import type { AppliedEvents, EventsStore } from '$lib/db/events';
import { MAX_EVENT_PAGE } from '$lib/domain/relay-protocol';
import type { RelayClient, RelayProblem } from './relay-client';

export type PullReport = AppliedEvents & { problem?: RelayProblem };

/**
 * Reads the relay's events after `cursor`, page by page until there are no more, applying each page with
 * its cursor in one transaction: stopped at any point, the next pull starts where this one got to.
 */
export async function pullEvents(
	client: RelayClient,
	events: EventsStore,
	cursor: string | undefined,
	pageSize = MAX_EVENT_PAGE
): Promise<PullReport> {
	const report: PullReport = { activated: 0, signedIn: 0, delivery: 0, computers: 0, skipped: 0 };
	for (;;) {
		const answer = await client.events(cursor, pageSize);
		if (!answer.ok) return { ...report, problem: answer };
		const page = answer.value;
		if (page.events.length > 0 || page.cursor !== cursor) {
			const applied = await events.apply(page.events, page.cursor);
			report.activated += applied.activated;
			report.signedIn += applied.signedIn;
			report.delivery += applied.delivery;
			report.computers += applied.computers;
			report.skipped += applied.skipped;
		}
		// A relay that says 'more' without moving the cursor would keep this loop going forever.
		if (!page.hasMore || page.cursor === cursor) return report;
		cursor = page.cursor;
	}
}
