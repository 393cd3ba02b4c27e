// What the status page's URL asks for: a state filter, a text search and a page, each checked, so a
// hand-edited URL gets a clear 400 rather than an odd page.
import { HEALTH_STATES, type Health } from '../../domain/index.js';

export const STATE_FILTERS = ['all', 'down', ...HEALTH_STATES] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

export const PAGE_SIZE = 100;
const MAX_SEARCH = 200;

export interface StatusQuery {
  readonly state: StateFilter;
  readonly search: string;
  /** 1-based. */
  readonly page: number;
}

export function parseStatusQuery(params: {
  state?: string | undefined;
  q?: string | undefined;
  page?: string | undefined;
}): StatusQuery | { problem: string } {
  const state = params.state === undefined || params.state === '' ? 'all' : params.state;
  if (!(STATE_FILTERS as readonly string[]).includes(state))
    return { problem: `state must be one of ${STATE_FILTERS.join(', ')}, not "${state.slice(0, 40)}"` };
  const search = (params.q ?? '').trim();
  if (search.length > MAX_SEARCH) return { problem: `q must be at most ${MAX_SEARCH} characters` };
  const pageText = params.page === undefined || params.page === '' ? '1' : params.page;
  if (!/^[1-9]\d{0,6}$/.test(pageText))
    return { problem: `page must be a whole number from 1, not "${pageText.slice(0, 20)}"` };
  return { state: state as StateFilter, search, page: Number(pageText) };
}

export function matchesState(health: Health, filter: StateFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'down') return health === 'unhealthy' || health === 'dead';
  return health === filter;
}

/** Case-insensitive, over the id and every attribute value. */
export function matchesSearch(id: string, attributes: Readonly<Record<string, string>>, search: string): boolean {
  if (search === '') return true;
  const needle = search.toLowerCase();
  return id.toLowerCase().includes(needle) || Object.values(attributes).some((v) => v.toLowerCase().includes(needle));
}
