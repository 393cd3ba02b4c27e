// GET /healthz: the monitor's own liveness.
import { Hono } from 'hono';
import { z } from 'zod';
import type { CycleEvent } from '../../store/events.js';
import type { ApiDeps } from '../deps.js';
import { jsonResponse, type DocumentRoutes } from '../route-docs.js';

export const healthzSchema = z
  .object({
    status: z.literal('ok'),
    services: z.number().int().min(0).meta({ description: 'Services registered' }),
    uptime_sec: z.number().int().min(0).meta({ description: 'Whole seconds since the monitor started' }),
    last_cycle: z
      .object({
        started_at: z.iso.datetime(),
        duration_ms: z.number().int().min(0),
        services: z.number().int().min(0).meta({ description: 'Services probed in the cycle' }),
        event_loop_utilization: z.number().min(0).max(1).meta({ description: "The API thread's event-loop utilisation while the cycle ran" }),
        schedule_lag_ms: z
          .object({ p50: z.number().int().min(0), p99: z.number().int().min(0), max: z.number().int().min(0) })
          .nullable()
          .meta({ description: 'How late its probes started after they were due; `null` when no result came back' }),
      })
      .nullable()
      .meta({ description: 'The last probing cycle; `null` before the first. A stale `started_at` means the scheduler is stuck.' }),
  })
  .readonly()
  .meta({ id: 'Healthz' });

function cycleView(cycle: CycleEvent | null): z.output<typeof healthzSchema>['last_cycle'] {
  if (cycle === null) return null;
  return {
    started_at: new Date(cycle.startedAt).toISOString(),
    duration_ms: Math.round(cycle.durationMs),
    services: cycle.size,
    event_loop_utilization: Math.round(cycle.eventLoopUtilization * 1000) / 1000,
    schedule_lag_ms: cycle.scheduleLagMs,
  };
}

export function healthzRoutes(deps: ApiDeps): Hono {
  const now = deps.now ?? Date.now;
  const startedAt = deps.startedAt ?? now();
  const routes = new Hono();
  routes.get('/healthz', (c) => {
    const body: z.output<typeof healthzSchema> = {
      status: 'ok',
      services: deps.store.size,
      uptime_sec: Math.floor((now() - startedAt) / 1000),
      last_cycle: cycleView(deps.store.lastCycle),
    };
    return c.json(body);
  });
  return routes;
}

export const documentHealthzRoutes: DocumentRoutes = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: "The monitor's own liveness",
    responses: { 200: jsonResponse('The monitor is up', healthzSchema) },
  });
};
