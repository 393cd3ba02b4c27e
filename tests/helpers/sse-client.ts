// A server-sent-events client over a raw HTTP request: parses frames and can stop reading, like a slow client.
import { get, type IncomingMessage } from 'node:http';
import { waitFor } from './wait.js';

export interface SseMessage {
  readonly event: string;
  readonly data: string;
  readonly id: number | null;
  /** Comments (`: heartbeat`) are kept as event `comment`. */
  readonly comment: boolean;
}

export interface SseClient {
  readonly status: number;
  readonly messages: SseMessage[];
  /** Logged events only (those with an id). */
  events(): SseMessage[];
  waitFor(check: (messages: SseMessage[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  pause(): void;
  resume(): void;
  /** Resolves when the server ends or cuts the response. */
  readonly ended: Promise<void>;
  close(): void;
}

function parseFrame(frame: string): SseMessage | null {
  const lines = frame.split('\n');
  if (lines.every((line) => line.startsWith(':')))
    return { event: 'comment', data: lines.map((line) => line.slice(1).trim()).join('\n'), id: null, comment: true };
  let event = 'message';
  const data: string[] = [];
  let id: number | null = null;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = Number(value);
  }
  return data.length === 0 && id === null ? null : { event, data: data.join('\n'), id, comment: false };
}

export function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response: IncomingMessage) => {
      const messages: SseMessage[] = [];
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const message = parseFrame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (message) messages.push(message);
        }
      });
      const ended = new Promise<void>((done) => {
        response.on('end', () => done());
        response.on('close', () => done());
        response.on('error', () => done());
      });
      resolve({
        status: response.statusCode ?? 0,
        messages,
        events: () => messages.filter((message) => message.id !== null),
        waitFor: (check, what, timeoutMs = 5000) =>
          waitFor(() => check(messages), what, timeoutMs).then(() => undefined),
        pause: () => response.pause(),
        resume: () => response.resume(),
        ended,
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}
