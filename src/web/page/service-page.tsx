// GET /ui/services/:id: one service in full: its state with the reasons, its 90 days, a response-time
// chart drawn by uPlot from the hourly aggregates, its attributes and its transitions a page at a time.
import type { FC } from 'hono/jsx';
import type { Health, HealthVerdict, RowWindow } from '../../domain/index.js';
import { ASSET_ROOT } from '../client-asset.js';
import { CHART_RANGES, type ChartRange, type ResponseSeries } from '../response-series.js';
import type { BarData } from '../uptime-bar.js';
import { age, HealthCell, UptimeBar, UptimeFigures } from './status-page.js';
import { PageDocument } from './document.js';

export const SERVICE_SCRIPT_PATH = `${ASSET_ROOT}service-client.js`;
export const UPLOT_CSS_PATH = `${ASSET_ROOT}uplot.min.css`;
export const TRANSITIONS_PER_PAGE = 25;

export interface TransitionRow {
  readonly id: number;
  readonly at: string;
  readonly from: HealthVerdict;
  readonly to: HealthVerdict;
  readonly reason: string;
}

export interface ServicePageProps {
  readonly nonce: string;
  readonly id: string;
  readonly url: string | null;
  readonly health: Health;
  readonly ready: boolean;
  readonly reason: string;
  readonly lastCheckedAgeSec: number | null;
  readonly stale: boolean;
  readonly lastResponseMs: number | null;
  readonly lastError: string | null;
  readonly errorRate: number;
  readonly recentErrorRate: number | null;
  readonly requestCount: number;
  readonly errorCount: number;
  readonly pollIntervalSec: number;
  readonly registeredAt: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly healthAttributes: Readonly<Record<string, string>>;
  /** `depends_on`, each with its health now (`unknown` when not registered). */
  readonly dependencies: readonly { readonly id: string; readonly health: Health }[];
  readonly uptime: Readonly<Record<RowWindow, string>>;
  readonly bar: BarData;
  readonly range: ChartRange;
  readonly series: ResponseSeries;
  readonly transitions: readonly TransitionRow[];
  /** The `before` of the next (older) page; `null` when this one is the last. */
  readonly nextBefore: number | null;
  /** Whether this page is not the newest. */
  readonly older: boolean;
}

const servicePath = (id: string): string => `/ui/services/${encodeURIComponent(id)}`;

const percent = (rate: number): string => `${Math.round(rate * 10_000) / 100}%`;

const verdictText = (verdict: HealthVerdict): string => `${verdict.health}, ${verdict.ready ? 'ready' : 'not ready'}`;

/** The chart's words for those who cannot see it: the range and the extremes of each line. */
export function chartSummary(series: ResponseSeries, range: ChartRange): string {
  const values = (list: readonly (number | null)[]): number[] => list.filter((v): v is number => v !== null);
  const p50 = values(series.p50);
  const p95 = values(series.p95);
  if (p95.length === 0) return `Response time over the last ${range}: no probes yet`;
  return (
    `Response time over the last ${range}: p50 from ${Math.min(...p50)} to ${Math.max(...p50)} ms, ` +
    `p95 from ${Math.min(...p95)} to ${Math.max(...p95)} ms`
  );
}

