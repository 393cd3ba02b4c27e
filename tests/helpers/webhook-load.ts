// Load for the webhook bounds at process level: targets that flap, receivers that never answer, the
// monitor's resident memory, and a notifier whose raw log lines are kept as written.
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { pino } from 'pino';
import { WebSocket } from 'undici';
import { ANY_TARGET } from '../../src/domain/index.js';
import {
  startWebhookNotifier,
  type WebhookNotifier,
  type WebhookNotifierOptions,
} from '../../src/notify/webhooks/notifier.js';
import type { ServiceStore } from '../../src/store/store.js';
import { json, startTarget, type Target } from './target.js';

/**
 * Answers every path with a healthy /health body until `flap` is on; then 500 in odd seconds and 200
 * in even ones, so a service probed every second changes health about every second.
 */
export async function startFlappingTarget(): Promise<Target & { flap: boolean }> {
  const state = { flap: false };
  const target = await startTarget((_request, response) => {
    const failing = state.flap && Math.floor(Date.now() / 1000) % 2 === 1;
    json(response, { uptime_sec: 1, request_count: 10, error_count: 0 }, failing ? 500 : 200);
  });
  // defineProperty, not Object.assign: assign would copy the getter's value once.
  return Object.defineProperty(target as Target & { flap: boolean }, 'flap', {
    get: () => state.flap,
    set: (on: boolean) => (state.flap = on),
  });
}

/**
 * Reads every request's body and never answers it. Only the path and arrival time are kept (in
 * `requests`): bodies of tens of kilobytes, thousands of times, would weigh on the test process.
 */
export async function startHangingReceiver(): Promise<Target & { readonly held: number }> {
  const held = new Set<ServerResponse>();
  const target = await startTarget((request, response) => {
    request.resume();
    held.add(response);
    response.on('close', () => held.delete(response));
  });
  return Object.defineProperty(target as Target & { readonly held: number }, 'held', { get: () => held.size });
}

/** The process's resident set (VmRSS), in MB. */
export function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** `count` attributes of `length` characters each, told apart by their keys. */
export function wideAttributes(count: number, length: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `attr${String(i).padStart(2, '0')}`,
      String.fromCharCode(97 + (i % 26)).repeat(length),
    ]),
  );
}

/**
 * A notifier on a real store whose logger is wired as src/main.ts wires it (a child named
 * `component: webhooks`); every line is kept as the raw text pino wrote.
 */
export function startRawLogNotifier(
  t: { after: (fn: () => Promise<void>) => void },
  store: ServiceStore,
  options: Partial<Omit<WebhookNotifierOptions, 'events' | 'lookup' | 'logger'>> = {},
): { notifier: WebhookNotifier; lines: string[] } {
  const lines: string[] = [];
  const root = pino({ level: 'info', base: { name: 'health-monitor' } }, { write: (line: string) => lines.push(line) });
  const notifier = startWebhookNotifier({
    events: store.events,
    lookup: (id) => store.get(id),
    receivers: [],
    targetPolicy: ANY_TARGET,
    secret: null,
    reminderMs: null,
    timeoutMs: 2000,
    retries: 0,
    backoff: { baseMs: 1, capMs: 5 },
    stopGraceMs: 300,
    ...options,
    logger: root.child({ component: 'webhooks' }),
  });
  t.after(() => notifier.stop());
  return { notifier, lines };
}

/** The inspector's WebSocket URL that a process started with `--inspect=127.0.0.1:0` printed. */
export function inspectorUrl(output: string): string {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
  if (url === undefined) throw new Error(`no inspector URL in the output:\n${output.slice(0, 2000)}`);
  return url;
}

/**
 * A full garbage collection in the inspected process (`HeapProfiler.collectGarbage`, which V8 runs as a
 * low-memory collection): tells memory that is garbage from memory that is held.
 */
export async function collectGarbage(url: string): Promise<void> {
  const socket = new WebSocket(url);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot connect to the inspector at ${url}`)), {
        once: true,
      });
    });
    const done = new Promise<void>((resolve) =>
      socket.addEventListener('message', (event) => {
        if (typeof event.data === 'string' && (JSON.parse(event.data) as { id?: number }).id === 1) resolve();
      }),
    );
    socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    await done;
  } finally {
    socket.close();
  }
}
