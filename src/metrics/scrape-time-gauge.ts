// A prom-client Gauge whose samples are computed when it is scraped, never set.
import { Gauge, type Registry } from 'prom-client';

type GaugeSnapshot = Awaited<ReturnType<Gauge<string>['get']>>;
export type GaugeSample = GaugeSnapshot['values'][number];

export interface ScrapeTimeGaugeConfig {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly registry: Registry;
}

/**
 * The samples come straight from `samples()` at every scrape. A plain Gauge with `collect()` would
 * `reset()` and `set()` every sample each time, hashing its labels into a map that is thrown away
 * at the next scrape; at 10,000 services that is most of the work, for nothing.
 */
export class ScrapeTimeGauge extends Gauge<string> {
  private readonly samples: () => GaugeSample[];

  constructor(config: ScrapeTimeGaugeConfig, samples: () => GaugeSample[]) {
    super({ name: config.name, help: config.help, labelNames: config.labelNames, registers: [config.registry] });
    this.samples = samples;
  }

  override get(): Promise<GaugeSnapshot> {
    // Read synchronously: the registry calls every family's get() in one go, so all families of
    // one scrape see the same store state.
    const values = this.samples();
    return super.get().then((snapshot) => ({ ...snapshot, values }));
  }
}