const AttributeTable: FC<{ caption: string; attributes: Readonly<Record<string, string>> }> = (props) => {
  const entries = Object.entries(props.attributes);
  if (entries.length === 0) return <p class="muted">{`${props.caption}: none`}</p>;
  return (
    <table>
      <caption class="muted">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([key, value]) => (
          <tr>
            <td class="id">{key}</td>
            <td class="id">{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

const Facts: FC<ServicePageProps> = (props) => (
  <dl class="facts">
    <dt>Health</dt>
    <dd>
      <HealthCell health={props.health} />
      <div class="muted">{props.reason}</div>
    </dd>
    <dt>Readiness</dt>
    <dd>
      {props.ready ? 'ready' : 'not ready'}
      <div class="muted">{props.ready ? 'the last probe got HTTP 200' : (props.lastError ?? 'not probed yet')}</div>
    </dd>
    <dt>Last check</dt>
    <dd>
      {age(props.lastCheckedAgeSec)}
      {props.stale ? ' (stale)' : ''}
      {`, every ${props.pollIntervalSec} s`}
    </dd>
    <dt>Last response</dt>
    <dd>{props.lastResponseMs === null ? '—' : `${Math.round(props.lastResponseMs)} ms`}</dd>
    <dt>Error rate</dt>
    <dd>
      {`${percent(props.errorRate)} over the service's lifetime (${props.errorCount} of ${props.requestCount} requests)`}
      <div class="muted">
        {props.recentErrorRate === null
          ? 'recent: not known yet'
          : `recent: ${percent(props.recentErrorRate)} between the last two probes`}
      </div>
    </dd>
    {props.dependencies.length === 0 ? null : (
      <>
        <dt>Depends on</dt>
        <dd>
          <ul class="plain">
            {props.dependencies.map((dependency) => (
              <li>
                <a href={servicePath(dependency.id)}>{dependency.id}</a> <HealthCell health={dependency.health} />
              </li>
            ))}
          </ul>
        </dd>
      </>
    )}
    <dt>Last error</dt>
    <dd class="last-error">{props.lastError ?? 'none'}</dd>
    <dt>Registered</dt>
    <dd>{props.registeredAt}</dd>
    {props.url === null ? null : (
      <>
        <dt>URL</dt>
        <dd>{props.url}</dd>
      </>
    )}
  </dl>
);

const Chart: FC<ServicePageProps> = (props) => (
  <section aria-labelledby="chart-heading">
    <h2 id="chart-heading">Response time</h2>
    <nav class="ranges" aria-label="Chart range">
      {(Object.keys(CHART_RANGES) as ChartRange[]).map((range) =>
        range === props.range ? (
          <a href={`${servicePath(props.id)}?range=${range}`} aria-current="page">
            {range}
          </a>
        ) : (
          <a href={`${servicePath(props.id)}?range=${range}`}>{range}</a>
        ),
      )}
    </nav>
    <div
      id="chart"
      class="chart"
      role="img"
      aria-label={chartSummary(props.series, props.range)}
      data-series={JSON.stringify(props.series)}
    ></div>
    <p class="muted">p50: solid line · p95: dashed line · from the hourly aggregates, in ms</p>
  </section>
);

const Transitions: FC<ServicePageProps> = (props) => (
  <section aria-labelledby="transitions-heading">
    <h2 id="transitions-heading">Transitions</h2>
    {props.transitions.length === 0 ? (
      <p class="muted">No transitions kept{props.older ? ' before these' : ''}.</p>
    ) : (
      <table id="transitions">
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {props.transitions.map((transition) => (
            <tr data-transition={transition.id}>
              <td data-label="when">{transition.at}</td>
              <td data-label="from">{verdictText(transition.from)}</td>
              <td data-label="to">{verdictText(transition.to)}</td>
              <td data-label="reason" class="id">
                {transition.reason}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    <nav class="pages" aria-label="Transition pages">
      {props.older ? <a href={`${servicePath(props.id)}?range=${props.range}`}>Newest</a> : null}
      {props.nextBefore === null ? null : (
        <a href={`${servicePath(props.id)}?range=${props.range}&before=${props.nextBefore}`} rel="next">
          Older
        </a>
      )}
    </nav>
  </section>
);

export const ServicePage: FC<ServicePageProps> = (props) => (
  <PageDocument
    title={`${props.id} · ${props.health} · Service status`}
    nonce={props.nonce}
    script={SERVICE_SCRIPT_PATH}
    stylesheets={[UPLOT_CSS_PATH]}
  >
    <p>
      <a href="/">← All services</a>
    </p>
    <h1 class="id">{props.id}</h1>
    <Facts {...props} />
    <section aria-labelledby="uptime-heading">
      <h2 id="uptime-heading">Uptime</h2>
      <UptimeBar bar={props.bar} />
      <UptimeFigures uptime={props.uptime} />
    </section>
    <Chart {...props} />
    <section aria-labelledby="attributes-heading">
      <h2 id="attributes-heading">Attributes</h2>
      <AttributeTable caption="Given at registration" attributes={props.attributes} />
      <AttributeTable caption="From the latest /health answer" attributes={props.healthAttributes} />
    </section>
    <Transitions {...props} />
    <div id="day-tip" class="day-tip" role="tooltip" hidden></div>
  </PageDocument>
);

/** A service page for an id no longer (or never) registered: a page, not a JSON error. */
export const MissingServicePage: FC<{ nonce: string; id: string }> = (props) => (
  <PageDocument title="Unknown service · Service status" nonce={props.nonce}>
    <p>
      <a href="/">← All services</a>
    </p>
    <h1>Unknown service</h1>
    <p>
      No service is registered with the id <code>{props.id}</code>.
    </p>
  </PageDocument>
);
