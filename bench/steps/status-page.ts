// The status page at 10,000 services in Debian's Chromium: first paint, a usable page (bars drawn,
// script running), the HTML bytes of the first screen, and the server's time to render it.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { HOUR_MS } from '../../src/domain/index.js';
import { ApiClient, registerMany } from '../lib/api-client.js';
import { CHROMIUM, CHROMIUM_FLAGS } from '../lib/chromium.js';
import { startMonitor } from '../lib/monitor-process.js';
import { seedHistory } from '../lib/seed-history.js';
import { median } from '../lib/stats.js';
import { waitUntil } from '../lib/time.js';
import type { Target, Unit } from '../report/figures.js';
import { targetText, type FigureResult } from '../report/results.js';
import type { Farm } from '../start-farm.js';

/** The first page's services: the ones given 90 days of hourly history. */
const FIRST_PAGE = 100;
const SECTION = 'Status page';

export interface StatusPageOptions {
  readonly farm: Farm;
  readonly dir: string;
  readonly services: number;
  readonly lanes: number;
  readonly loads: number;
  readonly onProgress: (message: string) => void;
}

export interface StatusPageFigures {
  readonly firstPaintMs: number;
  readonly usableMs: number;
  readonly htmlBytes: number;
  readonly serverMs: number;
  /** The first GET /, before the uptime rollups are cached (src/web/rollup-cache.ts). */
  readonly coldServerMs: number;
  readonly servicePageUsableMs: number;
}

interface Timings {
  readonly firstPaint: number;
  readonly usable: number;
}

/** Run in the page: the first contentful paint and the client's `ready` mark, from navigation start. */
const TIMINGS = `(() => ({
  firstPaint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
  usable: performance.getEntriesByName('ready')[0]?.startTime ?? -1,
}))()`;

export async function measureStatusPage(options: StatusPageOptions): Promise<StatusPageFigures> {
  const { farm, dir, services, onProgress } = options;
  const dbPath = join(dir, 'status-page.db');
  const id = (n: number): string => `svc-${String(n).padStart(6, '0')}`;
  let monitor = await startMonitor({ dbPath, logDir: dir });
  const api = new ApiClient(monitor.url, options.lanes);
  try {
    await registerMany(api, services, options.lanes, (n) => ({
      id: id(n),
      url: `${farm.url}/s/${n}`,
      attributes: { group: `group-${n % 25}`, team: `team-${n % 7}` },
      poll_interval_sec: 300,
    }));
  } finally {
    await api.close();
  }
  await monitor.stop();
  onProgress(`  ${services} registered; giving the first ${FIRST_PAGE} 90 days of hourly aggregates and transitions`);
  const now = Date.now();
  for (let n = 0; n < Math.min(FIRST_PAGE, services); n++) {
    seedHistory(
      dbPath,
      id(n),
      {
        hours: Array.from({ length: 24 * 90 }, (_, hoursAgo) => ({
          hoursAgo,
          probes: 120,
          successes: (hoursAgo + n) % 97 === 0 ? 100 : 120,
          responseMs: 5 + ((hoursAgo + n) % 40),
        })),
        transitions: Array.from({ length: 20 }, (_, i) => ({
          at: now - (i + 1) * 3 * 24 * HOUR_MS,
          from: { health: 'healthy', ready: true },
          to: { health: 'unhealthy', ready: false },
          reason: 'HTTP 500',
        })),
      },
      now,
    );
  }
  monitor = await startMonitor({ dbPath, logDir: dir });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  try {
    await waitUntil(
      async () => ((await (await fetch(`${monitor.url}/services?limit=1`)).status) === 200 ? true : undefined),
      'the monitor to answer',
      30_000,
    );
    const serverMs: number[] = [];
    let htmlBytes = 0;
    for (let i = 0; i < options.loads * 2; i++) {
      const started = performance.now();
      const body = await (await fetch(`${monitor.url}/`)).text();
      serverMs.push(performance.now() - started);
      htmlBytes = Buffer.byteLength(body);
    }
    const load = async (path: string): Promise<Timings> => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${monitor.url}${path}`);
      await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
      const timings = await page.evaluate<Timings>(TIMINGS);
      await context.close();
      if (timings.firstPaint < 0 || timings.usable < 0) throw new Error(`${path}: no paint or ready mark`);
      return timings;
    };
    await load('/'); // Chromium's own first start is not the page's cost.
    const pages: Timings[] = [];
    const servicePages: Timings[] = [];
    for (let i = 0; i < options.loads; i++) {
      pages.push(await load('/'));
      servicePages.push(await load(`/ui/services/${id(0)}?range=90d`));
    }
    return {
      firstPaintMs: median(pages.map((t) => t.firstPaint)),
      usableMs: median(pages.map((t) => t.usable)),
      htmlBytes,
      serverMs: median(serverMs.slice(1)),
      coldServerMs: serverMs[0] ?? 0,
      servicePageUsableMs: median(servicePages.map((t) => t.usable)),
    };
  } finally {
    await browser.close();
    await monitor.stop();
  }
}

interface FigureSpec {
  readonly label: (services: number) => string;
  readonly unit: Unit;
  readonly target?: Target;
  readonly value: (figures: StatusPageFigures) => number;
}

export const STATUS_PAGE_FIGURES = {
  status_page_first_paint_ms: {
    label: (n) => `status page first contentful paint at ${n.toLocaleString('en-US')} services (median)`,
    unit: 'ms',
    target: { op: '<=', value: 1000 },
    value: (f) => f.firstPaintMs,
  },
  status_page_usable_ms: {
    label: () => 'status page usable: bars drawn, script running (median)',
    unit: 'ms',
    value: (f) => f.usableMs,
  },
  status_page_html_bytes: {
    label: () => 'status page HTML, the first screen (100 services)',
    unit: 'bytes',
    target: { op: '<=', value: 300 * 1024 },
    value: (f) => f.htmlBytes,
  },
  status_page_server_cold_ms: {
    label: () => 'GET / on the server, first, 90 days rolled up from hours for 100 services',
    unit: 'ms',
    value: (f) => f.coldServerMs,
  },
  status_page_server_ms: {
    label: () => 'GET / on the server, to the last byte, rollups cached (median)',
    unit: 'ms',
    value: (f) => f.serverMs,
  },
  status_service_page_usable_ms: {
    label: () => 'service page usable, 90-day chart drawn (median)',
    unit: 'ms',
    value: (f) => f.servicePageUsableMs,
  },
} satisfies Record<string, FigureSpec>;

export type StatusPageFigureKey = keyof typeof STATUS_PAGE_FIGURES;

export function statusPageResults(
  figures: StatusPageFigures,
  services: number,
): Record<StatusPageFigureKey, FigureResult> {
  const specs: Record<StatusPageFigureKey, FigureSpec> = STATUS_PAGE_FIGURES;
  return Object.fromEntries(
    (Object.entries(specs) as [StatusPageFigureKey, FigureSpec][]).map(([key, spec]) => {
      const value = Math.round(spec.value(figures));
      if (!Number.isFinite(value) || value <= 0) throw new Error(`status page figure ${key} is ${value}`);
      const target = spec.target ? { ...spec.target, text: targetText(spec.target, spec.unit) } : null;
      const met = target === null ? null : target.op === '>=' ? value >= target.value : value <= target.value;
      return [key, { section: SECTION, label: spec.label(services), value, unit: spec.unit, target, met }];
    }),
  ) as Record<StatusPageFigureKey, FigureResult>;
}
