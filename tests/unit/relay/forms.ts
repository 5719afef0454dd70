// Posting the relay's forms as a browser would, from any loopback address (127.0.0.0/8 all reach the
// relay on 127.0.0.1), so per-address limits can be tested with many clients on one machine.
import { request } from 'node:http';

export interface FormAnswer {
	readonly status: number;
	readonly retryAfter: string | undefined;
	/** The cookie the answer sets, as name=value. */
	readonly cookie: string | undefined;
	readonly text: string;
}

export function postForm(
	url: string,
	fields: Record<string, string>,
	from = '127.0.0.1',
	cookie?: string
): Promise<FormAnswer> {
	const body = new URLSearchParams(fields).toString();
	return new Promise((resolve, reject) => {
		const outgoing = request(
			url,
			{
				method: 'POST',
				localAddress: from,
				agent: false,
				headers: {
					'Content-Type': 'application/x-www-form-urlencoded',
					'Content-Length': Buffer.byteLength(body),
					Origin: new URL(url).origin,
					...(cookie ? { Cookie: cookie } : {})
				}
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						retryAfter: response.headers['retry-after'],
						cookie: response.headers['set-cookie']?.[0]?.split(';')[0],
						text: Buffer.concat(chunks).toString('utf8')
					})
				);
				response.on('error', reject);
			}
		);
		outgoing.on('error', reject);
		outgoing.end(body);
	});
}

/** How many answers had each status. */
export function countStatuses(answers: readonly FormAnswer[]): Record<number, number> {
	const counts: Record<number, number> = {};
	for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
	return counts;
}
