// A real webhook receiver on 127.0.0.1 port 0 that records every delivery, and the signature check a
// receiver would run (the same steps as the snippet in docs/webhooks.md, written independently of src/).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { NoticePayload } from '../../src/notify/webhooks/notice.js';
import { startTarget } from './target.js';

export interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly payload: NoticePayload;
}

export interface Receiver {
  readonly url: string;
  /** Every request, in arrival order, retries included. */
  readonly deliveries: Delivery[];
  /** TCP connections accepted, whether or not a delivery followed. */
  readonly connections: number;
  close(): Promise<void>;
}

/** What to answer: a status, a status with headers, or `hang` to never answer (the response is handed over for a later release). */
export type Answer = number | { readonly status: number; readonly headers: Readonly<Record<string, string>> } | 'hang';

export async function startReceiver(
  answer: (delivery: Delivery, index: number) => Answer = () => 200,
  onHang: (response: ServerResponse) => void = () => undefined,
): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const target = await startTarget((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const delivery: Delivery = { headers: request.headers, body, payload: JSON.parse(body) as NoticePayload };
      deliveries.push(delivery);
      const status = answer(delivery, deliveries.length - 1);
      if (status === 'hang') onHang(response);
      else if (typeof status === 'number') response.writeHead(status).end();
      else response.writeHead(status.status, status.headers).end();
    });
  });
  return {
    url: `${target.url}/hooks`,
    deliveries,
    get connections() {
      return target.connections;
    },
    close: () => target.close(),
  };
}

/** Events received, one per notice: retries of the same `webhook-id` count once. */
export function noticesOf(receiver: Receiver): NoticePayload[] {
  const seen = new Set<string>();
  const notices: NoticePayload[] = [];
  for (const delivery of receiver.deliveries) {
    if (seen.has(delivery.payload.id)) continue;
    seen.add(delivery.payload.id);
    notices.push(delivery.payload);
  }
  return notices;
}

const REPLAY_WINDOW_SEC = 5 * 60;

/** Standard Webhooks verification as a receiver does it: returns why it rejects, or `null` to accept. */
export function rejectionOf(
  secret: string,
  headers: IncomingHttpHeaders,
  rawBody: string,
  nowSec = Math.floor(Date.now() / 1000),
): string | null {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string')
    return 'missing headers';
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSec - Number(timestamp)) > REPLAY_WINDOW_SEC)
    return 'timestamp outside the replay window';
  const expected = createHmac('sha256', secret).update(`${id}.${timestamp}.${rawBody}`).digest();
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || value === undefined) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return null;
  }
  return 'no matching signature';
}
