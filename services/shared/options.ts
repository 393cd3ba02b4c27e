// Flags and environment for an example service: its port, the monitor's URL, its id and interval.
import { parseArgs } from 'node:util';

export interface ServiceOptions {
  readonly id: string;
  readonly port: number;
  readonly monitorUrl: string;
  /** The URL the monitor should poll; defaults to http://localhost:<port>. */
  readonly publicUrl: string | null;
  readonly pollIntervalSec: number;
  readonly registerToken: string | null;
}

export function readServiceOptions(defaults: { id: string; port: number }): ServiceOptions {
  const { values } = parseArgs({
    options: {
      id: { type: 'string' },
      port: { type: 'string' },
      'monitor-url': { type: 'string' },
      'public-url': { type: 'string' },
      'poll-interval-sec': { type: 'string' },
      'register-token': { type: 'string' },
    },
  });
  const env = process.env;
  const port = Number(values.port ?? env['SERVICE_PORT'] ?? defaults.port);
  const pollIntervalSec = Number(values['poll-interval-sec'] ?? env['SERVICE_POLL_INTERVAL_SEC'] ?? 5);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535, got ${values.port}`);
  if (!Number.isInteger(pollIntervalSec) || pollIntervalSec < 1)
    throw new Error('--poll-interval-sec must be a positive integer');
  return {
    id: values.id ?? env['SERVICE_ID'] ?? defaults.id,
    port,
    monitorUrl: (values['monitor-url'] ?? env['MONITOR_URL'] ?? 'http://localhost:8080').replace(/\/+$/, ''),
    publicUrl: values['public-url'] ?? env['SERVICE_PUBLIC_URL'] ?? null,
    pollIntervalSec,
    registerToken: values['register-token'] ?? env['REGISTER_TOKEN'] ?? null,
  };
}
