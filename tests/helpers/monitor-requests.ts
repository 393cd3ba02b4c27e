// Requests to a spawned monitor's API, as a service and a dashboard make them.
import type { MetricsEntry } from '../../src/api/views.js';

export const register = (url: string, body: unknown): Promise<Response> =>
  fetch(`${url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

export const metrics = async (url: string): Promise<MetricsEntry[]> =>
  (await (await fetch(`${url}/metrics`)).json()) as MetricsEntry[];
