import { NATIONAL_REGION, regionContains, regionLevel, regionPrefix } from '@homeward/events';
import { NotFoundError } from './errors.ts';

// The division hierarchy is the contract's (@homeward/events); the kit re-exports it so that
// routes find region scope in one place.
export { NATIONAL_REGION, regionContains } from '@homeward/events';

/** Whose region a check is about: a credential's principal, or anything else carrying one. */
export interface Scoped {
  region: string;
}

/**
 * A store filter (MongoDB syntax, in the subset MemoryPersistence's mingo and FerretDB 1.24
 * both implement) matching the documents whose `field` lies in one of `regions`: nothing to
 * add for national, an equality for a county, an anchored prefix `$regex` for a province or a
 * prefecture (`^34`, `^3401`), several regions under `$or`. An array field matches when any of
 * its elements does. Merge it into a list's filter with `$and` (see {@link withScope}) so the
 * store, not the route, drops what lies outside.
 */
export function regionFilter(field: string, regions: string | readonly string[]): Record<string, unknown> {
  const list = typeof regions === 'string' ? [regions] : [...new Set(regions)];
  if (list.length === 0) return { _id: { $in: [] } };
  if (list.includes(NATIONAL_REGION)) return {};
  const one = (region: string): Record<string, unknown> =>
    regionLevel(region) === 'county'
      ? { [field]: region }
      : { [field]: { $regex: `^${regionPrefix(region)}` } };
  if (list.length === 1) return one(list[0]!);
  return { $or: list.map(one) };
}

/** The caller's scope on `field`: {@link regionFilter} for the caller's own region. */
export function scopeFilter(caller: Scoped, field: string): Record<string, unknown> {
  return regionFilter(field, caller.region);
}

/**
 * A list's filter narrowed to a scope filter: `{ $and: [filter, scope] }`, or either alone when
 * the other is empty.
 */
export function withScope(
  filter: Record<string, unknown>,
  scope: Record<string, unknown>,
): Record<string, unknown> {
  if (Object.keys(scope).length === 0) return filter;
  if (Object.keys(filter).length === 0) return scope;
  return { $and: [filter, scope] };
}

/** Does the caller's region contain `region`? (national contains everything) */
export function inScope(caller: Scoped, region: string): boolean {
  return regionContains(caller.region, region);
}

/**
 * The out-of-scope rule: a record whose region lies outside the caller's answers exactly as a
 * record that does not exist (404), so its existence is not revealed. `notFound` makes the
 * service's own not-found error (the same one a missing record gets); without it, the kit's.
 * Returns the record, narrowed to present, so a route reads `const c = ensureInScope(...)`.
 */
export function ensureInScope<T>(
  caller: Scoped,
  record: T | null | undefined,
  regionOf: (record: T) => string | readonly string[],
  notFound: () => Error = () => new NotFoundError('not found'),
): T {
  if (record === null || record === undefined) throw notFound();
  const regions = regionOf(record);
  const list = typeof regions === 'string' ? [regions] : regions;
  if (!list.some((r) => inScope(caller, r))) throw notFound();
  return record;
}
