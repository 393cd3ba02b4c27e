// What a service page's URL asks for: the chart's range and the transitions page, each checked.
import { DEFAULT_CHART_RANGE, isChartRange, CHART_RANGES, type ChartRange } from '../response-series.js';

export interface ServiceQuery {
  readonly range: ChartRange;
  /** Only transitions older than this id (the previous page's last); `null`: the newest. */
  readonly before: number | null;
}

export function parseServiceQuery(params: {
  range?: string | undefined;
  before?: string | undefined;
}): ServiceQuery | { problem: string } {
  const range = params.range === undefined || params.range === '' ? DEFAULT_CHART_RANGE : params.range;
  if (!isChartRange(range))
    return { problem: `range must be one of ${Object.keys(CHART_RANGES).join(', ')}, not "${range.slice(0, 40)}"` };
  if (params.before === undefined || params.before === '') return { range, before: null };
  if (!/^[1-9]\d{0,15}$/.test(params.before))
    return { problem: `before must be a transition id from an earlier page, not "${params.before.slice(0, 20)}"` };
  return { range, before: Number(params.before) };
}
