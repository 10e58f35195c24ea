import type { FieldError } from '@homeward/events';
import { REGION_PATTERN, regionMatches } from './regions.ts';

/** What one SSE client asked to see. Empty means everything. */
export interface StreamFilter {
  /** Event type prefixes, e.g. `homeward.alert.` or `homeward.case.opened`. */
  types: string[];
  region?: string;
  caseId?: string;
}

/** The facets an entry is filtered on, stored beside it in the history stream. */
export interface Facets {
  type: string;
  region?: string;
  caseId?: string;
}

const TYPE_PREFIX = /^[a-z0-9.-]{1,100}$/;
const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Parses the query of `GET /v1/stream` into a filter, or the list of what is wrong. */
export function parseFilter(query: {
  type?: string | undefined;
  region?: string | undefined;
  caseId?: string | undefined;
}): { filter: StreamFilter; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const types = (query.type ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  for (const t of types)
    if (!TYPE_PREFIX.test(t))
      errors.push({ field: '/querystring/type', message: `"${t}" is not an event type prefix` });
  if (types.length > 20) errors.push({ field: '/querystring/type', message: 'at most 20 type prefixes' });
  const filter: StreamFilter = { types };
  if (query.region !== undefined && query.region !== '') {
    if (!REGION_PATTERN.test(query.region))
      errors.push({ field: '/querystring/region', message: 'must be a 6-digit division code' });
    else filter.region = query.region;
  }
  if (query.caseId !== undefined && query.caseId !== '') {
    if (!CASE_ID.test(query.caseId))
      errors.push({ field: '/querystring/caseId', message: 'is not a case id' });
    else filter.caseId = query.caseId;
  }
  return { filter, errors };
}

/** Whether an entry passes a client's filter: every given criterion must hold. */
export function matchesFilter(filter: StreamFilter, facets: Facets): boolean {
  if (filter.types.length > 0 && !filter.types.some((p) => facets.type.startsWith(p))) return false;
  if (filter.region !== undefined && !regionMatches(filter.region, facets.region)) return false;
  if (filter.caseId !== undefined && facets.caseId !== filter.caseId) return false;
  return true;
}

/** True when the filter lets everything through (the common case: one shared frame for all). */
export function isOpenFilter(filter: StreamFilter): boolean {
  return filter.types.length === 0 && filter.region === undefined && filter.caseId === undefined;
}
