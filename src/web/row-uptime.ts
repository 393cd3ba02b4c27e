// A service's uptime as both pages show it: three window figures and the 90-day bar.
import { ROW_WINDOWS, type RowWindow, type ServiceRollup } from '../domain/index.js';
import { encodeBar, type BarData } from './uptime-bar.js';
import { uptimeOrNoData } from './uptime-text.js';

export interface RowUptime {
  readonly uptime: Readonly<Record<RowWindow, string>>;
  readonly bar: BarData;
}

export function rowUptime(rollup: ServiceRollup | undefined): RowUptime {
  const none = { probes: 0, successes: 0 };
  return {
    uptime: Object.fromEntries(
      ROW_WINDOWS.map((name) => [name, uptimeOrNoData(rollup?.windows[name] ?? none)]),
    ) as Record<RowWindow, string>,
    bar: encodeBar(rollup?.days ?? []),
  };
}
