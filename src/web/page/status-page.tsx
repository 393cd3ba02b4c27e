// GET /: the status page, rendered on the server with Hono's JSX (which escapes every text and
// attribute value). One page of services at a time, grouped, with the banner over all of them.
import type { FC } from 'hono/jsx';
import type { Health, RowWindow } from '../../domain/index.js';
import { ASSET_ROOT } from '../client-asset.js';
import { groupBy } from '../grouping.js';
import type { BarData } from '../uptime-bar.js';
import { OVERALL_TEXT, type HealthCounts, type Overall } from '../overall.js';
import { STATE_FILTERS, type StatusQuery } from './status-query.js';
import { PageDocument } from './document.js';

export const CLIENT_SCRIPT_PATH = `${ASSET_ROOT}status-client.js`;
export const LIVE_PATH = '/ui/live';

export interface StatusRow {
  readonly id: string;
  readonly url: string | null;
  readonly health: Health;
  readonly ready: boolean;
  readonly reason: string;
  /** Its `depends_on` that are down now. */
  readonly impactedBy: readonly string[];
  /** When the maintenance window covering it ends (epoch ms); `null` when none does. */
  readonly maintenanceUntil: number | null;
  readonly lastCheckedAgeSec: number | null;
  readonly lastResponseMs: number | null;
  readonly stale: boolean;
  readonly attributes: Readonly<Record<string, string>>;
  /** Each window's uptime as text (`99.95%`, `no data`). */
  readonly uptime: Readonly<Record<RowWindow, string>>;
  readonly bar: BarData;
}

export interface StatusPageProps {
  readonly nonce: string;
  readonly overall: Overall;
  readonly counts: HealthCounts;
  readonly total: number;
  readonly rows: readonly StatusRow[];
  readonly matching: number;
  readonly query: StatusQuery;
  readonly pageCount: number;
  readonly groupKeys: readonly string[];
}

/** Never colour alone: each state has its own symbol and its word. */
const ICON: Record<Health, string> = { healthy: '✔', degraded: '▲', unhealthy: '✖', dead: '✖', unknown: '?' };

export const age = (sec: number | null): string =>
  sec === null
    ? 'never'
    : sec < 60
      ? `${sec} s ago`
      : sec < 3600
        ? `${Math.floor(sec / 60)} min ago`
        : `${Math.floor(sec / 3600)} h ago`;

export const HealthCell: FC<{ health: Health }> = ({ health }) => (
  <span class="health" data-health={health}>
    <span aria-hidden="true">{ICON[health]}</span> {health}
  </span>
);

const Row: FC<{ row: StatusRow }> = ({ row }) => (
  <tr data-service={row.id} data-health={row.health}>
    <td class="id" data-label="service">
      <a href={`/ui/services/${encodeURIComponent(row.id)}`}>{row.id}</a>
      {row.url === null ? null : <div class="muted">{row.url}</div>}
    </td>
    <td data-label="health">
      <HealthCell health={row.health} />
      <div class="muted">{row.reason}</div>
      {row.impactedBy.length === 0 ? null : (
        <div class="note">{`impacted by ${row.impactedBy.join(', ')} (notices held back)`}</div>
      )}
      {row.maintenanceUntil === null ? null : (
        <div class="note">{`in maintenance until ${new Date(row.maintenanceUntil).toISOString().slice(0, 16).replace('T', ' ')} UTC`}</div>
      )}
    </td>
    <td data-label="ready">{row.ready ? 'ready' : 'not ready'}</td>
    <td data-label="last check">
      {age(row.lastCheckedAgeSec)}
      {row.stale ? <span class="muted"> (stale)</span> : null}
    </td>
    <td data-label="response">{row.lastResponseMs === null ? '—' : `${Math.round(row.lastResponseMs)} ms`}</td>
    <td data-label="uptime" class="uptime">
      <UptimeBar bar={row.bar} />
      <UptimeFigures uptime={row.uptime} />
    </td>
  </tr>
);

/** Drawn into 90 focusable day cells by the page's script; the figures below it need no script. */
export const UptimeBar: FC<{ bar: BarData }> = ({ bar }) => (
  <div
    class="bar"
    role="group"
    aria-label="Daily uptime, last 90 days"
    data-start={bar.start}
    data-days={bar.days}
  ></div>
);

export const UptimeFigures: FC<{ uptime: Readonly<Record<RowWindow, string>> }> = ({ uptime }) => (
  <p class="figures">
    <span>24 h {uptime['24h']}</span> · <span>7 d {uptime['7d']}</span> · <span>30 d {uptime['30d']}</span>
  </p>
);

const pageHref = (query: StatusQuery, page: number): string => {
  const params = new URLSearchParams();
  if (query.state !== 'all') params.set('state', query.state);
  if (query.search !== '') params.set('q', query.search);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text === '' ? '/' : `/?${text}`;
};

const Banner: FC<StatusPageProps> = ({ overall, counts, total }) => (
  <section class="banner" data-overall={overall} aria-live="polite" id="banner">
    <strong>{OVERALL_TEXT[overall]}</strong>
    <p class="counts">
      {`${total} services: ${counts.healthy} healthy, ${counts.degraded} degraded, ` +
        `${counts.unhealthy} unhealthy, ${counts.dead} dead, ${counts.unknown} unknown`}
    </p>
  </section>
);

const ServiceList: FC<StatusPageProps> = (props) => {
  const { query } = props;
  const groups = groupBy(props.rows, (row) => row.attributes, props.groupKeys);
  return (
    <div id="services">
      {props.matching === 0 ? <p>No service matches.</p> : null}
      {groups.map((group) => (
        <section aria-label={group.name}>
          <h2>{group.name}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Health</th>
                <th scope="col">Readiness</th>
                <th scope="col">Last check</th>
                <th scope="col">Response</th>
                <th scope="col">Uptime, 90 days</th>
              </tr>
            </thead>
            <tbody>
              {group.items.map((row) => (
                <Row row={row} />
              ))}
            </tbody>
          </table>
        </section>
      ))}
      {props.pageCount > 1 ? (
        <nav class="pages" aria-label="pages">
          {query.page > 1 ? <a href={pageHref(query, query.page - 1)}>Previous</a> : null}
          <span>{`Page ${query.page} of ${props.pageCount} (${props.matching} services)`}</span>
          {query.page < props.pageCount ? <a href={pageHref(query, query.page + 1)}>Next</a> : null}
        </nav>
      ) : null}
    </div>
  );
};

/** GET /ui/live: what the page's script swaps in, with no head to parse (and no stale nonce in it). */
export const LiveParts: FC<StatusPageProps> = (props) => (
  <template id="live" data-title={`${OVERALL_TEXT[props.overall]} · Service status`}>
    <Banner {...props} />
    <ServiceList {...props} />
  </template>
);

export const StatusPage: FC<StatusPageProps> = (props) => (
  <PageDocument
    title={`${OVERALL_TEXT[props.overall]} · Service status`}
    nonce={props.nonce}
    script={CLIENT_SCRIPT_PATH}
  >
    <h1>Service status</h1>
    <Banner {...props} />
    <form class="filters" method="get" action="/" role="search">
      <label>
        State
        <select name="state">
          {STATE_FILTERS.map((state) => (
            <option value={state} selected={state === props.query.state}>
              {state}
            </option>
          ))}
        </select>
      </label>
      <label>
        Search
        <input type="search" name="q" value={props.query.search} placeholder="id or attribute" />
      </label>
      <button type="submit">Filter</button>
    </form>
    <p id="connection" class="connection" role="status" hidden>
      Reconnecting to live updates…
    </p>
    <ServiceList {...props} />
    <div id="day-tip" class="day-tip" role="tooltip" hidden></div>
  </PageDocument>
);
